//! A recorder of a consumer's events for integration tests: a thread pulls them, runs a hook on
//! each (a revoke handler, say) and keeps what it saw with the time the hook returned.
//!
//! Include it with `#[path = "common/events.rs"] mod events;` from core/tests.
#![allow(dead_code)]

use parking_lot::Mutex;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use steady_core::runtime::{CommitReason, Consumer, Error, Event, EventKind};

/// One event as seen: kind, (partition, offset) pairs, commit reason, error text, and when the
/// hook was done with it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub kind: EventKind,
    pub partitions: Vec<(i32, Option<i64>)>,
    pub reason: Option<CommitReason>,
    pub error: Option<String>,
    pub done_at: Instant,
}

impl Seen {
    /// The partition numbers.
    pub fn numbers(&self) -> Vec<i32> {
        self.partitions.iter().map(|p| p.0).collect()
    }
}

/// Pulls the events of a consumer until it is closed.
pub struct Recorder {
    seen: Arc<Mutex<Vec<Seen>>>,
    thread: Option<JoinHandle<()>>,
}

impl Recorder {
    /// Starts pulling `consumer`'s events; `hook` runs on each before it is done.
    pub fn start(consumer: Arc<Consumer>, hook: impl Fn(&Event) + Send + 'static) -> Recorder {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let keep = seen.clone();
        let thread = std::thread::spawn(move || loop {
            match consumer.next_event(Duration::from_millis(200)) {
                Ok(Some(event)) => {
                    hook(&event);
                    keep.lock().push(Seen {
                        kind: event.kind(),
                        partitions: event
                            .partitions()
                            .iter()
                            .map(|p| (p.partition, p.offset))
                            .collect(),
                        reason: event.commit_reason(),
                        error: event.error().map(|e| e.to_string()),
                        done_at: Instant::now(),
                    });
                    event.done();
                }
                Ok(None) => {}
                Err(Error::Closed) => return,
                Err(e) => panic!("next_event: {e}"),
            }
        });
        Recorder {
            seen,
            thread: Some(thread),
        }
    }

    /// Every event seen so far, oldest first.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().clone()
    }

    /// The events of `kind` seen so far.
    pub fn of(&self, kind: EventKind) -> Vec<Seen> {
        self.seen().into_iter().filter(|s| s.kind == kind).collect()
    }

    /// The partitions the consumer owns according to its rebalance events.
    pub fn owned(&self) -> Vec<i32> {
        let mut owned = Vec::new();
        for s in self.seen() {
            match s.kind {
                EventKind::Assigned => owned.extend(s.numbers()),
                EventKind::Revoked | EventKind::Lost => owned.retain(|p| !s.numbers().contains(p)),
                _ => {}
            }
        }
        owned.sort();
        owned
    }

    /// Waits (after the consumer's close) for the thread to end.
    pub fn finish(mut self) -> Vec<Seen> {
        if let Some(t) = self.thread.take() {
            t.join().expect("event thread");
        }
        self.seen()
    }
}
