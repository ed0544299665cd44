//! [`Consumer::check`](super::Consumer::check): the rule engine over the consumer's settings and
//! the figures measured live — acks/s per acking thread, the number of threads acking, p50/p99
//! delivery → ack time and the partitions assigned.
//!
//! Under steady none of the poll-loop rules can bite: the poll thread never waits for the
//! handler. The question the check answers is what a plain poll loop running the same handler
//! with the same settings would risk, taking batches of `steady.buffer.max.records` (given to
//! the rules as `max.poll.records` unless that is set). So the engine runs twice:
//! - as a KIP-62 client (heartbeat decoupled, dialect steady): PL001, a batch × p99 against
//!   `max.poll.interval.ms`, and every other rule;
//! - as a client whose heartbeat is coupled to `poll` (a Java client before 0.10.1, or any
//!   client against a 0.10.0 broker, where the session timeout bounds a rebalance): only its
//!   PL002 is kept, rate × threads × session against the batch.

use super::shared::Shared;
use crate::rules::{self, ClientInfo, Heartbeat, Input, Report, Workload};
use crate::settings::{Dialect, Settings};
use std::sync::atomic::Ordering::Relaxed;

/// The live check of one consumer.
pub(crate) fn run(settings: &Settings, shared: &Shared) -> Report {
    let mut settings = settings.clone();
    if !settings.is_set("max.poll.records") {
        settings.set(
            "max.poll.records",
            shared.config.buffer_max_records.to_string(),
        );
    }
    let input = |heartbeat| Input {
        settings: settings.clone(),
        client: ClientInfo {
            dialect: Some(Dialect::Steady),
            heartbeat: Some(heartbeat),
            version: None,
        },
        workload: workload(shared),
        ..Input::default()
    };
    let mut report = rules::check(&input(Heartbeat::Decoupled));
    let coupled = rules::check(&input(Heartbeat::Coupled));
    report
        .findings
        .extend(coupled.findings.into_iter().filter(|f| f.rule == "PL002"));
    report
        .findings
        .sort_by(|a, b| b.severity.cmp(&a.severity).then(a.rule.cmp(b.rule)));
    report
}

/// The workload as measured: unknown figures stay `None` so their rules stay silent.
fn workload(shared: &Shared) -> Workload {
    let m = &shared.metrics;
    let threads = m.ack_threads();
    let rate = m.rate();
    let measured = threads > 0 && m.acked.load(Relaxed) > 0;
    Workload {
        rate_per_thread: measured.then(|| rate / f64::from(threads)),
        threads: measured.then_some(threads),
        record_ms_p50: m.processing_ms(0.5),
        record_ms_p99: m.processing_ms(0.99),
        assigned_partitions: Some(shared.assignment.slots().len() as u32),
    }
}
