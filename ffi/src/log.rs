//! Log records to the application: `steady_log_cb`, installed on `steady_settings` with
//! `steady_settings_set_log_callback` and called on the consumer's `steady-log` thread.
//!
//! The core hands every record (steady's own, target `steady`, and librdkafka's, target
//! `steady::librdkafka`) to one sink per consumer on its `steady-log` thread. The sink made
//! here turns a record into C strings and calls the application's function. A gate makes sure
//! no call starts once the consumer is closed (or its creation failed), so the application's
//! `user_data` only has to live that long.

use crate::panic::PanicOrDefault;
use std::ffi::{c_char, c_void, CStr, CString};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;
use steady_core::runtime::{LogLevel, LogRecord, LogSink, LIBRDKAFKA_TARGET, LOG_TARGET};

/// How severe a log record is: the syslog number (a `uint32_t`; the values are fixed).
/// cbindgen:prefix-with-name=false
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)]
pub enum steady_log_level_t {
    /// Something failed (librdkafka's emerg, alert, crit and err; a fatal error of steady).
    SteadyLogError = 3,
    /// Something is wrong or risky: a start-up warning of the rule checks, a failed commit, a
    /// stall, librdkafka's warnings.
    SteadyLogWarn = 4,
    /// Worth knowing: rebalances ("assigned t/0, t/1"), start and stop, librdkafka's notice
    /// and info lines.
    SteadyLogInfo = 6,
    /// Detail for diagnosis: librdkafka's debug lines (with `debug=cgrp,consumer` and friends).
    SteadyLogDebug = 7,
}

impl PanicOrDefault for steady_log_level_t {
    fn value() -> Self {
        steady_log_level_t::SteadyLogInfo
    }
}

impl From<LogLevel> for steady_log_level_t {
    fn from(level: LogLevel) -> Self {
        match level {
            LogLevel::Error => steady_log_level_t::SteadyLogError,
            LogLevel::Warn => steady_log_level_t::SteadyLogWarn,
            LogLevel::Info => steady_log_level_t::SteadyLogInfo,
            LogLevel::Debug => steady_log_level_t::SteadyLogDebug,
            // A level added to the core later reads as info until the ABI names it.
            _ => steady_log_level_t::SteadyLogInfo,
        }
    }
}

/// The function a consumer hands its log records to, one at a time, on its `steady-log`
/// thread (see `steady_settings_set_log_callback`).
///
/// - `user_data`: the pointer given with the callback, untouched;
/// - `level`: a `steady_log_level_t` (3 error, 4 warn, 6 info, 7 debug);
/// - `logger`: "steady" for steady's own records, "steady.librdkafka" for librdkafka's lines;
/// - `facility`: what the record is about: steady's "config" (start-up findings),
///   "rebalance", "commit", "stall", "pause", "close", "error", or librdkafka's facility
///   ("CGRPOP", "HEARTBEAT", "FETCH", …);
/// - `message`: the text (never a secret).
///
/// The strings are NUL-terminated UTF-8, never NULL, borrowed for the duration of the call
/// only: copy what you keep. The function must return normally: no C++ exception, `longjmp`
/// or other unwinding may leave it. It must not call `steady_consumer_close` or
/// `steady_consumer_free` of the consumer that calls it (close waits for the call to end).
pub type steady_log_cb = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        level: steady_log_level_t,
        logger: *const c_char,
        facility: *const c_char,
        message: *const c_char,
    ),
>;

/// The application's `user_data`, handed back to its callback untouched and never
/// dereferenced by steady.
#[derive(Debug, Clone, Copy)]
struct UserData(*mut c_void);

// SAFETY: steady only passes the pointer back to the application's callback, on the
// consumer's `steady-log` thread. `steady_settings_set_log_callback` documents the contract the
// application accepts: the callback may be called with it from that thread (and, for several
// consumers built from the same settings, from each one's thread), and it stays valid until
// the consumer is closed.
unsafe impl Send for UserData {}
// SAFETY: as for `Send`: steady never reads or writes through the pointer.
unsafe impl Sync for UserData {}

/// A callback and its `user_data`, as set on `steady_settings`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LogCallback {
    function: unsafe extern "C" fn(
        *mut c_void,
        steady_log_level_t,
        *const c_char,
        *const c_char,
        *const c_char,
    ),
    user_data: UserData,
}

impl LogCallback {
    /// `None` for a NULL `cb` (the default sink).
    pub(crate) fn new(cb: steady_log_cb, user_data: *mut c_void) -> Option<LogCallback> {
        cb.map(|function| LogCallback {
            function,
            user_data: UserData(user_data),
        })
    }
}

/// Longest wait in [`CallbackSink::shut`] for a call in progress.
const SHUT_WAIT: Duration = Duration::from_secs(5);

/// Whether calls may start, and whether one runs.
#[derive(Debug, Default)]
struct Gate {
    shut: bool,
    calling: bool,
}

/// One consumer's sink over a [`LogCallback`].
#[derive(Debug)]
pub(crate) struct CallbackSink {
    callback: LogCallback,
    gate: Mutex<Gate>,
    idle: Condvar,
}

impl CallbackSink {
    /// A sink calling `callback`, open until [`shut`](CallbackSink::shut).
    pub(crate) fn new(callback: LogCallback) -> Arc<CallbackSink> {
        Arc::new(CallbackSink {
            callback,
            gate: Mutex::new(Gate::default()),
            idle: Condvar::new(),
        })
    }

    /// The core's sink: every record goes to [`deliver`](CallbackSink::deliver).
    pub(crate) fn log_sink(self: &Arc<CallbackSink>) -> LogSink {
        let sink = self.clone();
        Arc::new(move |record: &LogRecord| sink.deliver(record))
    }

    fn lock(&self) -> MutexGuard<'_, Gate> {
        // Nothing panics while holding the lock; a poisoned gate is still consistent.
        self.gate.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Calls the application's function with `record`, unless the sink is shut.
    fn deliver(&self, record: &LogRecord) {
        let level = steady_log_level_t::from(record.level);
        let logger = logger_name(record.target);
        let facility = to_c_text(&record.facility);
        let message = to_c_text(&record.message);
        {
            let mut gate = self.lock();
            if gate.shut {
                return;
            }
            gate.calling = true;
        }
        let LogCallback {
            function,
            user_data,
        } = self.callback;
        // SAFETY: the application gave a function of this signature and promised it may be
        // called with `user_data` on this thread until the consumer is closed; `shut` (called
        // when it is) keeps any later call from starting. The strings outlive the call.
        unsafe {
            function(
                user_data.0,
                level,
                logger.as_ptr(),
                facility.as_ptr(),
                message.as_ptr(),
            )
        };
        self.lock().calling = false;
        self.idle.notify_all();
    }

    /// No call starts after this returns; a call in progress is waited for, at most
    /// [`SHUT_WAIT`] (a callback that blocks longer is left behind). Idempotent.
    pub(crate) fn shut(&self) {
        let mut gate = self.lock();
        gate.shut = true;
        let _ = self
            .idle
            .wait_timeout_while(gate, SHUT_WAIT, |g| g.calling)
            .unwrap_or_else(|e| e.into_inner());
    }
}

/// The C logger name of a core target: "steady", "steady.librdkafka" (`::` becomes `.`).
fn logger_name(target: &str) -> std::borrow::Cow<'static, CStr> {
    match target {
        LOG_TARGET => c"steady".into(),
        LIBRDKAFKA_TARGET => c"steady.librdkafka".into(),
        other => to_c_text(&other.replace("::", ".")).into(),
    }
}

/// `text` as a C string, NUL bytes turned into spaces.
fn to_c_text(text: &str) -> CString {
    CString::new(text.replace('\0', " ")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// What the test callback saw: one "level logger facility message" line per call.
    #[derive(Default)]
    struct Seen {
        lines: Mutex<Vec<String>>,
        calls: AtomicUsize,
    }

    unsafe extern "C" fn record(
        user_data: *mut c_void,
        level: steady_log_level_t,
        logger: *const c_char,
        facility: *const c_char,
        message: *const c_char,
    ) {
        let seen = unsafe { &*(user_data as *const Seen) };
        let text = |p| unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_string();
        let line = format!(
            "{} {} {} {}",
            level as u32,
            text(logger),
            text(facility),
            text(message)
        );
        seen.lines.lock().unwrap().push(line);
        seen.calls.fetch_add(1, Ordering::SeqCst);
    }

    fn rec(level: LogLevel, target: &'static str, facility: &str, message: &str) -> LogRecord {
        LogRecord {
            level,
            target,
            facility: facility.into(),
            message: message.into(),
        }
    }

    #[test]
    fn records_reach_the_callback_until_shut() {
        let seen = Seen::default();
        let cb = LogCallback::new(Some(record), &seen as *const Seen as *mut c_void).unwrap();
        let sink = CallbackSink::new(cb);
        let log = sink.log_sink();
        log(&rec(LogLevel::Warn, LOG_TARGET, "config", "ST005 a\0b"));
        log(&rec(LogLevel::Debug, LIBRDKAFKA_TARGET, "CGRPOP", "x"));
        log(&rec(LogLevel::Error, "steady::other", "error", "y"));
        log(&rec(
            LogLevel::Info,
            LOG_TARGET,
            "rebalance",
            "assigned t/0",
        ));
        sink.shut();
        sink.shut();
        log(&rec(LogLevel::Info, LOG_TARGET, "close", "after shut"));
        let lines = seen.lines.lock().unwrap();
        assert_eq!(
            *lines,
            [
                "4 steady config ST005 a b",
                "7 steady.librdkafka CGRPOP x",
                "3 steady.other error y",
                "6 steady rebalance assigned t/0",
            ]
        );
    }

    #[test]
    fn null_callback_is_the_default() {
        assert!(LogCallback::new(None, std::ptr::null_mut()).is_none());
    }

    #[test]
    fn levels_keep_their_values() {
        assert_eq!(steady_log_level_t::SteadyLogError as u32, 3);
        assert_eq!(steady_log_level_t::SteadyLogWarn as u32, 4);
        assert_eq!(steady_log_level_t::SteadyLogInfo as u32, 6);
        assert_eq!(steady_log_level_t::SteadyLogDebug as u32, 7);
    }
}
