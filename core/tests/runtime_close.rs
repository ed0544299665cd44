//! close() waits for the records in flight — an ack from another thread during close still
//! counts — commits exactly the acked prefix of each partition and leaves the group at once: the
//! other member gets the partitions far sooner than the session timeout.

#[path = "common/broker.rs"]
mod broker;
#[path = "common/runtime.rs"]
mod runtime;

use runtime::{committed, produce_per_partition, settings, wait_until};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use steady_core::runtime::{Consumer, Error};

const PARTITIONS: i32 = 4;
const PER_PARTITION: i64 = 100;
const SESSION_MS: u64 = 45_000;
/// steady.revoke.drain.ms: how long close waits for the records in flight.
const DRAIN: Duration = Duration::from_secs(3);
const WAIT: Duration = Duration::from_secs(120);

#[test]
fn close_waits_for_records_in_flight_commits_the_acked_prefix_and_leaves_at_once() {
    let bootstrap = broker::bootstrap();
    let topic = broker::unique("close");
    broker::create_topic(&topic, PARTITIONS as u32);
    let group = broker::unique("close");
    let session = SESSION_MS.to_string();
    let drain = DRAIN.as_millis().to_string();
    // The remaining member hears of the rebalance on its next heartbeat: 500 ms here, so the
    // time measured is the leave, not librdkafka's default 3 s heartbeat rhythm.
    let s = settings(
        &bootstrap,
        &group,
        &[
            ("session.timeout.ms", &session),
            ("heartbeat.interval.ms", "500"),
            ("steady.revoke.drain.ms", &drain),
        ],
    );
    let a = Consumer::new(&s, &[&topic]).expect("A");
    let b = Consumer::new(&s, &[&topic]).expect("B");
    wait_until("A and B have 2 partitions each", WAIT, || {
        a.stats().assignment.len() == 2 && b.stats().assignment.len() == 2
    });
    produce_per_partition(&bootstrap, &topic, PARTITIONS, PER_PARTITION);

    // A takes every record of its two partitions and acks them all but two: the 11th of its
    // first partition, acked by another thread once close has begun, and the 11th of its
    // second, never acked. B takes nothing.
    let mine: Vec<i32> = a
        .stats()
        .assignment
        .iter()
        .map(|tp| tp.rsplit('/').next().unwrap().parse().unwrap())
        .collect();
    let (late, never) = ((mine[0], 10), (mine[1], 10));
    let mut held = Vec::new();
    let mut received: BTreeMap<i32, i64> = BTreeMap::new();
    let start = Instant::now();
    while mine
        .iter()
        .any(|p| received.get(p).copied().unwrap_or(0) < PER_PARTITION)
    {
        assert!(start.elapsed() < WAIT, "A received {received:?}");
        if let Some(r) = a.recv(Duration::from_millis(100)).unwrap() {
            *received.entry(r.partition()).or_default() += 1;
            if [late, never].contains(&(r.partition(), r.offset())) {
                held.push(r);
            } else {
                a.ack(&r).unwrap();
            }
        }
    }
    held.sort_by_key(|r| r.partition() != late.0);
    let (late_record, never_record) = (&held[0], &held[1]);

    // Everything is taken, so this recv returns only when close begins (or right away if close
    // began first); the ack comes while close waits for the record never acked.
    let closing = Instant::now();
    let (close_took, woken_by_close, acked_during_close) = std::thread::scope(|scope| {
        let acker = scope.spawn(|| {
            let woken = a.recv(WAIT);
            (matches!(woken, Err(Error::Closed)), late_record.ack())
        });
        a.close().unwrap();
        let close_took = closing.elapsed();
        let (woken, acked) = acker.join().unwrap();
        (close_took, woken, acked)
    });
    wait_until("B owns every partition", WAIT, || {
        b.stats().assignment.len() == PARTITIONS as usize
    });
    let rebalanced = closing.elapsed();
    let offsets = committed(&bootstrap, &group, &topic, PARTITIONS);
    let got: Vec<(i32, i64)> = mine.iter().map(|&p| (p, offsets[p as usize])).collect();
    let expected = vec![(late.0, PER_PARTITION), never];
    println!(
        "close: close() took {close_took:?}; the other member had every partition {rebalanced:?} \
         after close began (session timeout {SESSION_MS} ms, drain {DRAIN:?}); A received \
         {received:?}; committed {got:?}, acked prefix {expected:?}"
    );
    assert!(woken_by_close, "close woke the blocked recv");
    assert!(
        acked_during_close.is_ok(),
        "an ack during close's wait: {acked_during_close:?}"
    );
    assert!(
        close_took >= DRAIN,
        "close waited for the record never acked: {close_took:?}"
    );
    assert!(
        rebalanced < DRAIN + Duration::from_secs(5),
        "rebalanced after {rebalanced:?}"
    );
    assert_eq!(got, expected);
    assert!(matches!(never_record.ack(), Err(Error::Closed)));
    assert!(matches!(a.recv(Duration::ZERO), Err(Error::Closed)));
    assert!(matches!(a.commit(), Err(Error::Closed)));
    b.close().unwrap();
}
