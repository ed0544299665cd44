//! `steady_consumer`: the heartbeat-decoupled consumer.

use crate::error::{steady_error, steady_result, Error};
use crate::handle::{
    free_box, to_boxed_mut_ptr, try_out, try_ref, write_out, Castable, OwnershipBox,
};
use crate::message::{steady_message, MessageView};
use crate::report::{steady_report, ReportView};
use crate::settings::steady_settings;
use crate::strings::{to_owned_ptr, try_str_array};
use std::ffi::c_char;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use steady_core::rules::Report;
use steady_core::{Consumer, Record};

/// A Kafka consumer whose poll loop (heartbeats, rebalances, commits) runs on a thread steady
/// owns, so a slow handler never makes its group rebalance.
///
/// Thread rules: `steady_consumer_poll`, `_poll_batch`, `_commit`, `_stats_json`, `_check`,
/// `_warnings` and `_close` may be called at the same time from any threads, and so may
/// `steady_message_ack` on its messages. `steady_consumer_free` must be called exactly once,
/// after every other call on the consumer has returned. librdkafka's and steady's own threads
/// never call into the application.
pub struct steady_consumer {
    _private: [u8; 0],
}

/// The Rust side of `steady_consumer`.
pub(crate) struct ConsumerHandle {
    consumer: Arc<Consumer>,
    closed: AtomicBool,
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

/// Receives up to `max` records, waiting as `wait` says for the first; TIMEOUT when none came.
fn receive(handle: &ConsumerHandle, max: usize, wait: Wait) -> Result<Vec<Record>, Error> {
    loop {
        let consumer = handle.open()?;
        let slice = match wait {
            Wait::For(d) => d,
            Wait::Forever => FOREVER_SLICE,
        };
        let records = if max == 1 {
            consumer.recv(slice)?.into_iter().collect()
        } else {
            consumer.recv_batch(max, slice)?
        };
        if !records.is_empty() {
            return Ok(records);
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
/// `steady.stall.policy`, `steady.revoke.drain.ms`. The consumer keeps its own copy.
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
        let consumer = Consumer::new(settings, &topics)?;
        let handle = ConsumerHandle { consumer: Arc::new(consumer), closed: AtomicBool::new(false) };
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
        let record = receive(handle, 1, wait)?.remove(0);
        write_out(out, to_boxed_mut_ptr::<steady_message>(MessageView::new(record)));
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
        let records = receive(handle, messages_len, Wait::from_ms(timeout_ms)?)?;
        write_out(count, records.len());
        for (i, record) in records.into_iter().enumerate() {
            let view = MessageView::new(record);
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

/// The consumer's counters as JSON (`rebalances`, `assignment`, `paused_partitions`,
/// `buffered_records`, `in_flight`, `delivered`, `acked`, `committed`, `stalls`, `last_error`, …)
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
/// of the wait are delivered again to the group. Errors: NULL_PARAMETER.
#[no_mangle]
pub extern "C" fn steady_consumer_close(
    consumer: *mut steady_consumer,
    err_out: *mut *mut steady_error,
) -> steady_result {
    ffi_panic_boundary! { err_out =>
        let handle = try_ref(consumer, "consumer")?;
        handle.closed.store(true, Ordering::Release);
        handle.consumer.close()?;
        Ok(())
    }
}

/// Closes the consumer if that was not done, then releases it. NULL is fine. Messages not yet
/// freed stay valid (their acks then return CLOSED).
#[no_mangle]
pub extern "C" fn steady_consumer_free(consumer: *mut steady_consumer) {
    ffi_panic_boundary! {
        if let Ok(handle) = try_ref(consumer, "consumer") {
            if !handle.closed.swap(true, Ordering::AcqRel) {
                // Nobody can hear about a failed close here; the consumer is released anyway.
                let _ = handle.consumer.close();
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
        assert_eq!(steady_consumer_close(consumer, none), steady_result::Ok);
        assert_eq!(steady_consumer_close(consumer, none), steady_result::Ok);
        assert_eq!(
            steady_consumer_poll(consumer, -1, &mut message, none),
            steady_result::Closed
        );
        assert!(message.is_null());
        steady_consumer_free(consumer);
    }
}
