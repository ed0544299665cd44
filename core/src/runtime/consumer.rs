//! The application-facing consumer.

use super::{Error, Record, Stats};
use crate::rules::{Finding, Report};
use crate::settings::Settings;
use std::time::Duration;

/// A Kafka consumer whose poll loop (heartbeats, rebalances, commits) runs on a thread of its
/// own. `Consumer` is `Send + Sync`: many threads may `recv` and `ack` at once.
pub struct Consumer {
    _private: (),
}

impl Consumer {
    /// Checks `settings` with the rule engine, refuses on an error finding, then starts the
    /// poll thread subscribed to `topics`.
    pub fn new(settings: &Settings, topics: &[&str]) -> Result<Consumer, Error> {
        let _ = (settings, topics);
        todo!()
    }

    /// Warning and info findings from the check done when the consumer was built.
    pub fn warnings(&self) -> &[Finding] {
        todo!()
    }

    /// The next record, waiting up to `timeout`; `Ok(None)` when none arrived in time.
    pub fn recv(&self, timeout: Duration) -> Result<Option<Record>, Error> {
        let _ = timeout;
        todo!()
    }

    /// Up to `max` records, waiting up to `timeout` for the first one.
    pub fn recv_batch(&self, max: usize, timeout: Duration) -> Result<Vec<Record>, Error> {
        let _ = (max, timeout);
        todo!()
    }

    /// Marks `record` processed. Any thread, any order; acks of revoked partitions are ignored.
    pub fn ack(&self, record: &Record) -> Result<(), Error> {
        let _ = record;
        todo!()
    }

    /// Commits the acked prefix of every assigned partition now, synchronously.
    pub fn commit(&self) -> Result<(), Error> {
        todo!()
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> Stats {
        todo!()
    }

    /// Re-runs the rule engine with the settings and the live processing figures (PL001/PL002).
    pub fn check(&self) -> Report {
        todo!()
    }

    /// Commits the acked prefix, leaves the group, wakes every blocked `recv`. Idempotent.
    pub fn close(&self) -> Result<(), Error> {
        todo!()
    }
}
