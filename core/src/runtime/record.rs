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
    /// Holds the key's bytes followed by the payload's at `start`; small records polled
    /// together share one such buffer (see `poll_loop::Detacher`).
    data: Arc<[u8]>,
    start: usize,
    /// Key length; `None` when the record has no key.
    key_len: Option<usize>,
    /// Payload length; `None` when the record has no payload.
    payload_len: Option<usize>,
    /// Key + payload + header value bytes.
    size: u64,
    pub(crate) headers: Vec<(String, Option<Vec<u8>>)>,
    pub(crate) timestamp: Option<i64>,
    pub(crate) slot: Arc<Slot>,
}

/// Everything of a polled record but its key and payload bytes.
pub(crate) struct Parts {
    pub slot: Arc<Slot>,
    pub offset: i64,
    pub key_len: Option<usize>,
    pub payload_len: Option<usize>,
    pub headers: Vec<(String, Option<Vec<u8>>)>,
    pub timestamp: Option<i64>,
}

impl Record {
    /// A record of `slot`'s partition, copying `key` and `payload` into one allocation of its
    /// own.
    #[cfg(test)]
    pub(crate) fn new(
        slot: Arc<Slot>,
        offset: i64,
        key: Option<&[u8]>,
        payload: Option<&[u8]>,
        headers: Vec<(String, Option<Vec<u8>>)>,
        timestamp: Option<i64>,
    ) -> Record {
        let (k, p) = (key.unwrap_or_default(), payload.unwrap_or_default());
        let data: Arc<[u8]> = k.iter().chain(p).copied().collect();
        let parts = Parts {
            slot,
            offset,
            key_len: key.map(<[u8]>::len),
            payload_len: payload.map(<[u8]>::len),
            headers,
            timestamp,
        };
        Record::from_parts(parts, data, 0)
    }

    /// A record whose key and payload are at `start` in `data`.
    pub(crate) fn from_parts(parts: Parts, data: Arc<[u8]>, start: usize) -> Record {
        let header_bytes: usize = parts
            .headers
            .iter()
            .map(|(_, v)| v.as_ref().map_or(0, Vec::len))
            .sum();
        let body = parts.key_len.unwrap_or(0) + parts.payload_len.unwrap_or(0);
        debug_assert!(start + body <= data.len());
        Record {
            size: (body + header_bytes) as u64,
            partition: parts.slot.partition,
            offset: parts.offset,
            data,
            start,
            key_len: parts.key_len,
            payload_len: parts.payload_len,
            headers: parts.headers,
            timestamp: parts.timestamp,
            slot: parts.slot,
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
        self.key_len.map(|n| &self.data[self.start..self.start + n])
    }
    /// The payload, if any.
    pub fn payload(&self) -> Option<&[u8]> {
        let start = self.start + self.key_len.unwrap_or(0);
        self.payload_len.map(|n| &self.data[start..start + n])
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::metrics::Metrics;

    fn parts(key_len: Option<usize>, payload_len: Option<usize>) -> Parts {
        Parts {
            slot: Arc::new(Slot::new("t".into(), 0, 1, Arc::new(Metrics::default()))),
            offset: 0,
            key_len,
            payload_len,
            headers: vec![("h".into(), Some(vec![1, 2]))],
            timestamp: None,
        }
    }

    #[test]
    fn records_sharing_a_buffer_see_only_their_own_bytes() {
        let data: Arc<[u8]> = Arc::from(&b"k1p1p2k3"[..]);
        let a = Record::from_parts(parts(Some(2), Some(2)), data.clone(), 0);
        let b = Record::from_parts(parts(None, Some(2)), data.clone(), 4);
        let c = Record::from_parts(parts(Some(2), None), data, 6);
        assert_eq!((a.key(), a.payload()), (Some(&b"k1"[..]), Some(&b"p1"[..])));
        assert_eq!((b.key(), b.payload()), (None, Some(&b"p2"[..])));
        assert_eq!((c.key(), c.payload()), (Some(&b"k3"[..]), None));
        assert_eq!((a.size(), b.size(), c.size()), (6, 4, 4));
    }

    #[test]
    fn an_empty_payload_is_not_a_missing_one() {
        let r = Record::new(
            parts(None, None).slot,
            0,
            Some(b""),
            Some(b""),
            vec![],
            None,
        );
        assert_eq!((r.key(), r.payload()), (Some(&b""[..]), Some(&b""[..])));
    }
}
