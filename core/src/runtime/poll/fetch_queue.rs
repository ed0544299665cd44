//! steady's own librdkafka queue for fetched records, read in batches.
//!
//! rdkafka's `poll` returns one message per call, each its own event with a lock round, a
//! wake-up check and an allocation. Instead, every partition's fetch queue is forwarded here
//! when the partition is assigned — in the rebalance callback, before the assignment takes
//! effect, so none of its records reaches the consumer queue first — and the poll thread takes
//! the records in batches. Group events (rebalances, commit results, errors) stay on the
//! consumer queue, which the poll thread serves with rdkafka's `poll` every turn; an event
//! arriving there wakes a poll thread waiting here ([`wake`](FetchQueue::wake)).
//!
//! librdkafka clears a partition's forwarding when its fetcher stops (unassign) and starts
//! fetchers of a new assignment only after every stop completed, so forwarding on every
//! assignment keeps all records flowing here. Pause, resume and revoke work as on the consumer
//! queue: records of an outdated fetch are discarded by the batch call itself.

use crate::runtime::context::Kafka;
use crate::runtime::message_view::OwnedMessage;
use parking_lot::RwLock;
use rdkafka::bindings as rdsys;
use rdkafka::consumer::Consumer;
use rdkafka::TopicPartitionList;
use std::ffi::CString;
use std::ptr::NonNull;
use std::time::Duration;

/// Most messages taken in one batch.
pub(crate) const BATCH_MAX: usize = 128;

/// The fetch queue of one consumer; closed until [`open`](FetchQueue::open).
#[derive(Default)]
pub(crate) struct FetchQueue {
    queues: RwLock<Option<Queues>>,
}

/// The librdkafka queue handles, destroyed together.
struct Queues {
    /// steady's queue (owned): the fetched messages of every assigned partition.
    fetch: NonNull<rdsys::rd_kafka_queue_t>,
    /// A handle of the consumer queue, to see whether events wait there.
    events: NonNull<rdsys::rd_kafka_queue_t>,
}

// SAFETY: librdkafka queue handles may be used from any thread.
unsafe impl Send for Queues {}
unsafe impl Sync for Queues {}

impl Drop for Queues {
    fn drop(&mut self) {
        // SAFETY: both handles are ours and destroyed once.
        unsafe {
            rdsys::rd_kafka_queue_destroy(self.events.as_ptr());
            rdsys::rd_kafka_queue_destroy(self.fetch.as_ptr());
        }
    }
}

impl FetchQueue {
    /// Creates the queue for `consumer` (poll thread, before the first poll). librdkafka has a
    /// consumer queue for every consumer in a group, and steady refuses settings without a
    /// `group.id`; were it missing anyway, the queue would stay closed, `take` would find
    /// nothing and records would arrive through `poll`.
    pub fn open(&self, consumer: &Kafka) {
        let rk = consumer.client().native_ptr();
        // SAFETY: `rk` is a live consumer handle.
        let events = NonNull::new(unsafe { rdsys::rd_kafka_queue_get_consumer(rk) });
        let Some(events) = events else { return };
        // SAFETY: as above; a new queue is never null (librdkafka aborts when out of memory).
        let fetch = NonNull::new(unsafe { rdsys::rd_kafka_queue_new(rk) });
        let Some(fetch) = fetch else {
            // SAFETY: ours, destroyed once.
            unsafe { rdsys::rd_kafka_queue_destroy(events.as_ptr()) };
            return;
        };
        *self.queues.write() = Some(Queues { fetch, events });
    }

    /// Forwards the fetch queues of `tpl`'s partitions here; call it before they are assigned.
    /// Partitions that cannot be forwarded keep delivering through the consumer queue.
    pub fn forward(&self, consumer: &Kafka, tpl: &TopicPartitionList) -> Result<(), String> {
        let queues = self.queues.read();
        let Some(q) = queues.as_ref() else {
            return Ok(());
        };
        let rk = consumer.client().native_ptr();
        let mut failed = Vec::new();
        for e in tpl.elements() {
            let partition = CString::new(e.topic()).ok().and_then(|topic| {
                // SAFETY: `rk` is live and `topic` NUL-terminated.
                NonNull::new(unsafe {
                    rdsys::rd_kafka_queue_get_partition(rk, topic.as_ptr(), e.partition())
                })
            });
            match partition {
                // SAFETY: both queues are live; the partition handle is ours, and destroying it
                // keeps the forwarding (it lives on the partition's queue itself).
                Some(p) => unsafe {
                    rdsys::rd_kafka_queue_forward(p.as_ptr(), q.fetch.as_ptr());
                    rdsys::rd_kafka_queue_destroy(p.as_ptr());
                },
                None => failed.push(format!("{} [{}]", e.topic(), e.partition())),
            }
        }
        if failed.is_empty() {
            Ok(())
        } else {
            Err(format!("no fetch queue for {}", failed.join(", ")))
        }
    }

    /// Whether events (or records) wait on the consumer queue.
    pub fn events_waiting(&self) -> bool {
        self.queues.read().as_ref().is_some_and(|q| {
            // SAFETY: a live queue handle.
            unsafe { rdsys::rd_kafka_queue_length(q.events.as_ptr()) > 0 }
        })
    }

    /// Takes up to `max` messages (at most [`BATCH_MAX`]), waiting up to `timeout` for the
    /// first, and hands each to `each` in order.
    pub fn take(&self, max: usize, timeout: Duration, mut each: impl FnMut(OwnedMessage)) {
        let queues = self.queues.read();
        let Some(q) = queues.as_ref() else {
            return;
        };
        let max = max.min(BATCH_MAX);
        let mut taken = [std::ptr::null_mut(); BATCH_MAX];
        // The batch call waits for all `max` messages, so: whatever is there now; if nothing,
        // wait for one; then whatever followed it.
        let mut n = batch(q, &mut taken[..max], Duration::ZERO);
        if n == 0 && !timeout.is_zero() {
            n = batch(q, &mut taken[..1], timeout);
            if n == 1 {
                n += batch(q, &mut taken[1..max], Duration::ZERO);
            }
        }
        // Owned first, so that a panic in `each` cannot leak the rest.
        let owned: Vec<OwnedMessage> = taken[..n]
            .iter()
            .filter_map(|&m| NonNull::new(m))
            // SAFETY: librdkafka handed these out to us; each is owned once.
            .map(|m| unsafe { OwnedMessage::new(m) })
            .collect();
        owned.into_iter().for_each(&mut each);
    }

    /// Wakes the poll thread if it waits in [`take`](FetchQueue::take).
    pub fn wake(&self) {
        if let Some(q) = self.queues.read().as_ref() {
            // SAFETY: a live queue handle.
            unsafe { rdsys::rd_kafka_queue_yield(q.fetch.as_ptr()) };
        }
    }

    /// Destroys the queue handles (before the consumer is closed). Idempotent.
    pub fn close(&self) {
        self.queues.write().take();
    }
}

/// One batch call on `q`'s fetch queue into `out`; returns how many messages it filled in.
fn batch(q: &Queues, out: &mut [*mut rdsys::rd_kafka_message_t], timeout: Duration) -> usize {
    if out.is_empty() {
        return 0;
    }
    let ms = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
    // SAFETY: a live queue and `out.len()` writable places.
    let n = unsafe {
        rdsys::rd_kafka_consume_batch_queue(q.fetch.as_ptr(), ms, out.as_mut_ptr(), out.len())
    };
    usize::try_from(n).unwrap_or(0)
}
