//! What the hand-off buffer holds: a polled record on its way to the application.
//!
//! A record from steady's fetch queue stays librdkafka's message until a receiving thread takes
//! it and copies it into a [`Record`] (key, payload, headers), so the copy runs on the
//! application's threads, beside the poll thread, and the record's memory is allocated by the
//! thread that most likely frees it. The poll thread, which has time to spare, does the rest:
//! it parses the headers before the hand-off (librdkafka keeps them with the message; a record
//! without any is marked so, since librdkafka would parse it again on every look), and it frees
//! the message after the copy — librdkafka allocated it on its broker thread, and freeing it
//! takes that thread's allocator lock. The rare record that arrives through rdkafka's `poll`
//! is copied on the poll thread.

use crate::runtime::message_view::OwnedMessage;
use crate::runtime::offsets::Slot;
use crate::runtime::Record;
use std::sync::Arc;

/// A record in the hand-off buffer.
pub(crate) struct Pending {
    pub slot: Arc<Slot>,
    pub offset: i64,
    /// Key + payload bytes, counted against `steady.buffer.max.bytes`.
    size: u64,
    /// Its lane under `steady.ordering` (set by the hand-off).
    pub lane: Option<u64>,
    body: Body,
}

enum Body {
    /// A message, and whether it has headers.
    Message(OwnedMessage, bool),
    Record(Record),
}

impl Pending {
    /// A message taken from the fetch queue, of `slot`'s partition (poll thread). Its headers
    /// are parsed here, where there is time; librdkafka keeps them with the message, and a
    /// record without any is marked so that the receiver does not parse it again.
    pub fn message(m: OwnedMessage, slot: Arc<Slot>) -> Pending {
        let v = m.view();
        let size = v.key().map_or(0, <[u8]>::len) + v.payload().map_or(0, <[u8]>::len);
        let (offset, headers) = (v.offset(), v.has_headers());
        Pending {
            slot,
            offset,
            size: size as u64,
            lane: None,
            body: Body::Message(m, headers),
        }
    }

    /// A record copied already.
    pub fn record(r: Record) -> Pending {
        Pending {
            slot: r.slot.clone(),
            offset: r.offset,
            size: r.size(),
            lane: r.lane,
            body: Body::Record(r),
        }
    }

    /// Bytes counted against `steady.buffer.max.bytes`.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The key, if any.
    pub fn key(&self) -> Option<&[u8]> {
        match &self.body {
            Body::Message(m, _) => m.view().key(),
            Body::Record(r) => r.key(),
        }
    }

    /// The record, and the message it was copied from (if it was one), to be freed.
    pub fn into_record(self) -> (Record, Option<OwnedMessage>) {
        let (mut record, spent) = match self.body {
            Body::Message(m, headers) => (Record::copy(&m.view(), self.slot, headers), Some(m)),
            Body::Record(r) => (r, None),
        };
        record.lane = self.lane;
        (record, spent)
    }
}
