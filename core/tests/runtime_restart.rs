//! The broker stops and starts again mid-run (its own instance, same port and data): the
//! consumer carries on and nothing is lost.

#[path = "common/broker.rs"]
mod broker;
#[path = "common/runtime.rs"]
mod runtime;

use runtime::{produce, settings, wait_until, Ledger, Workers};
use std::time::{Duration, Instant};
use steady_core::runtime::Consumer;

const INSTANCE: &str = "runtime-restart";
const PARTITIONS: i32 = 3;
const BATCH: usize = 3_000;
const WAIT: Duration = Duration::from_secs(300);

#[test]
fn the_consumer_survives_a_broker_restart() {
    let bootstrap = broker::try_start(&["--instance", INSTANCE]).expect("broker instance");
    let topic = broker::unique("restart");
    let (code, out, err) = broker::kafka_sh(&[
        "topic",
        "create",
        &topic,
        &PARTITIONS.to_string(),
        "--instance",
        INSTANCE,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    produce(&bootstrap, &topic, PARTITIONS, BATCH, 100);

    let ledger = Ledger::default();
    let consumer = Consumer::new(
        &settings(&bootstrap, &broker::unique("restart"), &[]),
        &[&topic],
    )
    .expect("consumer");
    let workers = Workers::start(consumer, 2, &ledger, |_| {
        std::thread::sleep(Duration::from_millis(4))
    });
    wait_until("a third of the first batch handled", WAIT, || {
        ledger.distinct() >= BATCH / 3
    });
    let before = ledger.distinct();
    let down = Instant::now();
    let (code, out, err) = broker::kafka_sh(&["restart", "--instance", INSTANCE]);
    assert_eq!(code, 0, "{out}{err}");
    let restart_took = down.elapsed();
    produce(&bootstrap, &topic, PARTITIONS, BATCH, 100);
    ledger.wait_for_all(PARTITIONS, (2 * BATCH) as i64 / PARTITIONS as i64, WAIT);
    let stats = workers.consumer.stats();
    println!(
        "restart: {before} records handled before the restart, which took {restart_took:?}; all \
         {} handled {:?} after it began; duplicates {}; rebalance events {}; last error {:?}",
        2 * BATCH,
        down.elapsed(),
        ledger.duplicates(),
        stats.rebalances,
        stats.last_error
    );
    assert!(workers.finish().is_empty());
    let _ = broker::kafka_sh(&["stop", "--instance", INSTANCE]);
}
