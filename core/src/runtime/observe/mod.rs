//! What operators see: counters, duration histograms, stats, the Prometheus text and its HTTP endpoint, and the log path.

pub(crate) mod durations;
pub(crate) mod logging;
pub(crate) mod metrics;
pub(crate) mod metrics_http;
pub(crate) mod prometheus;
pub(crate) mod stats;
