//! The broker probe against a real Apache Kafka 4.x broker, old brokers (real or emulated),
//! a closed port and a listener that never answers.

mod common;

use common::broker::{bootstrap, create_topic_on, parse_bootstrap, unique};
use common::emulated::{EmulatedBroker, OldBroker};
use common::member::join;
use rdkafka::consumer::BaseConsumer;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};
use steady_core::broker::{probe, probe_with_librdkafka, ProbeError};
use steady_core::rules::BrokerFacts;
use steady_core::{Settings, Version};

/// Generous bound for probes of a live broker on a busy machine.
const TIMEOUT: Duration = Duration::from_secs(30);

/// The two ways to probe: the plain socket and librdkafka.
type Probe = fn(&str, &Settings, Option<&str>, Duration) -> Result<BrokerFacts, ProbeError>;
const PROBES: [(&str, Probe); 2] = [("plain", probe), ("librdkafka", probe_with_librdkafka)];

/// The old Apache Kafka versions the harness knows.
const OLD_VERSIONS: [&str; 2] = ["0.10.0.1", "0.10.2.2"];

/// A new topic with `partitions` partitions on the broker `kafka.sh … ON…` names, and one
/// member (`client_id`, plus `extra` settings) of a new group on it: (group, member).
fn live_group(
    bootstrap: &str,
    on: &[&str],
    partitions: u32,
    client_id: &str,
    extra: &[(&str, &str)],
) -> (String, BaseConsumer) {
    let topic = unique("probe-topic");
    let group = unique("probe-group");
    create_topic_on(on, &topic, partitions);
    let member = join(bootstrap, &topic, &group, client_id, extra);
    (group, member)
}

fn label(facts: &BrokerFacts) -> &str {
    &facts.version.as_ref().expect("a version").label
}

/// Probing `address` fails as unreachable, and does so soon after `timeout`, never hanging.
fn assert_unreachable(address: &str, timeout: Duration) {
    for (name, probe) in PROBES {
        let start = Instant::now();
        let result = probe(address, &Settings::new(), None, timeout);
        let took = start.elapsed();
        match result {
            Err(ProbeError::Unreachable { servers, .. }) => assert_eq!(servers, address),
            other => panic!("{name}: expected Unreachable, got {other:?}"),
        }
        assert!(
            took < timeout + Duration::from_secs(10),
            "{name}: took {took:?} with a timeout of {timeout:?}"
        );
    }
}

#[test]
fn a_closed_port_is_unreachable() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    assert_unreachable(&format!("127.0.0.1:{port}"), Duration::from_secs(2));
}

#[test]
fn a_listener_that_never_answers_is_unreachable_within_the_timeout() {
    // Connections complete in the kernel's backlog; nothing ever reads or writes.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    assert_unreachable(&address, Duration::from_secs(2));
    drop(listener);
}

/// A server on 127.0.0.1 that reads one request per connection and writes what `reply` makes
/// of its (API key, correlation id), or hangs up on `None`; serves `connections` connections.
fn fake_server(connections: usize, reply: fn(i16, i32) -> Option<Vec<u8>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(connections) {
            let mut stream = stream.unwrap();
            let mut head = [0u8; 12]; // length, API key, version, correlation id
            if stream.read_exact(&mut head).is_err() {
                continue;
            }
            let key = i16::from_be_bytes([head[4], head[5]]);
            let correlation = i32::from_be_bytes([head[8], head[9], head[10], head[11]]);
            if let Some(bytes) = reply(key, correlation) {
                let _ = stream.write_all(&bytes);
            }
        }
    });
    address
}

#[test]
fn a_broker_that_hangs_up_on_api_versions_but_answers_metadata_is_older_than_0_10() {
    // Kafka 0.8/0.9 close the connection on an unknown API key, and answer Metadata v0.
    let address = fake_server(2, |key, correlation| {
        (key == 3).then(|| {
            let mut answer = 12u32.to_be_bytes().to_vec();
            answer.extend(correlation.to_be_bytes());
            answer.extend([0u8; 8]); // no brokers, no topics
            answer
        })
    });
    let facts = probe(&address, &Settings::new(), None, TIMEOUT).expect("probe");
    assert_eq!(label(&facts), "< 0.10.0");
    assert_eq!(facts.kip62, Some(false));
}

#[test]
fn a_server_that_hangs_up_on_everything_is_not_taken_for_an_old_broker() {
    let address = fake_server(2, |_, _| None);
    match probe(&address, &Settings::new(), None, TIMEOUT) {
        Err(ProbeError::Protocol { reason, .. }) => {
            assert!(
                reason.contains("not a plaintext Kafka listener"),
                "{reason}"
            )
        }
        other => panic!("expected a protocol error, got {other:?}"),
    }
}

#[test]
fn a_tls_listener_is_named() {
    // A TLS alert record: what a TLS server may answer to plaintext.
    let address = fake_server(1, |_, _| {
        Some(vec![0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28])
    });
    match probe(&address, &Settings::new(), None, TIMEOUT) {
        Err(ProbeError::Protocol { reason, .. }) => {
            assert!(reason.contains("security.protocol"), "{reason}")
        }
        other => panic!("expected a protocol error, got {other:?}"),
    }
}

#[test]
fn the_real_broker_is_4_0_or_newer_with_kip848_and_its_session_window() {
    let facts = probe(&bootstrap(), &Settings::new(), None, TIMEOUT).expect("probe");
    println!("plain probe of the 4.x broker: {facts:?}");
    let version = facts.version.as_ref().unwrap();
    assert!(version.min >= Version::new(4, 0, 0), "{version:?}");
    assert_eq!(label(&facts), "4.0+");
    assert_eq!(facts.kip62, Some(true));
    assert_eq!(facts.static_membership, Some(true));
    assert_eq!(facts.kip848, Some(true));
    assert_eq!(facts.group_min_session_timeout_ms, Some(6000));
    assert_eq!(facts.group_max_session_timeout_ms, Some(1_800_000));
    assert!(facts.message_max_bytes.is_some_and(|b| b > 0));
    assert_eq!(facts.group, None);
}

#[test]
fn librdkafka_reads_the_same_version_from_its_logs() {
    let settings = Settings::from_pairs([("security.protocol", "plaintext")]);
    let facts = probe_with_librdkafka(&bootstrap(), &settings, None, TIMEOUT).expect("probe");
    println!("librdkafka probe of the 4.x broker: {facts:?}");
    assert_eq!(label(&facts), "4.0+");
    assert_eq!(facts.kip848, Some(true));
}

#[test]
fn a_live_classic_group_is_described() {
    let bootstrap = bootstrap();
    let static_id = [("group.instance.id", "probe-instance-1")];
    let (group, _member) = live_group(&bootstrap, &[], 3, "probe-test-client", &static_id);
    for (name, probe) in PROBES {
        let facts = probe(&bootstrap, &Settings::new(), Some(&group), TIMEOUT).expect(name);
        let described = facts.group.expect("group facts");
        println!("{name}: {described:?}");
        assert_eq!(described.group, group);
        assert_eq!(described.state, "Stable", "{name}");
        assert_eq!(described.members.len(), 1, "{name}");
        assert_eq!(described.members[0].client_id, "probe-test-client");
        assert!(!described.members[0].member_id.is_empty());
        assert_eq!(described.partitions, Some(3), "{name}");
    }
    let facts = probe(&bootstrap, &Settings::new(), Some(&group), TIMEOUT).unwrap();
    let member = &facts.group.unwrap().members[0];
    assert_eq!(member.instance_id.as_deref(), Some("probe-instance-1"));
}

#[test]
fn a_live_kip848_group_is_described() {
    let bootstrap = bootstrap();
    let kip848 = [("group.protocol", "consumer")];
    let (group, _member) = live_group(&bootstrap, &[], 2, "probe-kip848-client", &kip848);
    let facts = probe(&bootstrap, &Settings::new(), Some(&group), TIMEOUT).expect("probe");
    let described = facts.group.expect("group facts");
    println!("KIP-848 group: {described:?}");
    assert_eq!(described.members.len(), 1);
    assert_eq!(described.members[0].client_id, "probe-kip848-client");
    assert_eq!(described.partitions, Some(2));
}

#[test]
fn an_unknown_group_has_no_members() {
    let group = unique("probe-nobody");
    let facts = probe(&bootstrap(), &Settings::new(), Some(&group), TIMEOUT).expect("probe");
    let described = facts.group.expect("group facts");
    assert!(described.members.is_empty());
    assert_eq!(described.state, "Dead");
}

/// The probes' view of old Apache Kafka `version` at `bootstrap`.
fn assert_old_broker(bootstrap: &str, version: &str) {
    let (want, kip62) = match version {
        "0.10.0.1" => ("0.10.0", false),
        _ => ("0.10.2", true),
    };
    for (name, probe) in PROBES {
        let facts = probe(bootstrap, &Settings::new(), None, TIMEOUT)
            .unwrap_or_else(|e| panic!("{name} probe of {version}: {e}"));
        println!("{name} probe of Kafka {version}: {facts:?}");
        assert_eq!(label(&facts), want, "{name}");
        assert_eq!(facts.kip62, Some(kip62), "{name}");
        assert_eq!(facts.static_membership, Some(false));
        assert_eq!(facts.kip848, Some(false));
    }
}

#[test]
fn old_brokers_are_recognised() {
    for version in OLD_VERSIONS {
        let broker = OldBroker::start(version);
        assert_old_broker(broker.bootstrap(), version);
        if let OldBroker::Real(bootstrap) = &broker {
            assert_old_group(bootstrap, version);
        }
    }
}

/// A live group on a real old broker, described through DescribeGroups v0.
fn assert_old_group(bootstrap: &str, version: &str) {
    let on = ["--version", version];
    let (group, _member) = live_group(bootstrap, &on, 2, "probe-old-client", &[]);
    for (name, probe) in PROBES {
        let facts = probe(bootstrap, &Settings::new(), Some(&group), TIMEOUT).expect(name);
        let described = facts.group.expect("group facts");
        println!("{name} on Kafka {version}: {described:?}");
        assert_eq!(described.members.len(), 1, "{name}");
        assert_eq!(described.members[0].client_id, "probe-old-client");
        assert_eq!(described.members[0].instance_id, None);
        assert_eq!(described.partitions, Some(2), "{name}");
    }
}

#[test]
fn the_harness_bootstrap_line_is_read() {
    let out = "kafka.sh: starting\nbootstrap=127.0.0.1:19092\n";
    assert_eq!(parse_bootstrap(out).as_deref(), Some("127.0.0.1:19092"));
    assert_eq!(parse_bootstrap("nothing"), None);
}

#[test]
fn emulated_old_brokers_are_recognised() {
    for version in OLD_VERSIONS {
        let broker = EmulatedBroker::new(version);
        assert_old_broker(&broker.bootstrap, version);
    }
}
