//! `steady doctor` run as a process: the seed's example in text and JSON, exit codes, bad
//! input, secrets, and probes of brokers that are not there.

use serde_json::Value;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;

/// The seed's example: a Java 0.10.0 client on a 0.10.0 broker with a 40 s session and
/// batches of 2000 records processed at 10 records/s on each of 2 threads.
const SEED: &[&str] = &[
    "--client",
    "java",
    "--client-version",
    "0.10.0",
    "--set",
    "session.timeout.ms=40000",
    "--set",
    "max.poll.records=2000",
    "--rate",
    "10",
    "--threads",
    "2",
    "--broker-version",
    "0.10.0",
];

/// A modern librdkafka consumer on a 4.0 broker; only static membership (GR001, info) is
/// missing.
const MODERN: &[&str] = &[
    "--client",
    "librdkafka",
    "--broker-version",
    "4.0",
    "--set",
    "group.id=orders",
    "--set",
    "group.protocol=consumer",
    "--set",
    "auto.offset.reset=earliest",
];

/// The same with a static member id: nothing to report.
const STATIC_ID: &[&str] = &["--set", "group.instance.id=orders-1"];

/// What one run of `steady doctor` did.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn doctor(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_steady"))
        .arg("doctor")
        .args(args)
        .output()
        .expect("steady runs");
    Run {
        code: out.status.code().expect("exited"),
        stdout: String::from_utf8(out.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
    }
}

/// `base` followed by `extra`.
fn with<'a>(base: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
    base.iter().chain(extra).copied().collect()
}

/// A finding in the text report: its rule id and the `fix:` line that follows it, if any.
type Listed = (String, Option<String>);

/// A section of the text report: its title ("Errors", "Warnings", "Info") and findings.
type Section = (String, Vec<Listed>);

/// The text report's sections in order.
fn sections(text: &str) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    for line in text.lines() {
        if let Some((title, _)) = line.split_once(" (") {
            if !line.starts_with(' ') && line.ends_with("):") {
                out.push((title.to_string(), Vec::new()));
                continue;
            }
        }
        let Some((_, findings)) = out.last_mut() else {
            continue;
        };
        if let Some(fix) = line.trim().strip_prefix("fix: ") {
            if let Some(last) = findings.last_mut() {
                last.1 = Some(fix.to_string());
            }
        } else if line.starts_with("  ") && !line.starts_with("    ") {
            let rule = line.split_whitespace().next().unwrap_or_default();
            findings.push((rule.to_string(), None));
        }
    }
    out
}

fn section<'a>(all: &'a [Section], title: &str) -> &'a [Listed] {
    all.iter()
        .find(|(t, _)| t == title)
        .map_or(&[], |(_, f)| f.as_slice())
}

fn fix_of(findings: &[Listed], rule: &str) -> Option<String> {
    findings
        .iter()
        .find(|(r, _)| r == rule)
        .unwrap_or_else(|| panic!("{rule} missing from {findings:?}"))
        .1
        .clone()
}

#[test]
fn the_seed_example_in_text() {
    let run = doctor(SEED);
    println!("{}", run.stdout);
    assert_eq!(run.code, 1, "findings at warning or above fail the run");
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let all = sections(&run.stdout);
    let errors = section(&all, "Errors");
    let warnings = section(&all, "Warnings");
    assert_eq!(fix_of(errors, "VR001"), None);
    assert_eq!(fix_of(errors, "PL003"), None);
    assert_eq!(
        fix_of(errors, "PL002").as_deref(),
        Some("max.poll.records=80")
    );
    assert_eq!(
        fix_of(warnings, "ST006").as_deref(),
        Some("session.timeout.ms=25000")
    );
    assert!(run.stdout.contains("broker: 0.10.0"));
}

#[test]
fn the_seed_example_in_json() {
    let run = doctor(&with(SEED, &["--format", "json"]));
    assert_eq!(run.code, 1);
    let json: Value = serde_json::from_str(&run.stdout).expect("one JSON document");
    let findings = json["findings"].as_array().expect("findings array");
    for f in findings {
        for field in ["rule", "severity", "key", "message", "source"] {
            assert!(f[field].is_string(), "{field} of {f}");
        }
        let rec = &f["recommendation"];
        assert!(
            rec.is_null() || (rec["key"].is_string() && rec["value"].is_string()),
            "{f}"
        );
    }
    let find = |rule: &str| {
        findings
            .iter()
            .find(|f| f["rule"] == rule)
            .unwrap_or_else(|| panic!("{rule} missing: {}", run.stdout))
    };
    assert_eq!(find("VR001")["severity"], "error");
    assert_eq!(find("PL003")["severity"], "error");
    assert_eq!(find("PL002")["severity"], "error");
    assert_eq!(find("ST006")["severity"], "warning");
    let rec = |rule: &str| find(rule)["recommendation"].clone();
    assert_eq!(
        rec("PL002"),
        serde_json::json!({"key": "max.poll.records", "value": "80"})
    );
    assert_eq!(
        rec("ST006"),
        serde_json::json!({"key": "session.timeout.ms", "value": "25000"})
    );

    let count = |sev: &str| findings.iter().filter(|f| f["severity"] == sev).count();
    let summary = &json["summary"];
    assert_eq!(summary["errors"], count("error"));
    assert_eq!(summary["warnings"], count("warning"));
    assert_eq!(summary["info"], count("info"));
    assert_eq!(
        json["broker"],
        serde_json::json!({"version": "0.10.0", "kip62": false,
                           "static_membership": false, "kip848": false})
    );
}

#[test]
fn fail_on_sets_the_threshold() {
    assert_eq!(doctor(&with(SEED, &["--fail-on", "never"])).code, 0);
    assert_eq!(doctor(&with(SEED, &["--fail-on", "error"])).code, 1);
    assert_eq!(doctor(&with(SEED, &["--fail-on", "warning"])).code, 1);
}

#[test]
fn a_clean_configuration_passes() {
    let clean = with(MODERN, STATIC_ID);
    let run = doctor(&clean);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains("No findings."), "{}", run.stdout);
    assert_eq!(doctor(&with(&clean, &["--fail-on", "info"])).code, 0);
}

#[test]
fn info_findings_fail_only_under_fail_on_info() {
    let run = doctor(MODERN);
    assert!(
        run.stdout.contains("0 error(s), 0 warning(s), 1 info"),
        "{}",
        run.stdout
    );
    assert_eq!(run.code, 0);
    assert_eq!(doctor(&with(MODERN, &["--fail-on", "info"])).code, 1);
}

/// Asserts exit code 2 and one stderr line from steady naming `flag`.
fn assert_bad_input(args: &[&str], flag: &str) {
    let run = doctor(args);
    assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
    assert!(run.stdout.is_empty(), "{args:?} printed {}", run.stdout);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{args:?}: {}", run.stderr);
    assert!(lines[0].starts_with("steady doctor: "), "{}", lines[0]);
    assert!(lines[0].contains(flag), "{args:?}: {}", lines[0]);
}

/// Asserts exit code 2 and clap's error naming `flag` and, when given, the allowed values.
fn assert_rejected_value(args: &[&str], flag: &str, allowed: &str) {
    let run = doctor(args);
    assert_eq!(run.code, 2, "{args:?}");
    let first = run.stderr.lines().next().unwrap_or_default();
    assert!(first.starts_with("error: "), "{}", run.stderr);
    assert!(first.contains(flag), "{args:?}: {}", run.stderr);
    assert!(run.stderr.contains(allowed), "{args:?}: {}", run.stderr);
}

#[test]
fn bad_input_exits_2_with_one_line() {
    assert_bad_input(&["--config", "/no/such/consumer.properties"], "--config");
    let dir = std::env::temp_dir();
    assert_bad_input(&["--config", dir.to_str().unwrap()], "--config");
    let broken = write_temp("broken.properties", "a.key=\\uZZZZ\n");
    assert_bad_input(&["--config", broken.to_str().unwrap()], "--config");
    assert_bad_input(&["--set", "foo"], "--set 'foo': expected KEY=VALUE");
    let run = doctor(&["--set", "=hunter2"]);
    assert!(!run.stderr.contains("hunter2"), "{}", run.stderr);
    assert_bad_input(&["--set", "=hunter2"], "--set");
}

#[test]
fn bad_values_name_the_flag_and_what_is_allowed() {
    assert_rejected_value(
        &["--client", "cobol"],
        "--client",
        "java, librdkafka, steady",
    );
    assert_rejected_value(
        &["--heartbeat", "sometimes"],
        "--heartbeat",
        "coupled, decoupled",
    );
    assert_rejected_value(
        &["--profile", "aws"],
        "--profile",
        "apache, alibaba, azure-event-hubs",
    );
    assert_rejected_value(&["--format", "yaml"], "--format", "text, json");
    assert_rejected_value(
        &["--fail-on", "sometimes"],
        "--fail-on",
        "error, warning, info, never",
    );
    assert_rejected_value(&["--client-version", "0.x"], "--client-version", "0.10.2");
    assert_rejected_value(
        &["--broker-version", "banana"],
        "--broker-version",
        "0.10.2",
    );
    assert_rejected_value(&["--rate", "-3"], "--rate", "positive number");
    assert_rejected_value(&["--threads", "0"], "--threads", "1..");
    assert_rejected_value(&["--no-such-flag"], "--no-such-flag", "");
}

fn write_temp(name: &str, text: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("steady-doctor-{}-{name}", std::process::id()));
    std::fs::write(&path, text).expect("temp file written");
    path
}

#[test]
fn secrets_in_the_config_never_appear() {
    let secrets = [
        "hunter2-sasl",
        "jaas-secret-value",
        "keypass-secret",
        "keystore-secret",
        "oauth-client-secret",
    ];
    let config = write_temp(
        "secrets.properties",
        &format!(
            "bootstrap.servers=127.0.0.1:9\n\
             group.id=orders\n\
             security.protocol=SASL_SSL\n\
             sasl.mechanism=PLAIN\n\
             sasl.password={}\n\
             sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule \
             required username=\"u\" password=\"{}\";\n\
             ssl.key.password={}\n\
             ssl.keystore.password={}\n\
             sasl.oauthbearer.client.secret={}\n",
            secrets[0], secrets[1], secrets[2], secrets[3], secrets[4]
        ),
    );
    let config = config.to_str().unwrap();
    for client in ["java", "librdkafka", "steady"] {
        for format in ["text", "json"] {
            let args = ["--config", config, "--client", client, "--format", format];
            let run = doctor(&args);
            assert!(run.code == 0 || run.code == 1, "{args:?}: {}", run.stderr);
            for secret in secrets {
                assert!(!run.stdout.contains(secret), "{args:?} printed {secret}");
                assert!(!run.stderr.contains(secret), "{args:?} printed {secret}");
            }
        }
    }
    // A failed probe with those settings does not print them either.
    let run = doctor(&[
        "--config",
        config,
        "--bootstrap-servers",
        "127.0.0.1:9",
        "--probe-timeout-ms",
        "2000",
    ]);
    assert_eq!(run.code, 2);
    for secret in secrets {
        assert!(
            !run.stderr.contains(secret),
            "the probe error printed {secret}"
        );
    }
}

#[test]
fn a_closed_port_is_bad_input() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let servers = format!("127.0.0.1:{port}");
    assert_bad_input(
        &[
            "--bootstrap-servers",
            &servers,
            "--probe-timeout-ms",
            "2000",
        ],
        "--bootstrap-servers",
    );
}

#[test]
fn a_silent_listener_is_bad_input_within_the_probe_timeout() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let servers = listener.local_addr().unwrap().to_string();
    let run = doctor(&[
        "--bootstrap-servers",
        &servers,
        "--probe-timeout-ms",
        "1500",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("did not answer within 1500 ms"),
        "{}",
        run.stderr
    );
    drop(listener);
}
