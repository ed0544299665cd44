//! Logging through the `log` crate against the real broker: the start-up warning, librdkafka's
//! `debug=cgrp` lines and steady's rebalance records reach the installed logger, and nothing of
//! the library's reaches stderr.
//!
//! The consumer runs in a child process (this test binary again, the ignored test
//! `logging_member`), so its stderr can be read whole.

#[path = "common/broker.rs"]
mod broker;
#[path = "common/runtime.rs"]
mod runtime;

use parking_lot::Mutex;
use runtime::settings;
use std::process::Command;
use std::time::{Duration, Instant};
use steady_core::runtime::{Consumer, LIBRDKAFKA_TARGET, LOG_TARGET};

const WAIT: Duration = Duration::from_secs(120);

/// Every record the logger got: (target, level, message).
static SEEN: Mutex<Vec<(String, log::Level, String)>> = Mutex::new(Vec::new());

struct Recording;

impl log::Log for Recording {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let text = record.args().to_string();
        SEEN.lock()
            .push((record.target().to_string(), record.level(), text));
    }

    fn flush(&self) {}
}

fn seen(target: &str, level: log::Level, starts: &str) -> bool {
    SEEN.lock()
        .iter()
        .any(|(t, l, m)| t == target && *l == level && m.starts_with(starts))
}

/// The child: installs the recording logger, consumes until assigned and logged, prints OK.
#[test]
#[ignore = "the process of records_reach_the_log_crate_and_nothing_reaches_stderr"]
fn logging_member() {
    let (Ok(bootstrap), Ok(topic)) = (
        std::env::var("STEADY_LOG_BOOTSTRAP"),
        std::env::var("STEADY_LOG_TOPIC"),
    ) else {
        return;
    };
    log::set_logger(&Recording).unwrap();
    log::set_max_level(log::LevelFilter::Debug);
    let s = settings(
        &bootstrap,
        &broker::unique("logging"),
        &[("debug", "cgrp"), ("session.timeout.ms", "6000")],
    );
    let c = Consumer::new(&s, &[&topic]).expect("consumer");
    let deadline = Instant::now() + WAIT;
    let all_seen = || {
        seen(LOG_TARGET, log::Level::Warn, "config: ST005")
            && seen(LIBRDKAFKA_TARGET, log::Level::Debug, "CGRP")
            && seen(LOG_TARGET, log::Level::Info, "rebalance: assigned")
    };
    while !all_seen() {
        assert!(Instant::now() < deadline, "records seen: {:?}", SEEN.lock());
        let _ = c.recv(Duration::from_millis(100)).expect("recv");
    }
    c.close().unwrap();
    println!("LOGGED OK");
}

#[test]
fn records_reach_the_log_crate_and_nothing_reaches_stderr() {
    let bootstrap = broker::bootstrap();
    let topic = broker::unique("logging");
    broker::create_topic(&topic, 1);
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "logging_member", "--ignored", "--nocapture"])
        .env("STEADY_LOG_BOOTSTRAP", &bootstrap)
        .env("STEADY_LOG_TOPIC", &topic)
        .output()
        .expect("the logging member");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("LOGGED OK"), "{stdout}");
    let library = stderr
        .lines()
        .filter(|l| l.contains("steady") || l.contains("rdkafka") || l.contains("CGRP"))
        .collect::<Vec<_>>();
    assert!(library.is_empty(), "library output on stderr: {library:?}");
}

/// Without a logger, the start-up warning still shows, on stderr.
#[test]
fn without_a_logger_warnings_go_to_stderr() {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "unlogged_member", "--ignored", "--nocapture"])
        .env("STEADY_UNLOGGED", "1")
        .output()
        .expect("the member");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("steady: warn config: ST005"),
        "stderr: {stderr}"
    );
}

/// The child of `without_a_logger_warnings_go_to_stderr`: a consumer and nothing else.
#[test]
#[ignore = "the process of without_a_logger_warnings_go_to_stderr"]
fn unlogged_member() {
    if std::env::var("STEADY_UNLOGGED").is_err() {
        return;
    }
    let s = settings("127.0.0.1:1", "g", &[("session.timeout.ms", "6000")]);
    Consumer::new(&s, &["t"])
        .expect("consumer")
        .close()
        .unwrap();
}
