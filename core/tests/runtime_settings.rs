//! Bad settings refuse to build a consumer, with a message naming the key; warnings are kept.

use steady_core::runtime::{Consumer, Error};
use steady_core::Settings;

/// Settings that would build: an unreachable broker is fine, nothing connects before recv.
fn base(extra: &[(&str, &str)]) -> Settings {
    let mut s = Settings::from_pairs([
        ("bootstrap.servers", "127.0.0.1:1"),
        ("group.id", "settings-test"),
    ]);
    for (k, v) in extra {
        s.set(*k, *v);
    }
    s
}

fn refusal(extra: &[(&str, &str)]) -> String {
    match Consumer::new(&base(extra), &["t"]) {
        Err(e @ Error::Config(_)) => e.to_string(),
        Err(other) => panic!("expected Error::Config for {extra:?}, got {other}"),
        Ok(_) => panic!("{extra:?} was accepted"),
    }
}

#[test]
fn refusals_name_the_key() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("sesion.timeout.ms", "10000")], "sesion.timeout.ms"),
        (
            &[("session.timeout.ms", "ten seconds")],
            "session.timeout.ms",
        ),
        (
            &[
                ("session.timeout.ms", "10000"),
                ("heartbeat.interval.ms", "10000"),
            ],
            "heartbeat.interval.ms",
        ),
        (
            &[("steady.buffer.max.bytes", "10")],
            "steady.buffer.max.bytes",
        ),
        (
            &[("steady.buffer.max.records", "0")],
            "steady.buffer.max.records",
        ),
        (
            &[("steady.processing.timeout.ms", "soon")],
            "steady.processing.timeout.ms",
        ),
        (&[("steady.stall.policy", "panic")], "steady.stall.policy"),
        (&[("steady.revoke.drain", "10")], "steady.revoke.drain"),
        (&[("max.poll.records", "-5")], "max.poll.records"),
    ];
    for (extra, key) in cases {
        let message = refusal(extra);
        println!("{extra:?} → {message}");
        assert!(message.contains(key), "{extra:?}: {message:?} names {key}");
    }
}

#[test]
fn group_id_is_required() {
    let s = Settings::from_pairs([("bootstrap.servers", "127.0.0.1:1")]);
    let err = Consumer::new(&s, &["t"]).unwrap_err();
    assert!(err.to_string().contains("group.id"), "{err}");
}

#[test]
fn warnings_are_kept_and_the_runtime_settings_parsed() {
    let consumer = Consumer::new(
        &base(&[
            ("max.poll.records", "77"),
            ("steady.stall.policy", "report"),
            ("partition.assignment.strategy", "range"),
        ]),
        &["t"],
    )
    .expect("valid settings build");
    let rules: Vec<&str> = consumer.warnings().iter().map(|f| f.rule).collect();
    println!("warnings: {rules:?}");
    assert!(
        rules.contains(&"GR003"),
        "eager assignor warned about: {rules:?}"
    );
    assert_eq!(consumer.config().buffer_max_records, 77);
    assert_eq!(
        consumer.config().stall_policy,
        steady_core::runtime::StallPolicy::Report
    );
    consumer.close().unwrap();
}
