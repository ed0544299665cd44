//! `steady doctor --group` against the real broker: each partition's committed offset, log
//! end offset, lag and owner, checked against the broker's own offsets; and LG001 for a
//! member that falls behind, not for one that keeps up.

#[path = "../../core/tests/common/broker.rs"]
mod broker;
#[path = "../../core/tests/common/member.rs"]
mod member;
#[path = "common/probing.rs"]
mod probing;

use probing::doctor;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::{ClientConfig, Message, Offset, TopicPartitionList};
use serde_json::Value;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

/// The bound of every client call of the test itself.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// The JSON report of `steady doctor --group GROUP` with `extra` flags, and its exit code.
fn group_report(bootstrap: &str, group: &str, extra: &[&str]) -> (i32, Value) {
    let mut args = vec![
        "--bootstrap-servers",
        bootstrap,
        "--group",
        group,
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = doctor(&args);
    assert!(code == 0 || code == 1, "exit {code}: {stderr}");
    let json = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    (code, json)
}

fn producer(bootstrap: &str) -> BaseProducer {
    ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("linger.ms", "0")
        .create()
        .expect("producer created")
}

/// Writes `n` records to `topic`'s `partition` and waits until the broker has them.
fn produce(producer: &BaseProducer, topic: &str, partition: i32, n: usize) {
    for i in 0..n {
        let payload = format!("record {i}");
        let record = BaseRecord::<(), _>::to(topic)
            .partition(partition)
            .payload(&payload);
        producer.send(record).map_err(|(e, _)| e).expect("queued");
    }
    producer.flush(CALL_TIMEOUT).expect("delivered");
}

/// A consumer of `group` that never joins it, for reading (or setting) its offsets.
fn outsider(bootstrap: &str, group: &str) -> BaseConsumer {
    ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", group)
        .set("enable.auto.commit", "false")
        .create()
        .expect("consumer created")
}

/// `offsets` of `topic` (partition, offset) as a list.
fn offsets(topic: &str, offsets: &[(i32, i64)]) -> TopicPartitionList {
    let mut tpl = TopicPartitionList::new();
    for &(p, o) in offsets {
        tpl.add_partition_offset(topic, p, Offset::Offset(o))
            .expect("offset");
    }
    tpl
}

/// The broker's own (committed offset, high watermark) of `group` on `topic`'s partition.
fn broker_offsets(bootstrap: &str, group: &str, topic: &str, partition: i32) -> (i64, i64) {
    let reader = outsider(bootstrap, group);
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition(topic, partition);
    let committed = reader
        .committed_offsets(tpl, CALL_TIMEOUT)
        .expect("committed");
    let offset = committed.elements()[0]
        .offset()
        .to_raw()
        .expect("committed");
    let (_, high) = reader
        .fetch_watermarks(topic, partition, CALL_TIMEOUT)
        .expect("watermarks");
    (offset, high)
}

/// The row of `topic`'s `partition` in the report's "group" object.
fn row<'a>(report: &'a Value, topic: &str, partition: i64) -> &'a Value {
    report["group"]["partitions"]
        .as_array()
        .expect("partitions")
        .iter()
        .find(|r| r["topic"] == topic && r["partition"] == partition)
        .unwrap_or_else(|| panic!("no row for {topic}-{partition}: {report}"))
}

fn lg001(report: &Value) -> Vec<&Value> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "LG001")
        .collect()
}

#[test]
fn offsets_lag_and_owners_match_the_broker() {
    let bootstrap = broker::bootstrap();
    let topic = broker::unique("doctor-lag");
    let old_topic = broker::unique("doctor-lag-old");
    let group = broker::unique("doctor-lag-group");
    broker::create_topic(&topic, 3);
    broker::create_topic(&old_topic, 1);
    let producer = producer(&bootstrap);
    for p in 0..3 {
        produce(&producer, &topic, p, 10); // N = 30
    }
    produce(&producer, &old_topic, 0, 5);
    // Offsets on a topic no member consumes: committed while the group is still empty.
    outsider(&bootstrap, &group)
        .commit(&offsets(&old_topic, &[(0, 2)]), CommitMode::Sync)
        .expect("committed without joining");

    let client_id = "doctor-lag-client";
    let extra = [("enable.auto.commit", "false")];
    let member = member::join(&bootstrap, &topic, &group, client_id, &extra);
    let start = Instant::now();
    while member.assignment().map_or(0, |a| a.count()) < 3 {
        assert!(
            start.elapsed() < CALL_TIMEOUT,
            "not assigned all partitions"
        );
        let _ = member.poll(Duration::from_millis(100));
    }
    // The member consumes M = 12 records (4 per partition) and commits them.
    let mut consumed = [0i64; 3];
    while consumed.iter().sum::<i64>() < 12 {
        assert!(
            start.elapsed() < CALL_TIMEOUT * 2,
            "consumed only {consumed:?}"
        );
        if let Some(Ok(m)) = member.poll(Duration::from_millis(100)) {
            consumed[m.partition() as usize] += 1;
        }
    }
    member
        .commit(
            &offsets(&topic, &[(0, 4), (1, 4), (2, 4)]),
            CommitMode::Sync,
        )
        .expect("member commits");

    let (_, report) = group_report(&bootstrap, &group, &["--lag-samples", "1"]);
    println!("{report}");
    let g = &report["group"];
    assert_eq!(g["group"], group.as_str());
    assert_eq!(g["members_shown"], true);
    let members = g["members"].as_array().expect("members");
    assert_eq!(members.len(), 1, "{g}");
    let member_id = members[0]["member_id"].as_str().expect("member id");
    assert!(
        member_id.starts_with(&format!("{client_id}-")),
        "{member_id}"
    );
    assert_eq!(members[0]["client_id"], client_id);
    assert_eq!(members[0]["partitions"].as_array().unwrap().len(), 3);

    let mut total = 0;
    for p in 0..3 {
        let r = row(&report, &topic, p);
        let (committed, high) = broker_offsets(&bootstrap, &group, &topic, p as i32);
        assert_eq!((committed, high), (4, 10), "the broker's own offsets");
        assert_eq!(r["committed"], committed, "{r}");
        assert_eq!(r["log_end"], high, "{r}");
        assert_eq!(r["lag"], high - committed, "{r}");
        assert_eq!(r["member_id"], member_id, "{r}");
        assert_eq!(r["client_id"], client_id, "{r}");
        assert!(r["host"].as_str().unwrap().contains("127.0.0.1"), "{r}");
        total += r["lag"].as_i64().unwrap();
    }
    assert_eq!(total, 30 - 12, "lag = N − M");
    let old = row(&report, &old_topic, 0);
    assert_eq!(
        (&old["committed"], &old["log_end"], &old["lag"]),
        (&Value::from(2), &Value::from(5), &Value::from(3))
    );
    assert!(
        old["member_id"].is_null() && old["client_id"].is_null(),
        "{old}"
    );
    assert_eq!(g["samples"][0]["total_lag"], 18 + 3);
    assert!(lg001(&report).is_empty(), "one sample: no LG001");
    assert!(report["summary"].is_object() && report.get("broker").is_some());

    let args = [
        "--bootstrap-servers",
        &bootstrap,
        "--group",
        &group,
        "--lag-samples",
        "1",
    ];
    let (code, text, stderr) = doctor(&args);
    println!("{text}");
    assert!(code == 0 || code == 1, "exit {code}: {stderr}");
    assert!(text.contains(&format!("group {group} offsets:")), "{text}");
    assert!(
        text.contains("CURRENT-OFFSET  LOG-END-OFFSET  LAG"),
        "{text}"
    );
    let owned = text
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{topic} ")) && l.contains(" 0 "))
        .unwrap_or_else(|| panic!("no row for {topic}-0: {text}"));
    let cells: Vec<&str> = owned.split_whitespace().collect();
    assert_eq!(cells[1..5], ["0", "4", "10", "6"], "{owned}");
    assert_eq!(cells[5], member_id);
    assert_eq!(cells[7], client_id);
    let unowned = text
        .lines()
        .find(|l| l.trim_start().starts_with(&old_topic))
        .expect("the old topic's row");
    let cells: Vec<&str> = unowned.split_whitespace().collect();
    assert_eq!(cells[1..], ["0", "2", "5", "3", "-", "-", "-"], "{unowned}");
    assert!(text.contains("total lag: 21 (1 sample(s)"), "{text}");
    drop(member);
}

/// Writes a record to every partition of `topics` every 20 ms until `stop`.
fn keep_producing(
    bootstrap: String,
    topics: Vec<(String, i32)>,
    stop: Arc<AtomicBool>,
) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        let producer = producer(&bootstrap);
        while !stop.load(Ordering::Relaxed) {
            for (topic, partitions) in &topics {
                for p in 0..*partitions {
                    produce(&producer, topic, p, 1);
                }
            }
            thread::sleep(Duration::from_millis(20));
        }
    })
}

/// A member of `group` that consumes `topic` and commits every record until `stop`.
fn keep_up(
    bootstrap: String,
    topic: String,
    group: String,
    stop: Arc<AtomicBool>,
) -> thread::JoinHandle<()> {
    let member = member::join(
        &bootstrap,
        &topic,
        &group,
        "doctor-keeps-up",
        &[("enable.auto.commit", "false")],
    );
    thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            if let Some(Ok(m)) = member.poll(Duration::from_millis(50)) {
                let _ = member.commit_message(&m, CommitMode::Sync);
            }
        }
    })
}

#[test]
fn lg001_flags_a_member_that_falls_behind_and_not_one_that_keeps_up() {
    let bootstrap = broker::bootstrap();
    let stalled_topic = broker::unique("doctor-lg-stalled");
    let busy_topic = broker::unique("doctor-lg-busy");
    let stalled_group = broker::unique("doctor-lg-stalled-group");
    let busy_group = broker::unique("doctor-lg-busy-group");
    broker::create_topic(&stalled_topic, 2);
    broker::create_topic(&busy_topic, 2);

    // Stays assigned (librdkafka heartbeats in the background) but never consumes after
    // committing offset 0.
    let stalled = member::join(
        &bootstrap,
        &stalled_topic,
        &stalled_group,
        "doctor-stalled",
        &[("enable.auto.commit", "false")],
    );
    let start = Instant::now();
    while stalled.assignment().map_or(0, |a| a.count()) < 2 {
        assert!(
            start.elapsed() < CALL_TIMEOUT,
            "not assigned both partitions"
        );
        let _ = stalled.poll(Duration::from_millis(100));
    }
    stalled
        .commit(
            &offsets(&stalled_topic, &[(0, 0), (1, 0)]),
            CommitMode::Sync,
        )
        .expect("committed");

    let stop = Arc::new(AtomicBool::new(false));
    let busy = keep_up(
        bootstrap.clone(),
        busy_topic.clone(),
        busy_group.clone(),
        stop.clone(),
    );
    let topics = vec![(stalled_topic.clone(), 2), (busy_topic.clone(), 2)];
    let writer = keep_producing(bootstrap.clone(), topics, stop.clone());
    thread::sleep(Duration::from_millis(500));

    let sampling = ["--lag-samples", "4", "--lag-interval-ms", "1000"];
    let (stalled_run, busy_run) = thread::scope(|s| {
        let a = s.spawn(|| group_report(&bootstrap, &stalled_group, &sampling));
        let b = s.spawn(|| group_report(&bootstrap, &busy_group, &sampling));
        (a.join().unwrap(), b.join().unwrap())
    });
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    busy.join().unwrap();
    drop(stalled);

    let (code, report) = stalled_run;
    println!("stalled: {report}");
    let found = lg001(&report);
    assert_eq!(found.len(), 1, "{report}");
    let f = found[0];
    assert_eq!(f["severity"], "warning");
    assert_eq!(f["key"], "group");
    let message = f["message"].as_str().unwrap();
    assert!(message.contains("client.id=doctor-stalled"), "{message}");
    assert!(message.contains(&format!("{stalled_topic}-0")), "{message}");
    assert!(message.contains("steady's runtime"), "{message}");
    assert_eq!(code, 1, "LG001 is a warning: --fail-on warning fails");
    let samples = report["group"]["samples"].as_array().unwrap();
    assert_eq!(samples.len(), 4);
    let lags: Vec<i64> = samples
        .iter()
        .map(|s| s["total_lag"].as_i64().unwrap())
        .collect();
    assert!(lags.windows(2).all(|w| w[1] > w[0]), "{lags:?}");

    let (_, report) = busy_run;
    println!("keeps up: {report}");
    assert!(lg001(&report).is_empty(), "{report}");
    assert_eq!(
        report["group"]["members"][0]["client_id"],
        "doctor-keeps-up"
    );
}

#[test]
fn a_kip848_group_shows_its_members_over_the_socket_and_says_so_through_librdkafka() {
    let bootstrap = broker::bootstrap();
    let topic = broker::unique("doctor-lag-848");
    let group = broker::unique("doctor-lag-848-group");
    broker::create_topic(&topic, 2);
    produce(&producer(&bootstrap), &topic, 0, 7);
    let extra = [
        ("group.protocol", "consumer"),
        ("enable.auto.commit", "false"),
    ];
    let member = member::join(&bootstrap, &topic, &group, "doctor-848", &extra);
    let start = Instant::now();
    while member.assignment().map_or(0, |a| a.count()) < 2 {
        assert!(
            start.elapsed() < CALL_TIMEOUT,
            "not assigned both partitions"
        );
        let _ = member.poll(Duration::from_millis(100));
    }
    member
        .commit(&offsets(&topic, &[(0, 3)]), CommitMode::Sync)
        .expect("member commits");

    let (_, report) = group_report(&bootstrap, &group, &["--lag-samples", "1"]);
    println!("{report}");
    let g = &report["group"];
    assert_eq!(g["members_shown"], true);
    assert_eq!(g["members"][0]["client_id"], "doctor-848", "{g}");
    let r = row(&report, &topic, 0);
    assert_eq!(
        (&r["committed"], &r["lag"]),
        (&Value::from(3), &Value::from(4))
    );
    assert_eq!(r["client_id"], "doctor-848");
    let r = row(&report, &topic, 1);
    assert!(r["committed"].is_null() && r["lag"].is_null(), "{r}");
    assert_eq!(r["client_id"], "doctor-848", "owned without a commit");

    // librdkafka's DescribeGroups cannot see a KIP-848 group's members: said, offsets kept.
    let sampling = steady_core::broker::LagSampling {
        samples: 1,
        interval: Duration::ZERO,
    };
    let samples = steady_core::broker::sample_group_with_librdkafka(
        &bootstrap,
        &steady_core::Settings::new(),
        &group,
        sampling,
        CALL_TIMEOUT,
    )
    .expect("sampled");
    let s = &samples[0];
    println!("{s:?}");
    assert!(!s.members_shown && s.members.is_empty(), "{s:?}");
    let p0 = s.partitions.iter().find(|p| p.partition == 0).expect("row");
    assert_eq!(
        (p0.committed, p0.log_end, p0.member_id.as_deref()),
        (Some(3), Some(7), None)
    );
    drop(member);
}

#[test]
fn lag_flags_need_a_group_and_secrets_stay_out_of_the_output() {
    for args in [
        &["--lag-samples", "3"][..],
        &["--lag-interval-ms", "10"],
        &[
            "--bootstrap-servers",
            "127.0.0.1:1",
            "--group",
            "g",
            "--lag-samples",
            "0",
        ],
    ] {
        let (code, _, stderr) = doctor(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
    }

    let bootstrap = broker::bootstrap();
    let group = broker::unique("doctor-lag-nobody");
    let secret = "hunter2-lag-secret";
    let password = format!("sasl.password={secret}");
    for format in ["text", "json"] {
        let (code, stdout, stderr) = doctor(&[
            "--bootstrap-servers",
            &bootstrap,
            "--group",
            &group,
            "--lag-samples",
            "2",
            "--lag-interval-ms",
            "10",
            "--set",
            &password,
            "--format",
            format,
        ]);
        assert!(code == 0 || code == 1, "exit {code}: {stderr}");
        assert!(
            !stdout.contains(secret) && !stderr.contains(secret),
            "{stdout}{stderr}"
        );
        if format == "json" {
            let report: Value = serde_json::from_str(&stdout).expect("JSON");
            let g = &report["group"];
            assert_eq!(g["partitions"], serde_json::json!([]), "{g}");
            assert_eq!(g["samples"].as_array().unwrap().len(), 2, "{g}");
        } else {
            assert!(stdout.contains("no committed offsets and no assigned partitions"));
        }
    }
}
