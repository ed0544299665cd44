//! `steady_message`: one record handed to the application.

use crate::error::{steady_error, steady_result, Error};
use crate::handle::{as_ref, free_box, try_out, try_ref, write_out, Castable, OwnershipBox};
use crate::strings::to_cstring;
use std::ffi::{c_char, CString};
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
/// strings. It keeps nothing of its consumer alive but the record's own bookkeeping.
pub(crate) struct MessageView {
    record: Record,
    topic: CString,
    header_names: Vec<CString>,
}

impl MessageView {
    /// Wraps `record`.
    pub(crate) fn new(record: Record) -> Self {
        MessageView {
            topic: to_cstring(record.topic()),
            header_names: record
                .headers()
                .iter()
                .map(|(name, _)| to_cstring(name.as_str()))
                .collect(),
            record,
        }
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

/// The topic, NUL-terminated; NULL when `message` is NULL.
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

/// Releases `message` (it does not ack it). NULL is fine.
#[no_mangle]
pub extern "C" fn steady_message_free(message: *mut steady_message) {
    ffi_panic_boundary! {
        free_box(message)
    }
}
