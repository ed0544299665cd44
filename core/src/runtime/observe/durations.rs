//! A distribution of durations, recorded from any thread without a lock: the `histogram`
//! crate's atomic log-linear histogram (relative error below 1 %), plus the sum and the
//! largest value, for quantiles, Prometheus histograms and the stats.

use histogram::AtomicHistogram;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

/// Grouping power: 2^7 buckets per power of two, < 1 % relative error.
const GROUPING: u8 = 7;
/// Values up to 2^40 µs (about 12 days).
const MAX_POWER: u8 = 40;

/// Durations in microseconds.
pub(crate) struct Durations {
    histogram: AtomicHistogram,
    sum_us: AtomicU64,
    max_us: AtomicU64,
    /// The last value + 1 (0: none yet).
    last_us: AtomicU64,
}

impl Default for Durations {
    fn default() -> Self {
        Durations {
            histogram: AtomicHistogram::new(GROUPING, MAX_POWER).expect("valid parameters"),
            sum_us: AtomicU64::new(0),
            max_us: AtomicU64::new(0),
            last_us: AtomicU64::new(0),
        }
    }
}

/// What [`Durations::snapshot`] reads.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Snapshot {
    pub count: u64,
    pub sum: Duration,
    pub max: Duration,
    /// (upper bound, values ≤ it) for each bound asked for, cumulative.
    pub cumulative: Vec<(Duration, u64)>,
    /// (quantile, value) for each quantile asked for; empty before any value.
    pub quantiles: Vec<(f64, Duration)>,
}

impl Durations {
    /// Records one duration.
    pub fn record(&self, d: Duration) {
        let us = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        // A value past the range lands in the last bucket.
        let _ = self.histogram.increment(us.min((1 << MAX_POWER) - 1));
        self.sum_us.fetch_add(us, Relaxed);
        self.max_us.fetch_max(us, Relaxed);
        self.last_us.store(us.saturating_add(1), Relaxed);
    }

    /// The value recorded last; `None` before any.
    pub fn last(&self) -> Option<Duration> {
        let last = self.last_us.load(Relaxed);
        (last > 0).then(|| Duration::from_micros(last - 1))
    }

    /// The largest value; `None` before any.
    pub fn max(&self) -> Option<Duration> {
        self.last()?;
        Some(Duration::from_micros(self.max_us.load(Relaxed)))
    }

    /// The `q` quantile (0..=1); `None` before any value.
    pub fn quantile(&self, q: f64) -> Option<Duration> {
        self.snapshot(&[], &[q]).quantiles.first().map(|x| x.1)
    }

    /// Count, sum, max, cumulative counts at `bounds` and the `quantiles` (0..=1).
    pub fn snapshot(&self, bounds: &[Duration], quantiles: &[f64]) -> Snapshot {
        let h = self.histogram.load();
        let mut cumulative: Vec<(Duration, u64)> = bounds.iter().map(|b| (*b, 0)).collect();
        let mut count = 0;
        for bucket in h.iter() {
            count += bucket.count();
            for (bound, below) in cumulative.iter_mut() {
                if Duration::from_micros(bucket.end()) <= *bound {
                    *below += bucket.count();
                }
            }
        }
        let percentiles: Vec<f64> = quantiles.iter().map(|q| q * 100.0).collect();
        let quantiles = match h.percentiles(&percentiles) {
            Ok(Some(found)) => found
                .into_iter()
                .map(|(p, bucket)| (p / 100.0, Duration::from_micros(bucket.end())))
                .collect(),
            _ => Vec::new(),
        };
        Snapshot {
            count,
            sum: Duration::from_micros(self.sum_us.load(Relaxed)),
            max: Duration::from_micros(self.max_us.load(Relaxed)),
            cumulative,
            quantiles,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_sum_max_and_buckets() {
        let d = Durations::default();
        assert_eq!(d.quantile(0.5), None);
        for ms in 1..=100u64 {
            d.record(Duration::from_millis(ms));
        }
        let s = d.snapshot(
            &[Duration::from_millis(10), Duration::from_secs(1)],
            &[0.5, 0.99],
        );
        assert_eq!(s.count, 100);
        assert_eq!(s.sum, Duration::from_millis(5050));
        assert_eq!(s.max, Duration::from_millis(100));
        assert_eq!(s.cumulative[1].1, 100);
        assert!((9..=10).contains(&s.cumulative[0].1), "{:?}", s.cumulative);
        let p50 = s.quantiles[0].1.as_secs_f64() * 1e3;
        let p99 = s.quantiles[1].1.as_secs_f64() * 1e3;
        assert!((49.0..=51.0).contains(&p50), "{p50}");
        assert!((98.0..=101.0).contains(&p99), "{p99}");
    }

    #[test]
    fn huge_values_are_kept_in_the_last_bucket() {
        let d = Durations::default();
        d.record(Duration::from_secs(u64::MAX / 4));
        assert_eq!(d.snapshot(&[], &[]).count, 1);
    }
}
