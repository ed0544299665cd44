//! Liveness against the real broker: a stall makes the member leave at most once per stuck
//! record and rejoin only after the handler returned, a poison record cannot loop, an
//! application that stopped calling `recv` is detected, the `report` policy keeps memory
//! bounded behind a lost ack, close never deadlocks and concurrent closes all wait for the
//! final commit.

#[path = "common/broker.rs"]
mod broker;
#[path = "common/runtime.rs"]
mod runtime;

use runtime::{
    committed, produce_per_partition, settings, sleep_unless, wait_until, Ledger, Workers,
};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};
use steady_core::runtime::{Consumer, Error};

const WAIT: Duration = Duration::from_secs(180);

#[test]
fn a_poison_record_under_several_workers_costs_one_leave_and_never_runs_twice_at_once() {
    let bootstrap = broker::bootstrap();
    let topic = broker::unique("poison");
    broker::create_topic(&topic, 1);
    produce_per_partition(&bootstrap, &topic, 1, 20);
    let group = broker::unique("poison");
    let extra = [("steady.processing.timeout.ms", "3000")];
    let consumer = Consumer::new(&settings(&bootstrap, &group, &extra), &[&topic]).unwrap();
    let (running, most, deliveries) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
    );
    let ledger = Ledger::default();
    let stop = Arc::new(AtomicBool::new(false));
    let workers = {
        let (running, most, deliveries, stop) = (
            running.clone(),
            most.clone(),
            deliveries.clone(),
            stop.clone(),
        );
        Workers::start(consumer, 4, &ledger, move |r| {
            if r.offset() == 5 {
                deliveries.fetch_add(1, Ordering::AcqRel);
                let now = running.fetch_add(1, Ordering::AcqRel) + 1;
                most.fetch_max(now, Ordering::AcqRel);
                // Outlasts the processing timeout on every delivery.
                sleep_unless(Duration::from_millis(7_000), &stop);
                running.fetch_sub(1, Ordering::AcqRel);
            }
        })
    };
    wait_until(
        "the partition committed past the poison record",
        WAIT,
        || committed(&bootstrap, &group, &topic, 1)[0] == 20,
    );
    let stats = workers.consumer.stats();
    println!(
        "poison: offset 5 delivered {} times, at most {} at once; stalls {}, rebalances {}, \
         duplicates {}",
        deliveries.load(Ordering::Acquire),
        most.load(Ordering::Acquire),
        stats.stalls,
        stats.rebalances,
        ledger.duplicates(),
    );
    assert_eq!(
        most.load(Ordering::Acquire),
        1,
        "never run concurrently with itself"
    );
    assert!(
        deliveries.load(Ordering::Acquire) <= 2,
        "left for once, then reported"
    );
    assert!(stats.stalls <= 2, "{}", stats.stalls);
    // Join, leave, rejoin: a few events, not a loop.
    assert!(stats.rebalances <= 6, "{}", stats.rebalances);
    stop.store(true, Ordering::Release);
    workers.finish();
}

#[test]
fn an_application_that_stopped_calling_recv_is_a_stall() {
    let bootstrap = broker::bootstrap();
    let topic = broker::unique("idle");
    broker::create_topic(&topic, 1);
    produce_per_partition(&bootstrap, &topic, 1, 10);
    let group = broker::unique("idle");
    let extra = [("steady.processing.timeout.ms", "3000")];
    let c = Consumer::new(&settings(&bootstrap, &group, &extra), &[&topic]).unwrap();
    wait_until("a first record", WAIT, || {
        match c.recv(Duration::from_millis(200)) {
            Ok(Some(r)) => r.ack().is_ok(),
            _ => false,
        }
    });
    // The application stops taking records: the watchdog gives the partition up.
    wait_until("the idle member left the group", WAIT, || {
        let s = c.stats();
        s.left_group && s.assignment.is_empty() && s.stalls == 1
    });
    assert!(matches!(
        c.recv(Duration::ZERO),
        Err(Error::Stalled { offset: 1, .. })
    ));
    let mut got = 1;
    wait_until("the member rejoined and read the rest", WAIT, || {
        if let Ok(Some(r)) = c.recv(Duration::from_millis(200)) {
            r.ack().unwrap();
            got += 1;
        }
        got >= 10
    });
    c.close().unwrap();
}

#[test]
fn the_report_policy_keeps_memory_bounded_behind_a_lost_ack() {
    let bootstrap = broker::bootstrap();
    let topic = broker::unique("lost-ack");
    broker::create_topic(&topic, 1);
    const RECORDS: i64 = 4_000;
    produce_per_partition(&bootstrap, &topic, 1, RECORDS);
    let group = broker::unique("lost-ack");
    let extra = [
        ("steady.stall.policy", "report"),
        ("steady.buffer.max.records", "16"),
    ];
    // The window limit is 64 × 16 offsets; a turn may add one batch and the buffer.
    let bound = 64 * 16 + 128 + 16;
    let consumer = Consumer::new(&settings(&bootstrap, &group, &extra), &[&topic]).unwrap();
    let held = Arc::new(parking_lot::Mutex::new(None));
    let workers = {
        let held = held.clone();
        let consumer = Arc::new(consumer);
        let c = consumer.clone();
        let w = std::thread::spawn(move || {
            let mut n = 0;
            while n < RECORDS {
                match c.recv(Duration::from_millis(100)) {
                    Ok(Some(r)) if r.offset() == 0 && held.lock().is_none() => {
                        *held.lock() = Some(r);
                        n += 1;
                    }
                    Ok(Some(r)) => {
                        r.ack().unwrap();
                        n += 1;
                    }
                    Ok(None) => {}
                    Err(Error::Closed) => break,
                    Err(e) => panic!("{e}"),
                }
            }
        });
        (consumer, w)
    };
    let (consumer, worker) = workers;
    wait_until("the partition is paused for its window", WAIT, || {
        !consumer.stats().paused_partitions.is_empty()
    });
    let paused = consumer.stats();
    // Nothing more may arrive while the ack is missing.
    let mut most = paused.offset_window_records;
    let watch = Instant::now();
    while watch.elapsed() < Duration::from_secs(3) {
        most = most.max(consumer.stats().offset_window_records);
        std::thread::sleep(Duration::from_millis(100));
    }
    let still = consumer.stats();
    println!(
        "lost ack: paused with {} delivered, window {} offsets (at most {most} in 3 s); \
         delivered 3 s later {}",
        paused.delivered, paused.offset_window_records, still.delivered
    );
    assert!(most <= bound as u64, "window {most} > {bound}");
    assert!(still.delivered <= bound as u64, "{}", still.delivered);
    held.lock().take().expect("offset 0 held").ack().unwrap();
    worker.join().unwrap();
    consumer.commit().unwrap();
    assert_eq!(committed(&bootstrap, &group, &topic, 1), vec![RECORDS]);
    consumer.close().unwrap();
}

#[test]
fn create_and_close_never_hang() {
    const ROUNDS: usize = 300;
    // A round is one create and one close (a join and a leave); a hang is a round that takes
    // far longer than that, however busy the machine.
    const ROUND_LIMIT: Duration = Duration::from_secs(120);
    let bootstrap = broker::bootstrap();
    let topic = broker::unique("close-loop");
    broker::create_topic(&topic, 1);
    let (round_done, rounds) = crossbeam_channel::bounded(ROUNDS);
    let current: Arc<parking_lot::Mutex<Option<Arc<Consumer>>>> = Arc::default();
    let now = current.clone();
    let loop_thread = std::thread::spawn(move || {
        for i in 0..ROUNDS {
            let group = format!("{topic}-{}", i % 5);
            let extra = [("statistics.interval.ms", "1")];
            let c =
                Arc::new(Consumer::new(&settings(&bootstrap, &group, &extra), &[&topic]).unwrap());
            *now.lock() = Some(c.clone());
            let committer = {
                let c = c.clone();
                std::thread::spawn(move || while !matches!(c.commit(), Err(Error::Closed)) {})
            };
            c.close().unwrap();
            committer.join().unwrap();
            let _ = round_done.send(i);
        }
    });
    for i in 0..ROUNDS {
        if rounds.recv_timeout(ROUND_LIMIT).is_err() {
            let stats = current.lock().as_ref().map(|c| c.stats().to_json());
            panic!(
                "create/close round {i} did not finish within {ROUND_LIMIT:?}: a close hangs; \
                 its consumer: {stats:?}"
            );
        }
    }
    loop_thread.join().unwrap();
}

#[test]
fn concurrent_closes_all_return_after_the_final_commit() {
    let bootstrap = broker::bootstrap();
    let topic = broker::unique("two-closes");
    broker::create_topic(&topic, 1);
    produce_per_partition(&bootstrap, &topic, 1, 3);
    let group = broker::unique("two-closes");
    let extra = [("enable.auto.commit", "false")];
    let c = Arc::new(Consumer::new(&settings(&bootstrap, &group, &extra), &[&topic]).unwrap());
    let mut records = Vec::new();
    wait_until("three records", WAIT, || {
        if let Ok(Some(r)) = c.recv(Duration::from_millis(200)) {
            records.push(r);
        }
        records.len() == 3
    });
    let last = records.pop().unwrap();
    for r in &records {
        r.ack().unwrap();
    }
    let start = Arc::new(Barrier::new(3));
    let closers: Vec<_> = (0..2)
        .map(|_| {
            let (c, start, bootstrap, group, topic) = (
                c.clone(),
                start.clone(),
                bootstrap.clone(),
                group.clone(),
                topic.clone(),
            );
            std::thread::spawn(move || {
                start.wait();
                c.close().unwrap();
                committed(&bootstrap, &group, &topic, 1)[0]
            })
        })
        .collect();
    start.wait();
    // Both closes wait for the record in flight (steady.revoke.drain.ms, 5 s by default).
    std::thread::sleep(Duration::from_millis(500));
    last.ack().unwrap();
    for closer in closers {
        assert_eq!(
            closer.join().unwrap(),
            3,
            "a close returned before the final commit"
        );
    }
}
