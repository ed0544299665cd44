//! Rebalance events and commit results against the real broker: a revoke handler runs before
//! the partitions move (eager, cooperative-sticky, KIP-848), one that takes too long is cut off
//! at `steady.revoke.drain.ms`, and commits of every kind are reported.

#[path = "common/broker.rs"]
mod broker;
#[path = "common/events.rs"]
mod events;
#[path = "common/runtime.rs"]
mod runtime;

use events::Recorder;
use parking_lot::Mutex;
use runtime::{produce_per_partition, settings, wait_until};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use steady_core::runtime::{CommitReason, Consumer, Error, EventKind, Record};

const PARTITIONS: i32 = 4;
const PER_PARTITION: i64 = 100;
const WAIT: Duration = Duration::from_secs(120);

fn consumer(bootstrap: &str, group: &str, topic: &str, extra: &[(&str, &str)]) -> Arc<Consumer> {
    let mut all = vec![("steady.events.enable", "true")];
    all.extend_from_slice(extra);
    Arc::new(Consumer::new(&settings(bootstrap, group, &all), &[topic]).expect("consumer"))
}

/// Receives up to `n` records (acking each) within `WAIT`.
fn take_and_ack(c: &Consumer, n: usize) -> Vec<Record> {
    let deadline = Instant::now() + WAIT;
    let mut got = Vec::new();
    while got.len() < n {
        assert!(
            Instant::now() < deadline,
            "only {} of {n} records",
            got.len()
        );
        if let Some(r) = c.recv(Duration::from_millis(200)).expect("recv") {
            r.ack().expect("ack");
            got.push(r);
        }
    }
    got
}

/// Member A consumes and acks part of the topic, member B joins: A's revoke handler ends
/// before B receives any record of a partition that moved, and B starts each at the offset A
/// committed — A's acked prefix.
fn revoke_runs_before_the_partitions_move(protocol: &str, extra: &[(&str, &str)]) {
    let bootstrap = broker::bootstrap();
    let topic = broker::unique(&format!("events-{protocol}"));
    broker::create_topic(&topic, PARTITIONS as u32);
    produce_per_partition(&bootstrap, &topic, PARTITIONS, PER_PARTITION);
    let group = broker::unique(&format!("events-{protocol}"));

    let a = consumer(&bootstrap, &group, &topic, extra);
    let a_events = Recorder::start(a.clone(), |e| {
        if e.kind() == EventKind::Revoked {
            // A flush of some work: the partitions must not move before it is over.
            std::thread::sleep(Duration::from_millis(500));
        }
    });
    wait_until("A is assigned every partition", WAIT, || {
        a_events.owned().len() == PARTITIONS as usize
    });
    let first = &a_events.of(EventKind::Assigned)[0];
    assert_eq!(first.partitions.len(), PARTITIONS as usize);
    assert!(first.partitions.iter().all(|p| p.1.is_none()), "{first:?}");

    let taken = take_and_ack(&a, 40); // fewer than a partition holds: each keeps records
    let mut acked_prefix: HashMap<i32, i64> = HashMap::new();
    for r in &taken {
        let next = acked_prefix.entry(r.partition()).or_default();
        *next = (*next).max(r.offset() + 1);
    }
    a.commit().expect("explicit commit");
    wait_until("the explicit commit's event", WAIT, || {
        a_events
            .of(EventKind::Committed)
            .iter()
            .any(|s| s.reason == Some(CommitReason::Explicit))
    });
    let commits = a_events.of(EventKind::Committed);
    let explicit = commits
        .iter()
        .find(|s| s.reason == Some(CommitReason::Explicit))
        .unwrap();
    assert!(explicit.error.is_none(), "{explicit:?}");
    for (p, o) in &explicit.partitions {
        let prefix = acked_prefix.get(p).copied().unwrap_or(0);
        assert_eq!(Some(prefix), *o, "explicit commit of partition {p}");
    }

    // B joins; A takes no more records (those it buffered are dropped at the revoke).
    let b = consumer(&bootstrap, &group, &topic, extra);
    let first_records: Arc<Mutex<HashMap<i32, (i64, Instant)>>> = Arc::default();
    let b_events = Recorder::start(b.clone(), |_| {});
    let b_worker = {
        let (b, first_records) = (b.clone(), first_records.clone());
        std::thread::spawn(move || loop {
            match b.recv(Duration::from_millis(100)) {
                Ok(Some(r)) => {
                    let seen = Instant::now();
                    first_records
                        .lock()
                        .entry(r.partition())
                        .or_insert((r.offset(), seen));
                    r.ack().expect("ack");
                }
                Ok(None) => {}
                Err(Error::Closed) => return,
                Err(e) => panic!("B: {e}"),
            }
        })
    };
    wait_until("B is assigned partitions", WAIT, || {
        !b_events.owned().is_empty() && a_events.owned().len() + b_events.owned().len() == 4
    });
    let moved = b_events.owned();
    let started = Instant::now();
    while !moved.iter().all(|p| first_records.lock().contains_key(p)) {
        assert!(
            started.elapsed() < WAIT,
            "B received no record of some moved partition {moved:?}: {:?}\nB: {}\nA: {}\nB events {:?}",
            first_records.lock(),
            b.stats().to_json(),
            a.stats().to_json(),
            b_events.seen()
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    let revoked = a_events.of(EventKind::Revoked);
    for p in &moved {
        let revoke = revoked
            .iter()
            .find(|s| s.numbers().contains(p))
            .unwrap_or_else(|| panic!("A never saw partition {p} revoked: {revoked:?}"));
        let (offset, at) = first_records.lock()[p];
        assert!(
            at > revoke.done_at,
            "B's first record of partition {p} came before A's revoke handler returned"
        );
        let expected = acked_prefix.get(p).copied().unwrap_or(0);
        assert_eq!(
            offset, expected,
            "B starts partition {p} at A's acked prefix"
        );
        let assigned = b_events
            .of(EventKind::Assigned)
            .into_iter()
            .find(|s| s.numbers().contains(p))
            .expect("B's assigned event");
        let committed = assigned.partitions.iter().find(|x| x.0 == *p).unwrap().1;
        assert_eq!(
            committed.unwrap_or(0),
            expected,
            "B's assigned event carries A's committed offset of {p}"
        );
    }
    if protocol != "eager" {
        assert!(
            revoked
                .iter()
                .all(|s| s.partitions.len() < PARTITIONS as usize),
            "incremental: A keeps some partitions: {revoked:?}"
        );
    }
    assert_eq!(a.stats().revoke_handler_timeouts, 0);
    assert!(a.stats().commits_succeeded >= 1);

    a.close().expect("close A");
    b.close().expect("close B");
    b_worker.join().expect("B's worker");
    let a_seen = a_events.finish();
    b_events.finish();
    let last_revoke = a_seen
        .iter()
        .rposition(|s| s.kind == EventKind::Revoked)
        .expect("a revoke on close");
    assert!(
        a_seen[last_revoke..]
            .iter()
            .all(|s| s.kind != EventKind::Assigned),
        "nothing is assigned after close's revoke: {a_seen:?}"
    );
}

#[test]
fn revoke_runs_before_the_partitions_move_eager() {
    revoke_runs_before_the_partitions_move("eager", &[("partition.assignment.strategy", "range")]);
}

#[test]
fn revoke_runs_before_the_partitions_move_cooperative() {
    revoke_runs_before_the_partitions_move("cooperative", &[]);
}

#[test]
fn revoke_runs_before_the_partitions_move_kip848() {
    revoke_runs_before_the_partitions_move("kip848", &[("group.protocol", "consumer")]);
}

/// A revoke handler that sleeps far past `steady.revoke.drain.ms`: the partitions move once
/// the budget is spent, and no further rebalance follows when the handler finally returns.
#[test]
fn a_slow_revoke_handler_is_cut_off_at_the_budget() {
    const BUDGET_MS: u64 = 1_000;
    const HANDLER: Duration = Duration::from_secs(15);
    let bootstrap = broker::bootstrap();
    let topic = broker::unique("events-slow-revoke");
    broker::create_topic(&topic, PARTITIONS as u32);
    let group = broker::unique("events-slow-revoke");
    let budget = BUDGET_MS.to_string();
    let extra = [("steady.revoke.drain.ms", budget.as_str())];

    let a = consumer(&bootstrap, &group, &topic, &extra);
    let a_events = Recorder::start(a.clone(), |e| {
        if e.kind() == EventKind::Revoked {
            std::thread::sleep(HANDLER);
        }
    });
    wait_until("A is assigned every partition", WAIT, || {
        a_events.owned().len() == PARTITIONS as usize
    });
    let b = consumer(&bootstrap, &group, &topic, &extra);
    let joined = Instant::now();
    let b_events = Recorder::start(b.clone(), |_| {});
    wait_until("B is assigned partitions", WAIT, || {
        !b_events.owned().is_empty()
    });
    let took = joined.elapsed();
    assert!(
        took < HANDLER - Duration::from_secs(3),
        "B waited {took:?}: the revoke waited for the handler past the budget"
    );
    wait_until("the revoke handler returned", WAIT, || {
        !a_events.of(EventKind::Revoked).is_empty()
    });
    assert_eq!(a.stats().revoke_handler_timeouts, 1);
    let rebalances = |r: &Recorder| {
        r.seen()
            .iter()
            .filter(|s| s.kind != EventKind::Committed)
            .count()
    };
    let (a_before, b_before) = (rebalances(&a_events), rebalances(&b_events));
    // A quiet period of a few heartbeats: a rebalance caused by the late handler would show.
    std::thread::sleep(Duration::from_secs(6));
    assert_eq!(
        (rebalances(&a_events), rebalances(&b_events)),
        (a_before, b_before),
        "A: {:?}\nB: {:?}",
        a_events.seen(),
        b_events.seen()
    );
    let b_owned = b_events.owned();
    assert_eq!(
        a.stats().assignment.len() + b_owned.len(),
        PARTITIONS as usize
    );
    a.close().expect("close A");
    b.close().expect("close B");
    a_events.finish();
    b_events.finish();
}

/// Background and explicit commits come back as events with their offsets, and the stats
/// count them.
#[test]
fn background_and_explicit_commits_are_reported() {
    let bootstrap = broker::bootstrap();
    let topic = broker::unique("events-commits");
    broker::create_topic(&topic, 2);
    produce_per_partition(&bootstrap, &topic, 2, 50);
    let group = broker::unique("events-commits");
    let c = consumer(
        &bootstrap,
        &group,
        &topic,
        &[("auto.commit.interval.ms", "300")],
    );
    let recorder = Recorder::start(c.clone(), |_| {});
    take_and_ack(&c, 60);
    wait_until("a background commit of the 60 records", WAIT, || {
        recorder.of(EventKind::Committed).iter().any(|s| {
            s.reason == Some(CommitReason::Background)
                && s.partitions.iter().filter_map(|p| p.1).sum::<i64>() == 60
        })
    });
    take_and_ack(&c, 20);
    c.commit().expect("commit");
    c.close().expect("close");
    let seen = recorder.finish();
    let commits: Vec<_> = seen
        .iter()
        .filter(|s| s.kind == EventKind::Committed)
        .collect();
    assert!(commits.iter().all(|s| s.error.is_none()), "{commits:?}");
    // Each commit carries the partitions whose offsets moved.
    let mut latest = HashMap::new();
    for s in &commits {
        for (p, o) in &s.partitions {
            latest.insert(*p, o.expect("a committed offset"));
        }
    }
    assert_eq!(latest.values().sum::<i64>(), 80, "{commits:?}");
    let stats = c.stats();
    assert_eq!(stats.commits_succeeded, commits.len() as u64);
    assert_eq!(stats.commits_failed, 0);
}

/// On close: `Revoked` for the whole assignment, then the close commit, then `Closed`.
#[test]
fn close_revokes_then_commits_then_ends_the_events() {
    let bootstrap = broker::bootstrap();
    let topic = broker::unique("events-close");
    broker::create_topic(&topic, 2);
    produce_per_partition(&bootstrap, &topic, 2, 50);
    let group = broker::unique("events-close");
    let c = consumer(
        &bootstrap,
        &group,
        &topic,
        &[("enable.auto.commit", "false")],
    );
    // The revoke handler acks a record it held back (a batch writer flushing): that ack is
    // part of the close commit.
    let held: Arc<Mutex<Option<Record>>> = Arc::default();
    let recorder = {
        let (held, me) = (held.clone(), c.clone());
        Recorder::start(c.clone(), move |e| {
            if e.kind() == EventKind::Revoked {
                if let Some(r) = held.lock().take() {
                    r.ack().expect("ack in the revoke handler");
                }
                // The poll thread answers requests while it waits for the handler (else this
                // would wait out the budget and find the consumer closed).
                me.commit().expect("commit in the revoke handler");
            }
        })
    };
    let last = loop {
        let r = c.recv(WAIT).expect("recv").expect("a record");
        if r.partition() == 0 {
            break r;
        }
        r.ack().unwrap();
    };
    let acked_before = c.stats().acked;
    *held.lock() = Some(last);
    c.close().expect("close");
    let seen = recorder.finish();
    let kinds: Vec<_> = seen.iter().map(|s| s.kind).collect();
    let n = kinds.len();
    assert!(n >= 3, "{seen:?}");
    assert_eq!(
        &kinds[n - 2..],
        &[EventKind::Revoked, EventKind::Committed],
        "{seen:?}"
    );
    let close = &seen[n - 1];
    assert_eq!(close.reason, Some(CommitReason::Close));
    assert_eq!(c.stats().revoke_handler_timeouts, 0);
    let total: i64 = close.partitions.iter().filter_map(|p| p.1).sum();
    assert_eq!(total, acked_before as i64 + 1, "{close:?}");
}

/// With events off the queue refuses, naming the key.
#[test]
fn next_event_without_events_names_the_key() {
    let c = Consumer::new(&settings("127.0.0.1:1", "g", &[]), &["t"]).expect("consumer");
    match c.next_event(Duration::ZERO) {
        Err(Error::InvalidArgument(m)) => assert!(m.contains("steady.events.enable"), "{m}"),
        other => panic!("{other:?}"),
    }
    c.close().unwrap();
}
