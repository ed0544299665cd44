//! [`Consumer::check`](crate::runtime::Consumer::check): the rule engine over the consumer's settings and
//! the figures measured live — acks/s per acking thread, the number of threads acking, p50/p99
//! delivery → ack time and the partitions assigned.
//!
//! Under steady none of the poll-loop rules can bite: the poll thread never waits for the
//! handler. The question the check answers is what a plain poll loop running the same handler
//! with the same settings would risk, taking batches of `steady.buffer.max.records` (given to
//! the rules as `max.poll.records`). The poll-loop rules are those of the Java consumer, the
//! client whose batch size is a setting, so the engine runs three times:
//! - dialect steady, heartbeat decoupled: every rule about the settings themselves;
//! - dialect java, heartbeat decoupled (a KIP-62 client): only PL001 is kept — a batch × p99
//!   against `max.poll.interval.ms`;
//! - dialect java, heartbeat coupled to `poll` (a client before 0.10.1, or any client against a
//!   0.10.0 broker, where the session timeout bounds a rebalance): only PL002 is kept — the batch
//!   against records/s per thread × threads × session seconds.

use crate::rules::{self, ClientInfo, Heartbeat, Input, Report, Workload};
use crate::runtime::shared::Shared;
use crate::settings::{Dialect, Settings};
use std::sync::atomic::Ordering::Relaxed;

/// The live check of one consumer.
pub(crate) fn run(settings: &Settings, shared: &Shared) -> Report {
    let workload = workload(shared);
    let check = |settings: &Settings, dialect, heartbeat| {
        rules::check(&Input {
            settings: settings.clone(),
            client: ClientInfo {
                dialect: Some(dialect),
                heartbeat: Some(heartbeat),
                version: None,
            },
            workload,
            ..Input::default()
        })
    };
    let mut report = check(settings, Dialect::Steady, Heartbeat::Decoupled);
    let mut poll_loop = settings.clone();
    poll_loop.set(
        "max.poll.records",
        shared.config.buffer_max_records.to_string(),
    );
    for (heartbeat, rule) in [
        (Heartbeat::Decoupled, "PL001"),
        (Heartbeat::Coupled, "PL002"),
    ] {
        let found = check(&poll_loop, Dialect::Java, heartbeat).findings;
        report
            .findings
            .extend(found.into_iter().filter(|f| f.rule == rule));
    }
    report
        .findings
        .sort_by(|a, b| b.severity.cmp(&a.severity).then(a.rule.cmp(b.rule)));
    report
}

/// The workload as measured: unknown figures stay `None` so their rules stay silent.
fn workload(shared: &Shared) -> Workload {
    let m = &shared.metrics;
    let threads = m.ack_threads();
    let measured = threads > 0 && m.acked.load(Relaxed) > 0;
    Workload {
        rate_per_thread: measured.then(|| m.rate() / f64::from(threads)),
        threads: measured.then_some(threads),
        record_ms_p50: m.processing_ms(0.5),
        record_ms_p99: m.processing_ms(0.99),
        assigned_partitions: Some(shared.assignment.slots().len() as u32),
    }
}
