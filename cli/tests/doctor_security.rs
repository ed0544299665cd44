//! `steady doctor --bootstrap-servers` over TLS and SASL_SSL (SCRAM-SHA-512) against the secure
//! broker of tests/kafka (`kafka.sh start --instance secure --secure`, shared with the other
//! suites): the probe connects with librdkafka's keys and with the Java client's, a wrong password
//! is an authentication error with exit code 2, and no password is ever printed.

#[path = "../../core/tests/common/broker.rs"]
mod broker;
#[path = "common/probing.rs"]
mod probing;

use probing::doctor;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

const WRONG: &str = "not-the-password-91fb";

/// A properties file holding `lines`, as users keep their secrets (not on the command line).
fn properties(name: &str, lines: &[String]) -> PathBuf {
    let path = std::env::temp_dir().join(format!("{}.properties", broker::unique(name)));
    std::fs::write(&path, lines.join("\n")).unwrap();
    path
}

fn scram(s: &HashMap<String, String>, password: &str) -> Vec<String> {
    vec![
        "security.protocol=SASL_SSL".into(),
        format!("ssl.ca.location={}", s["ca"]),
        "sasl.mechanism=SCRAM-SHA-512".into(),
        format!("sasl.username={}", s["sasl.username"]),
        format!("sasl.password={password}"),
    ]
}

/// Runs the doctor on `config` against `listener`; returns (exit code, stdout, stderr).
fn probe(config: &Path, listener: &str, format: &str) -> (i32, String, String) {
    doctor(&[
        "--config",
        config.to_str().unwrap(),
        "--bootstrap-servers",
        listener,
        "--client",
        "librdkafka",
        "--format",
        format,
    ])
}

fn broker_of(stdout: &str) -> Value {
    let report: Value = serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    report["broker"].clone()
}

#[test]
fn the_doctor_probes_over_tls_and_sasl_ssl() {
    let s = broker::secure();
    let tls = properties(
        "doctor-tls",
        &[
            "security.protocol=SSL".into(),
            format!("ssl.ca.location={}", s["ca"]),
        ],
    );
    let sasl = properties("doctor-scram", &scram(&s, &s["sasl.password"]));
    for (config, listener) in [(&tls, &s["ssl"]), (&sasl, &s["sasl_ssl"])] {
        let (code, stdout, stderr) = probe(config, listener, "json");
        assert!(code == 0 || code == 1, "exit {code}: {stderr}");
        let broker = broker_of(&stdout);
        assert_eq!(broker["kip848"], true, "{broker}");
        assert!(!stdout.contains(&s["sasl.password"]) && !stderr.contains(&s["sasl.password"]));
    }
}

#[test]
fn the_java_clients_keys_get_a_finding_and_the_probe_still_connects() {
    let s = broker::secure();
    let jaas = format!(
        "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \
         username=\"{}\" password=\"{}\";",
        s["sasl.username"], s["sasl.password"]
    );
    let config = properties(
        "doctor-jaas",
        &[
            "security.protocol=SASL_SSL".into(),
            format!("ssl.ca.location={}", s["ca"]),
            "ssl.truststore.location=/etc/kafka/truststore.jks".into(),
            "sasl.mechanism=SCRAM-SHA-512".into(),
            jaas,
        ],
    );
    let (code, stdout, stderr) = probe(&config, &s["sasl_ssl"], "json");
    assert_eq!(code, 1, "CF001 is a warning: {stdout}{stderr}");
    assert_eq!(broker_of(&stdout)["kip848"], true, "{stdout}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let named = |key: &str, instead: &str| {
        report["findings"].as_array().unwrap().iter().any(|f| {
            f["rule"] == "CF001"
                && f["key"] == key
                && f["message"].as_str().unwrap().contains(instead)
        })
    };
    assert!(named("sasl.jaas.config", "sasl.username"), "{stdout}");
    assert!(
        named("ssl.truststore.location", "ssl.ca.location"),
        "{stdout}"
    );
    assert!(!stdout.contains(&s["sasl.password"]) && !stderr.contains(&s["sasl.password"]));
}

#[test]
fn a_wrong_password_is_an_authentication_error_that_never_shows_the_password() {
    let s = broker::secure();
    let config = properties("doctor-wrong", &scram(&s, WRONG));
    for format in ["text", "json"] {
        let (code, stdout, stderr) = probe(&config, &s["sasl_ssl"], format);
        println!("{stderr}");
        assert_eq!(code, 2, "{stdout}{stderr}");
        assert!(
            stderr.to_ascii_lowercase().contains("authentication"),
            "{stderr}"
        );
        assert!(!stdout.contains(WRONG) && !stderr.contains(WRONG));
    }
}
