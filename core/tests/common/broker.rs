//! The real Apache Kafka broker of tests/kafka/kafka.sh, for integration tests.
//!
//! Include it from any test crate of the workspace:
//! `#[path = "../../core/tests/common/broker.rs"] mod broker;` (from cli/tests, ffi/tests, …)
//! or `mod common;` from core/tests.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

/// Exit code of `kafka.sh start` when a Kafka version cannot run on this machine.
const CANNOT_RUN: i32 = 3;

/// The repository's root directory.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("crate directory has a parent")
        .to_path_buf()
}

/// Runs `tests/kafka/kafka.sh ARGS…`; returns (exit code, stdout, stderr).
pub fn kafka_sh(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(repo_root().join("tests/kafka/kafka.sh"))
        .args(args)
        .output()
        .expect("tests/kafka/kafka.sh runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The `host:port` of the `bootstrap=host:port` line `kafka.sh start` ends with.
pub fn parse_bootstrap(stdout: &str) -> Option<String> {
    stdout
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("bootstrap="))
        .map(str::to_string)
}

/// Starts (or finds running) the broker `kafka.sh start EXTRA…` describes; `Err` carries the
/// harness's reason when that Kafka version cannot run here (exit code 3). Any other failure
/// panics with the harness's output.
pub fn try_start(extra: &[&str]) -> Result<String, String> {
    let mut args = vec!["start"];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = kafka_sh(&args);
    match code {
        0 => Ok(parse_bootstrap(&stdout)
            .unwrap_or_else(|| panic!("no bootstrap= line from kafka.sh {args:?}:\n{stdout}"))),
        CANNOT_RUN => Err(stderr.trim().to_string()),
        _ => panic!("kafka.sh {args:?} failed with exit code {code}:\n{stdout}\n{stderr}"),
    }
}

/// The default 4.x broker's bootstrap address, starting it when needed.
pub fn bootstrap() -> String {
    try_start(&[]).unwrap_or_else(|reason| panic!("the default broker cannot run: {reason}"))
}

/// A name no other test or earlier run uses: `prefix-PID-NANOS`.
pub fn unique(prefix: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_nanos();
    format!("{prefix}-{}-{nanos}", std::process::id())
}

/// Creates topic `name` with `partitions` partitions on the default broker.
pub fn create_topic(name: &str, partitions: u32) {
    create_topic_on(&[], name, partitions);
}

/// Creates topic `name` on the broker `kafka.sh … EXTRA…` names (e.g. `["--version", "0.10.0.1"]`).
pub fn create_topic_on(extra: &[&str], name: &str, partitions: u32) {
    let partitions = partitions.to_string();
    let mut args = vec!["topic", "create", name, &partitions];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = kafka_sh(&args);
    assert_eq!(code, 0, "kafka.sh {args:?}:\n{stdout}\n{stderr}");
}

/// The instance with TLS and SASL_SSL listeners (`kafka.sh start --secure`), shared by the
/// security tests of every language.
pub const SECURE: &str = "secure";

/// Starts (or finds running) the secure broker; returns its lines: ssl, sasl_ssl, ca,
/// sasl.username, sasl.password and bootstrap (its plaintext listener, for producers).
pub fn secure() -> HashMap<String, String> {
    let (code, out, err) = kafka_sh(&["start", "--instance", SECURE, "--secure"]);
    assert_eq!(code, 0, "{out}{err}");
    out.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}
