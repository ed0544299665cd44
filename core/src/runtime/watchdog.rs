//! The stuck-handler watchdog: a record delivered and unacked for longer than
//! `steady.processing.timeout.ms` is a stall, counted once. Policy `leave` also gives the
//! assignment up (unsubscribe → revoke → the other members take the partitions over) and makes
//! the next `recv` report the stall; policy `report` only counts it.

use super::config::StallPolicy;
use super::context::Kafka;
use super::shared::Shared;
use super::Error;
use rdkafka::consumer::Consumer;
use std::sync::atomic::Ordering;
use std::time::Instant;

/// Looks for stuck records and applies the stall policy (poll thread).
pub(crate) fn inspect(consumer: &Kafka, shared: &Shared, now: Instant) {
    let timeout = shared.config.processing_timeout;
    let mut first = None;
    for slot in shared.assignment.slots() {
        for stuck in slot.stuck(timeout, now) {
            let stall = Error::Stalled {
                topic: slot.topic.to_string(),
                partition: slot.partition,
                offset: stuck.offset,
                elapsed_ms: stuck.elapsed.as_millis() as u64,
            };
            shared.metrics.stalls.fetch_add(1, Ordering::Relaxed);
            shared.metrics.set_error(stall.to_string());
            first.get_or_insert(stall);
        }
    }
    if let (Some(stall), StallPolicy::Leave) = (first, shared.config.stall_policy) {
        shared.handoff.report_stall(stall);
        consumer.unsubscribe();
    }
}
