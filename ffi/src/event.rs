//! `steady_event`: a rebalance (assigned, revoked, lost) or a commit result, pulled by the
//! application with `steady_consumer_next_event`.

use crate::error::{steady_error, Error};
use crate::handle::{as_ref, free_box, to_borrowed_ptr, Castable, OwnershipBox, OwnershipRef};
use crate::panic::PanicOrDefault;
use crate::strings::to_cstring;
use std::ffi::{c_char, CStr, CString};
use steady_core::runtime::{CommitReason, Event, EventKind};

/// The offset an accessor returns when there is none (an `int64_t` constant).
pub const STEADY_OFFSET_NONE: i64 = -1;

/// What a `steady_event` reports (a `uint32_t`; the values are fixed).
///
/// The C type is not called `steady_event_kind` because that is the name of the function
/// `steady_event_kind()`, and C keeps type and function names in one namespace.
/// cbindgen:prefix-with-name=false
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)]
pub enum steady_event_kind_t {
    /// No event: what `steady_event_kind(NULL)` returns.
    SteadyEventNone = 0,
    /// Partitions were assigned; each offset is the committed offset it starts from
    /// (`STEADY_OFFSET_NONE`: nothing committed). They stay paused until the event is freed
    /// (at most `steady.processing.timeout.ms`), so state can be loaded before their first record.
    SteadyEventAssigned = 1,
    /// Partitions are being revoked; offsets are `STEADY_OFFSET_NONE`. steady waits (within
    /// `steady.revoke.drain.ms`) for the event to be freed, then commits the acked prefix, so
    /// records acked before `steady_event_free` are committed.
    SteadyEventRevoked = 2,
    /// Partitions were lost (session expired, member fenced): nothing of them is committed and
    /// steady does not wait for the event.
    SteadyEventLost = 3,
    /// A commit finished; each offset is the one committed (the next to read) or tried.
    SteadyEventCommitted = 4,
    /// A record was dead-lettered (`steady_message_reject`, or `steady_message_nack` past
    /// `steady.retry.max.attempts`): the one partition entry is the record's source topic,
    /// partition and offset. `steady_event_error` is NULL when `steady.dlq.topic` acknowledged it
    /// (it then counts as acked); otherwise the produce failed (steady produces it again later)
    /// or no `steady.dlq.topic` is set (the record is parked: it stays pending, never committed
    /// past, and comes again after a restart or rebalance).
    SteadyEventDeadLettered = 5,
}

impl PanicOrDefault for steady_event_kind_t {
    fn value() -> Self {
        steady_event_kind_t::SteadyEventNone
    }
}

impl From<EventKind> for steady_event_kind_t {
    fn from(kind: EventKind) -> Self {
        match kind {
            EventKind::Assigned => steady_event_kind_t::SteadyEventAssigned,
            EventKind::Revoked => steady_event_kind_t::SteadyEventRevoked,
            EventKind::Lost => steady_event_kind_t::SteadyEventLost,
            EventKind::Committed => steady_event_kind_t::SteadyEventCommitted,
            EventKind::DeadLettered => steady_event_kind_t::SteadyEventDeadLettered,
            // A kind added to the core later reads as none until the ABI names it.
            _ => steady_event_kind_t::SteadyEventNone,
        }
    }
}

/// Why a commit was made (a `uint32_t`; the values are fixed).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum steady_commit_reason {
    /// Not a commit result (or a NULL event).
    None = 0,
    /// The background commit (`auto.commit.interval.ms`) came round.
    Background = 1,
    /// The application called `steady_consumer_commit`.
    Explicit = 2,
    /// Partitions were revoked.
    Revoke = 3,
    /// The consumer closed.
    Close = 4,
}

impl PanicOrDefault for steady_commit_reason {
    fn value() -> Self {
        steady_commit_reason::None
    }
}

impl From<Option<CommitReason>> for steady_commit_reason {
    fn from(reason: Option<CommitReason>) -> Self {
        match reason {
            Some(CommitReason::Background) => steady_commit_reason::Background,
            Some(CommitReason::Explicit) => steady_commit_reason::Explicit,
            Some(CommitReason::Revoke) => steady_commit_reason::Revoke,
            Some(CommitReason::Close) => steady_commit_reason::Close,
            _ => steady_commit_reason::None,
        }
    }
}

/// One event: its kind, its partitions (topic, partition, offset), and for a commit result its
/// reason and error.
///
/// Thread rules: immutable; it may be read from any thread, also at the same time.
/// `steady_event_free` must be called exactly once, after every other call on it has returned:
/// freeing it marks it done (see `STEADY_EVENT_REVOKED` and `STEADY_EVENT_ASSIGNED`, which steady
/// waits for). It stays valid after its consumer is closed or freed. Pointers it returns live
/// until it is freed.
pub struct steady_event {
    _private: [u8; 0],
}

/// The Rust side of `steady_event`: the event (done when dropped) and its texts as C strings.
pub(crate) struct EventView {
    event: Event,
    topics: Vec<CString>,
    error: Option<Error>,
}

impl EventView {
    /// Wraps `event`.
    pub(crate) fn new(event: Event) -> Self {
        EventView {
            topics: event
                .partitions()
                .iter()
                .map(|p| to_cstring(p.topic.as_str()))
                .collect(),
            error: event
                .error()
                .map(|k| steady_core::runtime::Error::Kafka(k.clone()).into()),
            event,
        }
    }
}

impl Castable for steady_event {
    type Rust = EventView;
    type Ownership = OwnershipBox;
}

/// The error an event owns, lent as a `steady_error`.
struct EventError;

impl Castable for EventError {
    type Rust = Error;
    type Ownership = OwnershipRef;
}

/// The kind of `event`; `STEADY_EVENT_NONE` (0) when it is NULL. Any thread.
#[no_mangle]
pub extern "C" fn steady_event_kind(event: *const steady_event) -> steady_event_kind_t {
    ffi_panic_boundary! {
        as_ref(event).map_or(steady_event_kind_t::SteadyEventNone, |e| e.event.kind().into())
    }
}

/// The kind's name, "assigned", "revoked", "lost" or "committed": static, NUL-terminated,
/// never to be freed. NULL when `event` is NULL. Any thread.
#[no_mangle]
pub extern "C" fn steady_event_kind_name(event: *const steady_event) -> *const c_char {
    ffi_panic_boundary! {
        as_ref(event).map_or(std::ptr::null(), |e| static_name(e.event.kind().as_str()))
    }
}

/// How many partitions the event names (0 when `event` is NULL). Any thread.
#[no_mangle]
pub extern "C" fn steady_event_partition_count(event: *const steady_event) -> usize {
    ffi_panic_boundary! {
        as_ref(event).map_or(0, |e| e.event.partitions().len())
    }
}

/// The topic of the partition at `index` (in librdkafka's order): NUL-terminated, borrowed,
/// valid until `steady_event_free(event)`. NULL when `index` ≥ the partition count or `event` is
/// NULL. Any thread.
#[no_mangle]
pub extern "C" fn steady_event_topic(event: *const steady_event, index: usize) -> *const c_char {
    ffi_panic_boundary! {
        as_ref(event)
            .and_then(|e| e.topics.get(index))
            .map_or(std::ptr::null(), |t| t.as_ptr())
    }
}

/// The partition number at `index`; -1 when `index` ≥ the partition count or `event` is NULL.
/// Any thread.
#[no_mangle]
pub extern "C" fn steady_event_partition(event: *const steady_event, index: usize) -> i32 {
    ffi_panic_boundary! {
        as_ref(event)
            .and_then(|e| e.event.partitions().get(index))
            .map_or(-1, |p| p.partition)
    }
}

/// The offset at `index`: for `STEADY_EVENT_ASSIGNED` the committed offset the partition starts
/// from, for `STEADY_EVENT_COMMITTED` the offset committed (the next to read).
/// `STEADY_OFFSET_NONE` when there is none (nothing committed; revoked and lost events), when
/// `index` ≥ the partition count or `event` is NULL. Any thread.
#[no_mangle]
pub extern "C" fn steady_event_offset(event: *const steady_event, index: usize) -> i64 {
    ffi_panic_boundary! {
        as_ref(event)
            .and_then(|e| e.event.partitions().get(index))
            .and_then(|p| p.offset)
            .unwrap_or(STEADY_OFFSET_NONE)
    }
}

/// Why the commit of a `STEADY_EVENT_COMMITTED` event was made; `STEADY_COMMIT_REASON_NONE` for
/// the other kinds and for NULL. Any thread.
#[no_mangle]
pub extern "C" fn steady_event_commit_reason(event: *const steady_event) -> steady_commit_reason {
    ffi_panic_boundary! {
        as_ref(event).map_or(steady_commit_reason::None, |e| e.event.commit_reason().into())
    }
}

/// The name of that reason, "background", "explicit", "revoke" or "close": static,
/// NUL-terminated, never to be freed. NULL when the event has no reason or is NULL. Any thread.
#[no_mangle]
pub extern "C" fn steady_event_commit_reason_name(event: *const steady_event) -> *const c_char {
    ffi_panic_boundary! {
        as_ref(event)
            .and_then(|e| e.event.commit_reason())
            .map_or(std::ptr::null(), |r| static_name(r.as_str()))
    }
}

/// The error of a failed commit (`STEADY_EVENT_COMMITTED`), code STEADY_RESULT_KAFKA (or
/// KAFKA_FATAL) with librdkafka's code and name: borrowed, owned by the event, valid until
/// `steady_event_free(event)`; never pass it to `steady_error_free`. NULL when the commit
/// succeeded, for the other kinds and for NULL. Any thread.
#[no_mangle]
pub extern "C" fn steady_event_error(event: *const steady_event) -> *const steady_error {
    ffi_panic_boundary! {
        as_ref(event)
            .and_then(|e| e.error.as_ref())
            .map_or(std::ptr::null(), |e| to_borrowed_ptr::<EventError>(e).cast())
    }
}

/// Releases `event` and marks it done: a revoke waiting for it goes on to commit the acked
/// prefix, the partitions of an assignment waiting for it start to be fetched. NULL is fine.
/// Call it once per event, from any thread.
#[no_mangle]
pub extern "C" fn steady_event_free(event: *mut steady_event) {
    ffi_panic_boundary! {
        free_box(event)
    }
}

/// One of the core's static names as a static C string.
fn static_name(name: &'static str) -> *const c_char {
    let named: &'static CStr = match name {
        "assigned" => c"assigned",
        "revoked" => c"revoked",
        "lost" => c"lost",
        "committed" => c"committed",
        "dead_lettered" => c"dead_lettered",
        "background" => c"background",
        "explicit" => c"explicit",
        "revoke" => c"revoke",
        "close" => c"close",
        _ => c"unknown",
    };
    named.as_ptr()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accessors_accept_null() {
        let none = std::ptr::null();
        assert_eq!(
            steady_event_kind(none),
            steady_event_kind_t::SteadyEventNone
        );
        assert!(steady_event_kind_name(none).is_null());
        assert_eq!(steady_event_partition_count(none), 0);
        assert!(steady_event_topic(none, 0).is_null());
        assert_eq!(steady_event_partition(none, 0), -1);
        assert_eq!(steady_event_offset(none, 0), STEADY_OFFSET_NONE);
        assert_eq!(steady_event_commit_reason(none), steady_commit_reason::None);
        assert!(steady_event_commit_reason_name(none).is_null());
        assert!(steady_event_error(none).is_null());
        steady_event_free(std::ptr::null_mut());
    }

    #[test]
    fn values_are_fixed_and_names_match_the_core() {
        assert_eq!(steady_event_kind_t::SteadyEventAssigned as u32, 1);
        assert_eq!(steady_event_kind_t::SteadyEventRevoked as u32, 2);
        assert_eq!(steady_event_kind_t::SteadyEventLost as u32, 3);
        assert_eq!(steady_event_kind_t::SteadyEventCommitted as u32, 4);
        assert_eq!(steady_event_kind_t::SteadyEventDeadLettered as u32, 5);
        assert_eq!(steady_commit_reason::Background as u32, 1);
        assert_eq!(steady_commit_reason::Close as u32, 4);
        for name in [
            EventKind::Assigned.as_str(),
            EventKind::Revoked.as_str(),
            EventKind::Lost.as_str(),
            EventKind::Committed.as_str(),
            EventKind::DeadLettered.as_str(),
            CommitReason::Background.as_str(),
            CommitReason::Explicit.as_str(),
            CommitReason::Revoke.as_str(),
            CommitReason::Close.as_str(),
        ] {
            let got = unsafe { CStr::from_ptr(static_name(name)) };
            assert_eq!(got.to_str().unwrap(), name);
        }
    }
}
