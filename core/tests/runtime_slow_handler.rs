//! A handler slower than max.poll.interval.ms: under steady the group never rebalances after
//! its initial assignment and every record is processed; the same handler in a plain rdkafka
//! poll loop makes the group rebalance. Both run at once on the real broker, in two groups.

#[path = "common/broker.rs"]
mod broker;
#[path = "common/runtime.rs"]
mod runtime;

use runtime::{
    produce_per_partition, settings, sleep_unless, wait_until, Ledger, PlainMember, Workers,
};
use std::time::{Duration, Instant};
use steady_core::runtime::Consumer;

const PARTITIONS: i32 = 6;
const PER_PARTITION: i64 = 5;
const SLOW: Duration = Duration::from_secs(25);
const GROUP_SETTINGS: &[(&str, &str)] = &[
    ("session.timeout.ms", "10000"),
    ("max.poll.interval.ms", "10000"),
    ("heartbeat.interval.ms", "3000"),
];
const WAIT: Duration = Duration::from_secs(180);

/// Offset 2 of every even partition takes 25 s: one slow record per member.
fn is_slow(partition: i32, offset: i64) -> bool {
    offset == 2 && partition % 2 == 0
}

#[test]
fn slow_handler_rebalances_a_plain_loop_but_not_steady() {
    let bootstrap = broker::bootstrap();
    let topic = broker::unique("slow-handler");
    broker::create_topic(&topic, PARTITIONS as u32);

    let steady_ledger = Ledger::default();
    let steady_group = broker::unique("slow-steady");
    let steady: Vec<Workers> = (0..3)
        .map(|_| {
            let s = settings(&bootstrap, &steady_group, GROUP_SETTINGS);
            let consumer = Consumer::new(&s, &[&topic]).expect("steady consumer");
            let never = std::sync::atomic::AtomicBool::new(false);
            Workers::start(consumer, 2, &steady_ledger, move |r| {
                if is_slow(r.partition(), r.offset()) {
                    sleep_unless(SLOW, &never);
                }
            })
        })
        .collect();

    let plain_ledger = Ledger::default();
    let plain_group = broker::unique("slow-plain");
    let plain: Vec<PlainMember> = (0..3)
        .map(|_| {
            PlainMember::start(
                &bootstrap,
                &plain_group,
                &topic,
                GROUP_SETTINGS,
                &plain_ledger,
                |p, o, stop| {
                    if is_slow(p, o) {
                        sleep_unless(SLOW, stop);
                    }
                },
            )
        })
        .collect();

    wait_until("three steady members with 2 partitions each", WAIT, || {
        steady
            .iter()
            .all(|w| w.consumer.stats().assignment.len() == 2)
    });
    wait_until("three plain members with 2 partitions each", WAIT, || {
        plain.iter().all(|m| m.assigned() == 2)
    });
    let steady_before: Vec<u64> = steady
        .iter()
        .map(|w| w.consumer.stats().rebalances)
        .collect();
    let plain_before: u64 = plain.iter().map(PlainMember::rebalances).sum();

    let start = Instant::now();
    produce_per_partition(&bootstrap, &topic, PARTITIONS, PER_PARTITION);
    steady_ledger.wait_for_all(PARTITIONS, PER_PARTITION, WAIT);
    let steady_done = start.elapsed();
    wait_until("the plain group rebalanced", WAIT, || {
        plain.iter().map(PlainMember::rebalances).sum::<u64>() > plain_before
    });

    let steady_after: Vec<u64> = steady
        .iter()
        .map(|w| w.consumer.stats().rebalances)
        .collect();
    let assignments: Vec<usize> = steady
        .iter()
        .map(|w| w.consumer.stats().assignment.len())
        .collect();
    let plain_rebalances = plain.iter().map(PlainMember::rebalances).sum::<u64>() - plain_before;
    let steady_rebalances: u64 = steady_after
        .iter()
        .zip(&steady_before)
        .map(|(a, b)| a - b)
        .sum();
    println!(
        "steady: rebalances after the initial assignment {steady_rebalances}, records {} of {}, \
         duplicates {}, all handled in {steady_done:?}, assignment sizes {assignments:?}",
        steady_ledger.distinct(),
        PARTITIONS as i64 * PER_PARTITION,
        steady_ledger.duplicates()
    );
    println!(
        "plain loop: rebalance events after the initial assignment {plain_rebalances}, records {}, \
         duplicates {}",
        plain_ledger.distinct(),
        plain_ledger.duplicates()
    );
    for w in &steady {
        println!("steady stats: {}", w.consumer.stats().to_json());
    }
    assert!(steady_done >= SLOW, "the slow records did take {SLOW:?}");
    assert_eq!(steady_rebalances, 0, "steady's group stayed as it was");
    assert_eq!(assignments, vec![2, 2, 2]);
    assert!(plain_rebalances > 0, "the plain loop's group rebalanced");

    for m in plain {
        m.finish();
    }
    for w in steady {
        assert!(w.finish().is_empty());
    }
}
