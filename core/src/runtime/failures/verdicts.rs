//! What follows the application's verdict on a record, beyond its offset window: an ack frees
//! the record's lane, a nack sends it back to the hand-off after its back-off, and a record
//! out of attempts (or rejected) is dead-lettered — or, without a dead-letter topic, parked.

use crate::runtime::logging::LogLevel;
use crate::runtime::offsets::Outcome;
use crate::runtime::pending::Pending;
use crate::runtime::retries::backoff;
use crate::runtime::shared::Shared;
use crate::runtime::{Error, Record};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// `record` was settled (acked, or acknowledged by the dead-letter topic): its lane is free.
pub(crate) fn settled(record: &Record) {
    if let (Some(lane), Some(shared)) = (record.lane, record.slot.owner()) {
        shared.handoff.release_lane(&record.slot, lane);
    }
}

/// The handler failed: deliver `record` again after `delay` (or the back-off), or dead-letter
/// it when it used up its attempts.
pub(crate) fn nack(record: &Record, error: &str, delay: Option<Duration>) -> Result<(), Error> {
    let shared = owner(record)?;
    let config = &shared.config;
    if record.attempt >= config.retry_max_attempts {
        return dead_letter(&shared, record, error);
    }
    if !record.slot.settle(record.offset, Outcome::Nack)? {
        return Ok(());
    }
    let delay = delay.unwrap_or_else(|| {
        backoff(
            record.attempt,
            config.retry_backoff,
            config.retry_backoff_max,
        )
    });
    shared.metrics.retries.fetch_add(1, Relaxed);
    shared.log.steady(
        LogLevel::Debug,
        "retry",
        format!(
            "{} offset {} failed (attempt {}): {}; delivered again in {} ms",
            record.slot.name(),
            record.offset,
            record.attempt,
            shared.settings.scrub(error),
            delay.as_millis()
        ),
    );
    shared
        .handoff
        .retry(Pending::record(record.redelivery()), Instant::now() + delay);
    Ok(())
}

/// The application gave up on `record`: dead-letter it now.
pub(crate) fn reject(record: &Record, error: &str) -> Result<(), Error> {
    dead_letter(&*owner(record)?, record, error)
}

fn dead_letter(shared: &Shared, record: &Record, error: &str) -> Result<(), Error> {
    if !record.slot.settle(record.offset, Outcome::Park)? {
        return Ok(());
    }
    let error = shared.settings.scrub(error);
    match shared.dead_letters.get() {
        Some(dlq) => dlq.send(shared, record.clone(), error),
        None => shared.error(
            "retry",
            format!(
                "{} offset {} given up after {} attempt(s): {error}; no steady.dlq.topic is \
                 set, so it stays pending: the committed offset stays before it until the \
                 partition is assigned anew",
                record.slot.name(),
                record.offset,
                record.attempt
            ),
        ),
    }
    Ok(())
}

/// The consumer of `record`; gone means closed.
fn owner(record: &Record) -> Result<Arc<Shared>, Error> {
    record.slot.owner().ok_or(Error::Closed)
}
