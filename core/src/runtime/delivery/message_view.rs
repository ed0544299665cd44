//! librdkafka messages: a borrowed view of the fields steady copies into a
//! [`Record`](crate::runtime::Record), and the owning handle of a message taken from steady's fetch queue.
//!
//! Messages reach the poll thread two ways — in batches from steady's fetch queue
//! ([`fetch_queue`](crate::runtime::fetch_queue)), owned, and, rarely, one at a time from the consumer
//! queue that rdkafka's `poll` serves, borrowed — and both are read through the view.

use rdkafka::bindings as rdsys;
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::message::BorrowedMessage;
use std::ffi::{c_char, c_void, CStr};
use std::ptr::NonNull;

/// Header name and value, as a [`Record`](crate::runtime::Record) keeps them.
pub(crate) type Header = (String, Option<Vec<u8>>);

/// A message that lives at least as long as `'a`.
pub(crate) struct MessageView<'a> {
    m: &'a rdsys::rd_kafka_message_t,
}

impl<'a> MessageView<'a> {
    /// # Safety
    /// `ptr` points to a librdkafka message that is neither destroyed nor changed during `'a`.
    pub unsafe fn new(ptr: *const rdsys::rd_kafka_message_t) -> MessageView<'a> {
        MessageView { m: &*ptr }
    }

    /// A view of a message rdkafka's `poll` returned.
    pub fn of(m: &'a BorrowedMessage<'_>) -> MessageView<'a> {
        // SAFETY: a borrowed message stays live and unchanged while it is borrowed.
        unsafe { MessageView::new(m.ptr()) }
    }

    /// The error the message carries instead of a record (end of partition, consumer error).
    pub fn error(&self) -> Option<RDKafkaErrorCode> {
        let err = self.m.err;
        (err != rdsys::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR).then(|| err.into())
    }

    /// The topic; empty if librdkafka has none for it (never for a fetched record).
    pub fn topic(&self) -> &'a str {
        if self.m.rkt.is_null() {
            return "";
        }
        // SAFETY: a message holds a reference to its topic handle; names are NUL-terminated.
        let name = unsafe { CStr::from_ptr(rdsys::rd_kafka_topic_name(self.m.rkt)) };
        name.to_str().unwrap_or_default()
    }

    /// The partition.
    pub fn partition(&self) -> i32 {
        self.m.partition
    }

    /// The offset.
    pub fn offset(&self) -> i64 {
        self.m.offset
    }

    /// The key; `None` when the record has none (an empty key is `Some(&[])`).
    pub fn key(&self) -> Option<&'a [u8]> {
        // SAFETY: librdkafka keeps `key_len` bytes at `key` while the message lives.
        unsafe { bytes(self.m.key, self.m.key_len) }
    }

    /// The payload; `None` when the record has none (a tombstone).
    pub fn payload(&self) -> Option<&'a [u8]> {
        // SAFETY: as for the key.
        unsafe { bytes(self.m.payload, self.m.len) }
    }

    /// Milliseconds since the epoch (create or log-append time), if known.
    pub fn timestamp(&self) -> Option<i64> {
        let mut kind = rdsys::rd_kafka_timestamp_type_t::RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
        // SAFETY: the message is live; `kind` is a valid out-pointer.
        let ts = unsafe { rdsys::rd_kafka_message_timestamp(self.m, &mut kind) };
        let known = kind != rdsys::rd_kafka_timestamp_type_t::RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
        (known && ts != -1).then_some(ts)
    }

    /// Whether the record has headers. librdkafka parses them on the first call and keeps
    /// them with the message — but parses again on every call when there are none.
    pub fn has_headers(&self) -> bool {
        !self.parsed_headers().is_null()
    }

    /// The parsed headers; null when there are none.
    fn parsed_headers(&self) -> *const rdsys::rd_kafka_headers_t {
        let mut hdrs = std::ptr::null_mut();
        // SAFETY: the message is live; out-pointer valid.
        let err = unsafe { rdsys::rd_kafka_message_headers(self.m, &mut hdrs) };
        if err == rdsys::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR {
            hdrs
        } else {
            std::ptr::null_mut()
        }
    }

    /// The headers in order, copied; empty when there are none.
    pub fn headers(&self) -> Vec<Header> {
        let hdrs = self.parsed_headers();
        if hdrs.is_null() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for idx in 0.. {
            let (mut name, mut value, mut size): (*const c_char, *const c_void, usize) =
                (std::ptr::null(), std::ptr::null(), 0);
            // SAFETY: `hdrs` belongs to the live message; out-pointers are valid.
            let err = unsafe {
                rdsys::rd_kafka_header_get_all(hdrs, idx, &mut name, &mut value, &mut size)
            };
            if err != rdsys::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR {
                break;
            }
            // SAFETY: header names are NUL-terminated; the value has `size` bytes.
            let name = unsafe { CStr::from_ptr(name) }
                .to_string_lossy()
                .into_owned();
            out.push((name, unsafe { bytes(value, size) }.map(<[u8]>::to_vec)));
        }
        out
    }
}

/// A librdkafka message steady owns; destroyed on drop (from any thread).
///
/// It keeps librdkafka's fetch buffer alive, so it must be dropped before the consumer is
/// destroyed: the hand-off drops every message it holds when the consumer closes.
pub(crate) struct OwnedMessage(NonNull<rdsys::rd_kafka_message_t>);

// SAFETY: librdkafka messages may be read and destroyed from any thread.
unsafe impl Send for OwnedMessage {}
unsafe impl Sync for OwnedMessage {}

impl OwnedMessage {
    /// # Safety
    /// `ptr` is a message librdkafka handed out, owned by the caller and destroyed nowhere else.
    pub unsafe fn new(ptr: NonNull<rdsys::rd_kafka_message_t>) -> OwnedMessage {
        OwnedMessage(ptr)
    }

    /// Its fields.
    pub fn view(&self) -> MessageView<'_> {
        // SAFETY: live until this handle drops.
        unsafe { MessageView::new(self.0.as_ptr()) }
    }
}

impl Drop for OwnedMessage {
    fn drop(&mut self) {
        // SAFETY: owned, destroyed once.
        unsafe { rdsys::rd_kafka_message_destroy(self.0.as_ptr()) };
    }
}

/// `len` bytes at `ptr`, `None` for a null pointer.
///
/// # Safety
/// A non-null `ptr` points to `len` readable bytes that outlive `'a`.
unsafe fn bytes<'a>(ptr: *const c_void, len: usize) -> Option<&'a [u8]> {
    (!ptr.is_null()).then(|| std::slice::from_raw_parts(ptr.cast::<u8>(), len))
}
