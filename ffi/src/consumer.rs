//! `steady_consumer`: the heartbeat-decoupled consumer.

use crate::error::{steady_error, steady_result, Error};
use crate::event::{steady_event, EventView, STEADY_OFFSET_NONE};
use crate::handle::{
    free_box, to_boxed_mut_ptr, try_out, try_ref, write_out, Castable, OwnershipBox,
};
use crate::log::CallbackSink;
use crate::message::{steady_message, TopicNames};
use crate::report::{steady_report, ReportView};
use crate::settings::steady_settings;
use crate::strings::{to_owned_ptr, try_str, try_str_array};
use std::ffi::c_char;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use steady_core::rules::Report;
use steady_core::runtime::ConsumerOptions;
use steady_core::Consumer;

/// A Kafka consumer whose poll loop (heartbeats, rebalances, commits) runs on a thread steady
/// owns, so a slow handler never makes its group rebalance.
///
/// Thread rules: `steady_consumer_poll`, `_poll_batch`, `_commit`, `_next_event`, `_pause`,
/// `_resume`, `_seek`, `_position`, `_committed`, `_stats_json`, `_metrics_text`, `_check`,
/// `_warnings` and `_close` may be called at the same time from any threads, and so may
/// `steady_message_ack` on its messages and `steady_event_free` on its events.
/// `steady_consumer_free` must be called exactly once, after every other call on the consumer
/// has returned. steady calls into the application only through the log callback
/// (`steady_settings_set_log_callback`), on the consumer's own "steady-log" thread, one record
/// at a time; librdkafka's threads and the poll thread never do. Events (rebalances, commit
/// results) are pulled with `steady_consumer_next_event` on the application's own threads.
pub struct steady_consumer {
    _private: [u8; 0],
}

/// The Rust side of `steady_consumer`.
pub(crate) struct ConsumerHandle {
    consumer: Arc<Consumer>,
    closed: AtomicBool,
    /// The application's log callback, shut once the consumer is closed.
    log: Option<Arc<CallbackSink>>,
    /// The C strings of the topics of the messages handed out.
    topics: TopicNames,
}

impl Castable for steady_consumer {
    type Rust = ConsumerHandle;
    type Ownership = OwnershipBox;
}

impl ConsumerHandle {
    /// The consumer, or `STEADY_RESULT_CLOSED` once `steady_consumer_close` was called.
    fn open(&self) -> Result<&Arc<Consumer>, Error> {
        if self.closed.load(Ordering::Acquire) {
            Err(steady_core::runtime::Error::Closed.into())
        } else {
            Ok(&self.consumer)
        }
    }

    /// Closes the consumer (idempotent), then keeps the log callback from being called again.
    fn close(&self) -> Result<(), steady_core::runtime::Error> {
        let closed = self.consumer.close();
        if let Some(log) = &self.log {
            log.shut();
        }
        closed
    }
}

/// How long a receive may wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wait {
    For(Duration),
    Forever,
}

/// Longest single wait inside a `Wait::Forever` receive.
const FOREVER_SLICE: Duration = Duration::from_secs(1);

impl Wait {
    /// `timeout_ms` ≥ 0, or -1 for no limit.
    fn from_ms(timeout_ms: i32) -> Result<Wait, Error> {
        match timeout_ms {
            -1 => Ok(Wait::Forever),
            ms if ms >= 0 => Ok(Wait::For(Duration::from_millis(ms as u64))),
            ms => Err(Error::invalid(format!(
                "timeout_ms {ms}: expected 0 or more, or -1 for no limit"
            ))),
        }
    }
}

/// Runs `recv` (one receive of at most the given wait) until it returns something or `wait`
/// is over; TIMEOUT when nothing came.
fn receive<T>(
    handle: &ConsumerHandle,
    wait: Wait,
    mut recv: impl FnMut(&Consumer, Duration) -> Result<Option<T>, steady_core::runtime::Error>,
) -> Result<T, Error> {
    loop {
        let consumer = handle.open()?;
        let slice = match wait {
            Wait::For(d) => d,
            Wait::Forever => FOREVER_SLICE,
        };
        if let Some(received) = recv(consumer, slice)? {
            return Ok(received);
        }
        if let Wait::For(d) = wait {
            return Err(Error::new(
                steady_result::Timeout,
                format!("no record arrived within {} ms", d.as_millis()),
            ));
        }
    }
}

/// Checks `settings` with the rule checks (an error finding refuses with CONFIG_REFUSED and
/// lists the findings; warnings are kept for `steady_consumer_warnings`), then starts a consumer
/// subscribed to `topics[0..topic_count]` (`topic_count` ≥ 1) in `*consumer_out`.
///
/// Settings: every librdkafka consumer key (`bootstrap.servers`, `group.id`, …) plus
/// `steady.buffer.max.records`, `steady.buffer.max.bytes`, `steady.processing.timeout.ms`,
/// `steady.stall.policy`, `steady.revoke.drain.ms`, `steady.events.enable` (`true`: rebalances
/// and commit results are queued for `steady_consumer_next_event`; default `false`),
/// `steady.ordering` (`unordered`, `partition` or `key`), `steady.retry.backoff.ms`,
/// `steady.retry.backoff.max.ms`, `steady.retry.max.attempts` and `steady.dlq.topic` (see
/// `steady_message_nack` and `steady_message_reject`). The
/// consumer keeps its own copy, and calls the log callback set on them
/// (`steady_settings_set_log_callback`) until it is closed; with none, warnings and errors go
/// to stderr. The start-up warnings are logged once (logger "steady", facility "config").
///
/// Topics are Kafka topic names (1–249 characters of `[A-Za-z0-9._-]`, not `.` or `..`) or
/// regexes starting with `^`; any other is refused with INVALID_ARGUMENT naming its index.
///
/// Errors: NULL_PARAMETER, INVALID_UTF8, INVALID_ARGUMENT, CONFIG_REFUSED, KAFKA.
#[no_mangle]
pub extern "C" fn steady_consumer_new(
    settings: *const steady_settings,
    topics: *const *const c_char,
    topic_count: usize,
    consumer_out: *mut *mut steady_consumer,
    err_out: *mut *mut steady_error,
) -> steady_result {
    ffi_panic_boundary! { err_out =>
        let settings = try_ref(settings, "settings")?;
        let topics = try_str_array(topics, topic_count, "topics")?;
        let out = try_out(consumer_out, "consumer_out")?;
        if topics.is_empty() {
            return Err(Error::invalid("topic_count 0: subscribe to at least one topic"));
        }
        let log = settings.log.map(CallbackSink::new);
        let mut options = ConsumerOptions::default();
        if let Some(sink) = &log {
            options = options.log(sink.log_sink());
        }
        let consumer = match Consumer::with_options(&settings.settings, &topics, options) {
            Ok(consumer) => consumer,
            Err(e) => {
                // No call comes once this returns: user_data may go.
                if let Some(sink) = &log {
                    sink.shut();
                }
                return Err(e.into());
            }
        };
        let handle = ConsumerHandle {
            consumer: Arc::new(consumer),
            closed: AtomicBool::new(false),
            log,
            topics: TopicNames::default(),
        };
        write_out(out, to_boxed_mut_ptr::<steady_consumer>(handle));
        Ok(())
    }
}

/// Waits up to `timeout_ms` (≥ 0, or -1 for no limit) for the next record and writes it to
/// `*message_out`; release it with `steady_message_free` (after `steady_message_ack`).
///
/// Returns TIMEOUT when nothing arrived in time, CLOSED when the consumer is closed — also when
/// `steady_consumer_close` is called from another thread while this call waits, which wakes it.
/// After a fatal error it returns KAFKA_FATAL or INTERNAL (the same error every time; only
/// close is left). Other errors: NULL_PARAMETER, INVALID_ARGUMENT, STALLED.
#[no_mangle]
pub extern "C" fn steady_consumer_poll(
    consumer: *mut steady_consumer,
    timeout_ms: i32,
    message_out: *mut *mut steady_message,
    err_out: *mut *mut steady_error,
) -> steady_result {
    ffi_panic_boundary! { err_out =>
        let handle = try_ref(consumer, "consumer")?;
        let out = try_out(message_out, "message_out")?;
        let wait = Wait::from_ms(timeout_ms)?;
        let record = receive(handle, wait, |c, d| c.recv(d))?;
        write_out(out, to_boxed_mut_ptr::<steady_message>(handle.topics.view(record)));
        Ok(())
    }
}

/// Waits up to `timeout_ms` (≥ 0, or -1) for records and writes up to `messages_len` (≥ 1) of
/// them to `messages_out[0..*count_out]`; each is released with `steady_message_free`.
/// Results as `steady_consumer_poll`; on error nothing is written.
#[no_mangle]
pub extern "C" fn steady_consumer_poll_batch(
    consumer: *mut steady_consumer,
    timeout_ms: i32,
    messages_out: *mut *mut steady_message,
    messages_len: usize,
    count_out: *mut usize,
    err_out: *mut *mut steady_error,
) -> steady_result {
    ffi_panic_boundary! { err_out =>
        let handle = try_ref(consumer, "consumer")?;
        let messages = try_out(messages_out, "messages_out")?;
        let count = try_out(count_out, "count_out")?;
        if messages_len == 0 {
            return Err(Error::invalid("messages_len 0: expected room for at least one message"));
        }
        let records = receive(handle, Wait::from_ms(timeout_ms)?, |c, d| {
            c.recv_batch(messages_len, d).map(|r| (!r.is_empty()).then_some(r))
        })?;
        write_out(count, records.len());
        for (i, view) in handle.topics.views(records).enumerate() {
            // SAFETY: `messages_out` has room for `messages_len` ≥ records.len() pointers.
            write_out(unsafe { messages.add(i) }, to_boxed_mut_ptr::<steady_message>(view));
        }
        Ok(())
    }
}

/// Commits the acked prefix of every assigned partition now, synchronously (steady also commits
/// on its own, on revoke and on close). Errors: NULL_PARAMETER, KAFKA, KAFKA_FATAL, INTERNAL,
/// CLOSED.
#[no_mangle]
pub extern "C" fn steady_consumer_commit(
    consumer: *mut steady_consumer,
    err_out: *mut *mut steady_error,
) -> steady_result {
    ffi_panic_boundary! { err_out =>
        try_ref(consumer, "consumer")?.open()?.commit()?;
        Ok(())
    }
}

/// Waits up to `timeout_ms` (≥ 0, or -1 for no limit) for the next event — partitions
/// assigned, revoked or lost, or a commit's result — and writes it to `*event_out`; release it
/// with `steady_event_free`, which marks it done. Needs `steady.events.enable=true`.
///
/// Read events on a thread of their own, next to the pollers: steady waits for a
/// `STEADY_EVENT_REVOKED` event to be freed (within `steady.revoke.drain.ms`) before it commits
/// the revoked partitions' acked prefix, and keeps the partitions of a `STEADY_EVENT_ASSIGNED`
/// event paused until it is freed (at most `steady.processing.timeout.ms`). The queue holds 1024
/// events; beyond that the oldest commit results are dropped (stats `events_dropped`).
///
/// Returns TIMEOUT when no event came in time. After `steady_consumer_close` (which queues a
/// revoked event for the whole assignment, then the result of its final commit) it returns the
/// events still queued, then CLOSED; a call waiting when the close ends is woken. Errors:
/// NULL_PARAMETER, INVALID_ARGUMENT (events are off: the message names `steady.events.enable`;
/// a bad `timeout_ms`), CLOSED.
#[no_mangle]
pub extern "C" fn steady_consumer_next_event(
    consumer: *mut steady_consumer,
    timeout_ms: i32,
    event_out: *mut *mut steady_event,
    err_out: *mut *mut steady_error,
) -> steady_result {
    ffi_panic_boundary! { err_out =>
        let handle = try_ref(consumer, "consumer")?;
        let out = try_out(event_out, "event_out")?;
        let wait = Wait::from_ms(timeout_ms)?;
        // Not `open()`: the events queued before close are still handed out.
        let timeout = match wait {
            Wait::For(d) => d,
            Wait::Forever => Duration::MAX,
        };
        match handle.consumer.next_event(timeout)? {
            Some(event) => {
                write_out(out, to_boxed_mut_ptr::<steady_event>(EventView::new(event)));
                Ok(())
            }
            None => Err(Error::new(
                steady_result::Timeout,
                format!("no event arrived within {} ms", timeout.as_millis()),
            )),
        }
    }
}

/// Pauses `topic`/`partition` until `steady_consumer_resume`: no record of it is delivered once
/// this returns (records of it still buffered go back and come again on resume). Backpressure
/// never resumes it; an assignment of it that comes again starts unpaused. Answered by the poll
/// thread within about 50 ms. Errors: NULL_PARAMETER, INVALID_UTF8, INVALID_ARGUMENT ("partition
/// T/P is not assigned to this consumer"), CLOSED, KAFKA, KAFKA_FATAL, INTERNAL (after a fatal
/// error: that error).
#[no_mangle]
pub extern "C" fn steady_consumer_pause(
    consumer: *mut steady_consumer,
    topic: *const c_char,
    partition: i32,
    err_out: *mut *mut steady_error,
) -> steady_result {
    ffi_panic_boundary! { err_out =>
        on_partition(consumer, topic, |c, t| Ok(c.pause(t, partition)?))
    }
}

/// Lifts `steady_consumer_pause` of `topic`/`partition`: it is fetched again unless
/// backpressure holds it. Errors as `steady_consumer_pause`.
#[no_mangle]
pub extern "C" fn steady_consumer_resume(
    consumer: *mut steady_consumer,
    topic: *const c_char,
    partition: i32,
    err_out: *mut *mut steady_error,
) -> steady_result {
    ffi_panic_boundary! { err_out =>
        on_partition(consumer, topic, |c, t| Ok(c.resume(t, partition)?))
    }
}

/// Makes `offset` (≥ 0) the next record delivered from `topic`/`partition` (back: replay;
/// forward: skip). Its buffered records are dropped; records of it delivered before the seek
/// and not yet acked keep holding the committed offset until they are acked. Errors as
/// `steady_consumer_pause`, plus INVALID_ARGUMENT for a negative `offset`.
#[no_mangle]
pub extern "C" fn steady_consumer_seek(
    consumer: *mut steady_consumer,
    topic: *const c_char,
    partition: i32,
    offset: i64,
    err_out: *mut *mut steady_error,
) -> steady_result {
    ffi_panic_boundary! { err_out =>
        on_partition(consumer, topic, |c, t| {
            if offset < 0 {
                return Err(Error::invalid(format!("offset {offset}: expected 0 or more")));
            }
            Ok(c.seek(t, partition, offset)?)
        })
    }
}

/// Writes to `*offset_out` the offset of the next record the application gets from
/// `topic`/`partition` (after a seek: its target), or `STEADY_OFFSET_NONE` when none is known
/// yet. Errors as `steady_consumer_pause`.
#[no_mangle]
pub extern "C" fn steady_consumer_position(
    consumer: *mut steady_consumer,
    topic: *const c_char,
    partition: i32,
    offset_out: *mut i64,
    err_out: *mut *mut steady_error,
) -> steady_result {
    ffi_panic_boundary! { err_out =>
        query_offset(consumer, topic, offset_out, |c, t| c.position(t, partition))
    }
}

/// Writes to `*offset_out` the group's committed offset of `topic`/`partition` (the next to
/// read), asked of the group coordinator (a wait of up to about 10 s), or `STEADY_OFFSET_NONE`
/// when none is committed. Errors as `steady_consumer_pause`.
#[no_mangle]
pub extern "C" fn steady_consumer_committed(
    consumer: *mut steady_consumer,
    topic: *const c_char,
    partition: i32,
    offset_out: *mut i64,
    err_out: *mut *mut steady_error,
) -> steady_result {
    ffi_panic_boundary! { err_out =>
        query_offset(consumer, topic, offset_out, |c, t| c.committed(t, partition))
    }
}

/// Runs an offset query of one partition of `topic` and writes its answer to `offset_out`
/// (`STEADY_OFFSET_NONE` when there is none).
fn query_offset(
    consumer: *mut steady_consumer,
    topic: *const c_char,
    offset_out: *mut i64,
    query: impl FnOnce(&Consumer, &str) -> Result<Option<i64>, steady_core::runtime::Error>,
) -> Result<(), Error> {
    on_partition(consumer, topic, |c, t| {
        let out = try_out(offset_out, "offset_out")?;
        write_out(out, query(c, t)?.unwrap_or(STEADY_OFFSET_NONE));
        Ok(())
    })
}

/// Runs `call` on the open consumer with the checked `topic` (the partition calls).
fn on_partition<T>(
    consumer: *mut steady_consumer,
    topic: *const c_char,
    call: impl FnOnce(&Consumer, &str) -> Result<T, Error>,
) -> Result<T, Error> {
    let consumer = try_ref(consumer, "consumer")?.open()?;
    call(consumer, try_str(topic, "topic")?)
}

/// The consumer's counters as JSON (`rebalances`, `assignment`, `paused_partitions` (paused by
/// the application, by backpressure or until their assigned event is done), `buffered_records`,
/// `in_flight`, `delivered`, `acked`, `committed`, `commits_succeeded`, `commits_failed`,
/// `revoke_handler_timeouts`, `events_dropped`, `stalls`, `last_error`, `retries` (redeliveries
/// scheduled by nacks), `dead_lettered`, `dead_letter_failures`, `parked_records`,
/// `retrying_records`, `waiting_records`, …)
/// in `*json_out`, an owned string for `steady_string_free`. Works after close too.
/// Errors: NULL_PARAMETER.
#[no_mangle]
pub extern "C" fn steady_consumer_stats_json(
    consumer: *mut steady_consumer,
    json_out: *mut *mut c_char,
    err_out: *mut *mut steady_error,
) -> steady_result {
    ffi_panic_boundary! { err_out =>
        let handle = try_ref(consumer, "consumer")?;
        let out = try_out(json_out, "json_out")?;
        write_out(out, to_owned_ptr(handle.consumer.stats().to_json()));
        Ok(())
    }
}

/// The consumer's metrics in the Prometheus text exposition format (version 0.0.4): counters
/// and gauges such as `messaging_client_consumed_messages_total`, with labels, in
/// `*text_out`, an owned string for `steady_string_free`. The same text is served at
/// `http://HOST:PORT/metrics` when `steady.metrics.listen=HOST:PORT` is set. Works after close
/// too. Errors: NULL_PARAMETER.
#[no_mangle]
pub extern "C" fn steady_consumer_metrics_text(
    consumer: *mut steady_consumer,
    text_out: *mut *mut c_char,
    err_out: *mut *mut steady_error,
) -> steady_result {
    ffi_panic_boundary! { err_out =>
        let handle = try_ref(consumer, "consumer")?;
        let out = try_out(text_out, "text_out")?;
        write_out(out, to_owned_ptr(handle.consumer.metrics_text()));
        Ok(())
    }
}

/// Hands `report` to the caller through the checked `out`.
fn write_report(out: *mut *mut steady_report, report: Report) {
    write_out(
        out,
        to_boxed_mut_ptr::<steady_report>(ReportView::new(report)),
    );
}

/// Re-runs the rule checks with the settings and the live processing figures (PL001, PL002) and
/// writes the report to `*report_out`. Errors: NULL_PARAMETER, CLOSED.
#[no_mangle]
pub extern "C" fn steady_consumer_check(
    consumer: *mut steady_consumer,
    report_out: *mut *mut steady_report,
    err_out: *mut *mut steady_error,
) -> steady_result {
    ffi_panic_boundary! { err_out =>
        let consumer = try_ref(consumer, "consumer")?.open()?;
        let out = try_out(report_out, "report_out")?;
        write_report(out, consumer.check());
        Ok(())
    }
}

/// The warning and info findings of the check made when the consumer was built, as a report in
/// `*report_out`. Errors: NULL_PARAMETER.
#[no_mangle]
pub extern "C" fn steady_consumer_warnings(
    consumer: *mut steady_consumer,
    report_out: *mut *mut steady_report,
    err_out: *mut *mut steady_error,
) -> steady_result {
    ffi_panic_boundary! { err_out =>
        let handle = try_ref(consumer, "consumer")?;
        let out = try_out(report_out, "report_out")?;
        let findings = handle.consumer.warnings().to_vec();
        write_report(out, Report { findings, ..Report::default() });
        Ok(())
    }
}

/// Stops deliveries and wakes every call blocked in `steady_consumer_poll` on any thread (they
/// return CLOSED), waits up to `steady.revoke.drain.ms` for the messages in flight to be acked
/// (by any thread), commits the acked prefix and leaves the group. Later calls return CLOSED.
/// A second close returns OK once the first one finished (also when both run at once), and so
/// does a close after a fatal error (nothing is committed then). Messages not acked by the end
/// of the wait are delivered again to the group. Before it returns, the log records still
/// queued reach the log callback (waited for up to 5 s), and the callback is not called again:
/// its `user_data` may go. Must not be called from the log callback. Errors: NULL_PARAMETER.
#[no_mangle]
pub extern "C" fn steady_consumer_close(
    consumer: *mut steady_consumer,
    err_out: *mut *mut steady_error,
) -> steady_result {
    ffi_panic_boundary! { err_out =>
        let handle = try_ref(consumer, "consumer")?;
        handle.closed.store(true, Ordering::Release);
        handle.close()?;
        Ok(())
    }
}

/// Closes the consumer if that was not done, then releases it. NULL is fine. Messages not yet
/// freed stay valid (their acks then return CLOSED). The log callback is not called once this
/// returns.
#[no_mangle]
pub extern "C" fn steady_consumer_free(consumer: *mut steady_consumer) {
    ffi_panic_boundary! {
        if let Ok(handle) = try_ref(consumer, "consumer") {
            if !handle.closed.swap(true, Ordering::AcqRel) {
                // Nobody can hear about a failed close here; the consumer is released anyway.
                let _ = handle.close();
            }
        }
        free_box(consumer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::steady_error_free;
    use crate::settings::{steady_settings_free, test_settings};

    #[test]
    fn timeouts() {
        assert_eq!(Wait::from_ms(-1).unwrap(), Wait::Forever);
        assert_eq!(Wait::from_ms(0).unwrap(), Wait::For(Duration::ZERO));
        assert_eq!(
            Wait::from_ms(250).unwrap(),
            Wait::For(Duration::from_millis(250))
        );
        let e = Wait::from_ms(-2).unwrap_err();
        assert_eq!(e.code, steady_result::InvalidArgument);
        assert!(e.text().contains("timeout_ms -2"));
    }

    #[test]
    fn null_arguments_and_double_close_is_ok() {
        let none = std::ptr::null_mut();
        let mut message = std::ptr::null_mut();
        assert_eq!(
            steady_consumer_poll(std::ptr::null_mut(), 0, &mut message, none),
            steady_result::NullParameter
        );
        assert_eq!(
            steady_consumer_close(std::ptr::null_mut(), none),
            steady_result::NullParameter
        );
        steady_consumer_free(std::ptr::null_mut());

        // Nothing listens on port 1: the consumer starts all the same and closes cleanly.
        let settings = test_settings(&[
            ("bootstrap.servers", "127.0.0.1:1"),
            ("group.id", "steady-ffi-unit"),
        ]);
        let topics = [c"steady-ffi-unit".as_ptr()];
        let mut consumer = std::ptr::null_mut();
        let mut err = std::ptr::null_mut();
        let r = steady_consumer_new(settings, topics.as_ptr(), 0, &mut consumer, &mut err);
        assert_eq!(r, steady_result::InvalidArgument);
        steady_error_free(err);
        let r = steady_consumer_new(settings, topics.as_ptr(), 1, &mut consumer, none);
        assert_eq!(r, steady_result::Ok);
        steady_settings_free(settings);
        assert_eq!(
            steady_consumer_poll(consumer, -3, &mut message, none),
            steady_result::InvalidArgument
        );
        assert_eq!(
            steady_consumer_poll(consumer, 10, &mut message, none),
            steady_result::Timeout
        );
        // Events off: next_event names the key; nothing is assigned yet.
        let mut event = std::ptr::null_mut();
        let mut err = std::ptr::null_mut();
        let r = steady_consumer_next_event(consumer, 0, &mut event, &mut err);
        assert_eq!(r, steady_result::InvalidArgument);
        let text = crate::handle::as_ref(err.cast_const()).unwrap().text();
        assert!(text.contains("steady.events.enable"), "{text}");
        steady_error_free(err);
        let mut err = std::ptr::null_mut();
        let r = steady_consumer_pause(consumer, c"steady-ffi-unit".as_ptr(), 0, &mut err);
        assert_eq!(r, steady_result::InvalidArgument);
        let text = crate::handle::as_ref(err.cast_const()).unwrap().text();
        assert!(text.contains("not assigned"), "{text}");
        steady_error_free(err);
        let mut offset = 7;
        assert_eq!(
            steady_consumer_position(consumer, std::ptr::null(), 0, &mut offset, none),
            steady_result::NullParameter
        );
        assert_eq!(
            steady_consumer_seek(consumer, c"t".as_ptr(), 0, -1, none),
            steady_result::InvalidArgument
        );
        assert_eq!(offset, 7, "outputs are written only on success");
        assert_eq!(steady_consumer_close(consumer, none), steady_result::Ok);
        assert_eq!(steady_consumer_close(consumer, none), steady_result::Ok);
        assert_eq!(
            steady_consumer_next_event(consumer, 0, &mut event, none),
            steady_result::Closed,
            "after close: CLOSED, events on or off"
        );
        assert_eq!(
            steady_consumer_resume(consumer, c"t".as_ptr(), 0, none),
            steady_result::Closed
        );
        assert!(event.is_null());
        assert_eq!(
            steady_consumer_poll(consumer, -1, &mut message, none),
            steady_result::Closed
        );
        assert!(message.is_null());
        steady_consumer_free(consumer);
    }

    /// What the test callback saw, one "level logger facility message" line per call.
    #[derive(Default)]
    struct Lines(std::sync::Mutex<Vec<String>>);

    unsafe extern "C" fn collect(
        user_data: *mut std::ffi::c_void,
        level: crate::log::steady_log_level_t,
        logger: *const c_char,
        facility: *const c_char,
        message: *const c_char,
    ) {
        let lines = unsafe { &*(user_data as *const Lines) };
        let text = |p| {
            unsafe { std::ffi::CStr::from_ptr(p) }
                .to_string_lossy()
                .into_owned()
        };
        let line = format!(
            "{} {} {} {}",
            level as u32,
            text(logger),
            text(facility),
            text(message)
        );
        lines.0.lock().unwrap().push(line);
    }

    #[test]
    fn log_callback_and_metrics_text() {
        let settings = test_settings(&[
            ("bootstrap.servers", "127.0.0.1:1"),
            ("group.id", "steady-ffi-unit-log"),
            ("session.timeout.ms", "6000"),
        ]);
        let lines = Lines::default();
        let user_data = &lines as *const Lines as *mut std::ffi::c_void;
        let r =
            crate::settings::steady_settings_set_log_callback(settings, Some(collect), user_data);
        assert_eq!(r, steady_result::Ok);
        let topics = [c"steady-ffi-unit-log".as_ptr()];
        let mut consumer = std::ptr::null_mut();
        let none = std::ptr::null_mut();
        let r = steady_consumer_new(settings, topics.as_ptr(), 1, &mut consumer, none);
        assert_eq!(r, steady_result::Ok);
        steady_settings_free(settings);
        let mut text = std::ptr::null_mut();
        assert_eq!(
            steady_consumer_metrics_text(consumer, std::ptr::null_mut(), none),
            steady_result::NullParameter
        );
        assert_eq!(steady_consumer_close(consumer, none), steady_result::Ok);
        let seen = lines.0.lock().unwrap().len();
        assert_eq!(
            steady_consumer_metrics_text(consumer, &mut text, none),
            steady_result::Ok
        );
        let metrics = unsafe { std::ffi::CStr::from_ptr(text) }
            .to_str()
            .unwrap()
            .to_string();
        crate::strings::steady_string_free(text);
        assert!(
            metrics.contains("messaging_client_consumed_messages_total"),
            "{metrics}"
        );
        steady_consumer_free(consumer);
        let lines = lines.0.lock().unwrap();
        assert_eq!(lines.len(), seen, "no call after close");
        assert!(
            lines.iter().any(|l| l.starts_with("4 steady config ST005")),
            "{lines:?}"
        );
    }
}
