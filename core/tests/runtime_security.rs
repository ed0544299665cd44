//! TLS and SASL_SSL (SCRAM-SHA-512) against a real broker with a test CA (`kafka.sh --secure`):
//! the consumer and the probe connect with librdkafka's keys, and with the Java client's
//! `sasl.jaas.config`; a wrong password is a visible authentication error, and the password
//! appears in no error, stat or log line.

#[path = "common/broker.rs"]
mod broker;
#[path = "common/runtime.rs"]
mod runtime;

use parking_lot::Mutex;
use runtime::{produce, settings, wait_until};
use std::sync::Arc;
use std::time::Duration;
use steady_core::broker::probe;
use steady_core::runtime::{Consumer, ConsumerOptions, LogRecord, LogSink};
use steady_core::Settings;

const RECORDS: usize = 200;
const WAIT: Duration = Duration::from_secs(120);

/// Reads `RECORDS` records of a new topic with `extra` settings at `address`, keeping every
/// log line; returns them.
fn consume_all(address: &str, plain: &str, extra: &[(&str, &str)]) -> Vec<String> {
    let topic = broker::unique("secure");
    let (code, out, err) =
        broker::kafka_sh(&["topic", "create", &topic, "2", "--instance", broker::SECURE]);
    assert_eq!(code, 0, "{out}{err}");
    produce(plain, &topic, 2, RECORDS, 10);
    let (lines, sink) = log_sink();
    let s = settings(address, &broker::unique("secure"), extra);
    let c = Consumer::with_options(&s, &[&topic], ConsumerOptions::default().log(sink))
        .expect("consumer");
    let mut got = 0;
    wait_until("every record over the secure listener", WAIT, || {
        while let Some(r) = c.recv(Duration::from_millis(100)).expect("recv") {
            r.ack().unwrap();
            got += 1;
        }
        got >= RECORDS
    });
    c.close().unwrap();
    let lines = lines.lock().clone();
    lines
}

fn log_sink() -> (Arc<Mutex<Vec<String>>>, LogSink) {
    let lines: Arc<Mutex<Vec<String>>> = Arc::default();
    let keep = lines.clone();
    let sink: LogSink = Arc::new(move |r: &LogRecord| {
        keep.lock().push(format!("{} {}", r.facility, r.message));
    });
    (lines, sink)
}

#[test]
fn the_consumer_reads_over_tls() {
    let s = broker::secure();
    consume_all(
        &s["ssl"],
        &s["bootstrap"],
        &[("security.protocol", "SSL"), ("ssl.ca.location", &s["ca"])],
    );
}

#[test]
fn the_consumer_reads_over_sasl_ssl_with_scram() {
    let s = broker::secure();
    let lines = consume_all(
        &s["sasl_ssl"],
        &s["bootstrap"],
        &[
            ("security.protocol", "SASL_SSL"),
            ("ssl.ca.location", &s["ca"]),
            ("sasl.mechanism", "SCRAM-SHA-512"),
            ("sasl.username", &s["sasl.username"]),
            ("sasl.password", &s["sasl.password"]),
            ("debug", "security"),
        ],
    );
    assert!(
        !lines.is_empty(),
        "librdkafka's security debug lines were logged"
    );
    let leaked: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains(&s["sasl.password"]))
        .collect();
    assert!(leaked.is_empty(), "the password in the logs: {leaked:?}");
}

#[test]
fn the_java_clients_jaas_line_works_too() {
    let s = broker::secure();
    let jaas = format!(
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"{}\" \
         password=\"{}\";",
        s["sasl.username"], s["sasl.password"]
    );
    consume_all(
        &s["sasl_ssl"],
        &s["bootstrap"],
        &[
            ("security.protocol", "SASL_SSL"),
            ("ssl.ca.location", &s["ca"]),
            ("sasl.mechanism", "SCRAM-SHA-512"),
            ("sasl.jaas.config", &jaas),
        ],
    );
}

#[test]
fn a_wrong_password_is_a_visible_authentication_error_that_never_shows_the_password() {
    let s = broker::secure();
    let wrong = "not-the-password-7c1e";
    let (lines, sink) = log_sink();
    let settings = Settings::from_pairs([
        ("bootstrap.servers", s["sasl_ssl"].as_str()),
        ("group.id", "secure-wrong"),
        ("security.protocol", "SASL_SSL"),
        ("ssl.ca.location", s["ca"].as_str()),
        ("sasl.mechanism", "SCRAM-SHA-512"),
        ("sasl.username", s["sasl.username"].as_str()),
        ("sasl.password", wrong),
    ]);
    let c =
        Consumer::with_options(&settings, &["t"], ConsumerOptions::default().log(sink)).unwrap();
    let mut seen = Vec::new();
    wait_until("an authentication error", WAIT, || {
        let _ = c.recv(Duration::from_millis(100));
        let last = c.stats().last_error.unwrap_or_default();
        if !seen.contains(&last) {
            eprintln!("last_error: {last}");
            seen.push(last.clone());
        }
        last.to_ascii_lowercase().contains("authentication")
    });
    let stats = c.stats().to_json();
    c.close().unwrap();
    println!("stats after a wrong password: {stats}");
    assert!(!stats.contains(wrong), "the password in the stats");
    let lines = lines.lock();
    assert!(
        lines.iter().all(|l| !l.contains(wrong)),
        "the password in the logs"
    );

    // The probe: the same error, no password.
    let err = probe(&s["sasl_ssl"], &settings, None, Duration::from_secs(20)).unwrap_err();
    println!("the probe: {err}");
    assert!(err.to_string().contains("authentication failed"), "{err}");
    assert!(!err.to_string().contains(wrong), "{err}");
}

#[test]
fn the_probe_connects_over_tls_and_sasl_ssl() {
    let s = broker::secure();
    let tls = Settings::from_pairs([
        ("security.protocol", "SSL"),
        ("ssl.ca.location", s["ca"].as_str()),
    ]);
    let facts = probe(&s["ssl"], &tls, None, Duration::from_secs(30)).expect("probe over TLS");
    assert!(facts.version.is_some());
    let mut sasl = tls.clone();
    sasl.set("security.protocol", "SASL_SSL");
    sasl.set("sasl.mechanism", "SCRAM-SHA-512");
    sasl.set("sasl.username", &s["sasl.username"]);
    sasl.set("sasl.password", &s["sasl.password"]);
    let facts =
        probe(&s["sasl_ssl"], &sasl, None, Duration::from_secs(30)).expect("probe over SASL_SSL");
    assert!(facts.kip848.unwrap_or(false), "a 4.x broker: {facts:?}");
}

/// GSSAPI (Kerberos) needs librdkafka built with libsasl2 and OIDC token retrieval with
/// libcurl; this build has neither, so both are refused when the consumer is created, naming
/// the setting (docs/security.md says why).
#[test]
fn mechanisms_this_build_lacks_are_refused_at_start_naming_the_setting() {
    for (key, value, extra) in [
        ("sasl.mechanism", "GSSAPI", None),
        (
            "sasl.oauthbearer.method",
            "oidc",
            Some(("sasl.mechanism", "OAUTHBEARER")),
        ),
    ] {
        let mut pairs = vec![
            ("bootstrap.servers", "127.0.0.1:9"),
            ("group.id", "secure-lacking"),
            ("security.protocol", "SASL_SSL"),
            (key, value),
        ];
        pairs.extend(extra);
        let err = Consumer::new(&Settings::from_pairs(pairs), &["t"])
            .err()
            .unwrap_or_else(|| panic!("{key}={value} accepted"));
        println!("{key}={value}: {err}");
        assert!(err.to_string().contains(&format!("CF002 {key}:")), "{err}");
    }
}
