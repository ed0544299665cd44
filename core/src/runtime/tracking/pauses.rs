//! Whether each assigned partition is paused in librdkafka. It is when any reason holds:
//! backpressure (the buffer stayed full: every partition), or one of the partition's own
//! ([`Hold`]: its offset window is full, the application paused it, its `Assigned` event is not
//! done yet). Every change of a reason ends in [`apply`], which tells librdkafka only what
//! differs from what it was last told — and everything, the first time, for a new epoch:
//! librdkafka keeps a pause across unassign and assign, so a partition paused, revoked and
//! assigned again would otherwise stay paused for good.

use crate::runtime::assignment::Assignment;
use crate::runtime::context::Kafka;
use crate::runtime::offsets::{names, Slot};
use crate::runtime::shared::Shared;
use rdkafka::consumer::Consumer;
use std::sync::Arc;

pub(crate) use crate::runtime::offsets::Hold;

/// Pauses or resumes in librdkafka those of `slots` whose state must change.
pub(crate) fn apply(consumer: &Kafka, shared: &Shared, slots: &[Arc<Slot>]) {
    let backpressure = shared.assignment.paused();
    let (mut pause, mut resume) = (Vec::new(), Vec::new());
    for slot in slots.iter().filter(|s| !s.fenced()) {
        let want = backpressure || slot.held();
        if slot.paused_in_kafka() != Some(want) {
            if want { &mut pause } else { &mut resume }.push(slot.clone());
        }
    }
    for (slots, paused) in [(pause, true), (resume, false)] {
        if slots.is_empty() {
            continue;
        }
        let tpl = Assignment::list(&slots);
        let result = if paused {
            consumer.pause(&tpl)
        } else {
            consumer.resume(&tpl)
        };
        match result {
            Ok(()) => slots.iter().for_each(|s| s.set_paused_in_kafka(paused)),
            Err(e) => {
                let what = if paused { "pause" } else { "resume" };
                shared.error("pause", format!("{what} {}: {e}", names(&slots)));
            }
        }
    }
}

/// Sets or clears `hold` on `slots` and applies the result.
pub(crate) fn hold(consumer: &Kafka, shared: &Shared, slots: &[Arc<Slot>], hold: Hold, on: bool) {
    for slot in slots {
        slot.set_hold(hold, on);
    }
    apply(consumer, shared, slots);
}
