//! One logging path for steady's own messages and librdkafka's log lines.
//!
//! Library code never prints. Records — the check's findings at start-up, the runtime's errors,
//! stalls and rebalances (target `steady`), librdkafka's lines with their facility (target
//! `steady::librdkafka`; `debug=cgrp,consumer` and friends raise its level to debug) — go into a
//! bounded queue without waiting, from whichever thread made them (librdkafka's own, the poll
//! thread, the application's). One thread of the consumer's, `steady-log`, hands them to the
//! sink, so a slow sink (a Python handler waiting for the GIL, a logger writing to a full disk)
//! never stalls the poll thread or librdkafka: when the queue is full, records are dropped and
//! counted (`log_records_dropped`).
//!
//! The sink is the application's ([`ConsumerOptions::log`]) or, by default, the `log` crate
//! when a logger is installed; with none, warnings and errors go to stderr, so start-up
//! warnings stay visible.
//!
//! [`ConsumerOptions::log`]: crate::runtime::ConsumerOptions::log

use crossbeam_channel::{Receiver, Sender, TrySendError};
use parking_lot::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// Records queued for the sink before new ones are dropped.
const QUEUE: usize = 4096;
/// Longest wait on close for the sink to take what is queued.
const CLOSE_WAIT: Duration = Duration::from_secs(5);

/// The target of steady's own records.
pub const TARGET: &str = "steady";
/// The target of librdkafka's log lines.
pub const LIBRDKAFKA_TARGET: &str = "steady::librdkafka";

/// How severe a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum LogLevel {
    /// Something failed (librdkafka's emerg, alert, crit and err).
    Error,
    /// Something is wrong or risky (librdkafka's warning).
    Warn,
    /// Worth knowing: rebalances, start and stop (librdkafka's notice and info).
    Info,
    /// Detail for diagnosis (librdkafka's debug, e.g. with `debug=cgrp`).
    Debug,
}

impl LogLevel {
    /// `error`, `warn`, `info` or `debug`.
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
        }
    }

    /// The level of a syslog severity (0 emerg … 7 debug), as librdkafka gives them.
    pub fn from_syslog(level: i32) -> LogLevel {
        match level {
            ..=3 => LogLevel::Error,
            4 => LogLevel::Warn,
            5 | 6 => LogLevel::Info,
            _ => LogLevel::Debug,
        }
    }
}

/// One log record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRecord {
    /// Its severity.
    pub level: LogLevel,
    /// [`TARGET`] for steady's records, [`LIBRDKAFKA_TARGET`] for librdkafka's.
    pub target: &'static str,
    /// What it is about: librdkafka's facility (`CGRPOP`, `FETCH`, …) or steady's (`config`,
    /// `rebalance`, `commit`, `stall`, `error`).
    pub facility: String,
    /// The text; never a secret.
    pub message: String,
}

/// Where a consumer's log records go; called on the consumer's `steady-log` thread only, one
/// record at a time.
pub type LogSink = Arc<dyn Fn(&LogRecord) + Send + Sync>;

/// The sending side of a consumer's log (any thread).
pub(crate) struct Log {
    sender: Mutex<Option<Sender<LogRecord>>>,
    /// Records dropped because the queue was full.
    pub dropped: AtomicU64,
}

impl Log {
    /// A log whose records the returned [`Writer`] hands to `sink` (`None`: the default).
    pub fn new(sink: Option<LogSink>) -> (Log, Writer) {
        let (sender, receiver) = crossbeam_channel::bounded(QUEUE);
        let log = Log {
            sender: Mutex::new(Some(sender)),
            dropped: AtomicU64::new(0),
        };
        let sink = sink.unwrap_or_else(|| Arc::new(default_sink));
        (log, Writer { receiver, sink })
    }

    /// Queues a record without waiting (dropped when the queue is full or closed).
    pub fn write(&self, level: LogLevel, target: &'static str, facility: &str, message: String) {
        let record = LogRecord {
            level,
            target,
            facility: facility.to_string(),
            message,
        };
        let sender = self.sender.lock().clone();
        let Some(sender) = sender else { return };
        if let Err(TrySendError::Full(_)) = sender.try_send(record) {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// A record of steady's own.
    pub fn steady(&self, level: LogLevel, facility: &str, message: String) {
        self.write(level, TARGET, facility, message);
    }

    /// Ends the queue: the writer hands over what is queued and stops.
    pub fn close(&self) {
        self.sender.lock().take();
    }
}

/// The receiving side: hands records to the sink on a thread of its own.
pub(crate) struct Writer {
    receiver: Receiver<LogRecord>,
    sink: LogSink,
}

impl Writer {
    /// Starts the `steady-log` thread; it ends once the log is closed and drained.
    pub fn spawn(self) -> std::io::Result<LogThread> {
        let (done, finished) = crossbeam_channel::bounded::<()>(1);
        let thread = std::thread::Builder::new()
            .name("steady-log".into())
            .spawn(move || {
                for record in self.receiver.iter() {
                    let sink = &self.sink;
                    // A sink that panics loses its record, not the log.
                    let _ =
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| sink(&record)));
                }
                let _ = done.send(());
            })?;
        Ok(LogThread {
            thread: Mutex::new(Some(thread)),
            finished,
        })
    }
}

/// The `steady-log` thread of a consumer.
pub(crate) struct LogThread {
    thread: Mutex<Option<JoinHandle<()>>>,
    finished: Receiver<()>,
}

impl LogThread {
    /// Waits (after [`Log::close`]) for the queued records to reach the sink, at most a few
    /// seconds: a sink that blocks (a logger waiting for the thread that closes) is left
    /// behind rather than waited for.
    pub fn finish(&self) {
        let Some(thread) = self.thread.lock().take() else {
            return;
        };
        if self.finished.recv_timeout(CLOSE_WAIT).is_ok() {
            let _ = thread.join();
        }
    }
}

/// The `log` crate when a logger is installed; else stderr for warnings and errors.
fn default_sink(record: &LogRecord) {
    let level = match record.level {
        LogLevel::Error => log::Level::Error,
        LogLevel::Warn => log::Level::Warn,
        LogLevel::Info => log::Level::Info,
        LogLevel::Debug => log::Level::Debug,
    };
    if log::max_level() != log::LevelFilter::Off {
        log::log!(target: record.target, level, "{}: {}", record.facility, record.message);
    } else if record.level <= LogLevel::Warn {
        eprintln!(
            "{}: {} {}: {}",
            record.target,
            record.level.as_str(),
            record.facility,
            record.message
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collecting() -> (LogSink, Arc<Mutex<Vec<LogRecord>>>) {
        let seen: Arc<Mutex<Vec<LogRecord>>> = Arc::default();
        let keep = seen.clone();
        (
            Arc::new(move |r: &LogRecord| keep.lock().push(r.clone())),
            seen,
        )
    }

    #[test]
    fn records_reach_the_sink_in_order_and_close_drains_them() {
        let (sink, seen) = collecting();
        let (log, writer) = Log::new(Some(sink));
        let thread = writer.spawn().unwrap();
        for i in 0..100 {
            log.steady(LogLevel::Info, "test", format!("record {i}"));
        }
        log.close();
        thread.finish();
        let seen = seen.lock();
        assert_eq!(seen.len(), 100);
        assert_eq!(seen[99].message, "record 99");
        assert_eq!(seen[0].target, TARGET);
        log.steady(LogLevel::Info, "test", "after close".into());
        assert_eq!(log.dropped.load(Ordering::Relaxed), 0, "closed: ignored");
    }

    #[test]
    fn a_full_queue_drops_and_counts_never_waits() {
        let (gate, wait) = crossbeam_channel::bounded::<()>(0);
        let sink: LogSink = Arc::new(move |_| {
            let _ = wait.recv();
        });
        let (log, writer) = Log::new(Some(sink));
        let thread = writer.spawn().unwrap();
        for i in 0..QUEUE + 10 {
            log.steady(LogLevel::Debug, "test", format!("{i}"));
        }
        assert!(log.dropped.load(Ordering::Relaxed) >= 9);
        drop(gate);
        log.close();
        thread.finish();
    }

    #[test]
    fn a_panicking_sink_loses_only_its_record() {
        let (keep, seen) = collecting();
        let sink: LogSink = Arc::new(move |r: &LogRecord| {
            assert!(r.message != "boom", "a sink that panics");
            keep(r)
        });
        let (log, writer) = Log::new(Some(sink));
        let thread = writer.spawn().unwrap();
        for m in ["a", "boom", "b"] {
            log.steady(LogLevel::Warn, "test", m.into());
        }
        log.close();
        thread.finish();
        let got: Vec<String> = seen.lock().iter().map(|r| r.message.clone()).collect();
        assert_eq!(got, vec!["a", "b"]);
    }

    #[test]
    fn syslog_levels_map() {
        assert_eq!(LogLevel::from_syslog(0), LogLevel::Error);
        assert_eq!(LogLevel::from_syslog(3), LogLevel::Error);
        assert_eq!(LogLevel::from_syslog(4), LogLevel::Warn);
        assert_eq!(LogLevel::from_syslog(6), LogLevel::Info);
        assert_eq!(LogLevel::from_syslog(7), LogLevel::Debug);
    }
}
