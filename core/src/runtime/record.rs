//! A record handed to the application.

use super::offsets::Slot;
use super::Error;
use std::sync::Arc;

/// One Kafka record, owned by the application until it is acked.
///
/// A record carries the assignment epoch it was polled in, so it can be acked from any thread
/// with [`Record::ack`] without the consumer; acks of a revoked epoch are ignored.
#[derive(Clone)]
pub struct Record {
    pub(crate) topic: Arc<str>,
    pub(crate) partition: i32,
    pub(crate) offset: i64,
    pub(crate) key: Option<Vec<u8>>,
    pub(crate) payload: Option<Vec<u8>>,
    pub(crate) headers: Vec<(String, Option<Vec<u8>>)>,
    pub(crate) timestamp: Option<i64>,
    pub(crate) slot: Arc<Slot>,
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
    /// The assignment epoch of its partition when it was polled (increases with every
    /// assignment of any partition to this consumer).
    pub fn epoch(&self) -> u64 {
        self.slot.epoch
    }

    /// Marks the record processed; the same as [`Consumer::ack`](super::Consumer::ack).
    /// Any thread, any order. Ignored when its partition was revoked since it was polled, or
    /// when already acked; `Err(Closed)` once the consumer is closed.
    pub fn ack(&self) -> Result<(), Error> {
        self.slot.ack(self.offset)
    }

    /// Bytes counted against `steady.buffer.max.bytes`: key + payload + header values.
    pub(crate) fn size(&self) -> u64 {
        let len = |v: &Option<Vec<u8>>| v.as_ref().map_or(0, Vec::len) as u64;
        len(&self.key) + len(&self.payload) + self.headers.iter().map(|(_, v)| len(v)).sum::<u64>()
    }
}

impl std::fmt::Debug for Record {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Record")
            .field("topic", &self.topic)
            .field("partition", &self.partition)
            .field("offset", &self.offset)
            .field("epoch", &self.slot.epoch)
            .field("key_len", &self.key.as_ref().map(Vec::len))
            .field("payload_len", &self.payload.as_ref().map(Vec::len))
            .field("headers", &self.headers.len())
            .field("timestamp", &self.timestamp)
            .finish()
    }
}
