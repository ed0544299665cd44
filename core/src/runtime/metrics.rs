//! Counters shared by the poll thread, the application threads and every record's ack handle.

use parking_lot::Mutex;
use std::cell::Cell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
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
    processing: Histogram,
    /// Acks/s over the last RATE_WINDOW, as f64 bits.
    rate_bits: AtomicU64,
    rate_samples: Mutex<Vec<(Instant, u64)>>,
    threads: Mutex<HashMap<ThreadId, Instant>>,
    last_error: Mutex<Option<String>>,
}

thread_local! {
    /// (metrics address, last refresh) of the last consumer this thread acked for.
    static LAST_REFRESH: Cell<Option<(usize, Instant)>> = const { Cell::new(None) };
}

impl Metrics {
    /// Counts one effective ack that took `elapsed` from delivery.
    pub fn record_ack(&self, elapsed: Duration, now: Instant) {
        self.acked.fetch_add(1, Relaxed);
        self.processing.record(elapsed);
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

    /// Takes a sample of the ack counter and updates the processing rate (poll thread).
    pub fn sample_rate(&self, now: Instant) {
        let acked = self.acked.load(Relaxed);
        let mut samples = self.rate_samples.lock();
        samples.push((now, acked));
        samples.retain(|(at, _)| now.duration_since(*at) <= RATE_WINDOW);
        let (first_at, first) = samples[0];
        let secs = now.duration_since(first_at).as_secs_f64();
        let rate = if secs > 0.0 {
            (acked - first) as f64 / secs
        } else {
            0.0
        };
        self.rate_bits.store(rate.to_bits(), Relaxed);
    }

    /// Acks per second over the last few seconds.
    pub fn rate(&self) -> f64 {
        f64::from_bits(self.rate_bits.load(Relaxed))
    }

    /// The `q` quantile (0..=1) of delivery → ack times since start, in ms; `None` before any ack.
    pub fn processing_ms(&self, q: f64) -> Option<f64> {
        self.processing.quantile(q).map(|d| d.as_secs_f64() * 1e3)
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

/// Sub-buckets per power of two: quantiles are exact to 1/8 (12.5 %).
const SUB: usize = 8;
const BUCKETS: usize = 64 * SUB;

/// A lock-free log-scale histogram of durations in microseconds.
struct Histogram {
    counts: Box<[AtomicU64]>,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            counts: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(),
        }
    }
}

impl Histogram {
    fn record(&self, d: Duration) {
        let us = d.as_micros().min(u64::MAX as u128) as u64;
        self.counts[bucket(us)].fetch_add(1, Relaxed);
    }

    fn quantile(&self, q: f64) -> Option<Duration> {
        let counts: Vec<u64> = self.counts.iter().map(|c| c.load(Relaxed)).collect();
        let total: u64 = counts.iter().sum();
        if total == 0 {
            return None;
        }
        let rank = ((q * total as f64).ceil() as u64).clamp(1, total);
        let mut seen = 0;
        let index = counts
            .iter()
            .position(|c| {
                seen += c;
                seen >= rank
            })
            .unwrap_or(BUCKETS - 1);
        Some(Duration::from_micros(upper_bound(index)))
    }
}

/// Bucket of a value: values below SUB have their own bucket; above, the top three bits after
/// the leading one pick a sub-bucket of the power of two.
fn bucket(us: u64) -> usize {
    if us < SUB as u64 {
        return us as usize;
    }
    let exp = 63 - us.leading_zeros() as usize; // ≥ 3
    let sub = ((us >> (exp - 3)) & (SUB as u64 - 1)) as usize;
    (exp - 2) * SUB + sub
}

/// The largest value that falls into bucket `index`.
fn upper_bound(index: usize) -> u64 {
    if index < SUB {
        return index as u64;
    }
    let exp = index / SUB + 2;
    let sub = (index % SUB) as u64;
    ((SUB as u64 + sub + 1) << (exp - 3)) - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_monotonic_and_bounded() {
        let mut last = 0;
        for us in [
            0u64,
            1,
            7,
            8,
            9,
            15,
            16,
            17,
            100,
            1000,
            123_456,
            10_000_000_000,
        ] {
            let b = bucket(us);
            assert!(b >= last, "{us}");
            assert!(upper_bound(b) >= us, "{us} ≤ {}", upper_bound(b));
            assert!(upper_bound(b) as f64 <= us as f64 * 1.125 + 1.0, "{us}");
            last = b;
        }
    }

    #[test]
    fn quantiles() {
        let h = Histogram::default();
        assert_eq!(h.quantile(0.5), None);
        for ms in 1..=100u64 {
            h.record(Duration::from_millis(ms));
        }
        let p50 = h.quantile(0.5).unwrap().as_millis() as f64;
        let p99 = h.quantile(0.99).unwrap().as_millis() as f64;
        assert!((50.0..=57.0).contains(&p50), "{p50}");
        assert!((99.0..=112.0).contains(&p99), "{p99}");
    }
}
