//! The dead-letter topic (`steady.dlq.topic`): records out of attempts or rejected are produced
//! there with their key, value and headers, plus headers saying where they came from and why.
//! Only the broker's acknowledgement makes such a record count as acked; a produce that fails
//! leaves it pending (the committed offset stays before it), is reported, and is tried again
//! after `steady.retry.backoff.max.ms`.
//!
//! The producer is polled by the poll thread, so every delivery report runs there, and it is
//! destroyed by the poll thread when the consumer closes ([`DeadLetters::shut`]) — never by a
//! thread of librdkafka's holding the last reference to the consumer's state.

use crate::runtime::events::{Event, PartitionOffset};
use crate::runtime::kafka_error::KafkaError;
use crate::runtime::logging::{LogLevel, LIBRDKAFKA_TARGET};
use crate::runtime::shared::Shared;
use crate::runtime::{verdicts, Error, Record};
use parking_lot::Mutex;
use rdkafka::config::ClientConfig;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{BaseProducer, BaseRecord, DeliveryResult, Producer, ProducerContext};
use rdkafka::ClientContext;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Weak;
use std::time::{Duration, Instant};

/// Headers added to every dead letter.
pub const SOURCE_TOPIC: &str = "steady.source.topic";
/// The source partition (decimal).
pub const SOURCE_PARTITION: &str = "steady.source.partition";
/// The source offset (decimal).
pub const SOURCE_OFFSET: &str = "steady.source.offset";
/// How many times it was delivered (decimal).
pub const ATTEMPTS: &str = "steady.attempts";
/// The application's last error for it.
pub const ERROR: &str = "steady.error";

/// Consumer settings a producer has no use for (librdkafka would warn about each).
const CONSUMER_ONLY: &[&str] = &[
    "group.",
    "fetch.",
    "queued.",
    "auto.",
    "enable.auto.",
    "session.timeout.ms",
    "heartbeat.interval.ms",
    "max.poll.interval.ms",
    "partition.assignment.strategy",
    "isolation.level",
    "enable.partition.eof",
    "check.crcs",
    "coordinator.query.interval.ms",
    "consume.callback.max.messages",
];

/// A record on its way to the dead-letter topic.
pub(crate) struct Letter {
    record: Record,
    error: String,
}

/// The dead-letter producer of one consumer.
pub(crate) struct DeadLetters {
    /// `None` once shut.
    producer: Mutex<Option<BaseProducer<Courier>>>,
    topic: String,
    /// Letters whose produce failed, and when to send them again.
    again: Mutex<Vec<(Instant, Letter)>>,
    retry_every: Duration,
}

/// Delivery reports, on the poll thread.
struct Courier {
    owner: Weak<Shared>,
}

impl DeadLetters {
    /// A producer for `shared`'s dead letters with the connection settings of its consumer
    /// (`client`); each produce may take `steady.dlq.timeout.ms`.
    pub fn new(
        shared: &std::sync::Arc<Shared>,
        client: &ClientConfig,
    ) -> Result<DeadLetters, Error> {
        let config = &shared.config;
        let topic = config
            .dlq_topic
            .clone()
            .expect("a dead-letter topic is set");
        let mut producer_config = ClientConfig::new();
        for (key, value) in client.config_map() {
            if !CONSUMER_ONLY
                .iter()
                .any(|c| key == *c || (c.ends_with('.') && key.starts_with(c)))
            {
                producer_config.set(key, value);
            }
        }
        producer_config
            .set(
                "message.timeout.ms",
                config.dlq_timeout.as_millis().to_string(),
            )
            .set_log_level(client.log_level);
        let courier = Courier {
            owner: std::sync::Arc::downgrade(shared),
        };
        let producer = producer_config
            .create_with_context(courier)
            .map_err(|e| crate::runtime::config::from_kafka(&e, &shared.settings))?;
        Ok(DeadLetters {
            producer: Mutex::new(Some(producer)),
            topic,
            again: Mutex::default(),
            retry_every: config.retry_backoff_max,
        })
    }

    /// Produces `record` (parked already) with the application's `error`.
    pub fn send(&self, shared: &Shared, record: Record, error: String) {
        let copy = record.clone();
        let mut headers = OwnedHeaders::new_with_capacity(copy.headers().len() + 5);
        for (key, value) in copy.headers() {
            headers = headers.insert(Header {
                key,
                value: value.as_deref(),
            });
        }
        let (partition, offset, attempts) = (
            copy.partition().to_string(),
            copy.offset().to_string(),
            copy.attempt().to_string(),
        );
        for (key, value) in [
            (SOURCE_TOPIC, copy.topic()),
            (SOURCE_PARTITION, &partition),
            (SOURCE_OFFSET, &offset),
            (ATTEMPTS, &attempts),
            (ERROR, &error),
        ] {
            headers = headers.insert(Header {
                key,
                value: Some(value),
            });
        }
        let mut out = BaseRecord::with_opaque_to(&self.topic, Box::new(Letter { record, error }))
            .headers(headers);
        if let Some(key) = copy.key() {
            out = out.key(key);
        }
        if let Some(payload) = copy.payload() {
            out = out.payload(payload);
        }
        let producer = self.producer.lock();
        let Some(producer) = producer.as_ref() else {
            return; // closed: the record stays pending and comes again after a restart
        };
        if let Err((e, out)) = producer.send(out) {
            let what = format!("dead-letter {} offset {}", copy.slot.name(), copy.offset());
            self.failed(
                shared,
                *out.delivery_opaque,
                KafkaError::from_rdkafka(&what, &e),
            );
        }
    }

    /// Serves delivery reports and sends again the letters due (poll thread).
    pub fn serve(&self, shared: &Shared, now: Instant) {
        if let Some(producer) = self.producer.lock().as_ref() {
            producer.poll(Duration::ZERO);
        }
        let due: Vec<Letter> = {
            let mut again = self.again.lock();
            if again.is_empty() {
                return;
            }
            let (due, later) = std::mem::take(&mut *again)
                .into_iter()
                .partition(|(at, _)| *at <= now);
            *again = later;
            due.into_iter().map(|(_, letter)| letter).collect()
        };
        for letter in due {
            // A revoked partition's records come again to its next owner.
            if !letter.record.slot.revoked() {
                self.send(shared, letter.record, letter.error);
            }
        }
    }

    /// Waits until `deadline` at most for the letters in flight (close, before the last
    /// commit, so that what the broker acknowledged is in it).
    pub fn flush(&self, deadline: Instant) {
        if let Some(producer) = self.producer.lock().as_ref() {
            let _ = producer.flush(deadline.saturating_duration_since(Instant::now()));
        }
    }

    /// Destroys the producer (poll thread, closing; or the thread whose consumer failed to
    /// start). Letters still in flight stay pending: their records come again.
    pub fn shut(&self) {
        let producer = self.producer.lock().take();
        drop(producer);
    }

    fn delivered(&self, shared: &Shared, letter: Letter) {
        let r = &letter.record;
        if !matches!(r.slot.ack(r.offset), Ok(true)) {
            return; // revoked meanwhile, or closed: its next owner gets it again
        }
        verdicts::settled(r);
        shared.metrics.dead_lettered.fetch_add(1, Relaxed);
        shared.log.steady(
            LogLevel::Info,
            "dlq",
            format!(
                "{} offset {} dead-lettered to {} after {} attempt(s): {}",
                r.slot.name(),
                r.offset,
                self.topic,
                r.attempt,
                letter.error
            ),
        );
        shared.events.push(Event::dead_lettered(position(r), None));
    }

    fn failed(&self, shared: &Shared, letter: Letter, error: KafkaError) {
        if shared.metrics.closed.load(Relaxed) {
            return; // purged on close: the record comes again after a restart
        }
        shared.metrics.dead_letter_failures.fetch_add(1, Relaxed);
        shared.error(
            "dlq",
            format!(
                "{} offset {} could not be dead-lettered to {}: {}; it stays pending and is \
                 sent again in {} ms",
                letter.record.slot.name(),
                letter.record.offset,
                self.topic,
                error.message(),
                self.retry_every.as_millis()
            ),
        );
        shared
            .events
            .push(Event::dead_lettered(position(&letter.record), Some(error)));
        self.again
            .lock()
            .push((Instant::now() + self.retry_every, letter));
    }
}

fn position(r: &Record) -> PartitionOffset {
    PartitionOffset {
        topic: r.topic().to_string(),
        partition: r.partition(),
        offset: Some(r.offset()),
    }
}

impl ClientContext for Courier {
    fn log(&self, level: rdkafka::config::RDKafkaLogLevel, fac: &str, message: &str) {
        if let Some(shared) = self.owner.upgrade() {
            let message = shared.settings.scrub(message);
            shared.log.write(
                LogLevel::from_syslog(level as i32),
                LIBRDKAFKA_TARGET,
                fac,
                message,
            );
        }
    }

    fn error(&self, error: rdkafka::error::KafkaError, reason: &str) {
        if let Some(shared) = self.owner.upgrade() {
            let message = shared
                .settings
                .scrub(&format!("dead-letter producer: {reason}: {error}"));
            shared.error("dlq", message);
        }
    }
}

impl ProducerContext for Courier {
    type DeliveryOpaque = Box<Letter>;

    fn delivery(&self, result: &DeliveryResult<'_>, letter: Box<Letter>) {
        let Some(shared) = self.owner.upgrade() else {
            return; // the consumer is going: the record comes again after a restart
        };
        let Some(dlq) = shared.dead_letters.get() else {
            return;
        };
        match result {
            Ok(_) => dlq.delivered(&shared, *letter),
            Err((e, _)) => {
                let what = format!(
                    "dead-letter {} offset {}",
                    letter.record.slot.name(),
                    letter.record.offset
                );
                dlq.failed(&shared, *letter, KafkaError::from_rdkafka(&what, e));
            }
        }
    }
}
