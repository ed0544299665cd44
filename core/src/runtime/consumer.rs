//! The application-facing consumer.

use super::config::{self, RuntimeConfig};
use super::context::{Ctx, Kafka};
use super::control::{Partition, Request};
use super::dead_letters::DeadLetters;
use super::logging::{Log, LogLevel, LogSink, LogThread};
use super::metrics_http::MetricsServer;
use super::shared::Shared;
use super::{
    live_check, poll_loop, prometheus, topic_names, Error, Event, KafkaError, Record, Stats,
};
use crate::rules::{self, ClientInfo, Finding, Heartbeat, Input, Report, Severity};
use crate::settings::{Dialect, Settings};
use parking_lot::Mutex;
use rdkafka::config::{ClientConfig, FromClientConfigAndContext};
use rdkafka::consumer::Consumer as _;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// A Kafka consumer whose poll loop (heartbeats, rebalances, commits) runs on a thread of its
/// own. `Consumer` is `Send + Sync`: many threads may `recv` and `ack` at once.
pub struct Consumer {
    shared: Arc<Shared>,
    settings: Settings,
    warnings: Vec<Finding>,
    poll_thread: Mutex<Option<JoinHandle<()>>>,
    log_thread: LogThread,
    metrics_server: Option<MetricsServer>,
}

/// Options of [`Consumer::with_options`].
#[derive(Default, Clone)]
#[non_exhaustive]
pub struct ConsumerOptions {
    /// Where log records go (steady's own and librdkafka's), called on the consumer's
    /// `steady-log` thread. `None`: the `log` crate when a logger is installed, else stderr
    /// for warnings and errors.
    pub log: Option<LogSink>,
}

impl ConsumerOptions {
    /// Sends log records to `sink`.
    pub fn log(mut self, sink: LogSink) -> ConsumerOptions {
        self.log = Some(sink);
        self
    }
}

impl Consumer {
    /// Checks `settings` with the rule engine, refuses on an error finding, then starts the
    /// poll thread subscribed to `topics`.
    ///
    /// Keys `steady.*` (and `max.poll.records`, an alias of `steady.buffer.max.records`)
    /// configure the runtime; every other key goes to librdkafka unchanged, except
    /// `enable.auto.offset.store`, forced to `false`, and `enable.auto.commit` /
    /// `auto.commit.interval.ms`, which the runtime's own background commits follow
    /// (librdkafka's auto-commit stays off). Warnings are kept (see
    /// [`warnings`](Consumer::warnings)) and logged once. Logs go to the `log` crate (see
    /// [`with_options`](Consumer::with_options)).
    pub fn new(settings: &Settings, topics: &[&str]) -> Result<Consumer, Error> {
        Consumer::with_options(settings, topics, ConsumerOptions::default())
    }

    /// [`new`](Consumer::new) with options: where log records go.
    pub fn with_options(
        settings: &Settings,
        topics: &[&str],
        options: ConsumerOptions,
    ) -> Result<Consumer, Error> {
        topic_names::check(topics)?;
        let report = rules::check(&Input {
            settings: settings.clone(),
            client: ClientInfo {
                dialect: Some(Dialect::Steady),
                heartbeat: Some(Heartbeat::Decoupled),
                version: None,
            },
            ..Input::default()
        });
        let (errors, warnings): (Vec<Finding>, Vec<Finding>) = report
            .findings
            .into_iter()
            .partition(|f| f.severity == Severity::Error);
        if !errors.is_empty() {
            return Err(Error::Config(errors));
        }
        let (runtime, mut client) = config::split(settings)?;
        client.set_log_level(config::log_level(settings));
        let (log, writer) = Log::new(options.log);
        for w in &warnings {
            let level = match w.severity {
                Severity::Info => LogLevel::Info,
                _ => LogLevel::Warn,
            };
            let text = format!("{} {}: {}", w.rule, w.key, w.message);
            log.steady(level, "config", text);
        }
        let log_thread = writer
            .spawn()
            .map_err(|e| Error::Internal(format!("cannot start the log thread: {e}")))?;
        let shared = Arc::new_cyclic(|me| Shared::new(runtime, log, settings.clone(), me.clone()));
        let (metrics_server, poll_thread) = match Self::start(&shared, client, settings, topics) {
            Ok(started) => started,
            Err(e) => {
                if let Some(dlq) = shared.dead_letters.get() {
                    dlq.shut();
                }
                shared.log.close();
                log_thread.finish();
                return Err(e);
            }
        };
        Ok(Consumer {
            shared,
            settings: settings.clone(),
            warnings,
            poll_thread: Mutex::new(Some(poll_thread)),
            log_thread,
            metrics_server,
        })
    }

    /// Starts `/metrics` when asked for, then the rdkafka consumer, subscribed, and the poll
    /// thread; on failure nothing is left running.
    fn start(
        shared: &Arc<Shared>,
        client: ClientConfig,
        settings: &Settings,
        topics: &[&str],
    ) -> Result<(Option<MetricsServer>, JoinHandle<()>), Error> {
        let server = match &shared.config.metrics_listen {
            Some(address) => Some(MetricsServer::start(address, shared.clone())?),
            None => None,
        };
        match Self::start_polling(shared, client, settings, topics) {
            Ok(thread) => Ok((server, thread)),
            Err(e) => {
                if let Some(server) = &server {
                    server.stop();
                }
                Err(e)
            }
        }
    }

    /// Creates the rdkafka consumer, subscribes it and starts the poll thread.
    fn start_polling(
        shared: &Arc<Shared>,
        client: ClientConfig,
        settings: &Settings,
        topics: &[&str],
    ) -> Result<JoinHandle<()>, Error> {
        if shared.config.dlq_topic.is_some() {
            let dlq = DeadLetters::new(shared, &client)?;
            let _ = shared.dead_letters.set(dlq);
        }
        let ctx = Ctx {
            shared: shared.clone(),
        };
        let kafka = Kafka::from_config_and_context(&client, ctx)
            .map_err(|e| config::from_kafka(&e, settings))?;
        kafka
            .subscribe(topics)
            .map_err(|e| KafkaError::from_rdkafka(&format!("subscribe to {topics:?}"), &e))?;
        let topics = topics.iter().map(|t| t.to_string()).collect();
        poll_loop::spawn(kafka, topics)
            .map_err(|e| Error::Internal(format!("cannot start the poll thread: {e}")))
    }

    /// Warning and info findings from the check done when the consumer was built.
    pub fn warnings(&self) -> &[Finding] {
        &self.warnings
    }

    /// The runtime settings in force (`steady.*` keys with their defaults).
    pub fn config(&self) -> &RuntimeConfig {
        &self.shared.config
    }

    /// The next record, waiting up to `timeout`; `Ok(None)` when none arrived in time.
    ///
    /// `Err(Stalled)` once after the watchdog found a stall (see [`StallPolicy`]).
    /// `Err(Closed)` after [`close`](Consumer::close), also for calls blocked when it happens.
    /// After a fatal error ([`Error::is_fatal`]) every call returns it, blocked ones within a
    /// poll slice.
    ///
    /// [`StallPolicy`]: super::StallPolicy
    pub fn recv(&self, timeout: Duration) -> Result<Option<Record>, Error> {
        self.shared.handoff.pop(timeout)
    }

    /// Up to `max` records, waiting up to `timeout` for the first one.
    pub fn recv_batch(&self, max: usize, timeout: Duration) -> Result<Vec<Record>, Error> {
        self.shared.handoff.pop_batch(max, timeout)
    }

    /// A blocking iterator over records; it ends when the consumer is closed and yields the
    /// errors `recv` returns (a stall, for one).
    pub fn iter(&self) -> Iter<'_> {
        Iter { consumer: self }
    }

    /// Marks `record` processed. Any thread, any order; acks of revoked partitions are ignored.
    pub fn ack(&self, record: &Record) -> Result<(), Error> {
        record.ack()
    }

    /// Acks every record of `records` in one pass (see [`Record::ack_all`]).
    pub fn ack_all<R: std::borrow::Borrow<Record>>(&self, records: &[R]) -> Result<(), Error> {
        Record::ack_all(records)
    }

    /// `record` failed with `error`: delivered again after `delay`, or after the back-off when
    /// `None` (see [`Record::nack`]).
    pub fn nack(&self, record: &Record, error: &str, delay: Option<Duration>) -> Result<(), Error> {
        match delay {
            Some(delay) => record.nack_after(error, delay),
            None => record.nack(error),
        }
    }

    /// `record` can never be processed: dead-letter it now (see [`Record::reject`]).
    pub fn reject(&self, record: &Record, error: &str) -> Result<(), Error> {
        record.reject(error)
    }

    /// Commits the acked prefix of every assigned partition now, synchronously. After close:
    /// `Err(Closed)`; after a fatal error: that error.
    pub fn commit(&self) -> Result<(), Error> {
        self.call(Request::Commit).map(|_| ())
    }

    /// The next event — a rebalance or a commit result — waiting up to `timeout`; `Ok(None)`
    /// when none came in time. Needs `steady.events.enable=true` (else `InvalidArgument`).
    ///
    /// A `Revoked` event holds the revoke until the event is dropped (or
    /// [`done`](Event::done)), within `steady.revoke.drain.ms`; an `Assigned` event holds its
    /// partitions paused until then. Read events from a thread of their own, next to the
    /// receivers. After close, the events queued before it, then `Err(Closed)`.
    pub fn next_event(&self, timeout: Duration) -> Result<Option<Event>, Error> {
        self.shared.events.next(timeout)
    }

    /// Pauses `topic`/`partition` until [`resume`](Consumer::resume): no record of it is
    /// delivered once this returns (those in the buffer go back to librdkafka and come again
    /// on resume). Backpressure never resumes it; a new assignment of it starts unpaused.
    /// `InvalidArgument` when the partition is not assigned to this consumer.
    pub fn pause(&self, topic: &str, partition: i32) -> Result<(), Error> {
        self.call(Request::Pause(named(topic, partition)))
            .map(|_| ())
    }

    /// Lifts [`pause`](Consumer::pause); the partition runs unless backpressure holds it.
    pub fn resume(&self, topic: &str, partition: i32) -> Result<(), Error> {
        self.call(Request::Resume(named(topic, partition)))
            .map(|_| ())
    }

    /// Makes `offset` the next record delivered from `topic`/`partition` (back: replay;
    /// forward: skip). Records of it still buffered are dropped; its commits restart from
    /// `offset`, except that a record delivered before the seek and not yet acked keeps the
    /// committed offset from passing it until it is acked.
    pub fn seek(&self, topic: &str, partition: i32, offset: i64) -> Result<(), Error> {
        self.call(Request::Seek(named(topic, partition), offset))
            .map(|_| ())
    }

    /// The offset of the next record the application gets from `topic`/`partition`; `None`
    /// before its first fetch.
    pub fn position(&self, topic: &str, partition: i32) -> Result<Option<i64>, Error> {
        self.call(Request::Position(named(topic, partition)))
    }

    /// The group's committed offset of `topic`/`partition` (the next to read), asked of the
    /// group coordinator; `None` when none is committed.
    pub fn committed(&self, topic: &str, partition: i32) -> Result<Option<i64>, Error> {
        self.call(Request::Committed(named(topic, partition)))
    }

    fn call(&self, request: Request) -> Result<Option<i64>, Error> {
        let shared = &self.shared;
        shared.control.call(
            request,
            || shared.fetch.wake(),
            || {
                let ended = shared.poll_ended.load(Ordering::Acquire);
                ended.then(|| shared.handoff.failure().unwrap_or(Error::Closed))
            },
        )
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> Stats {
        Stats::collect(&self.shared)
    }

    /// The consumer's metrics in the Prometheus text exposition format (version 0.0.4), named
    /// after the OpenTelemetry messaging conventions where they apply (docs/metrics.md).
    pub fn metrics_text(&self) -> String {
        prometheus::render(&self.shared)
    }

    /// Where `/metrics` is served (`steady.metrics.listen`; the port chosen when 0 was given),
    /// until close; `None` when it is not.
    pub fn metrics_address(&self) -> Option<std::net::SocketAddr> {
        self.metrics_server.as_ref().map(MetricsServer::address)
    }

    /// Re-runs the rule engine with the settings and the live processing figures (PL001/PL002).
    /// The figures are judged as a plain poll loop taking batches of
    /// `steady.buffer.max.records` would face them (the Java consumer's rules).
    pub fn check(&self) -> Report {
        live_check::run(&self.settings, &self.shared)
    }

    /// Stops deliveries (every blocked `recv` returns `Err(Closed)`), waits up to
    /// `steady.revoke.drain.ms` for the records in flight to be acked — by any thread — then
    /// commits the acked prefix and leaves the group. Idempotent.
    ///
    /// Records still buffered, and those not acked by the end of the wait, are not committed:
    /// the group delivers them again. Acks after `close` returns fail with `Err(Closed)`.
    ///
    /// A second call, also one made at the same time from another thread, returns once the
    /// first one finished (the final commit is done). After a fatal error nothing is committed
    /// and `close` still releases everything.
    pub fn close(&self) -> Result<(), Error> {
        // Held until the poll thread is gone, so a concurrent close waits for the first.
        let mut poll_thread = self.poll_thread.lock();
        let Some(thread) = poll_thread.take() else {
            return Ok(());
        };
        self.shared.handoff.close();
        // No request is queued after this: the poll thread answers those before it.
        self.shared
            .control
            .locked(|| self.shared.stop.store(true, Ordering::Release));
        self.shared.fetch.wake();
        // A panic of the poll thread was caught and turned into the consumer's failure.
        let _ = thread.join();
        if let Some(dlq) = self.shared.dead_letters.get() {
            dlq.shut();
        }
        self.shared.control.refuse(Error::Closed);
        self.shared.events.close();
        if let Some(server) = &self.metrics_server {
            server.stop();
        }
        self.shared.log.close();
        self.log_thread.finish();
        // The poll thread sets it after its wait; a poll thread that panicked did not.
        self.shared.metrics.closed.store(true, Ordering::Release);
        Ok(())
    }
}

impl Drop for Consumer {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

impl std::fmt::Debug for Consumer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Consumer")
            .field("config", &self.shared.config)
            .finish_non_exhaustive()
    }
}

fn named(topic: &str, partition: i32) -> Partition {
    Partition {
        topic: topic.to_string(),
        partition,
    }
}

/// The iterator of [`Consumer::iter`].
pub struct Iter<'a> {
    consumer: &'a Consumer,
}

impl Iterator for Iter<'_> {
    type Item = Result<Record, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.consumer.recv(Duration::from_secs(3600)) {
                Ok(Some(r)) => return Some(Ok(r)),
                Ok(None) => {}
                Err(Error::Closed) => return None,
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

impl<'a> IntoIterator for &'a Consumer {
    type Item = Result<Record, Error>;
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unreachable() -> Consumer {
        let settings = Settings::from_pairs([
            ("bootstrap.servers", "127.0.0.1:1"),
            ("group.id", "steady-unit"),
        ]);
        Consumer::new(&settings, &["t"]).expect("consumer")
    }

    #[test]
    fn a_dead_poll_thread_ends_recv_and_commit_with_an_internal_error() {
        let consumer = Arc::new(unreachable());
        let blocked = {
            let c = consumer.clone();
            std::thread::spawn(move || c.recv(Duration::from_secs(3600)))
        };
        consumer.shared.panic_now.store(true, Ordering::Release);
        let got = blocked.join().unwrap();
        assert!(
            matches!(&got, Err(Error::Internal(m)) if m.contains("panicked")),
            "{got:?}"
        );
        assert!(got.unwrap_err().is_fatal());
        assert!(matches!(
            consumer.recv(Duration::ZERO),
            Err(Error::Internal(_))
        ));
        assert!(matches!(consumer.commit(), Err(Error::Internal(_))));
        assert!(consumer.stats().fatal_error.is_some());
        consumer.close().expect("close after a dead poll thread");
        assert!(matches!(consumer.recv(Duration::ZERO), Err(Error::Closed)));
    }

    #[test]
    fn a_second_close_is_ok_and_recv_after_close_is_closed() {
        let consumer = unreachable();
        consumer.close().unwrap();
        consumer.close().unwrap();
        assert!(matches!(consumer.recv(Duration::ZERO), Err(Error::Closed)));
        assert!(matches!(consumer.commit(), Err(Error::Closed)));
    }

    #[test]
    fn bad_topics_are_refused_before_anything_starts() {
        let settings = Settings::from_pairs([("bootstrap.servers", "h:1"), ("group.id", "g")]);
        for topics in [&[][..], &["a b"][..], &["ok", ".."][..]] {
            match Consumer::new(&settings, topics) {
                Err(Error::InvalidArgument(m)) => assert!(m.starts_with("topics"), "{m}"),
                other => panic!("{topics:?}: {other:?}"),
            }
        }
    }
}
