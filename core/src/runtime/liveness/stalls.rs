//! What the watchdog remembers between turns: the stuck records the member left the group for
//! (it rejoins only once their handlers returned, so a record never runs twice at once and a
//! leave is followed by at most one rejoin), and the records it already left for once (a record
//! that stalls again after the group delivered it anew is reported, not left for: a poison
//! record cannot make the member leave and rejoin forever).

use crate::runtime::offsets::Slot;
use std::collections::VecDeque;
use std::sync::Arc;

/// Most records remembered as left for once.
const REMEMBERED: usize = 1024;

/// The watchdog's memory (behind a lock in [`Shared`](crate::runtime::shared::Shared)).
#[derive(Default)]
pub(crate) struct Stalls {
    /// Stuck records whose handlers have not returned since the member left for them.
    waiting: Vec<(Arc<Slot>, i64)>,
    /// The member left the group for a stall and has not rejoined.
    out: bool,
    /// Records the member left the group for, newest last.
    left_for: VecDeque<(Arc<str>, i32, i64)>,
}

impl Stalls {
    /// The member leaves the group for `stuck` (possibly none: records nobody takes).
    pub fn leave(&mut self, stuck: Vec<(Arc<Slot>, i64)>) {
        self.out = true;
        for (slot, offset) in &stuck {
            if self.left_for.len() == REMEMBERED {
                self.left_for.pop_front();
            }
            self.left_for
                .push_back((slot.topic.clone(), slot.partition, *offset));
        }
        self.waiting.extend(stuck);
    }

    /// Whether the member already left the group once for this record.
    pub fn left_before(&self, slot: &Slot, offset: i64) -> bool {
        self.left_for
            .iter()
            .any(|(t, p, o)| *o == offset && *p == slot.partition && **t == *slot.topic)
    }

    /// Whether every handler the member left for has returned (the member may rejoin).
    pub fn may_rejoin(&mut self) -> bool {
        self.waiting.retain(|(slot, offset)| !slot.settled(*offset));
        self.waiting.is_empty()
    }

    /// The member rejoined the group.
    pub fn rejoined(&mut self) {
        self.out = false;
    }

    /// Whether the member is out of the group for a stall.
    pub fn out_of_group(&self) -> bool {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::metrics::Metrics;
    use std::time::Instant;

    #[test]
    fn rejoin_waits_for_the_stuck_handler() {
        let slot = Arc::new(Slot::new("t".into(), 0, 1, Arc::new(Metrics::default())));
        slot.register([5, 6]);
        slot.deliver([(5, 1), (6, 1)], Instant::now());
        let mut stalls = Stalls::default();
        stalls.leave(vec![(slot.clone(), 5)]);
        assert!(stalls.out_of_group());
        assert!(stalls.left_before(&slot, 5) && !stalls.left_before(&slot, 6));
        slot.revoke();
        assert!(!stalls.may_rejoin(), "the handler of 5 still runs");
        slot.ack(6).unwrap();
        assert!(!stalls.may_rejoin());
        slot.ack(5).unwrap();
        assert!(stalls.may_rejoin());
        stalls.rejoined();
        assert!(!stalls.out_of_group());
        assert!(stalls.left_before(&slot, 5), "remembered after the rejoin");
    }

    #[test]
    fn memory_is_bounded() {
        let slot = Arc::new(Slot::new("t".into(), 0, 1, Arc::new(Metrics::default())));
        let mut stalls = Stalls::default();
        for o in 0..(REMEMBERED as i64 + 10) {
            stalls.leave(vec![(slot.clone(), o)]);
        }
        assert_eq!(stalls.left_for.len(), REMEMBERED);
        assert!(!stalls.left_before(&slot, 0) && stalls.left_before(&slot, 10));
    }
}
