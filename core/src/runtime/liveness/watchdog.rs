//! The stuck-handler watchdog. Two things are stalls, each counted once:
//! - a record delivered and unacked for longer than `steady.processing.timeout.ms`;
//! - records waiting that long with no receiver taking any while no handler is stuck (the
//!   application stopped calling `recv`; its partitions would otherwise stay paused for good).
//!
//! Policy `leave` gives the assignment up (unsubscribe → revoke → the other members take the
//! partitions over) and makes the next `recv` report the stall; the member rejoins on a `recv`
//! after that, once every stuck handler it left for has returned ([`Stalls`]). A record the
//! member already left for once is not left for again when it stalls anew: that stall is
//! reported to the next `recv` and the member keeps its partitions. Policy `report` only counts.
//!
//! [`Stalls`]: crate::runtime::stalls::Stalls

use crate::runtime::config::StallPolicy;
use crate::runtime::context::Kafka;
use crate::runtime::shared::Shared;
use crate::runtime::Error;
use rdkafka::consumer::Consumer;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

/// Looks for stuck records and idle receivers and applies the stall policy (poll thread).
pub(crate) fn inspect(consumer: &Kafka, shared: &Shared, now: Instant, idle: &mut IdleCheck) {
    let timeout = shared.config.processing_timeout;
    let leave_policy = shared.config.stall_policy == StallPolicy::Leave;
    let mut stalls = shared.stalls.lock();
    let (mut leave, mut first_leave, mut first_repeat) = (Vec::new(), None, None);
    let slots = shared.assignment.slots();
    for slot in &slots {
        for stuck in slot.stuck(timeout, now) {
            let stall = stalled(&slot.topic, slot.partition, stuck.offset, stuck.elapsed);
            count(shared, &stall);
            if !leave_policy {
                continue;
            }
            if stalls.left_before(slot, stuck.offset) {
                first_repeat.get_or_insert(stall);
            } else {
                leave.push((Arc::clone(slot), stuck.offset));
                first_leave.get_or_insert(stall);
            }
        }
    }
    // Receivers blocked in stuck handlers are that stall, not an idle application.
    let handlers_stuck = slots.iter().any(|s| s.stuck_in_flight() > 0);
    let idle_since = shared.handoff.idle_since().filter(|_| !handlers_stuck);
    if let Some((since, slot, offset)) = idle_since {
        let waited = now.saturating_duration_since(since);
        if waited >= timeout && idle.reported != Some(since) {
            idle.reported = Some(since);
            let stall = stalled(&slot.topic, slot.partition, offset, waited);
            count(shared, &stall);
            if leave_policy {
                first_leave.get_or_insert(stall);
            }
        }
    }
    if let Some(stall) = first_leave {
        shared.handoff.report_stall(stall, true);
        stalls.leave(leave);
        consumer.unsubscribe();
    } else if let Some(stall) = first_repeat {
        shared.handoff.report_stall(stall, false);
    }
}

/// The idle stall reported last, so one wait is reported once.
#[derive(Default)]
pub(crate) struct IdleCheck {
    reported: Option<Instant>,
}

fn stalled(topic: &str, partition: i32, offset: i64, elapsed: std::time::Duration) -> Error {
    Error::Stalled {
        topic: topic.to_string(),
        partition,
        offset,
        elapsed_ms: elapsed.as_millis() as u64,
    }
}

fn count(shared: &Shared, stall: &Error) {
    shared.metrics.stalls.fetch_add(1, Ordering::Relaxed);
    shared.error("stall", stall.to_string());
}
