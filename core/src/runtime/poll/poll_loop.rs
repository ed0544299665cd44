//! The poll thread: owns the rdkafka consumer and calls `poll` at least every [`SLICE`],
//! however slow the application is, so rebalance callbacks run promptly and
//! `max.poll.interval.ms` is never at risk (librdkafka heartbeats from its own thread).
//!
//! Each turn: answer commit and rejoin requests, commit the acked prefix when the auto-commit
//! interval is up, run the watchdog;
//! then either serve the consumer queue's events and take a batch of at most the buffer's free
//! room from the fetch queue ([`fetch_queue`](crate::runtime::fetch_queue)), waiting there up to a slice
//! (an event, a commit request or close cuts the wait short), or — buffer full — wait up to a
//! slice for the low-water mark and pause the assigned partitions if it does not come (polling
//! on for events while paused, resuming at the mark). librdkafka drops its prefetch on pause
//! and fetches again from the position, so pausing loses nothing.

use crate::runtime::context::{self, Kafka};
use crate::runtime::events::CommitReason;
use crate::runtime::fetch_queue::BATCH_MAX;
use crate::runtime::kafka_error::KafkaError;
use crate::runtime::message_view::{MessageView, OwnedMessage};
use crate::runtime::offsets::Slot;
use crate::runtime::pauses::{self, Hold};
use crate::runtime::pending::Pending;
use crate::runtime::shared::Shared;
use crate::runtime::{background_commit, log_end, rebalance, requests, watchdog, Error, Record};
use rdkafka::consumer::Consumer;
use rdkafka::error::{KafkaError as RdError, RDKafkaErrorCode};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The longest the poll thread goes without calling `poll`, outside a revoke's drain.
pub(crate) const SLICE: Duration = Duration::from_millis(50);
/// How often the watchdog looks for stuck records.
const WATCHDOG_EVERY: Duration = Duration::from_millis(100);
/// How often the processing rate is sampled.
const RATE_EVERY: Duration = Duration::from_secs(1);
/// Most calls to rdkafka's `poll` per turn (events are few; this bounds a turn).
const CONSUMER_QUEUE_TURN: usize = 64;
/// Longest wait for the group to be left on close.
const CLOSE_WAIT: Duration = Duration::from_secs(30);

/// Starts the poll thread; it ends (after committing and leaving the group) once `stop` is set.
/// Should it panic, the consumer fails with [`Error::Internal`]: every `recv` says so, and
/// `last_error` has the panic's message.
pub(crate) fn spawn(consumer: Kafka, topics: Vec<String>) -> std::io::Result<JoinHandle<()>> {
    let shared = consumer.context().shared.clone();
    std::thread::Builder::new()
        .name("steady-poll".into())
        .spawn(move || {
            let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                PollLoop::new(consumer, topics).run()
            }));
            if let Err(panic) = run {
                // The failure itself was set while unwinding (`PollLoop`'s drop); this adds
                // what the panic said.
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                shared.error("error", format!("steady's poll thread panicked: {what}"));
            }
            shared.poll_ended.store(true, Ordering::Release);
        })
}

/// Most offsets one partition's window may hold, per record of `steady.buffer.max.records`,
/// before the partition is paused until its handlers catch up (memory stays bounded even when
/// an ack never comes).
const WINDOW_PER_BUFFERED_RECORD: usize = 64;

struct PollLoop {
    consumer: Kafka,
    shared: Arc<Shared>,
    topics: Vec<String>,
    intake: Intake,
    /// Scratch space for freeing the messages receivers copied.
    spent: Vec<OwnedMessage>,
    /// Free record places in the hand-off buffer after the last push (0 while records are held).
    room: usize,
    /// When the acked prefix is committed next (auto-commit).
    next_commit: Instant,
    next_watchdog: Instant,
    next_rate: Instant,
    idle: watchdog::IdleCheck,
    /// Offsets a partition's window may hold before the partition is paused.
    window_max: usize,
}

impl PollLoop {
    fn new(mut consumer: Kafka, topics: Vec<String>) -> PollLoop {
        let shared = consumer.context().shared.clone();
        shared.fetch.open(&consumer);
        let waker = shared.clone();
        consumer.set_nonempty_callback(move || waker.fetch.wake());
        let now = Instant::now();
        let window_max = WINDOW_PER_BUFFERED_RECORD * shared.config.buffer_max_records;
        PollLoop {
            consumer,
            intake: Intake {
                slots: SlotCache {
                    last: None,
                    single_topic: topics.len() == 1 && !topics[0].starts_with('^'),
                },
                batch: Vec::with_capacity(BATCH_MAX),
            },
            topics,
            spent: Vec::new(),
            room: shared.config.buffer_max_records,
            shared,
            next_commit: now,
            next_watchdog: now,
            next_rate: now,
            idle: watchdog::IdleCheck::default(),
            window_max,
        }
    }

    fn run(mut self) {
        while !self.shared.stop.load(Ordering::Acquire) {
            if self.shared.handoff.failed() {
                // Fatal: nothing more is fetched or committed; serve events until close.
                self.consumer.poll(SLICE);
                continue;
            }
            self.housekeeping();
            if self.shared.assignment.paused() {
                if self.shared.handoff.wait_for_room(SLICE) {
                    self.set_paused(false);
                    self.room = self.shared.handoff.room();
                }
                // Serves events, and frees what librdkafka's pause left behind: records of
                // outdated fetches go when the fetch queue is served (none is valid while
                // every partition is paused; one that were would be held, not lost).
                self.poll(1, Duration::ZERO);
            } else if self.room == 0 {
                if self.shared.handoff.wait_for_room(SLICE) {
                    self.room = self.shared.handoff.room();
                } else {
                    self.set_paused(true);
                }
            } else {
                self.poll(self.room.min(BATCH_MAX), SLICE);
            }
        }
        self.shutdown();
    }

    /// Takes up to `max` records, waiting up to `timeout` for the first, and hands them off.
    ///
    /// The consumer queue comes first, until it is empty: its events (rebalances, commit
    /// results, errors) and any records of a partition that is not forwarded to the fetch
    /// queue. Only then does the fetch queue give a batch, so records of one partition never
    /// overtake each other on the way from the two queues.
    fn poll(&mut self, max: usize, timeout: Duration) {
        let drained = self.serve_consumer_queue(max);
        let queued = self.intake.len();
        if drained && queued < max {
            let wait = if queued == 0 { timeout } else { Duration::ZERO };
            let (shared, intake) = (&self.shared, &mut self.intake);
            shared.fetch.take(max - queued, wait, |m| {
                let v = m.view();
                match v.error() {
                    None => {
                        let slot = intake.slots.get(shared, &v);
                        intake.batch.push(Pending::message(m, slot));
                    }
                    Some(RDKafkaErrorCode::PartitionEOF) => {}
                    Some(code) => {
                        let what = format!("consume {} [{}]", v.topic(), v.partition());
                        context::report(shared, KafkaError::new(code, false, what));
                    }
                }
            });
        }
        if let Some((room, full)) = self.intake.hand_off(&self.shared, self.window_max) {
            self.room = room;
            self.pause_full_windows(full);
        }
    }

    /// Serves the consumer queue without waiting until it is empty (true) or `max` records
    /// were taken from it (false).
    fn serve_consumer_queue(&mut self, max: usize) -> bool {
        for _ in 0..CONSUMER_QUEUE_TURN {
            match self.consumer.poll(Duration::ZERO) {
                Some(Ok(m)) => {
                    self.intake.add(&self.shared, &MessageView::of(&m));
                    if self.intake.len() >= max {
                        return false;
                    }
                }
                Some(Err(e)) => self.poll_error(e),
                // An event was served, or the queue is empty.
                None if !self.shared.fetch.events_waiting() => return true,
                None => {}
            }
        }
        false
    }

    fn poll_error(&self, e: RdError) {
        if !matches!(e, RdError::PartitionEOF(_)) {
            context::report(&self.shared, KafkaError::from_rdkafka("poll", &e));
        }
    }

    /// Starts or ends backpressure: every assigned partition paused, or back to its own state.
    fn set_paused(&self, paused: bool) {
        let assignment = &self.shared.assignment;
        assignment.set_paused(paused);
        pauses::apply(&self.consumer, &self.shared, &assignment.slots());
        if paused {
            self.shared.metrics.pauses.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn housekeeping(&mut self) {
        #[cfg(test)]
        if self.shared.panic_now.load(Ordering::Acquire) {
            panic!("a test asked the poll thread to panic");
        }
        self.shared.handoff.free_spent(&mut self.spent);
        let now = Instant::now();
        if let Some(dlq) = self.shared.dead_letters.get() {
            dlq.serve(&self.shared, now);
        }
        let requests = self.shared.control.take();
        if !requests.is_empty() {
            requests::serve(&self.consumer, &self.shared, requests);
        }
        rebalance::open_gates(&self.consumer, &self.shared, now);
        if self.shared.fatal_raised.swap(false, Ordering::AcqRel) {
            if let Some((code, reason)) = self.consumer.client().fatal_error() {
                self.shared.fail(KafkaError::new(code, true, reason).into());
                return;
            }
        }
        if self.shared.handoff.rejoin_wanted() && self.shared.stalls.lock().may_rejoin() {
            self.shared.handoff.take_rejoin();
            let topics: Vec<&str> = self.topics.iter().map(String::as_str).collect();
            match self.consumer.subscribe(&topics) {
                Ok(()) => self.shared.stalls.lock().rejoined(),
                Err(e) => context::report(&self.shared, KafkaError::from_rdkafka("rejoin", &e)),
            }
        }
        if let Some(every) = self.shared.config.auto_commit {
            if now >= self.next_commit {
                self.commit_in_background();
                self.next_commit = now + every;
            }
        }
        if now >= self.next_watchdog {
            watchdog::inspect(&self.consumer, &self.shared, now, &mut self.idle);
            self.resume_windows();
            self.next_watchdog = now + WATCHDOG_EVERY;
        }
        if now >= self.next_rate {
            self.shared.metrics.sample_rate(now);
            log_end::refresh(&self.consumer, &self.shared);
            self.next_rate = now + RATE_EVERY;
        }
    }

    /// Pauses the partitions whose offset windows outgrew the limit (after a hand-off).
    fn pause_full_windows(&self, full: Vec<Arc<Slot>>) {
        let full: Vec<Arc<Slot>> = full
            .into_iter()
            .filter(|s| !s.held_by(Hold::Window))
            .collect();
        if !full.is_empty() {
            pauses::hold(&self.consumer, &self.shared, &full, Hold::Window, true);
            self.shared.metrics.pauses.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Lifts the window hold of the assigned partitions whose window is down to half the
    /// limit (a revoked partition's slot is gone with its hold); on the watchdog's beat.
    fn resume_windows(&self) {
        let half = self.window_max / 2;
        let ready: Vec<Arc<Slot>> = self
            .shared
            .assignment
            .slots()
            .into_iter()
            .filter(|s| s.held_by(Hold::Window) && s.window_len() <= half)
            .collect();
        pauses::hold(&self.consumer, &self.shared, &ready, Hold::Window, false);
    }

    /// Commits the acked prefix of every assigned partition where it moved, without waiting;
    /// the commit callback records the result.
    fn commit_in_background(&self) {
        let offsets = self
            .shared
            .assignment
            .uncommitted(&self.shared.assignment.slots());
        if offsets.count() > 0 {
            if let Err(e) = background_commit::commit_async(&self.consumer, &offsets) {
                self.shared.error("commit", format!("auto-commit: {e}"));
            }
        }
    }

    /// Gives the assignment up as a revoke would (drain, `Revoked` handled, commit), leaves the
    /// group (the others rebalance at once) and answers pending requests. After a failure
    /// nothing is drained or committed.
    fn shutdown(self) {
        let shared = &self.shared;
        let slots = shared.assignment.remove_all();
        if !shared.handoff.failed() {
            let deadline = Instant::now() + shared.config.revoke_drain;
            // What the dead-letter topic acknowledges by then is in the closing commit.
            if let Some(dlq) = shared.dead_letters.get() {
                dlq.flush(deadline);
            }
            rebalance::give_up(
                &self.consumer,
                shared,
                &slots,
                false,
                deadline,
                CommitReason::Close,
            );
        }
        // Acks are refused from here on (give_up refused them before its commit already when
        // something was assigned).
        shared.metrics.closed.store(true, Ordering::Release);
        // librdkafka's messages and the application's queue handles go before the consumer
        // closes.
        self.shared.handoff.release();
        self.shared.fetch.close();
        match self.consumer.close_queue() {
            Ok(()) => {
                let deadline = Instant::now() + CLOSE_WAIT;
                while !self.consumer.closed() && Instant::now() < deadline {
                    self.consumer.poll(SLICE);
                }
            }
            Err(e) => self.shared.error("close", format!("close: {e}")),
        }
        self.shared.control.refuse(Error::Closed);
    }
}

impl Drop for PollLoop {
    /// Also when the poll thread unwinds: messages and queue handles go before the consumer.
    fn drop(&mut self) {
        if std::thread::panicking() {
            // Before `release` closes the hand-off: receivers must see the failure, not a close.
            self.shared.fail(Error::Internal(
                "steady's poll thread panicked; close the consumer and create a new one".into(),
            ));
        }
        self.shared.handoff.release();
        self.shared.fetch.close();
    }
}

/// The records of one turn on their way to the hand-off.
struct Intake {
    slots: SlotCache,
    /// The turn's records, in order.
    batch: Vec<Pending>,
}

impl Intake {
    /// Adds a record rdkafka's `poll` returned, copied (the message goes back to rdkafka).
    fn add(&mut self, shared: &Shared, m: &MessageView<'_>) {
        let slot = self.slots.get(shared, m);
        self.batch
            .push(Pending::record(Record::copy(m, slot, true)));
    }

    /// Records taken this turn.
    fn len(&self) -> usize {
        self.batch.len()
    }

    /// Registers the turn's records in their offset windows and pushes them to the hand-off;
    /// returns the room left there and the slots whose windows now hold more than
    /// `window_max` offsets, or `None` when there was nothing to push.
    fn hand_off(&mut self, shared: &Shared, window_max: usize) -> Option<(usize, Vec<Arc<Slot>>)> {
        if self.batch.is_empty() {
            return None;
        }
        let mut full = Vec::new();
        for run in self.batch.chunk_by(|a, b| Arc::ptr_eq(&a.slot, &b.slot)) {
            let len = run[0].slot.register(run.iter().map(|r| r.offset));
            if len > window_max {
                full.push(run[0].slot.clone());
            }
        }
        Some((shared.handoff.push(&mut self.batch), full))
    }
}

/// Finds the slot of a polled record.
struct SlotCache {
    /// The slot of the last polled record (consecutive records mostly share a partition).
    last: Option<Arc<Slot>>,
    /// Subscribed to one topic by name: a partition number alone identifies the slot.
    single_topic: bool,
}

impl SlotCache {
    fn get(&mut self, shared: &Shared, m: &MessageView<'_>) -> Arc<Slot> {
        let partition = m.partition();
        if let Some(s) = &self.last {
            if s.partition == partition
                && !s.fenced()
                && (self.single_topic || &*s.topic == m.topic())
            {
                return s.clone();
            }
        }
        let assignment = &shared.assignment;
        let slot = assignment.find(m.topic(), partition).unwrap_or_else(|| {
            // A record of a partition the callbacks did not announce: track it in a new epoch
            // rather than lose it.
            let mut tpl = rdkafka::TopicPartitionList::new();
            tpl.add_partition(m.topic(), partition);
            assignment.add(&tpl, &shared.metrics).0.remove(0)
        });
        self.last = Some(slot.clone());
        slot
    }
}
