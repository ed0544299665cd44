//! The probe through librdkafka, for listeners that need TLS or SASL: librdkafka connects with
//! the user's security settings, logs the broker's ApiVersions answer under `debug=feature`
//! ("Broker API support:" then one "ApiKey Name (n) Versions a..b" line per API), and the lines
//! are read back through the client context. The live group comes from librdkafka's group list;
//! the session window is Apache Kafka's default for the inferred version.

use super::assignment::Consumed;
use super::group::{absent, found, member};
use super::infer::{before_api_versions, infer, ApiRange};
use super::wire::remaining;
use super::{ProbeError, Target};
use crate::rules::{BrokerFacts, GroupFacts};
use crate::settings::{is_secret, java_security_for_librdkafka, Settings};
use bytes::Bytes;
use parking_lot::Mutex;
use rdkafka::config::{ClientConfig, RDKafkaLogLevel};
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext};
use rdkafka::error::KafkaError;
use rdkafka::types::RDKafkaConfRes;
use rdkafka::ClientContext;
use std::time::Duration;

/// Settings passed on to librdkafka: how to reach and authenticate to the broker.
const FORWARDED_PREFIXES: [&str; 5] = [
    "security.protocol",
    "ssl.",
    "sasl.",
    "enable.ssl.",
    "enable.sasl.",
];

/// How long one drain of librdkafka's log queue waits.
const LOG_POLL: Duration = Duration::from_millis(100);

/// How long one metadata request may wait before the queue is served for the log lines that
/// tell of a failed authentication.
const METADATA_ROUND: Duration = Duration::from_secs(1);

/// The most queue events served between two metadata requests.
const QUEUE_EVENTS: usize = 1000;

/// The words librdkafka's log line for a failed SASL authentication starts with.
const AUTHENTICATION_FAILED: &str = "SASL authentication error";

/// Keeps librdkafka's ApiVersions log lines and the authentication failure it reported.
#[derive(Default)]
struct ApiLog {
    lines: Mutex<Vec<String>>,
    authentication: Mutex<Option<String>>,
}

impl ClientContext for ApiLog {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, log_message: &str) {
        if fac == "APIVERSION" {
            self.lines.lock().push(log_message.to_string());
        } else if let Some(at) = authentication_failure(level, fac, log_message) {
            self.authentication
                .lock()
                .get_or_insert_with(|| at.to_string());
        }
    }
}

/// librdkafka's error line for a failed SASL authentication (facility FAIL, "… SASL
/// authentication error: …"), from those words on.
fn authentication_failure<'a>(level: RDKafkaLogLevel, fac: &str, line: &'a str) -> Option<&'a str> {
    if fac != "FAIL" || level as i32 > RDKafkaLogLevel::Error as i32 {
        return None;
    }
    line.find(AUTHENTICATION_FAILED).map(|at| &line[at..])
}

impl ConsumerContext for ApiLog {}

/// Probes `target` through librdkafka with the security settings of `settings`.
pub(crate) fn probe(target: &Target, settings: &Settings) -> Result<BrokerFacts, ProbeError> {
    let consumer: BaseConsumer<ApiLog> = client_config(target, settings)?
        .create_with_context(ApiLog::default())
        .map_err(|e| target.protocol(format!("cannot create the librdkafka client: {e}")))?;
    fetch_metadata(&consumer, target)?;
    let mut facts = match drain_api_log(&consumer, target) {
        Some(apis) => infer(&apis),
        // Metadata without an ApiVersions answer: librdkafka fell back to pre-0.10 requests.
        None => before_api_versions(),
    };
    if let Some(name) = &target.group {
        facts.group = Some(describe_group(&consumer, target, name)?);
    }
    Ok(facts)
}

/// Asks for the cluster's metadata in rounds of at most `METADATA_ROUND`, serving librdkafka's
/// queue after each, so that an authentication failure it logged ends the probe at once. A listener
/// answers ApiVersions before SASL authentication: only the metadata shows that these settings
/// can use the broker.
fn fetch_metadata(consumer: &BaseConsumer<ApiLog>, target: &Target) -> Result<(), ProbeError> {
    loop {
        let round = time_left(target)?.min(METADATA_ROUND);
        let result = consumer.fetch_metadata(None, round);
        // librdkafka's log lines come through the client's queue: serve what is there.
        for _ in 0..QUEUE_EVENTS {
            let _ = consumer.poll(Duration::ZERO);
        }
        if let Some(reason) = consumer.context().authentication.lock().take() {
            return Err(target.protocol(format!("authentication failed: {reason}")));
        }
        match result {
            Ok(_) => return Ok(()),
            Err(e) if remaining(target.deadline).is_err() => {
                return Err(target.unreachable(e.to_string()))
            }
            Err(_) => {}
        }
    }
}

/// The time left for the probe, or the error for having none.
fn time_left(target: &Target) -> Result<Duration, ProbeError> {
    remaining(target.deadline).map_err(|_| target.unreachable("no time left".into()))
}

/// The client configuration: bootstrap servers, the user's connection and security settings
/// that librdkafka knows, and the debug context that logs ApiVersions answers.
fn client_config(target: &Target, settings: &Settings) -> Result<ClientConfig, ProbeError> {
    let mut config = connection_config(target, settings)?;
    config
        .set("debug", "feature")
        .set("api.version.request", "true")
        .set_log_level(RDKafkaLogLevel::Debug);
    Ok(config)
}

/// Bootstrap servers and the user's connection and security settings that librdkafka knows;
/// a setting librdkafka rejects is named, its value only when it is not a secret.
pub(crate) fn connection_config(
    target: &Target,
    settings: &Settings,
) -> Result<ClientConfig, ProbeError> {
    let mut config = ClientConfig::new();
    for (key, value) in java_security_for_librdkafka(settings).iter() {
        if !FORWARDED_PREFIXES.iter().any(|p| key.starts_with(p)) {
            continue;
        }
        match ClientConfig::new().set(key, value).create_native_config() {
            Ok(_) => {
                config.set(key, value);
            }
            // A name librdkafka does not have at all.
            Err(KafkaError::ClientConfig(RDKafkaConfRes::RD_KAFKA_CONF_UNKNOWN, ..)) => {}
            // librdkafka's reason may quote the value: then it is left out for secrets.
            Err(KafkaError::ClientConfig(_, reason, ..))
                if !is_secret(key) || !(value.is_empty() || reason.contains(value)) =>
            {
                return Err(target.protocol(format!("librdkafka rejects {key}: {reason}")));
            }
            Err(_) => return Err(target.protocol(format!("librdkafka rejects {key}"))),
        }
    }
    config.set("bootstrap.servers", target.servers.join(","));
    Ok(config)
}

/// Serves librdkafka's log queue until the ApiVersions lines of one broker are in and no
/// more arrive, or the deadline passes; returns that broker's answer.
fn drain_api_log(consumer: &BaseConsumer<ApiLog>, target: &Target) -> Option<Vec<ApiRange>> {
    let mut seen = usize::MAX;
    while let Ok(left) = remaining(target.deadline) {
        let _ = consumer.poll(left.min(LOG_POLL));
        let lines = consumer.context().lines.lock();
        if lines.len() == seen {
            break;
        }
        seen = lines.len();
    }
    parse_api_log(&consumer.context().lines.lock())
}

/// The first broker's ApiVersions answer in librdkafka's `debug=feature` log lines.
///
/// Lines of one broker share the text before "Broker API support:" / "ApiKey" (thread and
/// broker name); a new "Broker API support:" line starts that broker's answer afresh.
pub(crate) fn parse_api_log(lines: &[String]) -> Option<Vec<ApiRange>> {
    // (broker prefix, its answer so far), in the order the answers started.
    let mut answers: Vec<(&str, Vec<ApiRange>)> = Vec::new();
    for line in lines {
        if let Some((prefix, _)) = line.split_once("Broker API support:") {
            let prefix = prefix.trim_end();
            answers.retain(|(p, _)| *p != prefix);
            answers.push((prefix, Vec::new()));
        } else if let Some((prefix, api)) = line.split_once("ApiKey ") {
            let prefix = prefix.trim_end();
            let answer = answers.iter_mut().find(|(p, _)| *p == prefix);
            if let (Some((_, apis)), Some(api)) = (answer, parse_api_line(api)) {
                apis.push(api);
            }
        }
    }
    answers
        .into_iter()
        .map(|(_, apis)| apis)
        .find(|apis| !apis.is_empty())
}

/// Reads `JoinGroup (11) Versions 0..9`.
fn parse_api_line(text: &str) -> Option<ApiRange> {
    let (_, rest) = text.split_once('(')?;
    let (key, rest) = rest.split_once(')')?;
    let (_, range) = rest.split_once("Versions")?;
    let (min, max) = range.trim().split_once("..")?;
    Some(ApiRange {
        key: key.trim().parse().ok()?,
        min: min.trim().parse().ok()?,
        max: max.trim().parse().ok()?,
    })
}

/// The live group as librdkafka's group list describes it.
fn describe_group(
    consumer: &BaseConsumer<ApiLog>,
    target: &Target,
    name: &str,
) -> Result<GroupFacts, ProbeError> {
    let failed = |e: KafkaError| target.protocol(format!("group '{name}': {e}"));
    let list = consumer
        .fetch_group_list(Some(name), time_left(target)?)
        .map_err(failed)?;
    let Some(info) = list.groups().iter().find(|g| g.name() == name) else {
        return Ok(absent(name));
    };
    let mut consumed = Consumed::default();
    if info.protocol_type() == "consumer" {
        for m in info.members() {
            let bytes = |b: Option<&[u8]>| Bytes::copy_from_slice(b.unwrap_or_default());
            consumed.add_member_bytes(&bytes(m.metadata()), &bytes(m.assignment()));
        }
    }
    let members = info
        .members()
        .iter()
        .map(|m| member(m.id(), m.client_id(), m.client_host(), None))
        .collect();
    let (mut facts, topics) = found(name, info.state(), info.protocol(), members, consumed);
    let mut total = 0u32;
    for topic in &topics {
        let metadata = consumer
            .fetch_metadata(Some(topic), time_left(target)?)
            .map_err(failed)?;
        total += metadata
            .topics()
            .iter()
            .map(|t| t.partitions().len() as u32)
            .sum::<u32>();
    }
    if total > 0 {
        facts.partitions = Some(total);
    }
    Ok(facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    #[test]
    fn reads_librdkafka_feature_lines() {
        let log = lines(
            "[thrd:127.0.0.1:9093/bootstrap]: 127.0.0.1:9093/bootstrap: Broker API support:\n\
             [thrd:127.0.0.1:9093/bootstrap]: 127.0.0.1:9093/bootstrap:   ApiKey Produce (0) Versions 0..11\n\
             [thrd:127.0.0.1:9093/bootstrap]: 127.0.0.1:9093/bootstrap:   ApiKey JoinGroup (11) Versions 0..9\n\
             [thrd:127.0.0.1:9093/bootstrap]: 127.0.0.1:9093/bootstrap:   ApiKey ConsumerGroupHeartbeat (68) Versions 0..1",
        );
        let apis = parse_api_log(&log).unwrap();
        assert_eq!(apis.len(), 3);
        assert_eq!(
            apis[1],
            ApiRange {
                key: 11,
                min: 0,
                max: 9
            }
        );
        assert_eq!(infer(&apis).version.unwrap().label, "4.0+");
    }

    #[test]
    fn keeps_brokers_apart_and_takes_the_first() {
        let log = lines(
            "[thrd:a]: a: Broker API support:\n\
             [thrd:b]: b: Broker API support:\n\
             [thrd:b]: b:   ApiKey JoinGroup (11) Versions 0..9\n\
             [thrd:a]: a:   ApiKey JoinGroup (11) Versions 0..0\n\
             [thrd:a]: a:   ApiKey OffsetFetch (9) Versions 0..1",
        );
        let apis = parse_api_log(&log).unwrap();
        assert_eq!(infer(&apis).version.unwrap().label, "0.10.0");
    }

    #[test]
    fn a_reconnect_replaces_the_earlier_answer() {
        let log = lines(
            "[thrd:a]: a: Broker API support:\n\
             [thrd:a]: a:   ApiKey JoinGroup (11) Versions 0..0\n\
             [thrd:a]: a: Broker API support:\n\
             [thrd:a]: a:   ApiKey JoinGroup (11) Versions 0..5",
        );
        let apis = parse_api_log(&log).unwrap();
        assert_eq!(
            apis,
            [ApiRange {
                key: 11,
                min: 0,
                max: 5
            }]
        );
    }

    #[test]
    fn other_lines_and_no_answer() {
        let log = lines(
            "[thrd:a]: a: ApiVersionRequest failed: Local: Timed out: probably due to broker version < 0.10\n\
             [thrd:a]: a:   ApiKey Broken (x) Versions 0..1",
        );
        assert_eq!(parse_api_log(&log), None);
        assert_eq!(parse_api_line("JoinGroup (11) Versions 3..x"), None);
    }

    #[test]
    fn reads_librdkafka_authentication_failures() {
        let line = "[thrd:sasl_ssl://b:9/bootstrap]: sasl_ssl://b:9/bootstrap: SASL authentication \
                    error: Authentication failed due to invalid credentials (after 3ms in state AUTH_REQ)";
        assert_eq!(
            authentication_failure(RDKafkaLogLevel::Error, "FAIL", line),
            Some("SASL authentication error: Authentication failed due to invalid credentials (after 3ms in state AUTH_REQ)")
        );
        assert_eq!(
            authentication_failure(RDKafkaLogLevel::Debug, "FAIL", line),
            None
        );
        assert_eq!(
            authentication_failure(RDKafkaLogLevel::Error, "SASL", line),
            None
        );
        let other = "[thrd:b]: b: Connect to ipv4#127.0.0.1:9 failed: Connection refused";
        assert_eq!(
            authentication_failure(RDKafkaLogLevel::Error, "FAIL", other),
            None
        );
    }

    #[test]
    fn java_only_and_unrelated_keys_stay_out_of_librdkafka() {
        let target = Target::parse("b:9093", None, Duration::from_secs(1)).unwrap();
        let settings = Settings::from_pairs([
            ("security.protocol", "SSL"),
            ("ssl.ca.location", "/etc/ca.pem"),
            ("ssl.no.such.key", "1"),
            ("max.poll.records", "10"),
            ("group.id", "g"),
        ]);
        let config = client_config(&target, &settings).unwrap();
        assert_eq!(config.get("security.protocol"), Some("SSL"));
        assert_eq!(config.get("ssl.ca.location"), Some("/etc/ca.pem"));
        assert_eq!(config.get("ssl.no.such.key"), None);
        assert_eq!(config.get("max.poll.records"), None);
        assert_eq!(config.get("group.id"), None);
        assert_eq!(config.get("debug"), Some("feature"));
    }

    #[test]
    fn settings_librdkafka_cannot_use_are_named() {
        let target = Target::parse("b:9093", None, Duration::from_secs(1)).unwrap();
        let rejected = |key: &str, value: &str| {
            let settings = Settings::from_pairs([(key, value)]);
            client_config(&target, &settings).unwrap_err().to_string()
        };
        let err = rejected("security.protocol", "carrier-pigeon");
        assert!(
            err.contains("librdkafka rejects security.protocol"),
            "{err}"
        );
    }

    #[test]
    fn the_java_clients_security_keys_are_translated() {
        let target = Target::parse("b:9093", None, Duration::from_secs(1)).unwrap();
        let jaas = r#"org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";"#;
        let settings = Settings::from_pairs([
            ("sasl.jaas.config", jaas),
            ("ssl.truststore.location", "/etc/ts.jks"),
        ]);
        let config = client_config(&target, &settings).unwrap();
        assert_eq!(config.get("sasl.username"), Some("u"));
        assert_eq!(config.get("sasl.password"), Some("p"));
        assert_eq!(config.get("sasl.jaas.config"), None);
        assert_eq!(config.get("ssl.truststore.location"), None);
    }
}
