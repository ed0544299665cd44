//! Errors of the runtime.

use crate::rules::Finding;

/// Why a runtime call failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// The settings were refused; every error-severity finding is listed (its key is named).
    #[error("{}", describe(.0))]
    Config(Vec<Finding>),
    /// librdkafka or the broker reported an error.
    #[error("kafka: {0}")]
    Kafka(String),
    /// A record was not acked within steady.processing.timeout.ms.
    #[error("stalled: {topic}/{partition} offset {offset} unacked for {elapsed_ms} ms")]
    Stalled {
        /// Topic of the stuck record.
        topic: String,
        /// Its partition.
        partition: i32,
        /// Its offset.
        offset: i64,
        /// How long it had been in flight.
        elapsed_ms: u64,
    },
    /// The consumer was closed.
    #[error("consumer is closed")]
    Closed,
}

fn describe(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| format!("{} {}: {}", f.rule, f.key, f.message))
        .collect::<Vec<_>>()
        .join("; ")
}
