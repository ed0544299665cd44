//! close() leaves the group at once — the other member gets the partitions far sooner than the
//! session timeout — and commits exactly the acked prefix of each partition.

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
const WAIT: Duration = Duration::from_secs(120);

#[test]
fn close_leaves_at_once_and_commits_the_acked_prefix() {
    let bootstrap = broker::bootstrap();
    let topic = broker::unique("close");
    broker::create_topic(&topic, PARTITIONS as u32);
    let group = broker::unique("close");
    let session = SESSION_MS.to_string();
    // The remaining member hears of the rebalance on its next heartbeat: 500 ms here, so the
    // time measured is the leave, not librdkafka's default 3 s heartbeat rhythm.
    let s = settings(
        &bootstrap,
        &group,
        &[
            ("session.timeout.ms", &session),
            ("heartbeat.interval.ms", "500"),
        ],
    );
    let a = Consumer::new(&s, &[&topic]).expect("A");
    let b = Consumer::new(&s, &[&topic]).expect("B");
    wait_until("A and B have 2 partitions each", WAIT, || {
        a.stats().assignment.len() == 2 && b.stats().assignment.len() == 2
    });
    produce_per_partition(&bootstrap, &topic, PARTITIONS, PER_PARTITION);

    // A takes 20+ records of each of its partitions and acks them all but one: the 11th of
    // its first partition. B takes nothing.
    let mine: Vec<i32> = a
        .stats()
        .assignment
        .iter()
        .map(|tp| tp.rsplit('/').next().unwrap().parse().unwrap())
        .collect();
    let skip = (mine[0], 10);
    let mut received: BTreeMap<i32, i64> = BTreeMap::new();
    let start = Instant::now();
    while mine
        .iter()
        .any(|p| received.get(p).copied().unwrap_or(0) < 20)
    {
        assert!(start.elapsed() < WAIT, "A received {received:?}");
        if let Some(r) = a.recv(Duration::from_millis(100)).unwrap() {
            *received.entry(r.partition()).or_default() += 1;
            if (r.partition(), r.offset()) != skip {
                a.ack(&r).unwrap();
            }
        }
    }
    // Records come in offset order per partition: the acked prefix ends at the skipped record
    // on its partition and after the last received record elsewhere.
    let expected: Vec<(i32, i64)> = mine
        .iter()
        .map(|&p| (p, if p == skip.0 { skip.1 } else { received[&p] }))
        .collect();

    let closing = Instant::now();
    a.close().unwrap();
    let close_took = closing.elapsed();
    wait_until("B owns every partition", WAIT, || {
        b.stats().assignment.len() == PARTITIONS as usize
    });
    let rebalanced = closing.elapsed();
    let offsets = committed(&bootstrap, &group, &topic, PARTITIONS);
    let got: Vec<(i32, i64)> = mine.iter().map(|&p| (p, offsets[p as usize])).collect();
    println!(
        "close: close() took {close_took:?}; the other member had every partition {rebalanced:?} \
         after close began (session timeout {SESSION_MS} ms); A received {received:?}; committed \
         {got:?}, acked prefix {expected:?}"
    );
    assert!(
        rebalanced < Duration::from_secs(5),
        "rebalanced after {rebalanced:?}"
    );
    assert_eq!(got, expected);
    assert!(matches!(a.recv(Duration::ZERO), Err(Error::Closed)));
    assert!(matches!(a.commit(), Err(Error::Closed)));
    b.close().unwrap();
}
