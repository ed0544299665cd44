//! State shared by the application-facing [`Consumer`](super::Consumer), the poll thread and
//! the rebalance callbacks.

use super::assignment::Assignment;
use super::config::RuntimeConfig;
use super::control::Control;
use super::dead_letters::DeadLetters;
use super::delivery::order::DeliveryOrder;
use super::events::Events;
use super::fetch_queue::FetchQueue;
use super::handoff::Handoff;
use super::logging::{Log, LogLevel};
use super::metrics::Metrics;
use super::rebalance::Gates;
use super::stalls::Stalls;
use super::Error;
use crate::settings::Settings;
use parking_lot::Mutex;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, OnceLock, Weak};

/// Everything the threads of one consumer share.
pub(crate) struct Shared {
    pub config: RuntimeConfig,
    pub handoff: Handoff,
    /// Where assigned partitions' records arrive (opened by the poll thread).
    pub fetch: FetchQueue,
    pub assignment: Assignment,
    pub metrics: Arc<Metrics>,
    /// Set by `close`: the poll thread commits, leaves the group and ends.
    pub stop: AtomicBool,
    /// Requests of application threads for the poll thread (commit, pause, seek, …).
    pub control: Control,
    /// Rebalance events and commit results for the application.
    pub events: Events,
    /// New partitions held paused until their `Assigned` event is done.
    pub gates: Gates,
    /// Set by the error callback when librdkafka raised a fatal error: the poll thread reads it.
    pub fatal_raised: AtomicBool,
    /// The watchdog's memory of the stalls the member left the group for.
    pub stalls: Mutex<Stalls>,
    /// When the consumer was made (the first assignment's rebalance counts from here).
    pub started: std::time::Instant,
    /// Log records on their way to the sink.
    pub log: Log,
    /// The consumer's settings, to scrub secrets out of text that leaves the library.
    pub settings: Settings,
    /// Set when the poll thread has ended (closed, or dead).
    pub poll_ended: AtomicBool,
    /// The dead-letter producer, when `steady.dlq.topic` is set (made before the poll thread
    /// starts).
    pub dead_letters: OnceLock<DeadLetters>,
    /// Makes the poll thread panic at its next turn (tests of the failure path).
    #[cfg(test)]
    pub panic_now: AtomicBool,
}

impl Shared {
    /// Fresh state for `config`, logging to `log`; `me` is the `Arc` it goes into (its
    /// partitions' slots point back to it).
    pub fn new(config: RuntimeConfig, log: Log, settings: Settings, me: Weak<Shared>) -> Shared {
        Shared {
            handoff: Handoff::new(
                config.buffer_max_records,
                config.buffer_max_bytes,
                config.ordering,
            ),
            fetch: FetchQueue::default(),
            assignment: Assignment::new(me, config.ordering == DeliveryOrder::Unordered),
            metrics: Arc::new(Metrics::new(config.metrics)),
            stop: AtomicBool::new(false),
            control: Control::default(),
            events: Events::new(config.events),
            gates: Gates::default(),
            fatal_raised: AtomicBool::new(false),
            stalls: Mutex::default(),
            poll_ended: AtomicBool::new(false),
            dead_letters: OnceLock::new(),
            log,
            settings,
            started: std::time::Instant::now(),
            #[cfg(test)]
            panic_now: AtomicBool::new(false),
            config,
        }
    }

    /// Counts an error that does not end the consumer, keeps it as the last error and logs it
    /// (a warning about `facility`).
    pub fn error(&self, facility: &str, message: String) {
        self.log.steady(LogLevel::Warn, facility, message.clone());
        self.metrics.set_error(message);
    }

    /// Ends the consumer with `failure`: every `recv` and request (`commit`, `seek`, …)
    /// returns it from now on, those waiting now get it too. The first failure wins.
    pub fn fail(&self, failure: Error) {
        self.log
            .steady(LogLevel::Error, "error", failure.to_string());
        self.metrics.set_error(failure.to_string());
        self.handoff.fail(failure.clone());
        self.control
            .refuse(self.handoff.failure().unwrap_or(failure));
    }
}
