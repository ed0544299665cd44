//! Failover on the three-broker cluster (replication factor 3, min.insync.replicas 2): the
//! leader of consumed partitions crashed and started again, the group coordinator crashed, a
//! rolling restart of all three brokers under 100,000 records and a slow handler, and the
//! coordinator paused past the session timeout. Each scenario runs a steady group (two members,
//! four handler threads each) and a plain rdkafka group (two poll loops, the same handler)
//! side by side with the same coordinator; steady loses nothing, duplicates at most what was
//! in flight plus one commit interval, ends with its committed offsets at the end of every
//! partition, and its members cause no rebalance. The plain group's rebalances are counted.

#[path = "common/broker.rs"]
mod broker;
#[path = "common/cluster.rs"]
mod cluster;
#[path = "common/events.rs"]
mod events;
#[path = "common/runtime.rs"]
mod runtime;

use runtime::{
    committed, produce_per_partition, settings, sleep_unless, wait_until, Ledger, PlainMember,
    Workers,
};
use std::time::{Duration, Instant};
use steady_core::runtime::Consumer;

const PARTITIONS: i32 = 6;
const MEMBERS: usize = 2;
const THREADS: usize = 4;
/// The session timeout of both groups: what managed clusters allow (at most 30 s), and longer
/// than a crashed coordinator's replacement takes (the controller fences a broker after 9 s,
/// then the new coordinator loads the group). With 10 s both groups lose their partitions to
/// librdkafka's own session timer before the new coordinator answers.
const SESSION: Duration = Duration::from_secs(30);
const GROUP_SETTINGS: &[(&str, &str)] = &[
    ("session.timeout.ms", "30000"),
    ("heartbeat.interval.ms", "3000"),
];
/// steady's own settings on top: its rebalance and commit events, kept for the report.
const STEADY_SETTINGS: &[(&str, &str)] = &[("steady.events.enable", "true")];
/// steady's commit interval (`auto.commit.interval.ms`, its default).
const COMMIT_INTERVAL: Duration = Duration::from_secs(5);
/// Records one member may hold handed off but not acked: its hand-off buffer and its threads.
const IN_FLIGHT_PER_MEMBER: u64 = 1024 + THREADS as u64;
const WAIT: Duration = Duration::from_secs(300);

/// One scenario: a filled topic, the steady group and the plain group on it.
struct Scenario {
    name: &'static str,
    bootstrap: String,
    topic: String,
    per_partition: i64,
    steady_group: String,
    steady: Vec<Workers>,
    recorders: Vec<events::Recorder>,
    steady_ledger: Ledger,
    plain: Vec<PlainMember>,
    plain_ledger: Ledger,
    steady_before: u64,
    plain_before: u64,
    started: Instant,
    _heal: cluster::Heal,
}

impl Scenario {
    /// Fills a new topic with `per_partition` records per partition and starts both groups
    /// with a handler of `handle` per record; returns once both have their first assignment.
    fn start(name: &'static str, per_partition: i64, handle: Duration) -> Scenario {
        let bootstrap = cluster::start();
        let topic = broker::unique(name);
        cluster::create_topic(&topic, PARTITIONS as u32);
        produce_per_partition(&bootstrap, &topic, PARTITIONS, per_partition);
        let steady_group = broker::unique(&format!("{name}-steady"));
        let plain_group = same_coordinator(&steady_group, &format!("{name}-plain"));

        let steady_ledger = Ledger::default();
        let steady: Vec<Workers> = (0..MEMBERS)
            .map(|_| {
                let mut s = settings(&bootstrap, &steady_group, GROUP_SETTINGS);
                for (k, v) in STEADY_SETTINGS {
                    s.set(*k, *v);
                }
                let consumer = Consumer::new(&s, &[&topic]).expect("steady consumer");
                Workers::start(consumer, THREADS, &steady_ledger, move |_| {
                    std::thread::sleep(handle)
                })
            })
            .collect();
        let recorders = steady
            .iter()
            .map(|w| events::Recorder::start(w.consumer.clone(), |_| {}))
            .collect();
        let plain_ledger = Ledger::default();
        let plain: Vec<PlainMember> = (0..MEMBERS)
            .map(|_| {
                PlainMember::start(
                    &bootstrap,
                    &plain_group,
                    &topic,
                    GROUP_SETTINGS,
                    &plain_ledger,
                    move |_, _, stop| sleep_unless(handle, stop),
                )
            })
            .collect();
        let share = PARTITIONS as usize / MEMBERS;
        wait_until("each steady member with its share", WAIT, || {
            steady
                .iter()
                .all(|w| w.consumer.stats().assignment.len() == share)
        });
        wait_until("each plain member with its share", WAIT, || {
            plain.iter().all(|m| m.assigned() == share)
        });
        Scenario {
            name,
            bootstrap,
            topic,
            per_partition,
            steady_group,
            steady,
            recorders,
            steady_ledger,
            plain,
            plain_ledger,
            steady_before: 0,
            plain_before: 0,
            started: Instant::now(),
            _heal: cluster::Heal,
        }
    }

    fn total(&self) -> usize {
        PARTITIONS as usize * self.per_partition as usize
    }

    /// Waits until steady has handled `fraction` of the records, then counts the rebalances
    /// of both groups from there: the failure comes next (and the cooperative protocol's
    /// second round of the first assignment is over by then).
    fn before_failure(&mut self, fraction: f64) {
        self.await_share(fraction);
        self.steady_before = self
            .steady
            .iter()
            .map(|w| w.consumer.stats().rebalances)
            .sum();
        self.plain_before = self.plain.iter().map(PlainMember::rebalances).sum();
    }

    /// Waits until steady has handled `fraction` of the records.
    fn await_share(&self, fraction: f64) {
        let goal = (self.total() as f64 * fraction) as usize;
        wait_until(
            &format!("{}: steady handled {goal} records", self.name),
            WAIT,
            || self.steady_ledger.distinct() >= goal,
        );
    }

    /// Waits for every record, closes both groups and checks what the module promises.
    fn finish(self) {
        self.steady_ledger
            .wait_for_all(PARTITIONS, self.per_partition, WAIT);
        let took = self.started.elapsed();
        let total = self.total();
        let steady_rebalances: u64 = self
            .steady
            .iter()
            .map(|w| w.consumer.stats().rebalances)
            .sum::<u64>()
            - self.steady_before;
        let plain_rebalances =
            self.plain.iter().map(PlainMember::rebalances).sum::<u64>() - self.plain_before;
        for w in self.steady {
            let errors = w.finish();
            assert!(errors.is_empty(), "{}: recv errors {errors:?}", self.name);
        }
        for m in self.plain {
            m.finish();
        }
        // What each steady member saw, for the failure messages.
        let mut seen = String::new();
        for (i, r) in self.recorders.into_iter().enumerate() {
            for e in r.finish() {
                seen += &format!(
                    "\n  member {i}: {:?} {:?} {:?} {:?}",
                    e.kind, e.reason, e.partitions, e.error
                );
            }
        }
        let offsets = committed(&self.bootstrap, &self.steady_group, &self.topic, PARTITIONS);
        let rate = total as f64 / took.as_secs_f64();
        let bound =
            MEMBERS as u64 * IN_FLIGHT_PER_MEMBER + (rate * COMMIT_INTERVAL.as_secs_f64()) as u64;
        println!(
            "{}: steady {} records in {took:.1?}, duplicates {} (bound {bound}), rebalances {}; \
             plain {} records, duplicates {}, rebalances {}",
            self.name,
            self.steady_ledger.distinct(),
            self.steady_ledger.duplicates(),
            steady_rebalances,
            self.plain_ledger.distinct(),
            self.plain_ledger.duplicates(),
            plain_rebalances
        );
        assert_eq!(
            offsets,
            vec![self.per_partition; PARTITIONS as usize],
            "{}: the committed offsets are the acked prefix: every record; events:{seen}",
            self.name
        );
        assert!(
            self.steady_ledger.duplicates() <= bound,
            "{}: duplicates {:?}",
            self.name,
            self.steady_ledger.duplicated()
        );
        assert_eq!(
            steady_rebalances, 0,
            "{}: steady's members caused no rebalance; events:{seen}",
            self.name
        );
    }
}

/// A new group name, starting with `prefix`, whose coordinator is `group`'s: both groups of a
/// scenario then meet the same broker failures.
fn same_coordinator(group: &str, prefix: &str) -> String {
    let wanted = cluster::coordinator(group);
    (0..64)
        .map(|_| broker::unique(prefix))
        .find(|g| cluster::coordinator(g) == wanted)
        .expect("a group name with the same coordinator")
}

/// Crashes (kill -9) the broker `pick` chooses once a fifth of the records is handled, and
/// starts it again at three fifths.
fn crash_and_resume(name: &'static str, pick: impl Fn(&Scenario) -> u32) {
    let mut s = Scenario::start(name, 3_000, Duration::from_millis(2));
    s.before_failure(0.2);
    let broker = pick(&s);
    cluster::broker("crash", broker);
    s.await_share(0.6);
    cluster::broker("resume", broker);
    s.finish();
}

#[test]
fn failover_leader_of_consumed_partitions_crashed_then_started_again() {
    crash_and_resume("leader-crash", |s| cluster::leaders(&s.topic)[0]);
}

#[test]
fn failover_group_coordinator_crashed() {
    crash_and_resume("coordinator-crash", |s| {
        cluster::coordinator(&s.steady_group)
    });
}

#[test]
fn failover_rolling_restart_of_every_broker_under_a_slow_handler() {
    let mut s = Scenario::start("rolling-restart", 16_667, Duration::from_millis(6));
    s.before_failure(0.05);
    for id in 1..=cluster::BROKERS {
        assert!(
            s.steady_ledger.distinct() < s.total(),
            "broker {id} restarts while records are still being consumed"
        );
        let restart = Instant::now();
        cluster::broker("restart", id);
        println!(
            "rolling-restart: broker {id} restarted and in sync in {:.1?}, {} records handled",
            restart.elapsed(),
            s.steady_ledger.distinct()
        );
    }
    s.finish();
}

/// A leader of consumed partitions that is not the coordinator (a paused coordinator keeps
/// both groups waiting on it: librdkafka's heartbeat to it times out only with the session).
#[test]
fn failover_partition_leader_paused_past_the_session_timeout() {
    let mut s = Scenario::start("leader-pause", 3_000, Duration::from_millis(2));
    s.before_failure(0.2);
    let coordinator = cluster::coordinator(&s.steady_group);
    let leader = cluster::leaders(&s.topic)
        .into_iter()
        .find(|&l| l != coordinator)
        .expect("a partition led by a broker other than the coordinator");
    cluster::broker("pause", leader);
    std::thread::sleep(SESSION + Duration::from_secs(5));
    cluster::broker("continue", leader);
    s.finish();
}
