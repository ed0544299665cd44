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
    pub(crate) partition: i32,
    pub(crate) offset: i64,
    /// The key's bytes followed by the payload's, in one allocation.
    data: Box<[u8]>,
    /// Key length; `None` when the record has no key.
    key_len: Option<usize>,
    /// Whether the record has a payload (its bytes follow the key's).
    has_payload: bool,
    /// Key + payload + header value bytes.
    size: u64,
    pub(crate) headers: Vec<(String, Option<Vec<u8>>)>,
    pub(crate) timestamp: Option<i64>,
    pub(crate) slot: Arc<Slot>,
}

impl Record {
    /// A record of `slot`'s partition, copying `key` and `payload` into one allocation.
    pub(crate) fn new(
        slot: Arc<Slot>,
        offset: i64,
        key: Option<&[u8]>,
        payload: Option<&[u8]>,
        headers: Vec<(String, Option<Vec<u8>>)>,
        timestamp: Option<i64>,
    ) -> Record {
        let (k, p) = (key.unwrap_or_default(), payload.unwrap_or_default());
        let mut data = Vec::with_capacity(k.len() + p.len());
        data.extend_from_slice(k);
        data.extend_from_slice(p);
        let header_bytes: usize = headers
            .iter()
            .map(|(_, v)| v.as_ref().map_or(0, Vec::len))
            .sum();
        Record {
            size: (data.len() + header_bytes) as u64,
            partition: slot.partition,
            offset,
            data: data.into_boxed_slice(),
            key_len: key.map(<[u8]>::len),
            has_payload: payload.is_some(),
            headers,
            timestamp,
            slot,
        }
    }

    /// The topic.
    pub fn topic(&self) -> &str {
        &self.slot.topic
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
        self.key_len.map(|n| &self.data[..n])
    }
    /// The payload, if any.
    pub fn payload(&self) -> Option<&[u8]> {
        self.has_payload
            .then(|| &self.data[self.key_len.unwrap_or(0)..])
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
        self.size
    }
}

impl std::fmt::Debug for Record {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Record")
            .field("topic", &self.slot.topic)
            .field("partition", &self.partition)
            .field("offset", &self.offset)
            .field("epoch", &self.slot.epoch)
            .field("key_len", &self.key_len)
            .field("payload_len", &self.payload().map(<[u8]>::len))
            .field("headers", &self.headers.len())
            .field("timestamp", &self.timestamp)
            .finish()
    }
}
