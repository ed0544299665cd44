//! The hand-off between the poll thread and the application: a buffer bounded by records and by
//! bytes, with a "held" overflow that the poll thread never lets grow past what one poll batch
//! brings in before it pauses its partitions.
//!
//! Rules:
//! - A record goes into the buffer only if, after it, the buffer holds at most
//!   `steady.buffer.max.records` records and `steady.buffer.max.bytes` bytes, and nothing is
//!   held before it. Otherwise it is held (kept in order, never lost). Buffered bytes therefore
//!   never exceed `steady.buffer.max.bytes`.
//! - Receivers take from the buffer first, then move held records into the buffer while they
//!   fit. When the buffer is empty, a receiver takes the first held record directly: this is how
//!   a record larger than the whole byte budget is delivered — alone, without ever counting as
//!   buffered, instead of waiting forever.
//! - The poll thread asks for new records only while nothing is held and the buffer has room;
//!   when it is full it waits for the low-water mark — half of either budget, nothing held — and
//!   pauses its partitions if that does not come within a second, resuming at the mark.
//! - A record is marked delivered under the same lock that fences revoked partitions, so a
//!   record of a revoked partition is never delivered after the revoke began.
//!
//! - Records wait here mostly as librdkafka's messages ([`Pending`]); a receiver copies what it
//!   took after letting go of the lock, and closing waits for such copies before the messages'
//!   consumer goes.
//!
//! - Under `steady.ordering` a receiver takes the first record whose lane is free
//!   ([`order`](super::order)); records waiting for their lane stay in the buffer, counted
//!   against both budgets. Nacked records wait here too, out of the budgets (they were the
//!   application's), until their back-off is over; then they go before any other.
//!
//! The same lock also carries the events that must wake a blocked `recv`: close, a failure
//! that ends the consumer (returned to every `recv` from then on), and a stall to report — for
//! policy leave followed by the rejoin request of the next `recv`. It also knows since when
//! records have waited without any receiver taking one (the watchdog's idle check).

use super::order::{DeliveryOrder, Lanes};
use super::retries::Retries;
use crate::runtime::message_view::OwnedMessage;
use crate::runtime::offsets::Slot;
use crate::runtime::pending::Pending;
use crate::runtime::{Error, Record};
use parking_lot::{Condvar, Mutex, MutexGuard};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Buffer figures for the stats.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Levels {
    pub records: u64,
    pub bytes: u64,
    pub peak_records: u64,
    pub peak_bytes: u64,
    pub held: u64,
    /// Nacked records waiting out their back-off.
    pub retrying: u64,
    /// Buffered or held records waiting for an earlier record of their lane.
    pub waiting: u64,
}

struct State {
    buffer: VecDeque<Pending>,
    bytes: u64,
    held: VecDeque<Pending>,
    peak_records: u64,
    peak_bytes: u64,
    receivers_waiting: usize,
    poller_waiting: bool,
    closed: bool,
    /// A fatal error: every `recv` returns it from now on.
    failed: Option<Error>,
    /// A stall the next `recv` reports, and whether the member left the group for it.
    stall: Option<(Error, bool)>,
    /// A stall the member left for was reported; the next `recv` asks the poll thread to rejoin.
    left: bool,
    /// Since when records have waited with no receiver taking any (`None`: nothing waits).
    waiting_since: Option<Instant>,
    /// Lanes with a record out (`steady.ordering`).
    lanes: Lanes,
    /// Nacked records waiting out their back-off.
    retries: Retries,
}

/// Where a record to take is.
#[derive(Clone, Copy)]
enum Source {
    /// The first nacked record due.
    Retry,
    /// This index of the buffer.
    Buffer(usize),
    /// The first held record (the buffer is empty).
    Held,
}

/// The bounded hand-off buffer.
pub(crate) struct Handoff {
    state: Mutex<State>,
    /// Receivers wait here for records, close or a stall.
    ready: Condvar,
    /// The poll thread waits here for the low-water mark.
    room: Condvar,
    /// A `recv` after a reported stall asks the poll thread to rejoin the group.
    rejoin_wanted: AtomicBool,
    /// Set with `State::failed`, so the poll thread's every turn checks it without the lock.
    failed: AtomicBool,
    /// Receivers copying taken records out of librdkafka's messages right now.
    copying: AtomicUsize,
    /// Messages receivers copied, for the poll thread to free (see [`Pending`]).
    spent: Mutex<Vec<OwnedMessage>>,
    max_records: usize,
    max_bytes: u64,
    /// `steady.ordering`: which lane each pushed record takes.
    order: DeliveryOrder,
}

impl State {
    fn new(order: DeliveryOrder) -> State {
        State {
            buffer: VecDeque::new(),
            bytes: 0,
            held: VecDeque::new(),
            peak_records: 0,
            peak_bytes: 0,
            receivers_waiting: 0,
            poller_waiting: false,
            closed: false,
            failed: None,
            stall: None,
            left: false,
            waiting_since: None,
            lanes: Lanes::new(order),
            retries: Retries::default(),
        }
    }

    fn free(&self, r: &Pending) -> bool {
        self.lanes.free(&r.slot, r.lane)
    }

    /// Where the next record to take is, at `now`.
    fn next(&self, now: Instant) -> Option<Source> {
        if self.retries.due(now) {
            return Some(Source::Retry);
        }
        if !self.lanes.ordered() {
            return match (self.buffer.is_empty(), self.held.is_empty()) {
                (false, _) => Some(Source::Buffer(0)),
                (true, false) => Some(Source::Held),
                (true, true) => None,
            };
        }
        if let Some(i) = self.buffer.iter().position(|r| self.free(r)) {
            return Some(Source::Buffer(i));
        }
        let held = self.held.front();
        (self.buffer.is_empty() && held.is_some_and(|r| self.free(r))).then_some(Source::Held)
    }

    fn fits(&self, size: u64, max_records: usize, max_bytes: u64) -> bool {
        self.buffer.len() < max_records && self.bytes + size <= max_bytes
    }
}

impl Handoff {
    /// An empty buffer with the given budgets, delivering in `order`.
    pub fn new(max_records: usize, max_bytes: u64, order: DeliveryOrder) -> Handoff {
        Handoff {
            state: Mutex::new(State::new(order)),
            ready: Condvar::new(),
            room: Condvar::new(),
            rejoin_wanted: AtomicBool::new(false),
            failed: AtomicBool::new(false),
            copying: AtomicUsize::new(0),
            spent: Mutex::default(),
            max_records,
            max_bytes,
            order,
        }
    }

    /// Adds polled records in order (poll thread). Records of fenced (revoked) partitions are
    /// dropped; the rest are buffered while they fit, held otherwise. Returns the room left
    /// (see [`room`](Handoff::room)).
    pub fn push(&self, records: &mut Vec<Pending>) -> usize {
        // Keys are hashed before the lock, which receivers wait for.
        if self.order != DeliveryOrder::Unordered {
            for r in records.iter_mut() {
                r.lane = self.order.lane_of(r.key());
            }
        }
        let mut s = self.state.lock();
        if s.buffer.is_empty() && s.held.is_empty() && !records.is_empty() {
            s.waiting_since = Some(Instant::now());
        }
        for r in records.drain(..) {
            if r.slot.fenced() {
                continue;
            }
            let size = r.size();
            if s.held.is_empty() && s.fits(size, self.max_records, self.max_bytes) {
                s.bytes += size;
                s.buffer.push_back(r);
            } else {
                s.held.push_back(r);
            }
        }
        s.peak_records = s.peak_records.max(s.buffer.len() as u64);
        s.peak_bytes = s.peak_bytes.max(s.bytes);
        match s.receivers_waiting {
            0 => {}
            1 => {
                self.ready.notify_one();
            }
            _ => {
                self.ready.notify_all();
            }
        }
        self.room_in(&s)
    }

    /// How many more records the poll thread may ask for now: 0 while anything is held.
    pub fn room(&self) -> usize {
        self.room_in(&self.state.lock())
    }

    fn room_in(&self, s: &State) -> usize {
        if s.held.is_empty() {
            self.max_records - s.buffer.len()
        } else {
            0
        }
    }

    /// Waits up to `timeout` for the low-water mark (poll thread); true when reached.
    pub fn wait_for_room(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut s = self.state.lock();
        loop {
            if s.closed || self.low_water(&s) {
                return true;
            }
            s.poller_waiting = true;
            let timed_out = self.room.wait_until(&mut s, deadline).timed_out();
            s.poller_waiting = false;
            if timed_out {
                return self.low_water(&s);
            }
        }
    }

    fn low_water(&self, s: &State) -> bool {
        s.held.is_empty() && s.buffer.len() <= self.max_records / 2 && s.bytes <= self.max_bytes / 2
    }

    /// The next record, marked delivered, waiting up to `timeout`.
    pub fn pop(&self, timeout: Duration) -> Result<Option<Record>, Error> {
        let Some((mut s, now)) = self.wait_for_records(timeout)? else {
            return Ok(None);
        };
        let p = Self::take_one(&mut s, now);
        if let Some(p) = &p {
            p.slot.deliver([(p.offset, p.attempt())], now);
        }
        self.refill(&mut s);
        let _copying = self.start_copying(s);
        Ok(p.map(|p| {
            let (record, spent) = p.into_record();
            if let Some(m) = spent {
                self.spent.lock().push(m);
            }
            record
        }))
    }

    /// Up to `max` records, marked delivered, waiting up to `timeout` for the first.
    pub fn pop_batch(&self, max: usize, timeout: Duration) -> Result<Vec<Record>, Error> {
        let Some((mut s, now)) = self.wait_for_records(timeout)? else {
            return Ok(Vec::new());
        };
        let mut taken = Vec::with_capacity(max.min(s.buffer.len() + s.held.len() + 1));
        while taken.len() < max {
            match Self::take_one(&mut s, now) {
                Some(p) => taken.push(p),
                None => break,
            }
        }
        for run in taken.chunk_by(|a, b| Arc::ptr_eq(&a.slot, &b.slot)) {
            run[0]
                .slot
                .deliver(run.iter().map(|p| (p.offset, p.attempt())), now);
        }
        self.refill(&mut s);
        let _copying = self.start_copying(s);
        let mut spent = Vec::new();
        let records = taken
            .into_iter()
            .map(|p| {
                let (record, m) = p.into_record();
                spent.extend(m);
                record
            })
            .collect();
        if !spent.is_empty() {
            self.spent.lock().append(&mut spent);
        }
        Ok(records)
    }

    /// Queues a nacked record to go out again at `at` (its lane stays taken meanwhile).
    pub fn retry(&self, record: Pending, at: Instant) {
        let mut s = self.state.lock();
        if s.closed || record.slot.fenced() {
            return;
        }
        s.retries.add(record, at);
        if s.receivers_waiting > 0 {
            // They wait until their deadline or the next due time: this one may be sooner.
            self.ready.notify_all();
        }
    }

    /// Frees `lane` of `slot`: its record was settled. A receiver is woken, since the next
    /// record of the lane may go out now.
    pub fn release_lane(&self, slot: &Slot, lane: u64) {
        let mut s = self.state.lock();
        if s.lanes.release(slot, lane) && s.receivers_waiting > 0 {
            self.ready.notify_one();
        }
    }

    /// Frees the messages receivers copied (poll thread); `scratch` is an empty vector to swap
    /// with, and is empty again after.
    pub fn free_spent(&self, scratch: &mut Vec<OwnedMessage>) {
        std::mem::swap(&mut *self.spent.lock(), scratch);
        scratch.clear();
    }

    /// Counts a receiver that copies what it took, then lets go of the lock: the copy runs
    /// unlocked, and [`release`](Handoff::release) waits for it.
    fn start_copying(&self, s: MutexGuard<'_, State>) -> Copying<'_> {
        self.copying.fetch_add(1, Ordering::AcqRel);
        drop(s);
        Copying(&self.copying)
    }

    /// Waits up to `timeout` until a record can be taken; returns the lock and the time then,
    /// or `None` on timeout. Reports close and a pending stall instead, and turns the first
    /// `recv` after a reported stall into a rejoin request.
    fn wait_for_records(
        &self,
        timeout: Duration,
    ) -> Result<Option<(MutexGuard<'_, State>, Instant)>, Error> {
        let mut now = Instant::now();
        let deadline = now.checked_add(timeout);
        let mut s = self.state.lock();
        loop {
            if s.closed {
                return Err(Error::Closed);
            }
            if let Some(failure) = &s.failed {
                return Err(failure.clone());
            }
            if let Some((stall, left)) = s.stall.take() {
                s.left = left;
                return Err(stall);
            }
            if s.left {
                s.left = false;
                self.rejoin_wanted.store(true, Ordering::Release);
            }
            if s.next(now).is_some() {
                return Ok(Some((s, now)));
            }
            if deadline.is_some_and(|d| now >= d) {
                return Ok(None);
            }
            s.receivers_waiting += 1;
            match deadline.into_iter().chain(s.retries.next_due()).min() {
                Some(d) => {
                    self.ready.wait_until(&mut s, d);
                }
                None => self.ready.wait(&mut s),
            }
            s.receivers_waiting -= 1;
            now = Instant::now();
        }
    }

    /// The next record to take at `now`, its lane taken: a nacked one due, else the first
    /// buffered record whose lane is free or, with the buffer empty, the first held one — the
    /// way a record larger than the whole budget reaches the application. None is ever of a
    /// fenced slot (`push` drops them, `fence` removes them).
    fn take_one(s: &mut State, now: Instant) -> Option<Pending> {
        let r = match s.next(now)? {
            Source::Retry => return s.retries.pop_due(now),
            Source::Buffer(i) => {
                let r = s.buffer.remove(i).expect("index found");
                s.bytes -= r.size();
                r
            }
            Source::Held => s.held.pop_front()?,
        };
        debug_assert!(!r.slot.fenced());
        s.lanes.claim(&r.slot, r.lane);
        Some(r)
    }

    /// After records were taken: moves held records into the buffer while they fit and wakes
    /// the poll thread at the low-water mark.
    fn refill(&self, s: &mut State) {
        s.waiting_since = (!(s.buffer.is_empty() && s.held.is_empty())).then(Instant::now);
        while let Some(size) = s.held.front().map(Pending::size) {
            if !s.fits(size, self.max_records, self.max_bytes) {
                break;
            }
            let r = s.held.pop_front().expect("front exists");
            s.bytes += size;
            s.buffer.push_back(r);
        }
        s.peak_bytes = s.peak_bytes.max(s.bytes);
        if s.poller_waiting && self.low_water(s) {
            self.room.notify_one();
        }
    }

    /// Fences `slots` (their records are never delivered from now on) and drops their buffered
    /// and held records. Returns how many records were dropped.
    pub fn fence(&self, slots: &[Arc<Slot>]) -> usize {
        let mut s = self.state.lock();
        for slot in slots {
            slot.fence();
        }
        let before = s.buffer.len() + s.held.len();
        s.buffer.retain(|r| !r.slot.fenced());
        s.held.retain(|r| !r.slot.fenced());
        let retrying = s.retries.remove(|r| r.slot.fenced());
        s.lanes.forget(slots);
        s.bytes = s.buffer.iter().map(Pending::size).sum();
        let dropped = before - s.buffer.len() - s.held.len() + retrying.len();
        if s.buffer.is_empty() && s.held.is_empty() {
            s.waiting_since = None;
        }
        if s.poller_waiting && self.low_water(&s) {
            self.room.notify_one();
        }
        drop(s);
        drop(retrying);
        dropped
    }

    /// Drops the buffered, held and nacked records of `slot` without fencing it (a seek, or a
    /// pause giving them back to librdkafka); returns the first offset dropped. The lanes the
    /// nacked ones held are freed.
    pub fn take_back(&self, slot: &Arc<Slot>) -> Option<i64> {
        let mut s = self.state.lock();
        let mut first = None;
        let mut keep = |r: &Pending| {
            let mine = Arc::ptr_eq(&r.slot, slot);
            if mine {
                first = Some(first.map_or(r.offset, |f: i64| f.min(r.offset)));
            }
            !mine
        };
        s.buffer.retain(&mut keep);
        s.held.retain(&mut keep);
        let retrying = s.retries.remove(|r| !keep(r));
        for r in &retrying {
            if let Some(lane) = r.lane {
                s.lanes.release(slot, lane);
            }
        }
        s.bytes = s.buffer.iter().map(Pending::size).sum();
        if s.buffer.is_empty() && s.held.is_empty() {
            s.waiting_since = None;
        }
        self.refill(&mut s);
        first
    }

    /// Makes every `recv` fail with `Closed` and wakes all waiters.
    pub fn close(&self) {
        let mut s = self.state.lock();
        s.closed = true;
        self.ready.notify_all();
        self.room.notify_all();
    }

    /// Closes (unless a failure ended the consumer: `recv` keeps returning it until the
    /// application closes), frees every record still buffered or held and waits for receivers
    /// still copying (poll thread, before the consumer is destroyed: librdkafka's messages
    /// among them must go first). Idempotent.
    pub fn release(&self) {
        let dropped = {
            let mut s = self.state.lock();
            s.closed |= s.failed.is_none();
            self.ready.notify_all();
            self.room.notify_all();
            s.bytes = 0;
            s.lanes.clear();
            (
                std::mem::take(&mut s.buffer),
                std::mem::take(&mut s.held),
                std::mem::take(&mut s.retries),
            )
        };
        drop(dropped);
        while self.copying.load(Ordering::Acquire) > 0 {
            std::thread::yield_now();
        }
        self.spent.lock().clear();
    }

    /// Makes every `recv` from now on return `failure` (the first one given), waking every
    /// waiter. Records still buffered stay (released on close) but are never delivered.
    pub fn fail(&self, failure: Error) {
        let mut s = self.state.lock();
        s.failed.get_or_insert(failure);
        self.failed.store(true, Ordering::Release);
        self.ready.notify_all();
        self.room.notify_all();
    }

    /// Whether a failure ended the consumer (no lock taken).
    pub fn failed(&self) -> bool {
        self.failed.load(Ordering::Acquire)
    }

    /// The failure that ended the consumer, if any.
    pub fn failure(&self) -> Option<Error> {
        self.state.lock().failed.clone()
    }

    /// Makes the next `recv` return `stall`, waking a blocked receiver; `left`: the member left
    /// the group for it, so the `recv` after that asks to rejoin.
    pub fn report_stall(&self, stall: Error, left: bool) {
        let mut s = self.state.lock();
        s.stall = Some((stall, left));
        self.ready.notify_all();
    }

    /// Whether a `recv` asked to rejoin (poll thread); the request stays until taken.
    pub fn rejoin_wanted(&self) -> bool {
        self.rejoin_wanted.load(Ordering::Acquire)
    }

    /// Takes the rejoin request (poll thread).
    pub fn take_rejoin(&self) -> bool {
        self.rejoin_wanted.swap(false, Ordering::AcqRel)
    }

    /// When records began to wait with no receiver taking any, and the first of them.
    /// Records waiting for their lane while receivers wait for records are not idle: the
    /// application is calling `recv`.
    pub fn idle_since(&self) -> Option<(Instant, Arc<Slot>, i64)> {
        let s = self.state.lock();
        if s.receivers_waiting > 0 {
            return None;
        }
        let first = s.buffer.front().or(s.held.front())?;
        Some((s.waiting_since?, first.slot.clone(), first.offset))
    }

    /// Current and peak figures.
    pub fn levels(&self) -> Levels {
        let s = self.state.lock();
        Levels {
            records: s.buffer.len() as u64,
            bytes: s.bytes,
            peak_records: s.peak_records,
            peak_bytes: s.peak_bytes,
            held: s.held.len() as u64,
            retrying: s.retries.len() as u64,
            waiting: if s.lanes.ordered() {
                let waits = |r: &&Pending| !s.free(r);
                (s.buffer.iter().filter(waits).count() + s.held.iter().filter(waits).count()) as u64
            } else {
                0
            },
        }
    }
}

/// A receiver copying records; counted in [`Handoff::copying`] until dropped.
struct Copying<'a>(&'a AtomicUsize);

impl Drop for Copying<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::metrics::Metrics;

    fn slot(partition: i32) -> Arc<Slot> {
        Arc::new(Slot::new(
            "t".into(),
            partition,
            1,
            Arc::new(Metrics::default()),
        ))
    }

    fn record(slot: &Arc<Slot>, offset: i64, size: usize) -> Pending {
        slot.register([offset]);
        Pending::record(Record::new(
            slot.clone(),
            offset,
            None,
            Some(&vec![0; size]),
            Vec::new(),
            None,
        ))
    }

    fn offsets(records: &[Record]) -> Vec<i64> {
        records.iter().map(|r| r.offset).collect()
    }

    const NOW: Duration = Duration::ZERO;

    #[test]
    fn bytes_never_exceed_the_budget_and_order_is_kept() {
        let h = Handoff::new(100, 1000, DeliveryOrder::Unordered);
        let s = slot(0);
        let mut batch: Vec<Pending> = (0..5).map(|o| record(&s, o, 400)).collect();
        h.push(&mut batch);
        let l = h.levels();
        assert_eq!((l.records, l.bytes, l.held), (2, 800, 3));
        assert_eq!(h.room(), 0, "nothing more is polled while records are held");
        let mut got = Vec::new();
        while let Some(r) = h.pop(NOW).unwrap() {
            assert!(h.levels().bytes <= 1000);
            got.push(r);
        }
        assert_eq!(offsets(&got), vec![0, 1, 2, 3, 4]);
        assert!(h.levels().peak_bytes <= 1000);
        assert_eq!(s.in_flight(), 5);
    }

    #[test]
    fn record_limit_applies_too() {
        let h = Handoff::new(2, 1 << 20, DeliveryOrder::Unordered);
        let s = slot(0);
        let mut batch: Vec<Pending> = (0..3).map(|o| record(&s, o, 1)).collect();
        h.push(&mut batch);
        assert_eq!((h.levels().records, h.levels().held), (2, 1));
        assert_eq!(offsets(&h.pop_batch(10, NOW).unwrap()), vec![0, 1, 2]);
    }

    #[test]
    fn a_record_larger_than_the_budget_is_delivered_alone() {
        let h = Handoff::new(10, 1024, DeliveryOrder::Unordered);
        let s = slot(0);
        let mut batch = vec![record(&s, 0, 100), record(&s, 1, 5000), record(&s, 2, 100)];
        h.push(&mut batch);
        assert_eq!(h.levels().held, 2);
        assert_eq!(h.pop(NOW).unwrap().unwrap().offset, 0);
        assert_eq!(
            h.levels().held,
            2,
            "the big one waits for the buffer to empty"
        );
        assert_eq!(h.pop(NOW).unwrap().unwrap().offset, 1);
        assert_eq!(
            h.levels().bytes,
            100,
            "offset 2 moved in once the big one left"
        );
        assert!(h.levels().peak_bytes <= 1024);
        assert_eq!(h.pop(NOW).unwrap().unwrap().offset, 2);
    }

    #[test]
    fn low_water_is_half_of_both_budgets_with_nothing_held() {
        let h = Handoff::new(4, 1 << 20, DeliveryOrder::Unordered);
        let s = slot(0);
        let mut batch: Vec<Pending> = (0..5).map(|o| record(&s, o, 1)).collect();
        h.push(&mut batch);
        assert!(!h.wait_for_room(Duration::from_millis(5)));
        h.pop_batch(2, NOW).unwrap(); // 3 buffered (one moved in), none held
        assert!(!h.wait_for_room(Duration::from_millis(5)));
        h.pop(NOW).unwrap();
        assert!(h.wait_for_room(NOW));
        assert_eq!(h.room(), 2);
    }

    #[test]
    fn the_poll_thread_is_woken_at_low_water() {
        let h = Arc::new(Handoff::new(2, 1 << 20, DeliveryOrder::Unordered));
        let s = slot(0);
        let mut batch: Vec<Pending> = (0..3).map(|o| record(&s, o, 1)).collect();
        h.push(&mut batch);
        let taker = {
            let h = h.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(50));
                h.pop_batch(3, NOW).unwrap().len()
            })
        };
        assert!(h.wait_for_room(Duration::from_secs(30)));
        assert_eq!(taker.join().unwrap(), 3);
    }

    #[test]
    fn fenced_partitions_are_dropped_and_never_delivered() {
        let h = Handoff::new(2, 1 << 20, DeliveryOrder::Unordered);
        let (a, b) = (slot(0), slot(1));
        let mut batch = vec![record(&a, 0, 1), record(&b, 0, 1), record(&a, 1, 1)];
        h.push(&mut batch);
        assert_eq!(h.fence(std::slice::from_ref(&a)), 2);
        let mut late = vec![record(&a, 2, 1)];
        h.push(&mut late);
        let got = h.pop_batch(10, NOW).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].partition, 1);
        assert_eq!(h.levels().bytes, 0);
    }

    #[test]
    fn taking_back_a_partition_drops_only_its_records() {
        let h = Handoff::new(2, 1 << 20, DeliveryOrder::Unordered);
        let (a, b) = (slot(0), slot(1));
        let mut batch = vec![record(&a, 3, 1), record(&b, 0, 1), record(&a, 4, 1)];
        h.push(&mut batch);
        assert_eq!(h.take_back(&a), Some(3));
        assert_eq!(h.take_back(&a), None);
        assert!(!a.fenced(), "the partition stays deliverable");
        let got = h.pop_batch(10, NOW).unwrap();
        assert_eq!((got.len(), got[0].partition), (1, 1));
        assert_eq!(h.levels().bytes, 0);
    }

    #[test]
    fn close_wakes_blocked_receivers() {
        let h = Arc::new(Handoff::new(2, 1 << 20, DeliveryOrder::Unordered));
        let waiters: Vec<_> = (0..3)
            .map(|_| {
                let h = h.clone();
                std::thread::spawn(move || h.pop(Duration::from_secs(3600)))
            })
            .collect();
        std::thread::sleep(Duration::from_millis(50));
        h.close();
        for w in waiters {
            assert!(matches!(w.join().unwrap(), Err(Error::Closed)));
        }
        assert!(matches!(h.pop(NOW), Err(Error::Closed)));
    }

    #[test]
    fn release_closes_and_frees_everything_held() {
        let h = Handoff::new(2, 1 << 20, DeliveryOrder::Unordered);
        let s = slot(0);
        let mut batch: Vec<Pending> = (0..5).map(|o| record(&s, o, 1)).collect();
        h.push(&mut batch);
        h.release();
        let l = h.levels();
        assert_eq!((l.records, l.bytes, l.held), (0, 0, 0));
        assert!(matches!(h.pop(NOW), Err(Error::Closed)));
        h.release();
    }

    #[test]
    fn a_stall_is_reported_once_then_the_next_recv_asks_to_rejoin() {
        let h = Handoff::new(2, 1 << 20, DeliveryOrder::Unordered);
        h.report_stall(stall(7), true);
        assert!(matches!(h.pop(NOW), Err(Error::Stalled { offset: 7, .. })));
        assert!(!h.take_rejoin());
        assert!(matches!(h.pop(NOW), Ok(None)));
        assert!(h.rejoin_wanted(), "the request stays until taken");
        assert!(h.take_rejoin());
        assert!(!h.take_rejoin());
    }

    #[test]
    fn a_stall_without_leaving_asks_for_no_rejoin() {
        let h = Handoff::new(2, 1 << 20, DeliveryOrder::Unordered);
        h.report_stall(stall(7), false);
        assert!(matches!(h.pop(NOW), Err(Error::Stalled { offset: 7, .. })));
        assert!(matches!(h.pop(NOW), Ok(None)));
        assert!(!h.take_rejoin());
    }

    fn stall(offset: i64) -> Error {
        Error::Stalled {
            topic: "t".into(),
            partition: 0,
            offset,
            elapsed_ms: 1,
        }
    }

    #[test]
    fn a_failure_ends_every_recv_until_close() {
        let h = Arc::new(Handoff::new(2, 1 << 20, DeliveryOrder::Unordered));
        let s = slot(0);
        h.push(&mut vec![record(&s, 0, 1)]);
        let blocked = {
            let h = Arc::new(Handoff::new(2, 1 << 20, DeliveryOrder::Unordered));
            let waiter = {
                let h = h.clone();
                std::thread::spawn(move || h.pop(Duration::from_secs(3600)))
            };
            while h.state.lock().receivers_waiting == 0 {
                std::thread::yield_now();
            }
            h.fail(Error::Internal("boom".into()));
            waiter.join().unwrap()
        };
        assert!(matches!(blocked, Err(Error::Internal(_))));
        h.fail(Error::Internal("first".into()));
        h.fail(Error::Internal("second".into()));
        for _ in 0..2 {
            match h.pop(NOW) {
                Err(Error::Internal(m)) => assert_eq!(m, "first", "records are not delivered"),
                other => panic!("expected the failure, got {other:?}"),
            }
        }
        h.close();
        assert!(matches!(h.pop(NOW), Err(Error::Closed)));
    }

    #[test]
    fn idle_since_counts_from_the_last_take() {
        let h = Handoff::new(4, 1 << 20, DeliveryOrder::Unordered);
        let s = slot(0);
        assert!(h.idle_since().is_none());
        h.push(&mut (0..3).map(|o| record(&s, o, 1)).collect());
        let (first, _, offset) = h.idle_since().unwrap();
        assert_eq!(offset, 0);
        h.pop(NOW).unwrap();
        let (after, _, offset) = h.idle_since().unwrap();
        assert!(after >= first);
        assert_eq!(offset, 1);
        h.pop_batch(10, NOW).unwrap();
        assert!(h.idle_since().is_none());
    }

    #[test]
    fn recv_times_out_with_none() {
        let h = Handoff::new(2, 1 << 20, DeliveryOrder::Unordered);
        let start = Instant::now();
        assert!(matches!(h.pop(Duration::from_millis(30)), Ok(None)));
        assert!(start.elapsed() >= Duration::from_millis(30));
    }

    fn keyed(slot: &Arc<Slot>, offset: i64, key: &[u8]) -> Pending {
        slot.register([offset]);
        Pending::record(Record::new(
            slot.clone(),
            offset,
            Some(key),
            None,
            Vec::new(),
            None,
        ))
    }

    fn release(h: &Handoff, r: &Record) {
        h.release_lane(&r.slot, r.lane.expect("an ordered record has a lane"));
    }

    #[test]
    fn key_order_keeps_one_record_per_key_out() {
        let h = Handoff::new(100, 1 << 20, DeliveryOrder::Key);
        let s = slot(0);
        let mut batch = vec![
            keyed(&s, 0, b"a"),
            keyed(&s, 1, b"a"),
            keyed(&s, 2, b"b"),
            keyed(&s, 3, b"a"),
        ];
        h.push(&mut batch);
        let first = h.pop_batch(10, NOW).unwrap();
        assert_eq!(offsets(&first), vec![0, 2], "one record per key");
        assert_eq!(h.levels().waiting, 2);
        assert!(h.pop(NOW).unwrap().is_none(), "a's next waits for 0");
        release(&h, &first[1]);
        assert!(
            h.pop(NOW).unwrap().is_none(),
            "b's release frees nothing of a"
        );
        release(&h, &first[0]);
        let next = h.pop_batch(10, NOW).unwrap();
        assert_eq!(offsets(&next), vec![1], "a in offset order");
        release(&h, &next[0]);
        assert_eq!(h.pop(NOW).unwrap().unwrap().offset, 3);
    }

    #[test]
    fn partition_order_keeps_one_record_per_partition_out() {
        let h = Handoff::new(100, 1 << 20, DeliveryOrder::Partition);
        let (a, b) = (slot(0), slot(1));
        let mut batch = vec![record(&a, 0, 1), record(&a, 1, 1), record(&b, 0, 1)];
        h.push(&mut batch);
        let got = h.pop_batch(10, NOW).unwrap();
        assert_eq!(
            got.iter()
                .map(|r| (r.partition, r.offset))
                .collect::<Vec<_>>(),
            vec![(0, 0), (1, 0)]
        );
        release(&h, &got[0]);
        assert_eq!(h.pop(NOW).unwrap().unwrap().offset, 1);
    }

    #[test]
    fn records_without_a_key_keep_no_order() {
        let h = Handoff::new(100, 1 << 20, DeliveryOrder::Key);
        let s = slot(0);
        h.push(&mut (0..3).map(|o| record(&s, o, 1)).collect());
        assert_eq!(offsets(&h.pop_batch(10, NOW).unwrap()), vec![0, 1, 2]);
    }

    #[test]
    fn a_blocked_receiver_is_woken_when_the_lane_is_freed() {
        let h = Arc::new(Handoff::new(100, 1 << 20, DeliveryOrder::Partition));
        let s = slot(0);
        h.push(&mut vec![record(&s, 0, 1), record(&s, 1, 1)]);
        let first = h.pop(NOW).unwrap().unwrap();
        let waiter = {
            let h = h.clone();
            std::thread::spawn(move || h.pop(Duration::from_secs(60)))
        };
        while h.state.lock().receivers_waiting == 0 {
            std::thread::yield_now();
        }
        release(&h, &first);
        assert_eq!(waiter.join().unwrap().unwrap().unwrap().offset, 1);
    }

    #[test]
    fn a_nacked_record_goes_out_again_when_due_and_keeps_its_lane() {
        let h = Handoff::new(100, 1 << 20, DeliveryOrder::Key);
        let s = slot(0);
        h.push(&mut vec![keyed(&s, 0, b"a"), keyed(&s, 1, b"a")]);
        let first = h.pop(NOW).unwrap().unwrap();
        let due = Instant::now() + Duration::from_millis(30);
        h.retry(Pending::record(first.redelivery()), due);
        assert_eq!(h.levels().retrying, 1);
        assert!(
            h.pop(NOW).unwrap().is_none(),
            "not due; offset 1 waits for its key"
        );
        let again = h.pop(Duration::from_secs(60)).unwrap().unwrap();
        assert!(Instant::now() >= due);
        assert_eq!((again.offset, again.attempt()), (0, 2));
        release(&h, &again);
        assert_eq!(h.pop(NOW).unwrap().unwrap().offset, 1);
    }

    #[test]
    fn fencing_drops_nacked_records_and_frees_their_lanes() {
        let h = Handoff::new(100, 1 << 20, DeliveryOrder::Partition);
        let s = slot(0);
        h.push(&mut vec![record(&s, 0, 1)]);
        let r = h.pop(NOW).unwrap().unwrap();
        h.retry(Pending::record(r.redelivery()), Instant::now());
        assert_eq!(h.fence(std::slice::from_ref(&s)), 1);
        assert_eq!(h.levels().retrying, 0);
        assert!(h.state.lock().lanes.free(&s, Some(0)));
    }

    #[test]
    fn taking_back_a_partition_takes_its_nacked_records_and_lanes() {
        let h = Handoff::new(100, 1 << 20, DeliveryOrder::Partition);
        let s = slot(0);
        h.push(&mut vec![record(&s, 4, 1), record(&s, 5, 1)]);
        let r = h.pop(NOW).unwrap().unwrap();
        h.retry(
            Pending::record(r.redelivery()),
            Instant::now() + Duration::from_secs(60),
        );
        assert_eq!(h.take_back(&s), Some(4));
        assert_eq!(h.levels().retrying, 0);
        assert!(h.state.lock().lanes.free(&s, Some(0)));
    }
}
