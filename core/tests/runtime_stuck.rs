//! A handler that never returns: within steady.processing.timeout.ms plus a rebalance the
//! stuck consumer gives its partitions up and the other members consume them; the stuck
//! consumer's next recv reports Stalled, and once the stuck handler returned it rejoins. Each
//! member has one worker thread, so the stuck member calls recv only when the test does.

#[path = "common/broker.rs"]
mod broker;
#[path = "common/runtime.rs"]
mod runtime;

use parking_lot::Mutex;
use runtime::{produce_per_partition, settings, sleep_unless, wait_until, Ledger, Workers};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use steady_core::runtime::{Consumer, Error};

const PARTITIONS: i32 = 6;
const PER_PARTITION: i64 = 100;
const TIMEOUT_MS: u64 = 5_000;
const WAIT: Duration = Duration::from_secs(180);
/// The record whose first handling never returns (until the test ends).
const STUCK: (i32, i64) = (0, 5);
const NOBODY: usize = usize::MAX;

#[test]
fn a_stuck_handler_hands_its_partitions_to_the_others() {
    let bootstrap = broker::bootstrap();
    let topic = broker::unique("stuck");
    broker::create_topic(&topic, PARTITIONS as u32);
    let group = broker::unique("stuck");
    let timeout = TIMEOUT_MS.to_string();
    let extra = [
        ("steady.processing.timeout.ms", timeout.as_str()),
        ("steady.stall.policy", "leave"),
        ("partition.assignment.strategy", "cooperative-sticky"),
    ];
    let ledger = Ledger::default();
    let release = Arc::new(AtomicBool::new(false));
    let stuck_by = Arc::new(AtomicUsize::new(NOBODY));
    let stuck_at: Arc<Mutex<Option<Instant>>> = Arc::default();
    let members: Vec<Workers> = (0..3)
        .map(|me| {
            let consumer =
                Consumer::new(&settings(&bootstrap, &group, &extra), &[&topic]).expect("consumer");
            let (release, stuck_by, stuck_at) =
                (release.clone(), stuck_by.clone(), stuck_at.clone());
            Workers::start(consumer, 1, &ledger, move |r| {
                let first = (r.partition(), r.offset()) == STUCK
                    && stuck_by
                        .compare_exchange(NOBODY, me, Ordering::AcqRel, Ordering::Acquire)
                        .is_ok();
                if first {
                    *stuck_at.lock() = Some(Instant::now());
                    sleep_unless(Duration::from_secs(3600), &release);
                }
            })
        })
        .collect();
    wait_until("three members with 2 partitions each", WAIT, || {
        members
            .iter()
            .all(|w| w.consumer.stats().assignment.len() == 2)
    });
    produce_per_partition(&bootstrap, &topic, PARTITIONS, PER_PARTITION);

    wait_until("a handler is stuck", WAIT, || {
        stuck_by.load(Ordering::Acquire) != NOBODY
    });
    let stuck = stuck_by.load(Ordering::Acquire);
    let since = stuck_at.lock().expect("stuck time");
    let stuck_partition = format!("{topic}/{}", STUCK.0);
    let others: Vec<&Workers> = (0..3)
        .filter(|&i| i != stuck)
        .map(|i| &members[i])
        .collect();
    wait_until("another member owns the stuck partition", WAIT, || {
        others
            .iter()
            .any(|w| w.consumer.stats().assignment.contains(&stuck_partition))
    });
    let taken_over = since.elapsed();
    ledger.wait_for_all(PARTITIONS, PER_PARTITION, WAIT);
    let all_done = since.elapsed();

    let stuck_consumer = members[stuck].consumer.clone();
    let stuck_stats = stuck_consumer.stats();
    let report = stuck_consumer.recv(Duration::ZERO);
    // The recv after the report asks to rejoin; the member rejoins once the handler returned.
    if let Ok(Some(r)) = stuck_consumer.recv(Duration::ZERO) {
        r.ack().unwrap();
    }
    let out = stuck_consumer.stats();
    assert!(
        out.left_group && out.assignment.is_empty(),
        "out while the handler runs"
    );
    release.store(true, Ordering::Release);
    wait_until("the stuck member rejoined", WAIT, || {
        !stuck_consumer.stats().assignment.is_empty()
    });
    let rejoined = since.elapsed();
    println!(
        "stuck: member {stuck} stuck on {STUCK:?}; partition taken over by another member after \
         {taken_over:?} (processing timeout {TIMEOUT_MS} ms); every record handled after \
         {all_done:?}; duplicates {}; stuck member: stalls {}, recv reported {report:?}, \
         rejoined after {rejoined:?}, assignment then {:?}",
        ledger.duplicates(),
        stuck_stats.stalls,
        stuck_consumer.stats().assignment,
    );
    assert_eq!(stuck_stats.stalls, 1, "the stuck record is counted once");
    assert!(taken_over >= Duration::from_millis(TIMEOUT_MS));
    assert!(
        matches!(
            report,
            Err(Error::Stalled { partition: 0, offset: 5, elapsed_ms, .. }) if elapsed_ms >= TIMEOUT_MS
        ),
        "the stuck member's recv reported the stall: {report:?}"
    );
    drop(stuck_consumer);
    for w in members {
        assert!(w.finish().is_empty());
    }
}
