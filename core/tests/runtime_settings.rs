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

#[test]
fn a_consumer_with_only_the_required_keys_starts_without_warnings() {
    let consumer = Consumer::new(&base(&[]), &["t"]).expect("builds");
    let warnings: Vec<String> = consumer
        .warnings()
        .iter()
        .filter(|f| f.severity >= steady_core::Severity::Warning)
        .map(|f| format!("{} {}", f.rule, f.message))
        .collect();
    assert!(
        warnings.is_empty(),
        "steady warned about its own defaults: {warnings:?}"
    );
    consumer.close().unwrap();
}

/// Every key the catalogue marks secret, each with a value of its own that no output may hold.
fn secrets() -> Vec<(&'static str, String)> {
    steady_core::settings::all()
        .iter()
        .filter(|k| steady_core::settings::is_secret(k.name))
        .enumerate()
        .map(|(i, k)| (k.name, format!("Zq{i}SecretValue")))
        .collect()
}

#[test]
fn secret_values_appear_in_no_error_debug_or_stats() {
    let secrets = secrets();
    assert!(
        secrets.len() >= 5,
        "the catalogue marks secrets: {secrets:?}"
    );
    let leaks = |what: &str, text: &str| {
        for (key, value) in &secrets {
            assert!(
                !text.contains(value.as_str()),
                "{what} shows {key}'s value: {text}"
            );
        }
    };
    // One secret at a time: librdkafka refuses some alone (the message names the key).
    for (key, value) in &secrets {
        let settings = base(&[(key, value)]);
        leaks("Settings' Debug", &format!("{settings:?}"));
        let input = steady_core::rules::Input {
            settings: settings.clone(),
            ..Default::default()
        };
        leaks("Input's Debug", &format!("{input:?}"));
        leaks("the check", &format!("{:?}", steady_core::check(&input)));
        match Consumer::new(&settings, &["t"]) {
            Err(e) => {
                leaks("the error", &e.to_string());
                leaks("the error's Debug", &format!("{e:?}"));
            }
            Ok(c) => {
                leaks("the consumer's Debug", &format!("{c:?}"));
                leaks("stats", &c.stats().to_json());
                leaks("warnings", &format!("{:?}", c.warnings()));
                c.close().unwrap();
                leaks("stats after close", &c.stats().to_json());
            }
        }
    }
    // All at once, as a misconfigured application might.
    let all: Vec<(&str, &str)> = secrets.iter().map(|(k, v)| (*k, v.as_str())).collect();
    match Consumer::new(&base(&all), &["t"]) {
        Err(e) => leaks("the error", &format!("{e} {e:?}")),
        Ok(c) => leaks("stats", &c.stats().to_json()),
    }
}
