//! The runtime's own settings (`steady.*`) and the split of a consumer's settings between the
//! runtime and librdkafka.

use super::delivery::order::DeliveryOrder;
use super::kafka_error::KafkaError as SteadyKafkaError;
use super::topic_names;
use super::Error;
use crate::rules::{Finding, Recommendation, Severity};
use crate::settings::redact_value;
use crate::settings::{
    check_value, java_security_for_librdkafka, lookup_in, Dialect, Settings, STEADY_DEFAULTS,
};
use rdkafka::config::{ClientConfig, RDKafkaLogLevel};
use std::time::Duration;

/// What the watchdog does when a delivered record stays unacked past
/// `steady.processing.timeout.ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
///
/// A stall is also records waiting that long while the application took none. The rules in
/// full: docs/semantics.md.
pub enum StallPolicy {
    /// Give up the assignment so other members take the partitions over; the next `recv`
    /// reports [`Error::Stalled`], a `recv` after it asks to rejoin, and the member rejoins
    /// once every stuck handler it left for has returned. A record left for once is only
    /// reported (not left for) when it stalls again.
    Leave,
    /// Count the stall in the stats and `last_error`, nothing else; a partition whose offset
    /// window grows past 64 × `steady.buffer.max.records` behind an unacked record is paused
    /// until it shrinks, so memory stays bounded.
    Report,
}

/// The parsed `steady.*` settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeConfig {
    /// Records handed off but not yet taken, at most (`steady.buffer.max.records`).
    pub buffer_max_records: usize,
    /// The same in key + payload bytes (`steady.buffer.max.bytes`).
    pub buffer_max_bytes: u64,
    /// Delivery → ack, per record, before the watchdog acts (`steady.processing.timeout.ms`).
    pub processing_timeout: Duration,
    /// What the watchdog does (`steady.stall.policy`).
    pub stall_policy: StallPolicy,
    /// How long a revoke waits for in-flight records of revoked partitions (`steady.revoke.drain.ms`).
    pub revoke_drain: Duration,
    /// How often the acked prefix is committed in the background (`enable.auto.commit`,
    /// `auto.commit.interval.ms`); `None`: only on revoke, close and [`commit`].
    ///
    /// [`commit`]: super::Consumer::commit
    pub auto_commit: Option<Duration>,
    /// The application reads events: rebalances and commit results (`steady.events.enable`).
    pub events: bool,
    /// Per-record figures are kept: the processing histogram, per-partition counts
    /// (`steady.metrics.enable`).
    pub metrics: bool,
    /// Where `/metrics` is served over HTTP (`steady.metrics.listen`, HOST:PORT); off when
    /// `None`.
    pub metrics_listen: Option<String>,
    /// What may run at the same time on the application's threads (`steady.ordering`).
    pub ordering: DeliveryOrder,
    /// The first nack's back-off, doubled for each attempt after (`steady.retry.backoff.ms`).
    pub retry_backoff: Duration,
    /// The longest back-off; also how long a failed dead letter waits to be sent again
    /// (`steady.retry.backoff.max.ms`).
    pub retry_backoff_max: Duration,
    /// Deliveries of a record, the first included, before a nack dead-letters it
    /// (`steady.retry.max.attempts`).
    pub retry_max_attempts: u32,
    /// Where records out of attempts or rejected are produced (`steady.dlq.topic`); without
    /// one they stay pending.
    pub dlq_topic: Option<String>,
    /// How long one dead-letter produce may take before it counts as failed
    /// (`steady.dlq.timeout.ms`).
    pub dlq_timeout: Duration,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        RuntimeConfig {
            buffer_max_records: 1024,
            buffer_max_bytes: 64 << 20,
            processing_timeout: Duration::from_millis(300_000),
            stall_policy: StallPolicy::Leave,
            revoke_drain: Duration::from_millis(5_000),
            auto_commit: Some(Duration::from_millis(
                DEFAULT_AUTO_COMMIT_INTERVAL_MS as u64,
            )),
            events: false,
            metrics: true,
            metrics_listen: None,
            ordering: DeliveryOrder::Unordered,
            retry_backoff: Duration::from_millis(500),
            retry_backoff_max: Duration::from_millis(30_000),
            retry_max_attempts: 10,
            dlq_topic: None,
            dlq_timeout: Duration::from_millis(30_000),
        }
    }
}

const BUFFER_MAX_RECORDS: &str = "steady.buffer.max.records";
const BUFFER_MAX_BYTES: &str = "steady.buffer.max.bytes";
const PROCESSING_TIMEOUT: &str = "steady.processing.timeout.ms";
const STALL_POLICY: &str = "steady.stall.policy";
const REVOKE_DRAIN: &str = "steady.revoke.drain.ms";
const EVENTS: &str = "steady.events.enable";
const METRICS_LISTEN: &str = "steady.metrics.listen";
const METRICS: &str = "steady.metrics.enable";
const ORDERING: &str = "steady.ordering";
const RETRY_BACKOFF: &str = "steady.retry.backoff.ms";
const RETRY_BACKOFF_MAX: &str = "steady.retry.backoff.max.ms";
const RETRY_MAX_ATTEMPTS: &str = "steady.retry.max.attempts";
const DLQ_TOPIC: &str = "steady.dlq.topic";
const DLQ_TIMEOUT: &str = "steady.dlq.timeout.ms";
/// The Java consumer's batch bound, accepted as an alias of `steady.buffer.max.records`.
const MAX_POLL_RECORDS: &str = "max.poll.records";
const MAX_POLL_INTERVAL: &str = "max.poll.interval.ms";
/// librdkafka's default `max.poll.interval.ms`.
const DEFAULT_MAX_POLL_INTERVAL_MS: i64 = 300_000;
const AUTO_COMMIT: &str = "enable.auto.commit";
/// Set by steady's defaults under the classic protocol only.
const ASSIGNMENT_STRATEGY: &str = "partition.assignment.strategy";
/// librdkafka's older name of `enable.auto.commit`.
const AUTO_COMMIT_ALIAS: &str = "auto.commit.enable";
const AUTO_COMMIT_INTERVAL: &str = "auto.commit.interval.ms";
/// librdkafka's default `auto.commit.interval.ms`.
const DEFAULT_AUTO_COMMIT_INTERVAL_MS: i64 = 5_000;

/// The runtime's keys; their types and ranges come from the settings catalogue.
const KEYS: &[&str] = &[
    BUFFER_MAX_RECORDS,
    BUFFER_MAX_BYTES,
    PROCESSING_TIMEOUT,
    STALL_POLICY,
    REVOKE_DRAIN,
    EVENTS,
    METRICS_LISTEN,
    METRICS,
    ORDERING,
    RETRY_BACKOFF,
    RETRY_BACKOFF_MAX,
    RETRY_MAX_ATTEMPTS,
    DLQ_TOPIC,
    DLQ_TIMEOUT,
];

/// The keys of `settings` split into the runtime's configuration and librdkafka's.
///
/// librdkafka starts from [`STEADY_DEFAULTS`]. The runtime commits itself, so librdkafka gets
/// `enable.auto.offset.store` and `enable.auto.commit` set to `false`; the application's
/// `enable.auto.commit` and `auto.commit.interval.ms` (0: off, as in librdkafka) become
/// [`RuntimeConfig::auto_commit`].
/// librdkafka's own auto-commit would send offsets it stored earlier: one held back by the
/// coordinator (a stale member epoch, a coordinator move) goes out again later and can undo a
/// newer commit of the runtime's.
///
/// The rule engine refuses bad `steady.*` keys and values first (CF001/CF002 with the same
/// catalogue); this is the runtime's own guard, so it never starts on a value it cannot use.
pub(crate) fn split(settings: &Settings) -> Result<(RuntimeConfig, ClientConfig), Error> {
    let mut runtime = RuntimeConfig::default();
    let mut client = ClientConfig::new();
    let mut findings = Vec::new();
    for (key, value) in java_security_for_librdkafka(settings).iter() {
        if key.starts_with("steady.") && !KEYS.contains(&key) {
            findings.push(Finding {
                rule: "CF001",
                severity: Severity::Error,
                key: key.to_string(),
                message: format!(
                    "{key} is not a steady runtime setting (known: {})",
                    KEYS.join(", ")
                ),
                recommendation: None,
                source: "steady runtime settings",
            });
        } else if !key.starts_with("steady.")
            && ![MAX_POLL_RECORDS, AUTO_COMMIT, AUTO_COMMIT_ALIAS].contains(&key)
        {
            client.set(key, value);
        }
    }
    // `get` also finds max.poll.records for steady.buffer.max.records; the latter wins.
    for key in KEYS {
        if let Some(value) = settings.get(key) {
            let written = if settings.raw(key).is_some() {
                key
            } else {
                MAX_POLL_RECORDS
            };
            if let Err(allowed) = apply(&mut runtime, key, value) {
                let message = format!("{written}={value:?} is invalid: expected {allowed}");
                findings.push(refusal(written, message, None));
            }
        }
    }
    let consumer_protocol = settings
        .get("group.protocol")
        .is_some_and(|p| p.trim().eq_ignore_ascii_case("consumer"));
    for (key, value) in STEADY_DEFAULTS {
        let classic_only = *key == ASSIGNMENT_STRATEGY;
        if settings.get(key).is_none() && !(classic_only && consumer_protocol) {
            client.set(*key, *value);
        }
    }
    // Forced: the runtime stores nothing, it commits the acked prefix itself.
    client.set("enable.auto.offset.store", "false");
    client.set(AUTO_COMMIT, "false");
    let interval = settings
        .get_i64(AUTO_COMMIT_INTERVAL)
        .unwrap_or(DEFAULT_AUTO_COMMIT_INTERVAL_MS);
    runtime.auto_commit = (settings.get_bool(AUTO_COMMIT) != Some(false) && interval > 0)
        .then(|| Duration::from_millis(interval as u64));
    if !matches!(settings.raw("group.id"), Some(g) if !g.is_empty()) {
        findings.push(refusal(
            "group.id",
            "the runtime subscribes to topics as a consumer group member: group.id is required"
                .into(),
            None,
        ));
    }
    let max_poll = settings
        .get_i64(MAX_POLL_INTERVAL)
        .unwrap_or(DEFAULT_MAX_POLL_INTERVAL_MS);
    // The poll thread waits for in-flight records inside the revoke callback; it must come
    // back to poll() before librdkafka's max.poll.interval.ms expires.
    if runtime.revoke_drain.as_millis() as i64 >= max_poll {
        findings.push(refusal(
            REVOKE_DRAIN,
            format!(
                "{REVOKE_DRAIN}={} must be below {MAX_POLL_INTERVAL}={max_poll}: the revoke wait \
                 happens on the poll thread",
                runtime.revoke_drain.as_millis()
            ),
            Some((max_poll / 2).to_string()),
        ));
    }
    if findings.is_empty() {
        Ok((runtime, client))
    } else {
        Err(Error::Config(findings))
    }
}

/// The level librdkafka logs at: its `log_level` when set (0–7, syslog), debug when `debug`
/// names contexts (librdkafka's own rule, which rdkafka's level would otherwise undo), else
/// info.
pub(crate) fn log_level(settings: &Settings) -> RDKafkaLogLevel {
    let level = match settings.get_i64("log_level") {
        Some(level) => level,
        None if settings.get("debug").is_some_and(|d| !d.trim().is_empty()) => 7,
        None => 6,
    };
    match level {
        ..=0 => RDKafkaLogLevel::Emerg,
        1 => RDKafkaLogLevel::Alert,
        2 => RDKafkaLogLevel::Critical,
        3 => RDKafkaLogLevel::Error,
        4 => RDKafkaLogLevel::Warning,
        5 => RDKafkaLogLevel::Notice,
        6 => RDKafkaLogLevel::Info,
        _ => RDKafkaLogLevel::Debug,
    }
}

/// Validates one runtime key against the catalogue and stores it in `runtime`; `Err` says
/// what the key allows.
fn apply(runtime: &mut RuntimeConfig, key: &str, value: &str) -> Result<(), String> {
    let info = lookup_in(key, Dialect::Steady).ok_or("a key of the settings catalogue")?;
    check_value(&info.kind, value)?;
    let word = value.trim().to_ascii_lowercase();
    // Valid per the catalogue: integers parse, the policy is one of its words.
    let n: u64 = word.parse().unwrap_or_default();
    match key {
        BUFFER_MAX_RECORDS => runtime.buffer_max_records = n as usize,
        BUFFER_MAX_BYTES => runtime.buffer_max_bytes = n,
        PROCESSING_TIMEOUT => runtime.processing_timeout = Duration::from_millis(n),
        REVOKE_DRAIN => runtime.revoke_drain = Duration::from_millis(n),
        EVENTS => runtime.events = word == "true",
        RETRY_BACKOFF => runtime.retry_backoff = Duration::from_millis(n),
        RETRY_BACKOFF_MAX => runtime.retry_backoff_max = Duration::from_millis(n),
        RETRY_MAX_ATTEMPTS => runtime.retry_max_attempts = n as u32,
        DLQ_TIMEOUT => runtime.dlq_timeout = Duration::from_millis(n),
        ORDERING => {
            runtime.ordering = match word.as_str() {
                "partition" => DeliveryOrder::Partition,
                "key" => DeliveryOrder::Key,
                _ => DeliveryOrder::Unordered,
            }
        }
        DLQ_TOPIC => {
            let topic = value.trim();
            if topic.starts_with('^') {
                return Err("a topic name, not a regex".into());
            }
            if let Some(why) = topic_names::problem(topic) {
                return Err(why.into());
            }
            runtime.dlq_topic = Some(topic.to_string());
        }
        METRICS => runtime.metrics = word == "true",
        METRICS_LISTEN => {
            let address = value.trim();
            let valid = address
                .rsplit_once(':')
                .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
            if !valid {
                return Err("HOST:PORT, e.g. 127.0.0.1:9464 (port 0: any free port)".into());
            }
            runtime.metrics_listen = Some(address.to_string());
        }
        _ => {
            runtime.stall_policy = if word == "report" {
                StallPolicy::Report
            } else {
                StallPolicy::Leave
            }
        }
    }
    Ok(())
}

/// An error finding that stops the consumer from starting.
pub(crate) fn refusal(key: &str, message: String, fix: Option<String>) -> Finding {
    Finding {
        rule: "CF002",
        severity: Severity::Error,
        key: key.to_string(),
        message,
        recommendation: fix.map(|value| Recommendation {
            key: key.to_string(),
            value,
        }),
        source: "steady runtime settings",
    }
}

/// librdkafka's refusal of a setting, as a finding naming the key.
/// Secret values of `settings` never appear in the message.
pub(crate) fn from_kafka(err: &rdkafka::error::KafkaError, settings: &Settings) -> Error {
    use rdkafka::error::KafkaError;
    match err {
        KafkaError::ClientConfig(_, desc, key, value) => {
            let unknown = desc.contains("No such configuration property");
            Error::Config(vec![Finding {
                rule: if unknown { "CF001" } else { "CF002" },
                severity: Severity::Error,
                key: key.clone(),
                message: settings.scrub(&format!(
                    "librdkafka refuses {key}={:?}: {desc}",
                    redact_value(key, value),
                )),
                recommendation: None,
                source: "librdkafka CONFIGURATION.md",
            }])
        }
        KafkaError::ClientCreation(desc) => {
            // librdkafka names the offending key between backticks in its consistency checks;
            // a SASL mechanism this build has no provider for, only by its value.
            let key = desc
                .split('`')
                .nth(1)
                .filter(|k| !k.is_empty())
                .or_else(|| desc.contains("SASL mechanism").then_some("sasl.mechanism"))
                .unwrap_or("client");
            let message = settings.scrub(&format!("librdkafka: {desc}"));
            Error::Config(vec![refusal(key, message, None)])
        }
        other => {
            let e = SteadyKafkaError::from_rdkafka("create the consumer", other);
            SteadyKafkaError::new(e.kind(), false, settings.scrub(e.message())).into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> Settings {
        Settings::from_pairs(pairs.iter().copied().chain([("group.id", "g")]))
    }

    fn refused_key(pairs: &[(&str, &str)]) -> String {
        match split(&settings(pairs)) {
            Err(Error::Config(f)) => f[0].key.clone(),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn defaults_and_overrides() {
        let (rt, client) = split(&settings(&[
            ("max.poll.records", "10"),
            ("steady.buffer.max.bytes", "2048"),
            ("steady.stall.policy", "Report"),
            ("bootstrap.servers", "h:1"),
        ]))
        .unwrap();
        assert_eq!(rt.buffer_max_records, 10);
        assert_eq!(rt.buffer_max_bytes, 2048);
        assert_eq!(rt.stall_policy, StallPolicy::Report);
        assert_eq!(rt.processing_timeout, Duration::from_secs(300));
        assert_eq!(client.get("enable.auto.offset.store"), Some("false"));
        assert_eq!(client.get("enable.auto.commit"), Some("false"));
        assert_eq!(client.get("fetch.queue.backoff.ms"), Some("10"));
        assert_eq!(client.get(ASSIGNMENT_STRATEGY), Some("cooperative-sticky"));
        assert_eq!(rt.auto_commit, Some(Duration::from_secs(5)));
        assert_eq!(client.get("bootstrap.servers"), Some("h:1"));
        assert_eq!(client.get("max.poll.records"), None);
        assert_eq!(client.get("steady.buffer.max.bytes"), None);
    }

    #[test]
    fn the_runtime_takes_auto_commit_over() {
        let auto_commit = |pairs: &[(&str, &str)]| {
            let (rt, client) = split(&settings(pairs)).unwrap();
            assert_eq!(client.get(AUTO_COMMIT), Some("false"));
            assert_eq!(client.get(AUTO_COMMIT_ALIAS), None);
            rt.auto_commit
        };
        let ms = |n| Some(Duration::from_millis(n));
        assert_eq!(auto_commit(&[(AUTO_COMMIT_INTERVAL, "250")]), ms(250));
        assert_eq!(auto_commit(&[(AUTO_COMMIT, "TRUE")]), ms(5_000));
        assert_eq!(auto_commit(&[(AUTO_COMMIT, "false")]), None);
        assert_eq!(auto_commit(&[(AUTO_COMMIT_ALIAS, "false")]), None);
        assert_eq!(auto_commit(&[(AUTO_COMMIT_INTERVAL, "0")]), None);
    }

    #[test]
    fn the_consumer_protocol_gets_no_assignor() {
        let (_, client) = split(&settings(&[("group.protocol", "consumer")])).unwrap();
        assert_eq!(client.get(ASSIGNMENT_STRATEGY), None);
        let (_, client) = split(&settings(&[(ASSIGNMENT_STRATEGY, "range")])).unwrap();
        assert_eq!(client.get(ASSIGNMENT_STRATEGY), Some("range"));
    }

    #[test]
    fn a_refused_secret_is_never_echoed() {
        let secret = "s3cr3t-Value";
        let settings = settings(&[("sasl.oauthbearer.client.secret", secret)]);
        let err = rdkafka::error::KafkaError::ClientConfig(
            rdkafka::bindings::rd_kafka_conf_res_t::RD_KAFKA_CONF_INVALID,
            format!("bad value {secret}"),
            "sasl.oauthbearer.client.secret".into(),
            secret.into(),
        );
        let text = from_kafka(&err, &settings).to_string();
        assert!(!text.contains(secret), "{text}");
        assert!(text.contains("sasl.oauthbearer.client.secret"), "{text}");
        assert!(!format!("{settings:?}").contains(secret));
    }

    #[test]
    fn an_application_value_beats_a_steady_default() {
        let (_, client) = split(&settings(&[
            ("fetch.queue.backoff.ms", "1000"),
            ("enable.auto.offset.store", "true"),
        ]))
        .unwrap();
        assert_eq!(client.get("fetch.queue.backoff.ms"), Some("1000"));
        assert_eq!(
            client.get("enable.auto.offset.store"),
            Some("false"),
            "forced"
        );
    }

    #[test]
    fn every_key_is_in_the_catalogue() {
        for key in KEYS {
            assert!(lookup_in(key, Dialect::Steady).is_some(), "{key}");
        }
    }

    #[test]
    fn explicit_key_beats_alias() {
        let (rt, _) = split(&settings(&[
            ("max.poll.records", "10"),
            ("steady.buffer.max.records", "20"),
        ]))
        .unwrap();
        assert_eq!(rt.buffer_max_records, 20);
    }

    #[test]
    fn refusals_name_the_key() {
        assert_eq!(
            refused_key(&[("steady.buffer.max.records", "0")]),
            BUFFER_MAX_RECORDS
        );
        assert_eq!(
            refused_key(&[("steady.buffer.max.bytes", "lots")]),
            BUFFER_MAX_BYTES
        );
        assert_eq!(
            refused_key(&[("steady.stall.policy", "panic")]),
            STALL_POLICY
        );
        assert_eq!(
            refused_key(&[("steady.bufer.max.records", "5")]),
            "steady.bufer.max.records"
        );
        assert_eq!(refused_key(&[("max.poll.records", "-1")]), MAX_POLL_RECORDS);
        assert_eq!(
            refused_key(&[("steady.processing.timeout.ms", "5")]),
            PROCESSING_TIMEOUT
        );
        assert_eq!(
            refused_key(&[
                ("max.poll.interval.ms", "4000"),
                ("steady.revoke.drain.ms", "5000")
            ]),
            REVOKE_DRAIN
        );
        match split(&Settings::from_pairs([("bootstrap.servers", "h:1")])) {
            Err(Error::Config(f)) => assert_eq!(f[0].key, "group.id"),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
}
