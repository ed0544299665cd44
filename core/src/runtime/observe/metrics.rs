//! Counters shared by the poll thread, the application threads and every record's ack handle:
//! the consumer's, and one set per partition that outlives its assignments.

use crate::runtime::durations::Durations;
use parking_lot::Mutex;
use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::thread::ThreadId;
use std::time::{Duration, Instant};

/// A thread counts as acking "recently" if it acked within this window.
const THREAD_WINDOW: Duration = Duration::from_secs(10);
/// How often one thread refreshes its entry in the thread table.
const THREAD_REFRESH: Duration = Duration::from_secs(1);
/// The window over which the processing rate is measured.
const RATE_WINDOW: Duration = Duration::from_secs(5);

/// Counters of one consumer.
#[derive(Default)]
pub(crate) struct Metrics {
    /// Set when `close` has waited for the records in flight; acks after it are refused.
    pub closed: AtomicBool,
    /// `steady.metrics.enable=false`: no per-record figures (histogram, per-partition counts),
    /// only the consumer's totals.
    pub details_off: bool,
    pub delivered: AtomicU64,
    pub acked: AtomicU64,
    /// Acks of records whose partition was revoked (or acked twice): ignored.
    pub stale_acks: AtomicU64,
    pub rebalances: AtomicU64,
    /// Times the poll thread paused its partitions because the buffer stayed full.
    pub pauses: AtomicU64,
    pub stalls: AtomicU64,
    /// Errors reported by librdkafka, the broker or the runtime (fatal or not).
    pub errors: AtomicU64,
    pub commits_succeeded: AtomicU64,
    pub commits_failed: AtomicU64,
    /// Revokes given up before the application was done with their `Revoked` event.
    pub revoke_timeouts: AtomicU64,
    /// Redeliveries scheduled by nacks.
    pub retries: AtomicU64,
    /// Records the dead-letter topic acknowledged.
    pub dead_lettered: AtomicU64,
    /// Dead-letter produces that failed.
    pub dead_letter_failures: AtomicU64,
    /// Delivery → ack times.
    pub processing: Durations,
    /// Rebalance durations: from a revoke (or the start) to the assignment after it.
    pub rebalance_times: Durations,
    /// When the rebalance under way began, if one is.
    rebalance_began: Mutex<Option<Instant>>,
    /// Records delivered per second over the last RATE_WINDOW, as f64 bits.
    delivered_rate_bits: AtomicU64,
    partitions: Mutex<BTreeMap<PartitionKey, Arc<PartitionCounters>>>,
    /// Acks/s over the last RATE_WINDOW, as f64 bits.
    rate_bits: AtomicU64,
    rate_samples: Mutex<Vec<(Instant, u64, u64)>>,
    threads: Mutex<HashMap<ThreadId, Instant>>,
    last_error: Mutex<Option<String>>,
}

thread_local! {
    /// (metrics address, last refresh) of the last consumer this thread acked for.
    static LAST_REFRESH: Cell<Option<(usize, Instant)>> = const { Cell::new(None) };
}

impl Metrics {
    /// Fresh counters; `details`: keep per-record figures too.
    pub fn new(details: bool) -> Metrics {
        Metrics {
            details_off: !details,
            ..Metrics::default()
        }
    }

    /// Counts one effective ack that took `elapsed` from delivery.
    pub fn record_ack(&self, elapsed: Duration, now: Instant) {
        self.acked.fetch_add(1, Relaxed);
        if !self.details_off {
            self.processing.record(elapsed);
        }
        let me = self as *const Metrics as usize;
        let due = LAST_REFRESH.with(|last| match last.get() {
            Some((who, at)) if who == me && now.duration_since(at) < THREAD_REFRESH => false,
            _ => {
                last.set(Some((me, now)));
                true
            }
        });
        if due {
            self.threads.lock().insert(std::thread::current().id(), now);
        }
    }

    /// Threads that acked within the last ten seconds.
    pub fn ack_threads(&self) -> u32 {
        let now = Instant::now();
        let mut threads = self.threads.lock();
        threads.retain(|_, at| now.duration_since(*at) < THREAD_WINDOW);
        threads.len() as u32
    }

    /// Takes a sample of the ack and delivery counters and updates the rates (poll thread).
    pub fn sample_rate(&self, now: Instant) {
        let (acked, delivered) = (self.acked.load(Relaxed), self.delivered.load(Relaxed));
        let mut samples = self.rate_samples.lock();
        samples.push((now, acked, delivered));
        samples.retain(|(at, _, _)| now.duration_since(*at) <= RATE_WINDOW);
        let (first_at, first_acked, first_delivered) = samples[0];
        let secs = now.duration_since(first_at).as_secs_f64();
        let per_sec = |n: u64| if secs > 0.0 { n as f64 / secs } else { 0.0 };
        let rate = per_sec(acked - first_acked);
        self.rate_bits.store(rate.to_bits(), Relaxed);
        let rate = per_sec(delivered - first_delivered);
        self.delivered_rate_bits.store(rate.to_bits(), Relaxed);
    }

    /// Acks per second over the last few seconds.
    pub fn rate(&self) -> f64 {
        f64::from_bits(self.rate_bits.load(Relaxed))
    }

    /// Deliveries per second over the last few seconds.
    pub fn delivered_rate(&self) -> f64 {
        f64::from_bits(self.delivered_rate_bits.load(Relaxed))
    }

    /// The counters of `topic`/`partition`, made on first use.
    pub fn partition(&self, topic: &Arc<str>, partition: i32) -> Arc<PartitionCounters> {
        let mut all = self.partitions.lock();
        all.entry((topic.clone(), partition))
            .or_insert_with(|| Arc::new(PartitionCounters::new()))
            .clone()
    }

    /// Every partition's counters (of every partition assigned since start), by topic and
    /// partition.
    pub fn partitions(&self) -> Vec<(PartitionKey, Arc<PartitionCounters>)> {
        let all = self.partitions.lock();
        all.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }

    /// A rebalance began (a revoke); the first one of a series counts.
    pub fn rebalance_began(&self, now: Instant) {
        self.rebalance_began.lock().get_or_insert(now);
    }

    /// A rebalance ended with an assignment: its duration is recorded, from the revoke or,
    /// for the first assignment, from `start`.
    pub fn rebalance_ended(&self, start: Instant, now: Instant) {
        let began = self.rebalance_began.lock().take();
        if began.is_some() || self.rebalances.load(Relaxed) == 0 {
            self.rebalance_times
                .record(now.saturating_duration_since(began.unwrap_or(start)));
        }
    }

    /// The `q` quantile (0..=1) of delivery → ack times since start, in ms; `None` before any ack.
    pub fn processing_ms(&self, q: f64) -> Option<f64> {
        self.processing.quantile(q).map(|d| d.as_secs_f64() * 1e3)
    }

    /// The longest delivery → ack time since start, in ms; `None` before any ack.
    pub fn processing_ms_max(&self) -> Option<f64> {
        self.processing.max().map(|d| d.as_secs_f64() * 1e3)
    }

    /// Remembers `message` as the last error.
    pub fn set_error(&self, message: String) {
        self.errors.fetch_add(1, Relaxed);
        *self.last_error.lock() = Some(message);
    }

    /// The last error, if any.
    pub fn last_error(&self) -> Option<String> {
        self.last_error.lock().clone()
    }
}

/// A partition: topic and number.
pub(crate) type PartitionKey = (Arc<str>, i32);

/// The counters of one partition, kept across its assignments.
#[derive(Debug)]
pub(crate) struct PartitionCounters {
    pub delivered: AtomicU64,
    pub acked: AtomicU64,
    /// The partition's log end offset (high watermark) as librdkafka last saw it; -1 unknown.
    pub log_end: AtomicI64,
}

impl PartitionCounters {
    fn new() -> PartitionCounters {
        PartitionCounters {
            delivered: AtomicU64::new(0),
            acked: AtomicU64::new(0),
            log_end: AtomicI64::new(-1),
        }
    }
}
