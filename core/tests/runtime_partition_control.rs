//! Pause, resume, seek, position and committed against the real broker, with at-least-once
//! checked record by record.

#[path = "common/broker.rs"]
mod broker;
#[path = "common/runtime.rs"]
mod runtime;

use runtime::{committed, produce_per_partition, settings, wait_until, Ledger};
use std::time::{Duration, Instant};
use steady_core::runtime::{Consumer, Error, Record};

const WAIT: Duration = Duration::from_secs(120);

/// The next record within `WAIT`.
fn next(c: &Consumer) -> Record {
    let deadline = Instant::now() + WAIT;
    loop {
        assert!(
            Instant::now() < deadline,
            "no record within {WAIT:?}; stats: {}",
            c.stats().to_json()
        );
        if let Some(r) = c.recv(Duration::from_millis(200)).expect("recv") {
            return r;
        }
    }
}

/// Receives and acks records until `until` holds for one; returns them all.
fn until(c: &Consumer, ledger: &Ledger, mut until: impl FnMut(&Record) -> bool) -> Vec<Record> {
    let mut got = Vec::new();
    loop {
        let r = next(c);
        ledger.note(r.partition(), r.offset());
        r.ack().expect("ack");
        let done = until(&r);
        got.push(r);
        if done {
            return got;
        }
    }
}

/// A paused partition delivers nothing — not even what was buffered — through many rounds of
/// backpressure, then everything of it after resume; nothing is lost.
#[test]
fn pause_holds_a_partition_through_backpressure_and_resume_brings_all_of_it() {
    const PER: i64 = 300;
    let bootstrap = broker::bootstrap();
    let topic = broker::unique("control-pause");
    broker::create_topic(&topic, 2);
    produce_per_partition(&bootstrap, &topic, 2, PER);
    let group = broker::unique("control-pause");
    let c = Consumer::new(
        &settings(&bootstrap, &group, &[("steady.buffer.max.records", "16")]),
        &[&topic],
    )
    .expect("consumer");
    let ledger = Ledger::default();
    wait_until("both partitions assigned", WAIT, || {
        c.stats().assignment.len() == 2
    });
    c.pause(&topic, 0).expect("pause");
    assert!(c.stats().paused_partitions.contains(&format!("{topic}/0")));
    // A handler slower than the buffer refills, and now and then stuck for longer than the
    // poll thread waits before it pauses (a second): backpressure pauses and resumes.
    let during = until(&c, &ledger, |r| {
        let pause = if r.offset() % 100 == 50 { 1_500 } else { 10 };
        std::thread::sleep(Duration::from_millis(pause));
        r.partition() == 1 && r.offset() == PER - 1
    });
    assert!(
        during.iter().all(|r| r.partition() == 1),
        "a record of the paused partition was delivered"
    );
    assert!(
        c.stats().backpressure_pauses > 0,
        "backpressure came and went"
    );
    c.resume(&topic, 0).expect("resume");
    let after = until(&c, &ledger, |r| r.partition() == 0 && r.offset() == PER - 1);
    assert_eq!(
        after[0].offset(),
        0,
        "resume starts where the pause left off"
    );
    assert!(
        ledger.covers(2, PER),
        "missing: {:?}",
        ledger.missing(2, PER)
    );
    assert_eq!(c.position(&topic, 0).unwrap(), Some(PER));
    c.commit().expect("commit");
    assert_eq!(committed(&bootstrap, &group, &topic, 2), vec![PER, PER]);
    assert_eq!(c.committed(&topic, 1).expect("committed"), Some(PER));
    c.close().unwrap();
}

/// Seek back replays, seek forward skips; a record delivered before the seek and unacked
/// holds the committed offset until it is acked.
#[test]
fn seek_replays_and_skips_without_committing_past_an_unacked_record() {
    const PER: i64 = 200;
    let bootstrap = broker::bootstrap();
    let topic = broker::unique("control-seek");
    broker::create_topic(&topic, 1);
    produce_per_partition(&bootstrap, &topic, 1, PER);
    let group = broker::unique("control-seek");
    let c = Consumer::new(
        &settings(&bootstrap, &group, &[("enable.auto.commit", "false")]),
        &[&topic],
    )
    .expect("consumer");
    let ledger = Ledger::default();
    until(&c, &ledger, |r| r.offset() == 50);
    assert_eq!(c.position(&topic, 0).unwrap(), Some(51));

    c.seek(&topic, 0, 10).expect("seek back");
    assert_eq!(c.position(&topic, 0).unwrap(), Some(10));
    let replay = until(&c, &ledger, |r| r.offset() == 60);
    assert_eq!(replay[0].offset(), 10, "the seek target comes next");
    assert!(ledger.duplicates() > 0, "10..=50 were delivered twice");

    let held = next(&c);
    assert_eq!(held.offset(), 61);
    c.seek(&topic, 0, 150).expect("seek forward");
    let skipped = until(&c, &ledger, |r| r.offset() == PER - 1);
    assert_eq!(
        skipped[0].offset(),
        150,
        "the records before the target are skipped"
    );
    c.commit().expect("commit");
    assert_eq!(
        c.committed(&topic, 0).unwrap(),
        Some(61),
        "the unacked record delivered before the seek holds the commit"
    );
    held.ack().expect("ack");
    c.commit().expect("commit");
    assert_eq!(c.committed(&topic, 0).unwrap(), Some(PER));
    assert_eq!(committed(&bootstrap, &group, &topic, 1), vec![PER]);
    c.close().unwrap();
}

/// Partitions the consumer does not own, bad offsets and calls after close are refused.
#[test]
fn partition_calls_refuse_what_they_cannot_do() {
    let bootstrap = broker::bootstrap();
    let topic = broker::unique("control-refuse");
    broker::create_topic(&topic, 1);
    produce_per_partition(&bootstrap, &topic, 1, 5);
    let group = broker::unique("control-refuse");
    let c = Consumer::new(&settings(&bootstrap, &group, &[]), &[&topic]).expect("consumer");
    next(&c).ack().unwrap();
    for result in [
        c.pause(&topic, 7),
        c.resume("other", 0),
        c.seek(&topic, 3, 0),
        c.position(&topic, 9).map(|_| ()),
        c.committed("other", 0).map(|_| ()),
    ] {
        match result {
            Err(Error::InvalidArgument(m)) => assert!(m.contains("not assigned"), "{m}"),
            other => panic!("{other:?}"),
        }
    }
    match c.seek(&topic, 0, -5) {
        Err(Error::InvalidArgument(m)) => assert!(m.contains("-5"), "{m}"),
        other => panic!("{other:?}"),
    }
    c.close().unwrap();
    assert!(matches!(c.pause(&topic, 0), Err(Error::Closed)));
    assert!(matches!(c.seek(&topic, 0, 1), Err(Error::Closed)));
    assert!(matches!(c.position(&topic, 0), Err(Error::Closed)));
}

/// A paused partition revoked and assigned again starts unpaused (eager: every partition
/// goes and comes back when a second member joins and leaves).
#[test]
fn a_new_assignment_starts_unpaused() {
    const PER: i64 = 50;
    let bootstrap = broker::bootstrap();
    let topic = broker::unique("control-reassign");
    broker::create_topic(&topic, 2);
    produce_per_partition(&bootstrap, &topic, 2, PER);
    let group = broker::unique("control-reassign");
    let eager = [
        ("partition.assignment.strategy", "range"),
        ("enable.auto.commit", "false"),
    ];
    let a = Consumer::new(&settings(&bootstrap, &group, &eager), &[&topic]).expect("A");
    let ledger = Ledger::default();
    wait_until("both partitions assigned", WAIT, || {
        a.stats().assignment.len() == 2
    });
    a.pause(&topic, 0).expect("pause");
    until(&a, &ledger, |r| r.partition() == 1 && r.offset() == PER - 1);
    let b = Consumer::new(&settings(&bootstrap, &group, &eager), &[&topic]).expect("B");
    let deadline = Instant::now() + WAIT;
    while b.stats().assignment.is_empty() {
        assert!(Instant::now() < deadline, "B never got a partition");
        // B's records stay unacked: its partition goes back at the acked prefix.
        let _ = b.recv(Duration::from_millis(200)).expect("B recv");
    }
    b.close().expect("close B");
    // A owns both again in a new epoch: partition 0 flows without a resume.
    until(&a, &ledger, |r| r.partition() == 0 && r.offset() == PER - 1);
    assert!(!a.stats().paused_partitions.contains(&format!("{topic}/0")));
    a.close().unwrap();
}
