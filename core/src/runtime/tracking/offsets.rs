//! Offset tracking for one assigned partition: an ordered window of the offsets polled in the
//! current assignment epoch, their delivery and ack marks, and the committable watermark.
//!
//! The window holds offsets in the order they were polled (ascending); it assumes nothing about
//! their spacing, so gaps left by compaction or transaction markers never stall commits. Acked
//! offsets are popped from the front, so the front is always the first unacked offset and the
//! watermark (the next offset to commit) is that front, or the last polled offset + 1 when
//! everything is acked. Commits therefore never pass an unacked record.
//!
//! A [`Slot`] lives for one assignment of its partition (one epoch). When the partition is
//! revoked the slot is marked revoked and forgotten; acks that arrive later through records of
//! that epoch find the mark and are ignored, so no counter of a newer epoch can leak.

use crate::runtime::metrics::{Metrics, PartitionCounters};
use crate::runtime::shared::Shared;
use crate::runtime::Error;
use parking_lot::{Condvar, Mutex};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

/// Where one polled record is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Mark {
    /// In the hand-off buffer (or held by the poll thread).
    Buffered,
    /// Taken by the application at `since`; `reported` once the watchdog counted it.
    Delivered { since: Instant, reported: bool },
    /// Nacked: waiting out its back-off to be delivered again.
    Retrying,
    /// Out of attempts or rejected: on its way to the dead-letter topic, or kept pending
    /// without one.
    Parked,
    /// Processed.
    Acked,
}

struct Window {
    /// (offset, mark), ascending offsets; the front is never Acked.
    entries: VecDeque<(i64, Mark)>,
    /// Last polled offset + 1, once something was polled.
    next: Option<i64>,
    /// Delivered and not yet acked.
    in_flight: usize,
    /// Of those, reported stuck by the watchdog (a revoke does not wait for them).
    stuck: usize,
    /// Records were delivered in offset order so far (none redelivered, no ordering mode):
    /// the watchdog may stop at the first young delivery.
    in_order: bool,
}

impl Default for Window {
    fn default() -> Window {
        Window {
            entries: VecDeque::new(),
            next: None,
            in_flight: 0,
            stuck: 0,
            in_order: true,
        }
    }
}

impl Window {
    fn find(&self, offset: i64) -> Option<usize> {
        // Deliveries and acks mostly concern the oldest entries: try the front first.
        match self.entries.front() {
            Some(&(o, _)) if o == offset => Some(0),
            _ => self.entries.binary_search_by_key(&offset, |e| e.0).ok(),
        }
    }

    fn watermark(&self) -> Option<i64> {
        self.entries.front().map(|e| e.0).or(self.next)
    }
}

/// A record delivered and unacked for longer than the processing timeout.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Stuck {
    pub offset: i64,
    pub elapsed: Duration,
}

/// One assignment (epoch) of one partition.
///
/// Aligned to a cache line so that its `Arc` counts — touched by the poll thread for every
/// record it creates — do not share a line with the window the application threads lock.
#[repr(align(64))]
pub(crate) struct Slot {
    pub topic: Arc<str>,
    pub partition: i32,
    pub epoch: u64,
    window: Mutex<Window>,
    /// Signalled when the last in-flight record is acked while `draining`.
    drained: Condvar,
    draining: AtomicBool,
    /// No record of this epoch is delivered any more (set under the hand-off lock).
    fenced: AtomicBool,
    /// Acks of this epoch are ignored.
    revoked: AtomicBool,
    /// Why the partition must be paused, besides backpressure ([`Hold`] bits; poll thread).
    holds: AtomicU8,
    /// What librdkafka was last told: [`RUNNING`], [`PAUSED`] or [`UNKNOWN`] (poll thread).
    kafka_state: AtomicU8,
    metrics: Arc<Metrics>,
    /// The partition's own counters (shared by its epochs).
    pub counters: Arc<PartitionCounters>,
    /// The consumer's state, for nacks and lane releases of its records (none in unit tests).
    owner: Weak<Shared>,
}

impl std::fmt::Debug for Slot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}#{}", self.topic, self.partition, self.epoch)
    }
}

impl Slot {
    /// A fresh window for `topic`/`partition` in assignment `epoch`.
    pub fn new(topic: Arc<str>, partition: i32, epoch: u64, metrics: Arc<Metrics>) -> Slot {
        Slot {
            counters: metrics.partition(&topic, partition),
            topic,
            partition,
            epoch,
            window: Mutex::default(),
            drained: Condvar::new(),
            draining: AtomicBool::new(false),
            fenced: AtomicBool::new(false),
            revoked: AtomicBool::new(false),
            holds: AtomicU8::new(0),
            kafka_state: AtomicU8::new(UNKNOWN),
            metrics,
            owner: Weak::new(),
        }
    }

    /// This slot, of the consumer `owner`; `in_order`: records are delivered in offset order
    /// (no ordering mode that lets a later record overtake a waiting one).
    pub fn owned_by(mut self, owner: Weak<Shared>, in_order: bool) -> Slot {
        self.owner = owner;
        self.window.get_mut().in_order = in_order;
        self
    }

    /// The consumer's state, unless it is gone.
    pub fn owner(&self) -> Option<Arc<Shared>> {
        self.owner.upgrade()
    }

    /// "topic/partition".
    pub fn name(&self) -> String {
        format!("{}/{}", self.topic, self.partition)
    }

    /// Records that `offsets` were polled (poll thread, in poll order); returns how many
    /// offsets the window holds now.
    pub fn register(&self, offsets: impl IntoIterator<Item = i64>) -> usize {
        let mut w = self.window.lock();
        for offset in offsets {
            if matches!(w.entries.back(), Some(&(last, _)) if offset <= last) {
                // The fetcher went back (an offset reset): forget the entries it sends again.
                // Acks of forgotten entries are ignored; the records come back and are
                // delivered again.
                let keep = w.entries.partition_point(|e| e.0 < offset);
                w.entries.truncate(keep);
                w.in_flight = w.entries.iter().filter(|e| is_delivered(e.1)).count();
                w.stuck = w.entries.iter().filter(|e| is_stuck(e.1)).count();
            }
            w.entries.push_back((offset, Mark::Buffered));
            w.next = Some(offset + 1);
        }
        w.entries.len()
    }

    /// Marks `offsets` as taken by the application at `now`.
    pub fn deliver(&self, offsets: impl IntoIterator<Item = i64>, now: Instant) {
        let mut w = self.window.lock();
        let mut delivered = 0;
        for offset in offsets {
            if let Some(i) = w.find(offset) {
                if matches!(w.entries[i].1, Mark::Buffered | Mark::Retrying) {
                    w.entries[i].1 = Mark::Delivered {
                        since: now,
                        reported: false,
                    };
                    delivered += 1;
                }
            }
        }
        w.in_flight += delivered;
        self.metrics
            .delivered
            .fetch_add(delivered as u64, Ordering::Relaxed);
        if !self.metrics.details_off {
            self.counters
                .delivered
                .fetch_add(delivered as u64, Ordering::Relaxed);
        }
    }

    /// Marks `offset` processed (see [`settle`](Slot::settle)).
    pub fn ack(&self, offset: i64) -> Result<bool, Error> {
        self.settle(offset, Outcome::Ack)
    }

    /// What the application decided for the delivered record at `offset`: processed (also a
    /// parked record the dead-letter topic acknowledged), to be delivered again, or parked.
    /// Returns whether it took effect; verdicts on a revoked epoch, on unknown offsets or on
    /// records not in the application's hands are ignored (counted as stale acks). Fails only
    /// once the consumer is closed.
    pub fn settle(&self, offset: i64, outcome: Outcome) -> Result<bool, Error> {
        let now = Instant::now();
        let effect = {
            let mut w = self.window.lock();
            // Checked under the window's lock, which the closing commit takes to read the
            // watermark after setting `closed`: an ack that succeeds is in that commit.
            if self.metrics.closed.load(Ordering::Acquire) {
                return Err(Error::Closed);
            }
            // A revoked epoch's window still takes the verdict (the watchdog asks whether a
            // stuck handler returned), but it is counted as stale: nothing of it is committed.
            let effect = match (w.find(offset).map(|i| (i, w.entries[i].1)), outcome) {
                (Some((i, Mark::Delivered { since, reported })), _) => {
                    w.entries[i].1 = match outcome {
                        Outcome::Ack => Mark::Acked,
                        Outcome::Nack => Mark::Retrying,
                        Outcome::Park => Mark::Parked,
                    };
                    w.in_flight -= 1;
                    w.stuck -= usize::from(reported);
                    w.in_order &= outcome != Outcome::Nack;
                    Some(Some(since))
                }
                (Some((i, Mark::Parked)), Outcome::Ack) => {
                    w.entries[i].1 = Mark::Acked;
                    Some(None)
                }
                _ => None,
            };
            while matches!(w.entries.front(), Some((_, Mark::Acked))) {
                w.entries.pop_front();
            }
            if w.in_flight <= w.stuck && self.draining.load(Ordering::Acquire) {
                self.drained.notify_all();
            }
            effect.filter(|_| !self.revoked())
        };
        match (effect, outcome) {
            (None, _) => {
                self.metrics.stale_acks.fetch_add(1, Ordering::Relaxed);
            }
            (Some(since), Outcome::Ack) => {
                if !self.metrics.details_off {
                    self.counters.acked.fetch_add(1, Ordering::Relaxed);
                }
                match since {
                    Some(since) => self.metrics.record_ack(now.duration_since(since), now),
                    None => {
                        self.metrics.acked.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            (Some(_), _) => {}
        }
        Ok(effect.is_some())
    }

    /// Records parked in this epoch: out of attempts or rejected, not yet acknowledged by the
    /// dead-letter topic.
    pub fn parked(&self) -> usize {
        let w = self.window.lock();
        w.entries.iter().filter(|e| e.1 == Mark::Parked).count()
    }

    /// The offset to commit: the first unacked one, or the last polled + 1 when all are acked.
    pub fn watermark(&self) -> Option<i64> {
        self.window.lock().watermark()
    }

    /// Records delivered and unacked.
    pub fn in_flight(&self) -> usize {
        self.window.lock().in_flight
    }

    /// Delivered records the watchdog reported stuck and not yet acked.
    pub fn stuck_in_flight(&self) -> usize {
        self.window.lock().stuck
    }

    /// Offsets in the window: polled in this epoch and not yet part of the committable prefix.
    pub fn window_len(&self) -> usize {
        self.window.lock().entries.len()
    }

    /// Sets or clears one reason to keep the partition paused.
    pub fn set_hold(&self, hold: Hold, on: bool) {
        if on {
            self.holds.fetch_or(hold as u8, Ordering::AcqRel);
        } else {
            self.holds.fetch_and(!(hold as u8), Ordering::AcqRel);
        }
    }

    /// Whether `hold` keeps the partition paused.
    pub fn held_by(&self, hold: Hold) -> bool {
        self.holds.load(Ordering::Acquire) & hold as u8 != 0
    }

    /// Whether any reason of its own keeps the partition paused.
    pub fn held(&self) -> bool {
        self.holds.load(Ordering::Acquire) != 0
    }

    /// What librdkafka was last told: `Some(true)` paused, `Some(false)` running, `None` not
    /// told yet in this epoch.
    pub fn paused_in_kafka(&self) -> Option<bool> {
        match self.kafka_state.load(Ordering::Acquire) {
            PAUSED => Some(true),
            RUNNING => Some(false),
            _ => None,
        }
    }

    /// Records what librdkafka was told.
    pub fn set_paused_in_kafka(&self, paused: bool) {
        let state = if paused { PAUSED } else { RUNNING };
        self.kafka_state.store(state, Ordering::Release);
    }

    /// Restarts the window at `offset` (a seek, or a pause giving back its buffered records):
    /// records polled but not delivered are forgotten, and so is every entry from `offset` on
    /// (those records come again). Records delivered before `offset` and not acked stay: the
    /// watermark never passes them. Returns the offsets forgotten while delivered.
    pub fn rewind(&self, offset: i64) -> usize {
        let mut w = self.window.lock();
        let before = w.in_flight;
        // Retrying records are taken back with the buffered ones; parked ones stay pending.
        w.entries
            .retain(|&(o, mark)| o < offset && !matches!(mark, Mark::Buffered | Mark::Retrying));
        w.in_flight = w.entries.iter().filter(|e| is_delivered(e.1)).count();
        w.stuck = w.entries.iter().filter(|e| is_stuck(e.1)).count();
        while matches!(w.entries.front(), Some((_, Mark::Acked))) {
            w.entries.pop_front();
        }
        w.next = Some(offset);
        before - w.in_flight
    }

    /// The offset of the next record the application gets from this epoch: the first one
    /// polled and not delivered, else the last polled + 1 (or the seek target); `None` before
    /// anything was polled.
    pub fn next_delivery(&self) -> Option<i64> {
        let w = self.window.lock();
        let buffered = w
            .entries
            .iter()
            .find(|e| matches!(e.1, Mark::Buffered | Mark::Retrying));
        buffered.map(|e| e.0).or(w.next)
    }

    /// Whether the handler of `offset` returned: it is acked, or no longer tracked here.
    pub fn settled(&self, offset: i64) -> bool {
        let w = self.window.lock();
        !matches!(
            w.find(offset).map(|i| w.entries[i].1),
            Some(Mark::Delivered { .. })
        )
    }

    /// Waits until every in-flight record of this slot is acked — except those the watchdog
    /// reported stuck — at most until `deadline`, and not at all once the consumer is closed
    /// (no ack can come then). Returns how many are still in flight.
    pub fn drain(&self, deadline: Instant) -> usize {
        self.draining.store(true, Ordering::Release);
        let mut w = self.window.lock();
        while w.in_flight > w.stuck && !self.metrics.closed.load(Ordering::Acquire) {
            if self.drained.wait_until(&mut w, deadline).timed_out() {
                break;
            }
        }
        w.in_flight
    }

    /// Stops deliveries of this epoch (the partition is being revoked).
    pub fn fence(&self) {
        self.fenced.store(true, Ordering::Release);
    }

    /// Whether deliveries of this epoch stopped.
    pub fn fenced(&self) -> bool {
        self.fenced.load(Ordering::Acquire)
    }

    /// Marks the epoch over: later acks are ignored.
    pub fn revoke(&self) {
        self.revoked.store(true, Ordering::Release);
    }

    /// Whether the epoch is over.
    pub fn revoked(&self) -> bool {
        self.revoked.load(Ordering::Acquire)
    }

    /// Delivered records unacked for longer than `timeout` and not reported before; each is
    /// reported once.
    pub fn stuck(&self, timeout: Duration, now: Instant) -> Vec<Stuck> {
        let mut w = self.window.lock();
        let mut found = Vec::new();
        let mut newly = 0;
        let in_order = w.in_order;
        for (offset, mark) in w.entries.iter_mut() {
            match mark {
                // Delivery in offset order: nothing later was delivered.
                Mark::Buffered if in_order => break,
                Mark::Buffered | Mark::Retrying | Mark::Parked | Mark::Acked => {}
                Mark::Delivered { since, reported } => {
                    let elapsed = now.saturating_duration_since(*since);
                    if elapsed < timeout {
                        if in_order {
                            break; // later deliveries are younger
                        }
                        continue;
                    }
                    if !*reported {
                        *reported = true;
                        newly += 1;
                        found.push(Stuck {
                            offset: *offset,
                            elapsed,
                        });
                    }
                }
            }
        }
        w.stuck += newly;
        found
    }
}

/// The application's verdict on a delivered record ([`Slot::settle`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Processed: it counts toward the committable prefix.
    Ack,
    /// Failed, to be delivered again after a back-off.
    Nack,
    /// Out of attempts or rejected: it waits for the dead-letter topic (or stays pending).
    Park,
}

/// The partitions of `slots` as "t/0, t/1".
pub(crate) fn names(slots: &[Arc<Slot>]) -> String {
    let names: Vec<String> = slots.iter().map(|s| s.name()).collect();
    names.join(", ")
}

/// A reason of a partition's own to stay paused in librdkafka (backpressure pauses all of them
/// and is kept in the assignment).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Hold {
    /// The offset window outgrew its limit behind an unacked record.
    Window = 1,
    /// The application paused the partition.
    Application = 2,
    /// The `Assigned` event of this epoch is not done yet.
    Assigned = 4,
}

const RUNNING: u8 = 0;
const PAUSED: u8 = 1;
const UNKNOWN: u8 = 2;

fn is_delivered(mark: Mark) -> bool {
    matches!(mark, Mark::Delivered { .. })
}

fn is_stuck(mark: Mark) -> bool {
    matches!(mark, Mark::Delivered { reported: true, .. })
}

/// Waits until `deadline` at most for the records in flight of `slots` (see [`Slot::drain`]).
pub(crate) fn drain_until(slots: &[Arc<Slot>], deadline: Instant) {
    for slot in slots {
        slot.drain(deadline);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot() -> Slot {
        Slot::new("t".into(), 0, 1, Arc::new(Metrics::default()))
    }

    fn deliver_all(s: &Slot, offsets: &[i64]) {
        s.register(offsets.iter().copied());
        s.deliver(offsets.iter().copied(), Instant::now());
    }

    #[test]
    fn watermark_is_first_unacked_with_gaps() {
        let s = slot();
        assert_eq!(s.watermark(), None);
        deliver_all(&s, &[10, 11, 15, 20]); // gaps: compaction, transaction markers
        assert_eq!(s.watermark(), Some(10));
        s.ack(15).unwrap();
        s.ack(11).unwrap();
        assert_eq!(s.watermark(), Some(10), "never past an unacked record");
        s.ack(10).unwrap();
        assert_eq!(s.watermark(), Some(20));
        s.ack(20).unwrap();
        assert_eq!(s.watermark(), Some(21), "last polled + 1 when all acked");
        assert_eq!(s.in_flight(), 0);
    }

    #[test]
    fn buffered_records_hold_the_watermark() {
        let s = slot();
        deliver_all(&s, &[0]);
        s.register([1]); // polled, not yet delivered
        s.ack(0).unwrap();
        assert_eq!(s.watermark(), Some(1));
        s.ack(1).unwrap(); // never delivered: ignored
        assert_eq!(s.watermark(), Some(1));
        assert_eq!(s.metrics.stale_acks.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn duplicate_and_revoked_acks_are_ignored() {
        let s = slot();
        deliver_all(&s, &[0, 1]);
        s.ack(0).unwrap();
        s.ack(0).unwrap();
        s.revoke();
        assert!(!s.settled(1));
        s.ack(1).unwrap();
        assert!(
            s.settled(1),
            "a revoked epoch still learns that the handler returned"
        );
        assert_eq!(s.metrics.acked.load(Ordering::Relaxed), 1);
        assert_eq!(s.metrics.stale_acks.load(Ordering::Relaxed), 2);
    }

    #[test]
    fn acks_after_close_fail() {
        let s = slot();
        deliver_all(&s, &[0]);
        s.metrics.closed.store(true, Ordering::Release);
        assert!(matches!(s.ack(0), Err(Error::Closed)));
    }

    #[test]
    fn rewind_forgets_later_entries() {
        let s = slot();
        deliver_all(&s, &[5, 6, 7]);
        s.register([6]);
        assert_eq!(s.in_flight(), 1);
        s.ack(5).unwrap();
        assert_eq!(s.watermark(), Some(6));
    }

    #[test]
    fn rewinding_forward_keeps_the_unacked_deliveries_in_front() {
        let s = slot();
        deliver_all(&s, &[0, 1]);
        s.register([2, 3]);
        assert_eq!(s.next_delivery(), Some(2));
        assert_eq!(s.rewind(100), 0);
        assert_eq!(
            s.watermark(),
            Some(0),
            "never past a delivered, unacked record"
        );
        assert_eq!(s.next_delivery(), Some(100));
        s.ack(1).unwrap();
        s.ack(0).unwrap();
        assert_eq!(
            s.watermark(),
            Some(100),
            "the records skipped were never delivered"
        );
        s.register([100]);
        assert_eq!(s.window_len(), 1);
    }

    #[test]
    fn rewinding_back_forgets_what_comes_again() {
        let s = slot();
        deliver_all(&s, &[10, 11, 12]);
        s.ack(10).unwrap();
        assert_eq!(s.rewind(5), 2, "11 and 12 are delivered again");
        assert_eq!(s.in_flight(), 0);
        assert_eq!(s.watermark(), Some(5));
        s.ack(11).unwrap(); // of the forgotten delivery: ignored
        assert_eq!(s.watermark(), Some(5));
        deliver_all(&s, &[5, 6]);
        s.ack(5).unwrap();
        assert_eq!(s.watermark(), Some(6));
    }

    #[test]
    fn per_record_figures_follow_the_metrics_switch() {
        for details in [true, false] {
            let s = Slot::new("t".into(), 0, 1, Arc::new(Metrics::new(details)));
            deliver_all(&s, &[0, 1]);
            s.ack(0).unwrap();
            let counted = u64::from(details);
            assert_eq!(s.counters.delivered.load(Ordering::Relaxed), 2 * counted);
            assert_eq!(s.counters.acked.load(Ordering::Relaxed), counted);
            assert_eq!(s.metrics.acked.load(Ordering::Relaxed), 1, "totals stay");
            assert_eq!(s.metrics.processing_ms(0.5).is_some(), details);
        }
    }

    #[test]
    fn holds_are_independent_bits() {
        let s = slot();
        assert!(!s.held());
        s.set_hold(Hold::Application, true);
        s.set_hold(Hold::Window, true);
        s.set_hold(Hold::Window, false);
        assert!(s.held_by(Hold::Application) && !s.held_by(Hold::Window));
        assert_eq!(s.paused_in_kafka(), None);
        s.set_paused_in_kafka(true);
        assert_eq!(s.paused_in_kafka(), Some(true));
    }

    #[test]
    fn drain_waits_for_acks_from_other_threads() {
        let s = Arc::new(slot());
        deliver_all(&s, &[0, 1]);
        let acker = {
            let s = s.clone();
            std::thread::spawn(move || {
                s.ack(1).unwrap();
                s.ack(0).unwrap();
            })
        };
        let left = s.drain(Instant::now() + Duration::from_secs(30));
        acker.join().unwrap();
        assert_eq!(left, 0);
        assert_eq!(s.watermark(), Some(2));
    }

    #[test]
    fn drain_gives_up_at_the_deadline() {
        let s = slot();
        deliver_all(&s, &[0]);
        assert_eq!(s.drain(Instant::now() + Duration::from_millis(20)), 1);
    }

    #[test]
    fn drain_does_not_wait_once_the_consumer_is_closed() {
        let s = slot();
        deliver_all(&s, &[0]);
        s.metrics.closed.store(true, Ordering::Release);
        let start = Instant::now();
        assert_eq!(s.drain(start + Duration::from_secs(30)), 1);
        assert!(start.elapsed() < Duration::from_secs(30));
    }

    #[test]
    fn drain_does_not_wait_for_stuck_records() {
        let s = slot();
        let t0 = Instant::now() - Duration::from_secs(60);
        s.register([0]);
        s.deliver([0], t0);
        assert_eq!(s.stuck(Duration::from_secs(10), Instant::now()).len(), 1);
        let start = Instant::now();
        assert_eq!(s.drain(start + Duration::from_secs(30)), 1);
        assert!(start.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn stuck_records_are_reported_once() {
        let s = slot();
        let t0 = Instant::now();
        s.register([0, 1, 2]);
        s.deliver([0], t0);
        s.deliver([1], t0 + Duration::from_secs(5));
        let later = t0 + Duration::from_secs(12);
        let stuck = s.stuck(Duration::from_secs(10), later);
        assert_eq!(stuck.len(), 1);
        assert_eq!(stuck[0].offset, 0);
        assert!(s.stuck(Duration::from_secs(10), later).is_empty());
        let stuck = s.stuck(Duration::from_secs(10), t0 + Duration::from_secs(16));
        assert_eq!(stuck.iter().map(|s| s.offset).collect::<Vec<_>>(), vec![1]);
    }

    #[test]
    fn a_nacked_record_holds_the_watermark_until_redelivered_and_acked() {
        let s = slot();
        deliver_all(&s, &[0, 1]);
        assert!(s.settle(0, Outcome::Nack).unwrap());
        assert!(!s.settle(0, Outcome::Nack).unwrap(), "not delivered any more");
        s.ack(1).unwrap();
        assert_eq!((s.watermark(), s.in_flight()), (Some(0), 0));
        assert!(!s.ack(0).unwrap(), "a retrying record is not acked");
        s.deliver([0], Instant::now());
        assert!(s.ack(0).unwrap());
        assert_eq!(s.watermark(), Some(2));
    }

    #[test]
    fn a_parked_record_counts_as_acked_only_when_its_dead_letter_is() {
        let s = slot();
        deliver_all(&s, &[0]);
        assert!(s.settle(0, Outcome::Park).unwrap());
        assert_eq!((s.parked(), s.in_flight(), s.watermark()), (1, 0, Some(0)));
        assert!(s.ack(0).unwrap());
        assert_eq!((s.parked(), s.watermark()), (0, Some(1)));
        assert_eq!(s.metrics.acked.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn out_of_order_deliveries_are_all_watched() {
        let s = slot();
        deliver_all(&s, &[0, 1]);
        s.settle(0, Outcome::Nack).unwrap();
        let later = Instant::now() + Duration::from_secs(10);
        s.deliver([0], later); // redelivered: younger than offset 1
        let stuck = s.stuck(Duration::from_secs(5), later);
        assert_eq!(stuck.iter().map(|x| x.offset).collect::<Vec<_>>(), vec![1]);
    }
}
