//! The poll thread: owns the rdkafka consumer and calls `poll` at least every [`SLICE`],
//! however slow the application is, so rebalance callbacks run promptly and
//! `max.poll.interval.ms` is never at risk (librdkafka heartbeats from its own thread).
//!
//! Each turn: answer commit and rejoin requests, commit the acked prefix when the auto-commit
//! interval is up, run the watchdog;
//! then either serve the consumer queue's events and take a batch of at most the buffer's free
//! room from the fetch queue ([`fetch_queue`](super::fetch_queue)), waiting there up to a slice
//! (an event, a commit request or close cuts the wait short), or — buffer full — wait up to a
//! slice for the low-water mark and pause the assigned partitions if it does not come (polling
//! on for events while paused, resuming at the mark). librdkafka drops its prefetch on pause
//! and fetches again from the position, so pausing loses nothing.

use super::context::{self, Kafka};
use super::fetch_queue::BATCH_MAX;
use super::message_view::{MessageView, OwnedMessage};
use super::offsets::{self, Slot};
use super::pending::Pending;
use super::shared::Shared;
use super::{background_commit, watchdog, Error, Record};
use rdkafka::consumer::Consumer;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
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
pub(crate) fn spawn(consumer: Kafka, topics: Vec<String>) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("steady-poll".into())
        .spawn(move || PollLoop::new(consumer, topics).run())
}

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
}

impl PollLoop {
    fn new(mut consumer: Kafka, topics: Vec<String>) -> PollLoop {
        let shared = consumer.context().shared.clone();
        shared.fetch.open(&consumer);
        let waker = shared.clone();
        consumer.set_nonempty_callback(move || waker.fetch.wake());
        let now = Instant::now();
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
        }
    }

    fn run(mut self) {
        while !self.shared.stop.load(Ordering::Acquire) {
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
                    Some(code) => shared.metrics.set_error(format!(
                        "consume {} [{}]: {code}",
                        v.topic(),
                        v.partition()
                    )),
                }
            });
        }
        if let Some(room) = self.intake.hand_off(&self.shared) {
            self.room = room;
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

    fn poll_error(&self, e: KafkaError) {
        if !matches!(e, KafkaError::PartitionEOF(_)) {
            self.shared.metrics.set_error(e.to_string());
        }
    }

    fn set_paused(&self, paused: bool) {
        let assignment = &self.shared.assignment;
        let tpl = assignment.partitions();
        let result = if paused {
            self.consumer.pause(&tpl)
        } else {
            self.consumer.resume(&tpl)
        };
        if let Err(e) = result {
            self.shared.metrics.set_error(format!("pause/resume: {e}"));
        }
        assignment.set_paused(paused);
        if paused {
            self.shared.metrics.pauses.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn housekeeping(&mut self) {
        self.shared.handoff.free_spent(&mut self.spent);
        let now = Instant::now();
        if self.shared.commit_wanted.swap(false, Ordering::AcqRel) {
            let requests = std::mem::take(&mut *self.shared.commit_requests.lock());
            let result = self.commit_all();
            for reply in requests {
                let _ = reply.send(result.clone());
            }
        }
        if self.shared.handoff.take_rejoin() {
            let topics: Vec<&str> = self.topics.iter().map(String::as_str).collect();
            if let Err(e) = self.consumer.subscribe(&topics) {
                self.shared.metrics.set_error(format!("rejoin: {e}"));
            }
        }
        if let Some(every) = self.shared.config.auto_commit {
            if now >= self.next_commit {
                self.commit_in_background();
                self.next_commit = now + every;
            }
        }
        if now >= self.next_watchdog {
            watchdog::inspect(&self.consumer, &self.shared, now);
            self.next_watchdog = now + WATCHDOG_EVERY;
        }
        if now >= self.next_rate {
            self.shared.metrics.sample_rate(now);
            self.next_rate = now + RATE_EVERY;
        }
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
                self.shared.metrics.set_error(format!("auto-commit: {e}"));
            }
        }
    }

    /// Commits the acked prefix of every assigned partition, synchronously.
    fn commit_all(&self) -> Result<(), Error> {
        let slots = self.shared.assignment.slots();
        let offsets = self.shared.assignment.uncommitted(&slots);
        context::commit(&self.consumer, &offsets, &self.shared)
    }

    /// Waits for the records in flight, commits, leaves the group (the others rebalance at
    /// once) and fails pending requests.
    fn shutdown(self) {
        offsets::drain_all(
            &self.shared.assignment.slots(),
            self.shared.config.revoke_drain,
        );
        // Acks from here on fail; the commit below has every ack that succeeded.
        self.shared.metrics.closed.store(true, Ordering::Release);
        if let Err(e) = self.commit_all() {
            self.shared
                .metrics
                .set_error(format!("commit on close: {e}"));
        }
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
            Err(e) => self.shared.metrics.set_error(format!("close: {e}")),
        }
        for reply in std::mem::take(&mut *self.shared.commit_requests.lock()) {
            let _ = reply.send(Err(Error::Closed));
        }
    }
}

impl Drop for PollLoop {
    /// Also when the poll thread unwinds: messages and queue handles go before the consumer.
    fn drop(&mut self) {
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
    /// returns the room left there, or `None` when there was nothing to push.
    fn hand_off(&mut self, shared: &Shared) -> Option<usize> {
        if self.batch.is_empty() {
            return None;
        }
        for run in self.batch.chunk_by(|a, b| Arc::ptr_eq(&a.slot, &b.slot)) {
            run[0].slot.register(run.iter().map(|r| r.offset));
        }
        Some(shared.handoff.push(&mut self.batch))
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
