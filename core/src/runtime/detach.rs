//! Copies polled messages out of librdkafka into [`Record`]s.
//!
//! The keys and payloads of small records polled in one turn are copied into one shared
//! buffer, so the poll thread allocates — and the application threads free — once per turn
//! rather than once per record. A record larger than [`SHARE_MAX`] gets a buffer of its own,
//! and a shared buffer is closed at [`CHUNK_MAX`], so a record the application keeps can keep
//! at most that much memory of its neighbours alive.

use super::message_view::MessageView;
use super::offsets::Slot;
use super::record::Parts;
use super::Record;
use std::sync::Arc;

/// Records with more key + payload bytes than this get their own buffer.
const SHARE_MAX: usize = 1024;
/// Most bytes in one shared buffer.
const CHUNK_MAX: usize = 16 * 1024;

/// Collects the records of one poll turn (poll thread).
#[derive(Default)]
pub(crate) struct Detacher {
    /// Key + payload bytes of the pending records, in order.
    bytes: Vec<u8>,
    /// Records waiting for the shared buffer, with their start in `bytes`.
    pending: Vec<(Parts, usize)>,
}

impl Detacher {
    /// Copies `m`; its record is appended to `out`, in poll order, now or at the next
    /// [`flush`](Detacher::flush).
    pub fn add(&mut self, m: &MessageView<'_>, slot: Arc<Slot>, out: &mut Vec<Record>) {
        let (key, payload) = (m.key(), m.payload());
        let parts = Parts {
            slot,
            offset: m.offset(),
            key_len: key.map(<[u8]>::len),
            payload_len: payload.map(<[u8]>::len),
            headers: m.headers(),
            timestamp: m.timestamp(),
        };
        let (k, p) = (key.unwrap_or_default(), payload.unwrap_or_default());
        let len = k.len() + p.len();
        if len > SHARE_MAX {
            self.flush(out);
            let data: Arc<[u8]> = k.iter().chain(p).copied().collect();
            out.push(Record::from_parts(parts, data, 0));
            return;
        }
        if self.bytes.len() + len > CHUNK_MAX {
            self.flush(out);
        }
        self.pending.push((parts, self.bytes.len()));
        self.bytes.extend_from_slice(k);
        self.bytes.extend_from_slice(p);
    }

    /// Records copied and not yet appended.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Appends the pending records to `out`, sharing one buffer.
    pub fn flush(&mut self, out: &mut Vec<Record>) {
        if self.pending.is_empty() {
            return;
        }
        let data: Arc<[u8]> = Arc::from(&self.bytes[..]);
        out.extend(
            self.pending
                .drain(..)
                .map(|(parts, start)| Record::from_parts(parts, data.clone(), start)),
        );
        self.bytes.clear();
    }
}
