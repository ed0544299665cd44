//! A record handed to the application.

use std::sync::Arc;

/// One Kafka record, owned by the application until it is acked.
#[derive(Debug, Clone)]
pub struct Record {
    pub(crate) topic: Arc<str>,
    pub(crate) partition: i32,
    pub(crate) offset: i64,
    pub(crate) key: Option<Vec<u8>>,
    pub(crate) payload: Option<Vec<u8>>,
    pub(crate) headers: Vec<(String, Option<Vec<u8>>)>,
    pub(crate) timestamp: Option<i64>,
}

impl Record {
    /// The topic.
    pub fn topic(&self) -> &str {
        &self.topic
    }
    /// The partition.
    pub fn partition(&self) -> i32 {
        self.partition
    }
    /// The offset.
    pub fn offset(&self) -> i64 {
        self.offset
    }
    /// The key, if any.
    pub fn key(&self) -> Option<&[u8]> {
        self.key.as_deref()
    }
    /// The payload, if any.
    pub fn payload(&self) -> Option<&[u8]> {
        self.payload.as_deref()
    }
    /// Headers in order; a header may have no value.
    pub fn headers(&self) -> &[(String, Option<Vec<u8>>)] {
        &self.headers
    }
    /// Milliseconds since the epoch (create or log-append time), if known.
    pub fn timestamp(&self) -> Option<i64> {
        self.timestamp
    }
}
