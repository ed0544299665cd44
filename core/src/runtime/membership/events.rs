//! Events the application reads next to `recv` (with `steady.events.enable=true`): the
//! partitions it was assigned, had revoked or lost, and the result of every commit.
//!
//! Events wait in a queue the application drains from its own threads
//! ([`Consumer::next_event`](crate::runtime::Consumer::next_event)); no application code ever runs on the
//! poll thread. Two events are *handled*: the poll thread waits for them to be done (the
//! [`Event`] dropped, or [`Event::done`]):
//! - `Revoked`: after the partitions' in-flight records were drained and before their acked
//!   prefix is committed, within what is left of `steady.revoke.drain.ms`. Past that budget
//!   steady stops waiting, commits what was acked and lets the partitions go (the handler runs
//!   on; its later acks of those partitions are ignored).
//! - `Assigned`: the new partitions stay paused until it is done (at most
//!   `steady.processing.timeout.ms`), so state can be loaded before their first record.
//!
//! The queue keeps at most [`CAPACITY`] events; beyond that the oldest result (of a commit or a
//! dead letter) is dropped (and counted). Rebalance events are never dropped.

use crate::runtime::kafka_error::KafkaError;
use crate::runtime::Error;
use parking_lot::{Condvar, Mutex};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Most events queued before commit results are dropped.
pub const CAPACITY: usize = 1024;

/// What an [`Event`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventKind {
    /// Partitions were assigned; each carries the committed offset it starts from.
    Assigned,
    /// Partitions are being revoked: handle it (flush, ack) before the event is done; the acked
    /// prefix is committed after.
    Revoked,
    /// Partitions were lost (session expired, member fenced): nothing of them is committed.
    Lost,
    /// A commit finished; each partition carries the offset committed (or tried).
    Committed,
    /// A record went to `steady.dlq.topic` (its source partition and offset): acknowledged by
    /// the broker when the event has no error; with one, the produce failed, the record stays
    /// pending and is sent again.
    DeadLettered,
}

impl EventKind {
    /// The name used in every language: `assigned`, `revoked`, `lost`, `committed`,
    /// `dead_lettered`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Assigned => "assigned",
            EventKind::Revoked => "revoked",
            EventKind::Lost => "lost",
            EventKind::Committed => "committed",
            EventKind::DeadLettered => "dead_lettered",
        }
    }
}

/// Why a commit was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CommitReason {
    /// The auto-commit interval (`auto.commit.interval.ms`) came round.
    Background,
    /// The application called `commit`.
    Explicit,
    /// Partitions were revoked.
    Revoke,
    /// The consumer closed.
    Close,
}

impl CommitReason {
    /// The name used in every language: `background`, `explicit`, `revoke`, `close`.
    pub fn as_str(self) -> &'static str {
        match self {
            CommitReason::Background => "background",
            CommitReason::Explicit => "explicit",
            CommitReason::Revoke => "revoke",
            CommitReason::Close => "close",
        }
    }
}

/// A partition of an event, and an offset where the event has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionOffset {
    /// Topic name.
    pub topic: String,
    /// Partition number.
    pub partition: i32,
    /// `Assigned`: the committed offset the partition starts from (`None`: none committed, or
    /// unknown; `auto.offset.reset` applies). `Committed`: the offset committed — the next one
    /// to read. `None` for `Revoked` and `Lost`.
    pub offset: Option<i64>,
}

/// One event. Dropping it (or calling [`done`](Event::done)) marks it done.
#[derive(Debug)]
pub struct Event {
    kind: EventKind,
    partitions: Vec<PartitionOffset>,
    reason: Option<CommitReason>,
    error: Option<KafkaError>,
    completion: Option<Arc<Completion>>,
}

impl Event {
    /// What happened.
    pub fn kind(&self) -> EventKind {
        self.kind
    }

    /// The partitions concerned, in the order librdkafka gave them.
    pub fn partitions(&self) -> &[PartitionOffset] {
        &self.partitions
    }

    /// For `Committed`: why the commit was made.
    pub fn commit_reason(&self) -> Option<CommitReason> {
        self.reason
    }

    /// For `Committed`: the error, when the commit failed.
    pub fn error(&self) -> Option<&KafkaError> {
        self.error.as_ref()
    }

    /// Marks the event handled (the same as dropping it).
    pub fn done(self) {}

    pub(crate) fn rebalance(kind: EventKind, partitions: Vec<PartitionOffset>) -> Event {
        Event {
            kind,
            partitions,
            reason: None,
            error: None,
            completion: None,
        }
    }

    pub(crate) fn committed(
        reason: CommitReason,
        partitions: Vec<PartitionOffset>,
        error: Option<KafkaError>,
    ) -> Event {
        Event {
            kind: EventKind::Committed,
            partitions,
            reason: Some(reason),
            error,
            completion: None,
        }
    }

    /// A dead letter's outcome for the record at `source`.
    pub(crate) fn dead_lettered(source: PartitionOffset, error: Option<KafkaError>) -> Event {
        Event {
            kind: EventKind::DeadLettered,
            partitions: vec![source],
            reason: None,
            error,
            completion: None,
        }
    }

    /// This event, done when `completion` is completed.
    pub(crate) fn handled_by(mut self, completion: Arc<Completion>) -> Event {
        self.completion = Some(completion);
        self
    }
}

impl Drop for Event {
    fn drop(&mut self) {
        if let Some(c) = self.completion.take() {
            c.complete();
        }
    }
}

/// The "done" signal of a handled event.
#[derive(Debug, Default)]
pub(crate) struct Completion {
    done: Mutex<bool>,
    signal: Condvar,
}

impl Completion {
    /// A fresh signal, not done.
    pub fn new() -> Arc<Completion> {
        Arc::default()
    }

    fn complete(&self) {
        *self.done.lock() = true;
        self.signal.notify_all();
    }

    /// Whether the event was done.
    pub fn is_done(&self) -> bool {
        *self.done.lock()
    }

    /// Waits until done or `deadline`; true when done.
    pub fn wait_until(&self, deadline: Instant) -> bool {
        let mut done = self.done.lock();
        while !*done {
            if self.signal.wait_until(&mut done, deadline).timed_out() {
                break;
            }
        }
        *done
    }
}

#[derive(Default)]
struct Queue {
    events: VecDeque<Event>,
    closed: bool,
}

/// The consumer's event queue.
pub(crate) struct Events {
    enabled: bool,
    queue: Mutex<Queue>,
    ready: Condvar,
    /// Commit results dropped because the queue was full.
    pub dropped: AtomicU64,
}

impl Events {
    /// A queue; when not `enabled`, every event is dropped (done) at once.
    pub fn new(enabled: bool) -> Events {
        Events {
            enabled,
            queue: Mutex::default(),
            ready: Condvar::new(),
            dropped: AtomicU64::new(0),
        }
    }

    /// Whether the application reads events.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Queues `event` (dropped at once when events are off or the queue is closed).
    pub fn push(&self, event: Event) {
        if !self.enabled {
            return;
        }
        let mut q = self.queue.lock();
        if q.closed {
            return;
        }
        if q.events.len() >= CAPACITY {
            let result =
                |e: &Event| matches!(e.kind, EventKind::Committed | EventKind::DeadLettered);
            if let Some(i) = q.events.iter().position(result) {
                drop(q.events.remove(i));
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
        q.events.push_back(event);
        self.ready.notify_one();
    }

    /// The next event, waiting up to `timeout`. Events queued before close are still returned;
    /// then `Err(Closed)` (also when events are off).
    pub fn next(&self, timeout: Duration) -> Result<Option<Event>, Error> {
        let deadline = Instant::now().checked_add(timeout);
        let mut q = self.queue.lock();
        if !self.enabled {
            return Err(if q.closed {
                Error::Closed
            } else {
                Error::InvalidArgument(
                    "events are off: set steady.events.enable=true to read them".into(),
                )
            });
        }
        loop {
            if let Some(e) = q.events.pop_front() {
                return Ok(Some(e));
            }
            if q.closed {
                return Err(Error::Closed);
            }
            match deadline {
                Some(d) => {
                    if self.ready.wait_until(&mut q, d).timed_out() && q.events.is_empty() {
                        return if q.closed {
                            Err(Error::Closed)
                        } else {
                            Ok(None)
                        };
                    }
                }
                None => self.ready.wait(&mut q),
            }
        }
    }

    /// No event is queued from now on; readers get what is queued, then `Err(Closed)`.
    pub fn close(&self) {
        self.queue.lock().closed = true;
        self.ready.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit(offset: i64) -> Event {
        let p = PartitionOffset {
            topic: "t".into(),
            partition: 0,
            offset: Some(offset),
        };
        Event::committed(CommitReason::Background, vec![p], None)
    }

    #[test]
    fn dropping_a_handled_event_completes_it() {
        let c = Completion::new();
        let events = Events::new(true);
        events.push(Event::rebalance(EventKind::Revoked, Vec::new()).handled_by(c.clone()));
        assert!(!c.is_done());
        let e = events.next(Duration::ZERO).unwrap().unwrap();
        assert_eq!(e.kind(), EventKind::Revoked);
        assert!(!c.wait_until(Instant::now() + Duration::from_millis(10)));
        e.done();
        assert!(c.wait_until(Instant::now()));
    }

    #[test]
    fn off_means_an_error_naming_the_key_and_nothing_kept() {
        let events = Events::new(false);
        let c = Completion::new();
        events.push(Event::rebalance(EventKind::Revoked, Vec::new()).handled_by(c.clone()));
        assert!(c.is_done(), "a dropped event is done");
        match events.next(Duration::ZERO) {
            Err(Error::InvalidArgument(m)) => assert!(m.contains("steady.events.enable"), "{m}"),
            other => panic!("{other:?}"),
        }
        events.close();
        assert!(matches!(events.next(Duration::ZERO), Err(Error::Closed)));
    }

    #[test]
    fn a_full_queue_drops_the_oldest_commit_result_never_a_rebalance() {
        let events = Events::new(true);
        events.push(Event::rebalance(EventKind::Assigned, Vec::new()));
        for i in 0..CAPACITY as i64 {
            events.push(commit(i));
        }
        assert_eq!(events.dropped.load(Ordering::Relaxed), 1);
        let first = events.next(Duration::ZERO).unwrap().unwrap();
        assert_eq!(first.kind(), EventKind::Assigned);
        let second = events.next(Duration::ZERO).unwrap().unwrap();
        assert_eq!(
            second.partitions()[0].offset,
            Some(1),
            "offset 0 was dropped"
        );
    }

    #[test]
    fn close_returns_what_is_queued_then_closed() {
        let events = Arc::new(Events::new(true));
        let reader = {
            let e = events.clone();
            std::thread::spawn(move || e.next(Duration::from_secs(3600)).map(|e| e.is_some()))
        };
        events.push(commit(1));
        assert!(matches!(reader.join().unwrap(), Ok(true)));
        events.push(commit(2));
        events.close();
        events.push(commit(3));
        assert!(events.next(Duration::ZERO).unwrap().is_some());
        assert!(matches!(events.next(Duration::ZERO), Err(Error::Closed)));
        assert!(matches!(
            events.next(Duration::from_secs(3600)),
            Err(Error::Closed)
        ));
    }

    #[test]
    fn next_times_out_with_none() {
        let events = Events::new(true);
        assert!(matches!(events.next(Duration::from_millis(20)), Ok(None)));
    }
}
