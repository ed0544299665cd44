//! Membership churn while records flow: a third consumer joins and one of the first two leaves,
//! under the eager (range), cooperative-sticky and KIP-848 (group.protocol=consumer)
//! protocols. Every produced record is processed at least once, and none twice: a revoke and a
//! close both wait for the records in flight before they commit, so no acked record is handed
//! to the next owner again.

#[path = "common/broker.rs"]
mod broker;
#[path = "common/runtime.rs"]
mod runtime;

use runtime::{produce, settings, wait_until, Ledger, Workers};
use std::time::Duration;
use steady_core::runtime::Consumer;

const PARTITIONS: i32 = 6;
const CHUNKS: usize = 5;
const CHUNK: usize = 6_000;
const WORKERS: usize = 2;
const WAIT: Duration = Duration::from_secs(240);

fn churn(protocol: &str, extra: &[(&str, &str)]) {
    let bootstrap = broker::bootstrap();
    let topic = broker::unique(&format!("churn-{protocol}"));
    broker::create_topic(&topic, PARTITIONS as u32);
    let group = broker::unique(&format!("churn-{protocol}"));
    let ledger = Ledger::default();
    let member = || {
        let consumer =
            Consumer::new(&settings(&bootstrap, &group, extra), &[&topic]).expect("consumer");
        Workers::start(consumer, WORKERS, &ledger, |_| {
            std::thread::sleep(Duration::from_millis(1))
        })
    };
    let assigned = |w: &Workers| w.consumer.stats().assignment.len();

    let a = member();
    let b = member();
    wait_until("A and B share the partitions", WAIT, || {
        assigned(&a) > 0 && assigned(&b) > 0 && assigned(&a) + assigned(&b) == PARTITIONS as usize
    });
    let producer = {
        let (bootstrap, topic) = (bootstrap.clone(), topic.clone());
        std::thread::spawn(move || {
            for _ in 0..CHUNKS {
                produce(&bootstrap, &topic, PARTITIONS, CHUNK, 100);
                std::thread::sleep(Duration::from_millis(1500));
            }
        })
    };

    wait_until("a fifth of the records handled", WAIT, || {
        ledger.distinct() >= CHUNKS * CHUNK / 5
    });
    let c = member();
    // The join is over once every partition is assigned again (a cooperative rebalance takes
    // two rounds: revoke, then assign); only then does A leave, so the two changes are separate.
    wait_until("C joined and the group holds every partition", WAIT, || {
        assigned(&c) > 0 && assigned(&a) + assigned(&b) + assigned(&c) == PARTITIONS as usize
    });
    let joined_at = ledger.distinct();

    wait_until("half of the records handled", WAIT, || {
        ledger.distinct() >= CHUNKS * CHUNK / 2
    });
    let a_stats = a.consumer.stats();
    let left_at = ledger.distinct();
    assert!(a.finish().is_empty());
    wait_until("B and C took A's partitions over", WAIT, || {
        assigned(&b) + assigned(&c) == PARTITIONS as usize
    });

    producer.join().expect("producer");
    let per_partition = (CHUNKS * CHUNK) as i64 / PARTITIONS as i64;
    ledger.wait_for_all(PARTITIONS, per_partition, WAIT);
    let duplicates = ledger.duplicates();
    println!(
        "{protocol}: {} records handled at least once of {}, duplicates {duplicates}; C joined \
         after {joined_at}, A left after {left_at} with {} in flight; rebalance events: A {}, \
         B {}, C {}; assignment B {:?} C {:?}; last errors A {:?} B {:?} C {:?}",
        ledger.distinct(),
        CHUNKS * CHUNK,
        a_stats.in_flight,
        a_stats.rebalances,
        b.consumer.stats().rebalances,
        c.consumer.stats().rebalances,
        b.consumer.stats().assignment.len(),
        c.consumer.stats().assignment.len(),
        a_stats.last_error,
        b.consumer.stats().last_error,
        c.consumer.stats().last_error,
    );
    assert_eq!(
        duplicates,
        0,
        "records handled twice (partition, offset): {:?}",
        ledger.duplicated()
    );
    assert!(b.finish().is_empty());
    assert!(c.finish().is_empty());
}

#[test]
fn churn_eager_range() {
    churn("range", &[("partition.assignment.strategy", "range")]);
}

#[test]
fn churn_cooperative_sticky() {
    churn(
        "cooperative-sticky",
        &[("partition.assignment.strategy", "cooperative-sticky")],
    );
}

#[test]
fn churn_consumer_protocol() {
    churn("consumer", &[("group.protocol", "consumer")]);
}
