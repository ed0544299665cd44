//! Fast runtime tests on librdkafka's mock cluster: the consumer's whole path — subscribe,
//! recv, ack from many threads, commit, close — without a real broker.

#[path = "common/runtime.rs"]
mod runtime;

use rdkafka::mocking::MockCluster;
use runtime::{committed, expected_headers, produce, settings, Ledger, Workers};
use std::time::Duration;
use steady_core::runtime::{Consumer, Error};

const TOPIC: &str = "mock-topic";

fn cluster(
    partitions: i32,
) -> (
    MockCluster<'static, rdkafka::producer::DefaultProducerContext>,
    String,
) {
    let mock = MockCluster::new(1).expect("mock cluster");
    mock.create_topic(TOPIC, partitions, 1).expect("topic");
    let bootstrap = mock.bootstrap_servers();
    (mock, bootstrap)
}

#[test]
fn consumes_acks_and_commits_the_acked_prefix() {
    let (_mock, bootstrap) = cluster(3);
    produce(&bootstrap, TOPIC, 3, 300, 10);
    let consumer = Consumer::new(&settings(&bootstrap, "g-basic", &[]), &[TOPIC]).unwrap();
    let mut seen = 0;
    while seen < 300 {
        let r = consumer
            .recv(Duration::from_secs(30))
            .unwrap()
            .expect("a record within 30 s");
        assert_eq!(r.topic(), TOPIC);
        assert_eq!(r.payload().unwrap().len(), 10);
        let index: usize = std::str::from_utf8(r.key().unwrap())
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(
            r.headers(),
            expected_headers(index),
            "headers of record {index}"
        );
        assert!(r.timestamp().is_some());
        seen += 1;
        // Ack everything except offset 50 of partition 1 and what follows it.
        if !(r.partition() == 1 && r.offset() >= 50) {
            consumer.ack(&r).unwrap();
        }
    }
    consumer.commit().unwrap();
    let stats = consumer.stats();
    println!("stats: {}", stats.to_json());
    assert_eq!(stats.delivered, 300);
    assert_eq!(stats.acked, 250);
    assert_eq!(stats.in_flight, 50);
    consumer.close().unwrap();
    consumer.close().unwrap(); // idempotent
    assert!(matches!(consumer.recv(Duration::ZERO), Err(Error::Closed)));
    assert_eq!(
        committed(&bootstrap, "g-basic", TOPIC, 3),
        vec![100, 50, 100]
    );
}

#[test]
fn the_acked_prefix_is_committed_in_the_background() {
    let (_mock, bootstrap) = cluster(2);
    produce(&bootstrap, TOPIC, 2, 200, 10);
    let interval = [("auto.commit.interval.ms", "200")];
    let consumer = Consumer::new(&settings(&bootstrap, "g-auto", &interval), &[TOPIC]).unwrap();
    for _ in 0..200 {
        let r = consumer
            .recv(Duration::from_secs(30))
            .unwrap()
            .expect("a record");
        // All of partition 0; partition 1 up to offset 30.
        if r.partition() == 0 || r.offset() < 30 {
            r.ack().unwrap();
        }
    }
    runtime::wait_until(
        "the broker has the acked prefix without commit() or close()",
        Duration::from_secs(30),
        || committed(&bootstrap, "g-auto", TOPIC, 2) == vec![100, 30],
    );
    let stats = consumer.stats();
    println!("stats: {}", stats.to_json());
    assert_eq!(
        stats.committed,
        vec![("mock-topic/0".into(), 100), ("mock-topic/1".into(), 30)]
    );
    consumer.close().unwrap();
}

#[test]
fn without_auto_commit_nothing_is_committed_before_close() {
    let (_mock, bootstrap) = cluster(1);
    produce(&bootstrap, TOPIC, 1, 50, 10);
    let off = [
        ("enable.auto.commit", "false"),
        ("auto.commit.interval.ms", "100"),
    ];
    let consumer = Consumer::new(&settings(&bootstrap, "g-manual", &off), &[TOPIC]).unwrap();
    for _ in 0..50 {
        let r = consumer
            .recv(Duration::from_secs(30))
            .unwrap()
            .expect("a record");
        r.ack().unwrap();
    }
    // Ten intervals: a background commit, were there one, would have happened.
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(committed(&bootstrap, "g-manual", TOPIC, 1), vec![-1]);
    consumer.close().unwrap();
    assert_eq!(committed(&bootstrap, "g-manual", TOPIC, 1), vec![50]);
}

#[test]
fn many_threads_recv_and_ack_out_of_order() {
    let (_mock, bootstrap) = cluster(4);
    produce(&bootstrap, TOPIC, 4, 4000, 50);
    let ledger = Ledger::default();
    let consumer = Consumer::new(
        &settings(
            &bootstrap,
            "g-threads",
            &[("steady.buffer.max.records", "64")],
        ),
        &[TOPIC],
    )
    .unwrap();
    let workers = Workers::start(consumer, 4, &ledger, |r| {
        if r.offset() % 7 == 0 {
            std::thread::sleep(Duration::from_millis(1));
        }
    });
    runtime::wait_until("all 4000 records handled", Duration::from_secs(120), || {
        ledger.distinct() == 4000
    });
    let consumer = workers.consumer.clone();
    runtime::wait_until("every ack counted", Duration::from_secs(30), || {
        consumer.stats().acked == 4000
    });
    let stats = consumer.stats();
    println!("stats: {}", stats.to_json());
    assert!(stats.peak_buffered_records <= 64);
    assert_eq!(stats.in_flight, 0);
    assert!(stats.ack_threads >= 2, "acks came from several threads");
    assert!(workers.finish().is_empty());
    assert_eq!(committed(&bootstrap, "g-threads", TOPIC, 4), vec![1000; 4]);
    assert_eq!(ledger.duplicates(), 0);
}

#[test]
fn blocked_recv_is_woken_by_close() {
    let (_mock, bootstrap) = cluster(1);
    let consumer = std::sync::Arc::new(
        Consumer::new(&settings(&bootstrap, "g-close", &[]), &[TOPIC]).unwrap(),
    );
    let waiter = {
        let c = consumer.clone();
        std::thread::spawn(move || c.recv(Duration::from_secs(3600)))
    };
    std::thread::sleep(Duration::from_millis(200));
    consumer.close().unwrap();
    assert!(matches!(waiter.join().unwrap(), Err(Error::Closed)));
}

#[test]
fn consumer_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Consumer>();
    check::<steady_core::runtime::Record>();
}

#[test]
fn check_reports_what_a_plain_poll_loop_would_risk_with_live_figures() {
    let (_mock, bootstrap) = cluster(1);
    produce(&bootstrap, TOPIC, 1, 300, 10);
    let consumer = Consumer::new(
        &settings(
            &bootstrap,
            "g-check",
            &[
                ("max.poll.interval.ms", "30000"),
                ("session.timeout.ms", "10000"),
            ],
        ),
        &[TOPIC],
    )
    .unwrap();
    // 20 ms per record on one thread, for a little over two seconds of acks.
    let mut next = consumer.recv(Duration::from_secs(30)).unwrap();
    let start = std::time::Instant::now();
    while let Some(r) = next {
        std::thread::sleep(Duration::from_millis(20));
        r.ack().unwrap();
        next = (start.elapsed() < Duration::from_millis(2200)).then(|| {
            consumer
                .recv(Duration::from_secs(30))
                .unwrap()
                .expect("a record")
        });
    }
    let stats = consumer.stats();
    let report = consumer.check();
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule).collect();
    println!(
        "live: {:.1} acks/s, p50 {:?} ms, p99 {:?} ms, threads {}; findings {rules:?}",
        stats.processing_rate, stats.processing_ms_p50, stats.processing_ms_p99, stats.ack_threads
    );
    for f in report.findings.iter().filter(|f| f.rule.starts_with("PL")) {
        println!("{} {:?}: {}", f.rule, f.severity, f.message);
    }
    // 1024 records × ~20 ms ≥ half of 30 s; and far above ~50/s × 1 thread × 10 s / 4.
    assert!(rules.contains(&"PL001"), "{rules:?}");
    assert!(rules.contains(&"PL002"), "{rules:?}");
    consumer.close().unwrap();
}

#[test]
fn stall_policy_report_counts_a_stall_once_and_keeps_the_assignment() {
    let (_mock, bootstrap) = cluster(1);
    produce(&bootstrap, TOPIC, 1, 20, 10);
    let consumer = Consumer::new(
        &settings(
            &bootstrap,
            "g-report",
            &[
                ("steady.processing.timeout.ms", "1000"),
                ("steady.stall.policy", "report"),
            ],
        ),
        &[TOPIC],
    )
    .unwrap();
    let stuck = consumer
        .recv(Duration::from_secs(30))
        .unwrap()
        .expect("a record");
    runtime::wait_until("the stall is counted", Duration::from_secs(30), || {
        consumer.stats().stalls == 1
    });
    // Report only: recv goes on delivering, the assignment stays, the stall is counted once.
    let next = consumer
        .recv(Duration::from_secs(30))
        .unwrap()
        .expect("the next record");
    next.ack().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let stats = consumer.stats();
    println!("report: {}", stats.to_json());
    assert_eq!(stats.stalls, 1);
    assert_eq!(stats.assignment.len(), 1);
    assert!(stats.last_error.unwrap_or_default().contains("stalled"));
    stuck.ack().unwrap();
    consumer.close().unwrap();
}

/// A commit the coordinator refuses is returned to the caller, reported as a `Committed`
/// event with its error and counted; the next commit goes through.
#[test]
fn a_refused_commit_is_an_event_with_its_error() {
    use rdkafka::types::{RDKafkaApiKey, RDKafkaRespErr};
    use steady_core::runtime::{CommitReason, EventKind};
    let (mock, bootstrap) = cluster(1);
    produce(&bootstrap, TOPIC, 1, 10, 10);
    let s = settings(
        &bootstrap,
        "g-refused",
        &[
            ("steady.events.enable", "true"),
            ("enable.auto.commit", "false"),
        ],
    );
    let consumer = Consumer::new(&s, &[TOPIC]).unwrap();
    // The partition stays paused until its `Assigned` event is done (dropped).
    let assigned = consumer.next_event(Duration::from_secs(30)).unwrap();
    assert_eq!(assigned.map(|e| e.kind()), Some(EventKind::Assigned));
    for _ in 0..10 {
        let r = consumer
            .recv(Duration::from_secs(30))
            .unwrap()
            .expect("a record");
        r.ack().unwrap();
    }
    let refusal = RDKafkaRespErr::RD_KAFKA_RESP_ERR_OFFSET_METADATA_TOO_LARGE;
    mock.request_errors(RDKafkaApiKey::OffsetCommit, &[refusal]);
    let err = consumer.commit().expect_err("the commit is refused");
    let code = err.kafka().expect("a Kafka error").name().to_string();
    assert_eq!(code, "OFFSET_METADATA_TOO_LARGE", "{err}");
    let failed = loop {
        let e = consumer
            .next_event(Duration::from_secs(30))
            .unwrap()
            .expect("an event");
        if e.kind() == EventKind::Committed {
            break e;
        }
    };
    assert_eq!(failed.commit_reason(), Some(CommitReason::Explicit));
    assert_eq!(
        failed.error().map(|e| e.name()),
        Some("OFFSET_METADATA_TOO_LARGE")
    );
    assert_eq!(failed.partitions()[0].offset, Some(10));
    consumer.commit().expect("the second commit");
    let stats = consumer.stats();
    assert_eq!((stats.commits_failed, stats.commits_succeeded), (1, 1));
    assert!(stats.fatal_error.is_none(), "a refused commit is not fatal");
    consumer.close().unwrap();
    assert_eq!(committed(&bootstrap, "g-refused", TOPIC, 1), vec![10]);
}
