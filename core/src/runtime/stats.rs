//! Runtime statistics.

use serde::Serialize;

/// A snapshot of the runtime's counters.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Stats {
    /// Rebalances seen (assign or revoke events).
    pub rebalances: u64,
    /// Partitions assigned now, as "topic/partition".
    pub assignment: Vec<String>,
    /// Partitions paused for backpressure now.
    pub paused_partitions: Vec<String>,
    /// Records waiting in the hand-off buffer.
    pub buffered_records: u64,
    /// Payload bytes waiting in the hand-off buffer.
    pub buffered_bytes: u64,
    /// Highest buffered_bytes seen.
    pub peak_buffered_bytes: u64,
    /// Records taken by the application and not yet acked.
    pub in_flight: u64,
    /// Records handed to the application.
    pub delivered: u64,
    /// Records acked.
    pub acked: u64,
    /// Committed offsets, as ("topic/partition", next offset to read).
    pub committed: Vec<(String, i64)>,
    /// Acks per second over the last interval.
    pub processing_rate: f64,
    /// Stalls detected by the watchdog.
    pub stalls: u64,
    /// The last error seen, if any.
    pub last_error: Option<String>,
}

impl Stats {
    /// The stats as a JSON object.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("stats serialize")
    }
}
