//! `steady doctor --bootstrap-servers` against the real 4.x broker with a live group, and
//! against old brokers (real when the harness can run them here, emulated otherwise).

#[path = "../../core/tests/common/broker.rs"]
mod broker;
#[path = "../../core/tests/common/emulated.rs"]
mod emulated;
#[path = "../../core/tests/common/member.rs"]
mod member;
#[path = "common/probing.rs"]
mod probing;

use emulated::OldBroker;
use probing::doctor;
use serde_json::Value;

/// The JSON report of a probe of `bootstrap` with `extra` flags.
fn json_report(bootstrap: &str, extra: &[&str]) -> Value {
    let mut args = vec!["--bootstrap-servers", bootstrap, "--format", "json"];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = doctor(&args);
    assert!(code == 0 || code == 1, "exit {code}: {stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

fn finding<'a>(report: &'a Value, rule: &str) -> Option<&'a Value> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == rule)
}

#[test]
fn probes_the_real_broker_and_a_live_group() {
    let bootstrap = broker::bootstrap();
    let topic = broker::unique("doctor-probe");
    let group = broker::unique("doctor-probe-group");
    broker::create_topic(&topic, 4);
    let _member = member::join(&bootstrap, &topic, &group, "doctor-test-client", &[]);

    let (code, text, stderr) = doctor(&[
        "--bootstrap-servers",
        &bootstrap,
        "--group",
        &group,
        "--client",
        "librdkafka",
        "--set",
        &format!("group.id={group}"),
    ]);
    println!("{text}");
    assert!(code == 0 || code == 1, "exit {code}: {stderr}");
    assert!(
        text.contains(&format!(
            "probed {bootstrap}: session window 6000–1800000 ms"
        )),
        "{text}"
    );
    assert!(text.contains(&format!("group {group}: Stable")), "{text}");
    assert!(text.contains("1 member(s), 4 partition(s)"), "{text}");
    assert!(text.contains("client.id=doctor-test-client"), "{text}");
    assert!(text.contains("broker: 4.0+"), "{text}");

    let report = json_report(&bootstrap, &["--client", "librdkafka"]);
    assert_eq!(
        report["broker"],
        serde_json::json!({"version": "4.0+", "kip62": true,
                           "static_membership": true, "kip848": true})
    );
    assert!(finding(&report, "VR001").is_none());
    assert!(finding(&report, "VR003").is_none(), "the broker is known");
    assert!(
        finding(&report, "GR006").is_some(),
        "KIP-848 probed, classic in use"
    );
}

#[test]
fn vr001_fires_for_a_probed_0_10_0_broker_and_not_for_0_10_2() {
    // (broker, client version, probed label, KIP-62, VR001 expected)
    let cases = [
        ("0.10.0.1", "0.10.0", "0.10.0", false, true),
        ("0.10.2.2", "0.10.2", "0.10.2", true, false),
    ];
    for (version, client, label, kip62, vr001) in cases {
        let broker = OldBroker::start(version);
        let client_args = ["--client", "java", "--client-version", client];
        let report = json_report(broker.bootstrap(), &client_args);
        println!("Kafka {version}: {report}");
        assert_eq!(report["broker"]["version"], label);
        assert_eq!(report["broker"]["kip62"], kip62);
        let found = finding(&report, "VR001");
        assert_eq!(found.is_some(), vr001, "VR001 for Kafka {version}");
        if let Some(f) = found {
            assert_eq!(f["severity"], "error");
        }
    }
}
