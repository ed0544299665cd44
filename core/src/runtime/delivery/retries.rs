//! Records the application nacked, waiting out their back-off before they go out again.

use crate::runtime::pending::Pending;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::time::{Duration, Instant};

/// The delay before attempt `attempt + 1` of a record: `base` doubled for every attempt after
/// the first, at most `max`.
pub(crate) fn backoff(attempt: u32, base: Duration, max: Duration) -> Duration {
    let doublings = attempt.saturating_sub(1).min(32);
    base.saturating_mul(1u32 << doublings.min(31)).min(max)
}

/// A nacked record and when it may go out again.
struct Due {
    at: Instant,
    /// Nack order, so records due at the same instant keep it.
    seq: u64,
    record: Pending,
}

impl PartialEq for Due {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Due {}
impl PartialOrd for Due {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Due {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

/// Nacked records by due time.
#[derive(Default)]
pub(crate) struct Retries {
    heap: BinaryHeap<Reverse<Due>>,
    seq: u64,
}

impl Retries {
    /// Queues `record` to go out again at `at`.
    pub fn add(&mut self, record: Pending, at: Instant) {
        self.seq += 1;
        self.heap.push(Reverse(Due {
            at,
            seq: self.seq,
            record,
        }));
    }

    /// When the next one is due.
    pub fn next_due(&self) -> Option<Instant> {
        self.heap.peek().map(|d| d.0.at)
    }

    /// Whether one is due at `now`.
    pub fn due(&self, now: Instant) -> bool {
        self.next_due().is_some_and(|at| at <= now)
    }

    /// The first record due at `now`, if any.
    pub fn pop_due(&mut self, now: Instant) -> Option<Pending> {
        if self.due(now) {
            self.heap.pop().map(|d| d.0.record)
        } else {
            None
        }
    }

    /// Removes and returns the records for which `drop` is true.
    pub fn remove(&mut self, mut drop: impl FnMut(&Pending) -> bool) -> Vec<Pending> {
        let (gone, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut self.heap)
            .into_iter()
            .partition(|d| drop(&d.0.record));
        self.heap = kept.into();
        gone.into_iter().map(|d| d.0.record).collect()
    }

    /// Records waiting.
    pub fn len(&self) -> usize {
        self.heap.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let (base, max) = (Duration::from_millis(100), Duration::from_millis(1000));
        let got: Vec<u128> = (1..=6).map(|a| backoff(a, base, max).as_millis()).collect();
        assert_eq!(got, vec![100, 200, 400, 800, 1000, 1000]);
        assert_eq!(backoff(u32::MAX, base, max), max);
        assert_eq!(backoff(0, base, max), base);
    }
}
