//! Errors of the runtime.

use super::kafka_error::KafkaError;
use crate::rules::Finding;

/// Why a runtime call failed.
///
/// [`is_fatal`](Error::is_fatal) says whether the consumer can go on: after a fatal error every
/// `recv`, `recv_batch` and `commit` returns it again, and only [`close`] is left.
///
/// [`close`]: super::Consumer::close
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The settings were refused; every error-severity finding is listed (its key is named).
    #[error("{}", describe(.0))]
    Config(Vec<Finding>),
    /// librdkafka or the broker reported an error; it carries librdkafka's code.
    #[error("kafka: {0}")]
    Kafka(KafkaError),
    /// A record was not acked within steady.processing.timeout.ms, or records waited that long
    /// for a `recv` that did not come.
    #[error("stalled: {topic}/{partition} offset {offset}: {elapsed_ms} ms without an ack")]
    Stalled {
        /// Topic of the stuck record.
        topic: String,
        /// Its partition.
        partition: i32,
        /// Its offset.
        offset: i64,
        /// How long it had been in flight (or waiting to be taken).
        elapsed_ms: u64,
    },
    /// The consumer was closed.
    #[error("consumer is closed")]
    Closed,
    /// An argument was unusable; the message names it.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// steady itself failed (its poll thread died); the consumer can only be closed.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// Whether the consumer cannot go on: a fatal Kafka error, or a dead poll thread.
    pub fn is_fatal(&self) -> bool {
        match self {
            Error::Kafka(e) => e.is_fatal(),
            Error::Internal(_) => true,
            _ => false,
        }
    }

    /// The Kafka error behind this one, if any.
    pub fn kafka(&self) -> Option<&KafkaError> {
        match self {
            Error::Kafka(e) => Some(e),
            _ => None,
        }
    }
}

impl From<KafkaError> for Error {
    fn from(e: KafkaError) -> Self {
        Error::Kafka(e)
    }
}

fn describe(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| format!("{} {}: {}", f.rule, f.key, f.message))
        .collect::<Vec<_>>()
        .join("; ")
}
