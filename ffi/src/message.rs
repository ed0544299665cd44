//! `steady_message`: one record handed to the application.

use crate::error::{steady_error, steady_result, Error};
use crate::handle::{as_ref, free_box, try_out, try_ref, write_out, Castable, OwnershipBox};
use crate::strings::to_cstring;
use std::ffi::{c_char, CStr, CString};
use std::sync::{Arc, Mutex};
use steady_core::Record;

/// One Kafka record, owned by the application: process it, `steady_message_ack` it, then
/// `steady_message_free` it.
///
/// Thread rules: immutable; it may be read and acked from any thread, also at the same time;
/// `steady_message_free` must be called once, after every other call on it has returned. It
/// stays valid after its consumer is closed or freed. Pointers it returns live until it is freed.
pub struct steady_message {
    _private: [u8; 0],
}

/// The Rust side of `steady_message`: the record (which acks itself) and its names as C
/// strings. It keeps nothing of its consumer alive but the record's own bookkeeping and the
/// consumer's C string of its topic.
pub(crate) struct MessageView {
    record: Record,
    topic: Arc<CStr>,
    header_names: Vec<CString>,
}

impl MessageView {
    /// Wraps `record`, whose topic's C string is `topic`.
    pub(crate) fn new(record: Record, topic: Arc<CStr>) -> Self {
        let header_names = match record.headers() {
            [] => Vec::new(),
            headers => headers
                .iter()
                .map(|(name, _)| to_cstring(name.as_str()))
                .collect(),
        };
        MessageView {
            topic,
            header_names,
            record,
        }
    }
}

/// One C string per topic name, shared by every message of that topic a consumer hands out,
/// so that a message costs no allocation for its topic. Entries live as long as the consumer
/// (a consumer reads few topics); messages hold their own reference, so they outlive it.
#[derive(Default)]
pub(crate) struct TopicNames {
    /// The first topic's name, read without the lock (most consumers read one topic).
    first: std::sync::OnceLock<Arc<CStr>>,
    /// Every name, the first included.
    names: Mutex<Vec<Arc<CStr>>>,
}

impl TopicNames {
    /// `record` as a `MessageView`: without taking the lock when its topic is the first one.
    pub(crate) fn view(&self, record: Record) -> MessageView {
        match self.first.get() {
            Some(first) if first.to_bytes() == record.topic().as_bytes() => {
                let name = Arc::clone(first);
                MessageView::new(record, name)
            }
            _ => self.views([record]).next().expect("one record, one view"),
        }
    }

    /// Wraps each of `records` in a `MessageView` with its topic's shared C string, in order.
    pub(crate) fn views<I: IntoIterator<Item = Record>>(
        &self,
        records: I,
    ) -> TopicViews<'_, I::IntoIter> {
        TopicViews {
            first: &self.first,
            names: self.names.lock().unwrap_or_else(|e| e.into_inner()),
            last: None,
            records: records.into_iter(),
        }
    }
}

/// The iterator of [`TopicNames::views`]; holds the names' lock while it runs (`first` is set
/// only under it).
pub(crate) struct TopicViews<'a, I> {
    first: &'a std::sync::OnceLock<Arc<CStr>>,
    names: std::sync::MutexGuard<'a, Vec<Arc<CStr>>>,
    /// Index of the name the previous record used (records mostly come in runs of one topic).
    last: Option<usize>,
    records: I,
}

impl<I: Iterator<Item = Record>> Iterator for TopicViews<'_, I> {
    type Item = MessageView;

    fn next(&mut self) -> Option<MessageView> {
        let record = self.records.next()?;
        let topic = record.topic().as_bytes();
        let hit = self
            .last
            .filter(|&i| self.names[i].to_bytes() == topic)
            .or_else(|| self.names.iter().position(|n| n.to_bytes() == topic));
        let index = hit.unwrap_or_else(|| {
            self.names.push(Arc::from(to_cstring(record.topic())));
            if self.names.len() == 1 {
                // Under the lock, so `first` is the same C string as `names[0]`.
                let _ = self.first.set(Arc::clone(&self.names[0]));
            }
            self.names.len() - 1
        });
        self.last = Some(index);
        let name = Arc::clone(&self.names[index]);
        Some(MessageView::new(record, name))
    }
}

impl Castable for steady_message {
    type Rust = MessageView;
    type Ownership = OwnershipBox;
}

/// The bytes of `data` as pointer and length: NULL and 0 when absent; a non-NULL pointer for a
/// present but empty value.
fn write_bytes(data: Option<&[u8]>, ptr_out: *mut *const u8, len_out: *mut usize) {
    let (ptr, len) = match data {
        None => (std::ptr::null(), 0),
        Some(bytes) => (bytes.as_ptr(), bytes.len()),
    };
    write_out(ptr_out, ptr);
    write_out(len_out, len);
}

/// The topic, NUL-terminated; NULL when `message` is NULL. Every message of one topic from one
/// consumer returns the same pointer (see `steady_message_fields_t`).
#[no_mangle]
pub extern "C" fn steady_message_topic(message: *const steady_message) -> *const c_char {
    ffi_panic_boundary! {
        as_ref(message).map_or(std::ptr::null(), |m| m.topic.as_ptr())
    }
}

/// The partition; -1 when `message` is NULL.
#[no_mangle]
pub extern "C" fn steady_message_partition(message: *const steady_message) -> i32 {
    ffi_panic_boundary! {
        as_ref(message).map_or(-1, |m| m.record.partition())
    }
}

/// The offset; -1 when `message` is NULL.
#[no_mangle]
pub extern "C" fn steady_message_offset(message: *const steady_message) -> i64 {
    ffi_panic_boundary! {
        as_ref(message).map_or(-1, |m| m.record.offset())
    }
}

/// Milliseconds since the epoch (create or log-append time); -1 when unknown or `message` is
/// NULL.
#[no_mangle]
pub extern "C" fn steady_message_timestamp(message: *const steady_message) -> i64 {
    ffi_panic_boundary! {
        as_ref(message).and_then(|m| m.record.timestamp()).unwrap_or(-1)
    }
}

/// The key as `*key_out` and `*key_len_out`: NULL and 0 for a record without a key.
/// Errors: NULL_PARAMETER.
#[no_mangle]
pub extern "C" fn steady_message_key(
    message: *const steady_message,
    key_out: *mut *const u8,
    key_len_out: *mut usize,
) -> steady_result {
    let err_out = std::ptr::null_mut();
    ffi_panic_boundary! { err_out =>
        let m = try_ref(message, "message")?;
        let (ptr, len) = (try_out(key_out, "key_out")?, try_out(key_len_out, "key_len_out")?);
        write_bytes(m.record.key(), ptr, len);
        Ok(())
    }
}

/// The payload as `*payload_out` and `*payload_len_out`: NULL and 0 for a record without one
/// (a tombstone). Errors: NULL_PARAMETER.
#[no_mangle]
pub extern "C" fn steady_message_payload(
    message: *const steady_message,
    payload_out: *mut *const u8,
    payload_len_out: *mut usize,
) -> steady_result {
    let err_out = std::ptr::null_mut();
    ffi_panic_boundary! { err_out =>
        let m = try_ref(message, "message")?;
        let ptr = try_out(payload_out, "payload_out")?;
        let len = try_out(payload_len_out, "payload_len_out")?;
        write_bytes(m.record.payload(), ptr, len);
        Ok(())
    }
}

/// How many headers the record has; 0 when `message` is NULL.
#[no_mangle]
pub extern "C" fn steady_message_header_count(message: *const steady_message) -> usize {
    ffi_panic_boundary! {
        as_ref(message).map_or(0, |m| m.record.headers().len())
    }
}

/// The header at `index`, in record order: its NUL-terminated name in `*name_out` (a name holding
/// a NUL byte reads as cut at it) and its value as `*value_out` and `*value_len_out` (NULL and 0
/// when it has none). Errors: NULL_PARAMETER, INVALID_ARGUMENT when `index` ≥ the header count.
#[no_mangle]
pub extern "C" fn steady_message_header(
    message: *const steady_message,
    index: usize,
    name_out: *mut *const c_char,
    value_out: *mut *const u8,
    value_len_out: *mut usize,
) -> steady_result {
    let err_out = std::ptr::null_mut();
    ffi_panic_boundary! { err_out =>
        let m = try_ref(message, "message")?;
        let name = try_out(name_out, "name_out")?;
        let (ptr, len) = (try_out(value_out, "value_out")?, try_out(value_len_out, "value_len_out")?);
        let count = m.header_names.len();
        let (Some(header_name), Some((_, value))) = (m.header_names.get(index), m.record.headers().get(index)) else {
            return Err(Error::invalid(format!("header index {index}: the record has {count} headers")));
        };
        write_out(name, header_name.as_ptr());
        write_bytes(value.as_deref(), ptr, len);
        Ok(())
    }
}

/// Marks the record processed, from any thread, in any order: steady commits an offset only
/// once every record before it is acked. Acking twice is harmless; acks of partitions the
/// consumer no longer owns are ignored (the new owner gets the record again).
/// Errors: NULL_PARAMETER, CLOSED (its consumer was closed), KAFKA.
#[no_mangle]
pub extern "C" fn steady_message_ack(
    message: *const steady_message,
    err_out: *mut *mut steady_error,
) -> steady_result {
    ffi_panic_boundary! { err_out =>
        let m = try_ref(message, "message")?;
        m.record.ack()?;
        Ok(())
    }
}

/// Every scalar field of a message and where its key and payload are, read with one call
/// (`steady_message_fields`, `steady_messages_fields`) instead of one accessor each. Pointers
/// are borrowed from the message and live until it is freed; the values are the accessors'.
///
/// The `topic` pointer is the same for every message of one topic that one consumer delivers,
/// for as long as that consumer or any of those messages lives, so a binding may keep one copy
/// of the name per pointer (per consumer) instead of reading it for every message.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct steady_message_fields_t {
    /// The topic, NUL-terminated (as `steady_message_topic`).
    pub topic: *const c_char,
    /// Its length in bytes, without the NUL.
    pub topic_len: usize,
    /// The key; NULL (and `key_len` 0) for a record without one.
    pub key: *const u8,
    /// The key's length.
    pub key_len: usize,
    /// The payload; NULL (and `payload_len` 0) for a tombstone. A present but empty key or
    /// payload has a non-NULL pointer and length 0.
    pub payload: *const u8,
    /// The payload's length.
    pub payload_len: usize,
    /// How many headers the record has (read them with `steady_message_header`).
    pub header_count: usize,
    /// The offset.
    pub offset: i64,
    /// Milliseconds since the epoch (create or log-append time); -1 when unknown.
    pub timestamp: i64,
    /// The partition.
    pub partition: i32,
    /// How many times the record was delivered, this time included (as `steady_message_attempt`).
    pub attempt: u32,
}

impl steady_message_fields_t {
    fn of(m: &MessageView) -> Self {
        let bytes = |data: Option<&[u8]>| match data {
            None => (std::ptr::null(), 0),
            Some(b) => (b.as_ptr(), b.len()),
        };
        let (key, key_len) = bytes(m.record.key());
        let (payload, payload_len) = bytes(m.record.payload());
        steady_message_fields_t {
            topic: m.topic.as_ptr(),
            topic_len: m.topic.to_bytes().len(),
            key,
            key_len,
            payload,
            payload_len,
            header_count: m.record.headers().len(),
            offset: m.record.offset(),
            timestamp: m.record.timestamp().unwrap_or(-1),
            partition: m.record.partition(),
            attempt: m.record.attempt(),
        }
    }
}

/// How many times the record was delivered, this time included: 1 on the first delivery, 2 on
/// the first redelivery after a `steady_message_nack`, …; 0 when `message` is NULL.
#[no_mangle]
pub extern "C" fn steady_message_attempt(message: *const steady_message) -> u32 {
    ffi_panic_boundary! {
        as_ref(message).map_or(0, |m| m.record.attempt())
    }
}

/// The handler failed with `error` (NUL-terminated UTF-8, kept as the record's last error and,
/// should it be dead-lettered, in its `steady.error` header): the record is delivered again —
/// a new `steady_message` with `steady_message_attempt` one higher — after `delay_ms`
/// milliseconds, or with `delay_ms` < 0 after the back-off (`steady.retry.backoff.ms`, doubled
/// per attempt up to `steady.retry.backoff.max.ms`). Once the record has had
/// `steady.retry.max.attempts` deliveries it is dead-lettered instead (see
/// `steady_message_reject`). Until it is acked or dead-lettered nothing after it is committed.
///
/// Like `steady_message_ack`: any thread; it does not free the message; a nack of a record
/// already acked, nacked or rejected, or of a partition the consumer no longer owns, is
/// ignored. Errors: NULL_PARAMETER, INVALID_UTF8, CLOSED (its consumer was closed), KAFKA.
#[no_mangle]
pub extern "C" fn steady_message_nack(
    message: *const steady_message,
    error: *const c_char,
    delay_ms: i64,
    err_out: *mut *mut steady_error,
) -> steady_result {
    ffi_panic_boundary! { err_out =>
        let m = try_ref(message, "message")?;
        let error = crate::strings::try_str(error, "error")?;
        match u64::try_from(delay_ms) {
            Ok(ms) => m.record.nack_after(error, std::time::Duration::from_millis(ms))?,
            Err(_) => m.record.nack(error)?,
        }
        Ok(())
    }
}

/// The record can never be processed (`error`, NUL-terminated UTF-8, says why): it is
/// dead-lettered now, without retries. With `steady.dlq.topic` set it is produced there — same
/// key, value and headers, plus `steady.source.topic`, `steady.source.partition`,
/// `steady.source.offset`, `steady.attempts` and `steady.error` — and counts as acked once the
/// broker acknowledged it; without, it is parked (stays pending, never committed past). Either
/// way a `STEADY_EVENT_DEAD_LETTERED` event follows (with `steady.events.enable=true`).
///
/// Like `steady_message_ack`: any thread; it does not free the message; ignored for a record
/// already acked, nacked or rejected, or of a partition the consumer no longer owns.
/// Errors: NULL_PARAMETER, INVALID_UTF8, CLOSED, KAFKA.
#[no_mangle]
pub extern "C" fn steady_message_reject(
    message: *const steady_message,
    error: *const c_char,
    err_out: *mut *mut steady_error,
) -> steady_result {
    ffi_panic_boundary! { err_out =>
        let m = try_ref(message, "message")?;
        let error = crate::strings::try_str(error, "error")?;
        m.record.reject(error)?;
        Ok(())
    }
}

/// Writes every field of `message` to `*fields_out` in one call. Errors: NULL_PARAMETER.
#[no_mangle]
pub extern "C" fn steady_message_fields(
    message: *const steady_message,
    fields_out: *mut steady_message_fields_t,
) -> steady_result {
    let err_out = std::ptr::null_mut();
    ffi_panic_boundary! { err_out =>
        let m = try_ref(message, "message")?;
        let out = try_out(fields_out, "fields_out")?;
        write_out(out, steady_message_fields_t::of(m));
        Ok(())
    }
}

/// The messages of a C array `messages[0..count]`, every one checked not to be NULL.
fn try_messages<'a>(
    messages: *const *const steady_message,
    count: usize,
) -> Result<impl Iterator<Item = &'a MessageView>, Error> {
    if messages.is_null() {
        return Err(crate::handle::null_parameter("messages"));
    }
    // SAFETY: the caller passes an array of `count` message pointers.
    let items = unsafe { std::slice::from_raw_parts(messages, count) };
    if let Some(i) = items.iter().position(|p| p.is_null()) {
        return Err(crate::handle::null_parameter(&format!("messages[{i}]")));
    }
    Ok(items.iter().filter_map(|&p| as_ref(p)))
}

/// Writes the fields of `messages[0..count]` to `fields_out[0..count]` (room for `count`
/// entries), in one call for a whole batch. Errors: NULL_PARAMETER (`messages`, `fields_out`
/// or an element of `messages` is NULL; nothing is written then).
#[no_mangle]
pub extern "C" fn steady_messages_fields(
    messages: *const *const steady_message,
    count: usize,
    fields_out: *mut steady_message_fields_t,
) -> steady_result {
    let err_out = std::ptr::null_mut();
    ffi_panic_boundary! { err_out =>
        let out = try_out(fields_out, "fields_out")?;
        let views = try_messages(messages, count)?;
        for (i, m) in views.enumerate() {
            // SAFETY: `fields_out` has room for `count` entries.
            write_out(unsafe { out.add(i) }, steady_message_fields_t::of(m));
        }
        Ok(())
    }
}

/// Acks `messages[0..count]` in order, each as `steady_message_ack` does, in one call.
/// Every element is checked first: a NULL one returns NULL_PARAMETER naming its index and acks
/// nothing. Otherwise it stops at the first ack that fails and returns its error (CLOSED, …):
/// the messages before it are acked, that one and those after it are not. It does not free them
/// (`steady_messages_free`). Errors: NULL_PARAMETER, CLOSED, KAFKA.
#[no_mangle]
pub extern "C" fn steady_messages_ack(
    messages: *const *const steady_message,
    count: usize,
    err_out: *mut *mut steady_error,
) -> steady_result {
    ffi_panic_boundary! { err_out =>
        let records: Vec<&Record> = try_messages(messages, count)?.map(|m| &m.record).collect();
        Ok(Record::ack_all(&records)?)
    }
}

/// Releases `messages[0..count]` (it does not ack them), as `steady_message_free` each; NULL
/// elements are skipped, and a NULL `messages` is fine. The array itself stays the caller's.
#[no_mangle]
pub extern "C" fn steady_messages_free(messages: *const *mut steady_message, count: usize) {
    ffi_panic_boundary! {
        if !messages.is_null() {
            // SAFETY: the caller passes an array of `count` message pointers, each freed once.
            for &m in unsafe { std::slice::from_raw_parts(messages, count) } {
                free_box(m);
            }
        }
    }
}

/// Releases `message` (it does not ack it). NULL is fine.
#[no_mangle]
pub extern "C" fn steady_message_free(message: *mut steady_message) {
    ffi_panic_boundary! {
        free_box(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_calls_check_their_pointers() {
        let mut fields = std::mem::MaybeUninit::<steady_message_fields_t>::uninit();
        assert_eq!(
            steady_message_fields(std::ptr::null(), fields.as_mut_ptr()),
            steady_result::NullParameter
        );
        let none: [*const steady_message; 2] = [std::ptr::null(); 2];
        assert_eq!(
            steady_messages_fields(none.as_ptr(), 2, fields.as_mut_ptr()),
            steady_result::NullParameter
        );
        assert_eq!(
            steady_messages_fields(std::ptr::null(), 0, fields.as_mut_ptr()),
            steady_result::NullParameter
        );
        assert_eq!(
            steady_messages_fields(none.as_ptr(), 0, std::ptr::null_mut()),
            steady_result::NullParameter
        );
        assert_eq!(
            steady_messages_fields(none.as_ptr(), 0, fields.as_mut_ptr()),
            steady_result::Ok
        );
        let mut err = std::ptr::null_mut();
        assert_eq!(
            steady_messages_ack(none.as_ptr(), 2, &mut err),
            steady_result::NullParameter
        );
        let text = crate::handle::as_ref(err.cast_const()).unwrap().text();
        assert_eq!(text, "messages[0] is NULL");
        crate::error::steady_error_free(err);
        assert_eq!(
            steady_messages_ack(std::ptr::null(), 0, std::ptr::null_mut()),
            steady_result::NullParameter
        );
        assert_eq!(
            steady_messages_ack(none.as_ptr(), 0, std::ptr::null_mut()),
            steady_result::Ok
        );
        let owned: [*mut steady_message; 2] = [std::ptr::null_mut(); 2];
        steady_messages_free(owned.as_ptr(), 2);
        steady_messages_free(std::ptr::null(), 5);
    }
}
