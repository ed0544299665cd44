//! The three-broker KRaft cluster of tests/kafka/kafka.sh (`--brokers 3`), shared by the
//! cluster tests: start it, find leaders and coordinators, and crash, stop, restart, pause and
//! continue one broker by id.
//!
//! Include it with `#[path = "common/cluster.rs"] mod cluster;` next to `common/broker.rs`.
#![allow(dead_code)]

use crate::broker;

/// The instance every cluster test shares (started once, left running for the next suite).
pub const INSTANCE: &str = "cluster";
/// How many brokers it has.
pub const BROKERS: u32 = 3;

/// Runs `kafka.sh ARGS… --instance cluster`, panicking with its output when it fails; returns
/// its standard output.
pub fn run(args: &[&str]) -> String {
    let mut all = args.to_vec();
    all.extend(["--instance", INSTANCE]);
    let (code, out, err) = broker::kafka_sh(&all);
    assert_eq!(code, 0, "kafka.sh {all:?} failed:\n{out}\n{err}");
    out
}

/// Starts the cluster, or the brokers of it that are down, and returns its bootstrap list.
pub fn start() -> String {
    let brokers = BROKERS.to_string();
    broker::parse_bootstrap(&run(&["start", "--brokers", &brokers]))
        .expect("a bootstrap= line from the cluster's start")
}

/// Creates `topic` with `partitions` partitions, each with a replica on every broker.
pub fn create_topic(topic: &str, partitions: u32) {
    run(&["topic", "create", topic, &partitions.to_string()]);
}

/// The leader's broker id of each partition of `topic`, by partition.
pub fn leaders(topic: &str) -> Vec<u32> {
    run(&["leaders", topic])
        .lines()
        .map(|l| {
            let (_, leader) = l.split_once(' ').expect("PARTITION LEADER");
            leader.parse().expect("a broker id")
        })
        .collect()
}

/// The broker id of `group`'s coordinator.
pub fn coordinator(group: &str) -> u32 {
    run(&["coordinator", group])
        .trim()
        .parse()
        .expect("a broker id")
}

/// Does `action` (crash, kill, resume, restart, pause, continue) to broker `id`.
pub fn broker(action: &str, id: u32) {
    run(&[action, "--broker", &id.to_string()]);
}

/// Brings every broker back (continued if paused, started if down) when dropped, so a test
/// that fails half-way leaves a whole cluster to the next one.
pub struct Heal;

impl Drop for Heal {
    fn drop(&mut self) {
        for id in 1..=BROKERS {
            let id = id.to_string();
            let _ = broker::kafka_sh(&["continue", "--broker", &id, "--instance", INSTANCE]);
        }
        let _ = broker::kafka_sh(&["start", "--instance", INSTANCE]);
    }
}
