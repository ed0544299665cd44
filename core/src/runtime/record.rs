//! A record handed to the application.

use super::message_view::MessageView;
use super::offsets::{Outcome, Slot};
use super::verdicts;
use super::Error;
use std::borrow::Borrow;
use std::sync::Arc;

/// One Kafka record, owned by the application until it is acked.
///
/// A record carries the assignment epoch it was polled in, so it can be acked from any thread
/// with [`Record::ack`] without the consumer; acks of a revoked epoch are ignored.
#[derive(Clone)]
pub struct Record {
    pub(crate) partition: i32,
    pub(crate) offset: i64,
    /// The key's bytes followed by the payload's.
    data: Arc<[u8]>,
    /// Key length; `None` when the record has no key.
    key_len: Option<usize>,
    /// Payload length; `None` when the record has no payload.
    payload_len: Option<usize>,
    pub(crate) headers: Vec<(String, Option<Vec<u8>>)>,
    pub(crate) timestamp: Option<i64>,
    pub(crate) slot: Arc<Slot>,
    /// Deliveries of this record so far, this one included.
    pub(crate) attempt: u32,
    /// Its lane under `steady.ordering` (see [`order`](super::delivery::order)), if any.
    pub(crate) lane: Option<u64>,
}

impl Record {
    /// A record of `slot`'s partition with copies of `key`, `payload` and `headers`.
    pub(crate) fn new(
        slot: Arc<Slot>,
        offset: i64,
        key: Option<&[u8]>,
        payload: Option<&[u8]>,
        headers: Vec<(String, Option<Vec<u8>>)>,
        timestamp: Option<i64>,
    ) -> Record {
        let (k, p) = (key.unwrap_or_default(), payload.unwrap_or_default());
        let mut data = Arc::<[u8]>::new_uninit_slice(k.len() + p.len());
        let bytes = Arc::get_mut(&mut data).expect("a new Arc is unique");
        bytes[..k.len()].write_copy_of_slice(k);
        bytes[k.len()..].write_copy_of_slice(p);
        Record {
            partition: slot.partition,
            offset,
            // SAFETY: every byte was written above.
            data: unsafe { data.assume_init() },
            key_len: key.map(<[u8]>::len),
            payload_len: payload.map(<[u8]>::len),
            headers,
            timestamp,
            slot,
            attempt: 1,
            lane: None,
        }
    }

    /// A copy of the librdkafka message `m` of `slot`'s partition; its headers are not looked
    /// at when `headers` is false (known to have none).
    pub(crate) fn copy(m: &MessageView<'_>, slot: Arc<Slot>, headers: bool) -> Record {
        let headers = if headers { m.headers() } else { Vec::new() };
        Record::new(
            slot,
            m.offset(),
            m.key(),
            m.payload(),
            headers,
            m.timestamp(),
        )
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
        let start = self.key_len.unwrap_or(0);
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

    /// How many times this record was delivered, this time included: 1, then one more for
    /// every [`nack`](Record::nack).
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// Marks the record processed; the same as [`Consumer::ack`](super::Consumer::ack).
    /// Any thread, any order. Ignored when its partition was revoked since it was polled, or
    /// when already acked; `Err(Closed)` once the consumer is closed.
    pub fn ack(&self) -> Result<(), Error> {
        if self.slot.settle(self.offset, self.attempt, Outcome::Ack)? {
            verdicts::settled(self);
        }
        Ok(())
    }

    /// Acks every record of `records`, as [`ack`](Record::ack) each would, in one pass: the
    /// records of one partition in a row share one lock and one clock read. Stops at the first
    /// error (`Closed`); the records before it are acked.
    pub fn ack_all<R: Borrow<Record>>(records: &[R]) -> Result<(), Error> {
        for run in records.chunk_by(|a, b| Arc::ptr_eq(&a.borrow().slot, &b.borrow().slot)) {
            let first = run[0].borrow();
            first.slot.settle_each(
                run.iter().map(|r| (r.borrow().offset, r.borrow().attempt)),
                Outcome::Ack,
                |i| verdicts::settled(run[i].borrow()),
            )?;
        }
        Ok(())
    }

    /// The handler failed with `error`: the record is delivered again after the back-off
    /// (`steady.retry.backoff.ms`, doubled per attempt up to `steady.retry.backoff.max.ms`),
    /// or dead-lettered once it used up `steady.retry.max.attempts`. Until it is acked or
    /// dead-lettered the committed offset stays before it, and under `steady.ordering` the
    /// records behind it wait. Any thread; ignored like [`ack`](Record::ack).
    pub fn nack(&self, error: &str) -> Result<(), Error> {
        verdicts::nack(self, error, None)
    }

    /// [`nack`](Record::nack) with the application's own delay instead of the back-off.
    pub fn nack_after(&self, error: &str, delay: std::time::Duration) -> Result<(), Error> {
        verdicts::nack(self, error, Some(delay))
    }

    /// The record can never be processed: dead-letter it now, without retries. With
    /// `steady.dlq.topic` it is produced there and counts as acked once the broker has it;
    /// without, it stays pending (parked), and the stats and `last_error` say so.
    pub fn reject(&self, error: &str) -> Result<(), Error> {
        verdicts::reject(self, error)
    }

    /// The same record, to be delivered once more.
    pub(crate) fn redelivery(&self) -> Record {
        Record {
            attempt: self.attempt.saturating_add(1),
            ..self.clone()
        }
    }

    /// Bytes counted against `steady.buffer.max.bytes`: key + payload.
    pub(crate) fn size(&self) -> u64 {
        self.data.len() as u64
    }
}

impl std::fmt::Debug for Record {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Record")
            .field("topic", &self.slot.topic)
            .field("partition", &self.partition)
            .field("offset", &self.offset)
            .field("epoch", &self.slot.epoch)
            .field("attempt", &self.attempt)
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

    fn slot() -> Arc<Slot> {
        Arc::new(Slot::new("t".into(), 0, 1, Arc::new(Metrics::default())))
    }

    #[test]
    fn key_and_payload_share_one_buffer_and_stay_apart() {
        let r = Record::new(slot(), 0, Some(b"k1"), Some(b"p12"), vec![], None);
        assert_eq!(
            (r.key(), r.payload()),
            (Some(&b"k1"[..]), Some(&b"p12"[..]))
        );
        let r = Record::new(slot(), 0, None, Some(b"p2"), vec![], None);
        assert_eq!((r.key(), r.payload()), (None, Some(&b"p2"[..])));
        let r = Record::new(slot(), 0, Some(b"k3"), None, vec![], None);
        assert_eq!((r.key(), r.payload()), (Some(&b"k3"[..]), None));
        assert_eq!(r.size(), 2);
    }

    #[test]
    fn an_empty_payload_is_not_a_missing_one() {
        let r = Record::new(slot(), 0, Some(b""), Some(b""), vec![], None);
        assert_eq!((r.key(), r.payload()), (Some(&b""[..]), Some(&b""[..])));
    }

    #[test]
    fn ack_all_acks_runs_of_each_partition() {
        let (a, b) = (slot(), slot());
        for s in [&a, &b] {
            s.register(0..3);
            s.deliver((0..3).map(|o| (o, 1)), std::time::Instant::now());
        }
        let records: Vec<Record> = [(&a, 0), (&a, 1), (&b, 2), (&a, 2), (&b, 0)]
            .iter()
            .map(|(s, o)| Record::new((*s).clone(), *o, None, None, vec![], None))
            .collect();
        Record::ack_all(&records).unwrap();
        assert_eq!((a.watermark(), b.watermark()), (Some(3), Some(1)));
        Record::ack_all(&records[..1]).unwrap(); // again: stale, no harm
        assert_eq!(a.in_flight() + b.in_flight(), 1);
    }
}
