//! The catalogue of consumer keys known to the Java client, librdkafka and steady.
//!
//! Sources: the Java client's `ConsumerConfig` (4.x, with `CommonClientConfigs`, `SslConfigs` and
//! `SaslConfigs`), librdkafka 2.12's CONFIGURATION.md (global and topic properties marked `C` or
//! `*`, without those set through a dedicated API), and steady's own `steady.*` keys. A key whose
//! type or range differs between the clients has one row per client.

use super::choice::{choose, UnknownChoice};
use crate::version::Version;
use std::fmt;
use std::str::FromStr;

/// Which client a key belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    /// The Apache Kafka Java client (`KafkaConsumer`).
    Java,
    /// librdkafka (C), and every client built on it.
    Librdkafka,
    /// steady's runtime (librdkafka keys plus `steady.*`).
    Steady,
}

const DIALECT_NAMES: &[&str] = &["java", "librdkafka", "steady"];

impl Dialect {
    /// The lowercase name used in files, flags and JSON.
    pub fn as_str(self) -> &'static str {
        DIALECT_NAMES[self as usize]
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Reads "java", "librdkafka" or "steady" (any case).
impl FromStr for Dialect {
    type Err = UnknownChoice;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const ALL: [Dialect; 3] = [Dialect::Java, Dialect::Librdkafka, Dialect::Steady];
        choose("dialect", s, DIALECT_NAMES).map(|i| ALL[i])
    }
}

/// The type and allowed values of a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An integer within `min..=max`.
    Int {
        /// Smallest allowed value.
        min: i64,
        /// Largest allowed value.
        max: i64,
    },
    /// `true` or `false`.
    Bool,
    /// One of the listed words (any case; a word ending in `:` accepts any value it prefixes).
    Enum(&'static [&'static str]),
    /// A comma-separated list whose items are among the listed words (empty: any items).
    List(&'static [&'static str]),
    /// Free text.
    Text,
}

/// What is known about one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyInfo {
    /// The key's name.
    pub name: &'static str,
    /// The dialects that accept it.
    pub dialects: &'static [Dialect],
    /// Its type and range.
    pub kind: Kind,
    /// Default in the current Java client, if it has one.
    pub java_default: Option<&'static str>,
    /// Default in librdkafka 2.12, if it has one (for keys only steady accepts: steady's default).
    pub rdkafka_default: Option<&'static str>,
}

const J: &[Dialect] = &[Dialect::Java];
const R: &[Dialect] = &[Dialect::Librdkafka, Dialect::Steady];
const JR: &[Dialect] = &[Dialect::Java, Dialect::Librdkafka, Dialect::Steady];
const S: &[Dialect] = &[Dialect::Steady];

const TEXT: Kind = Kind::Text;
const BOOL: Kind = Kind::Bool;
const I32: i64 = i32::MAX as i64;
/// A Java `int` without a validator.
const JINT: Kind = int(i32::MIN as i64, I32);
/// A Java `long` without a validator.
const JLONG: Kind = int(i64::MIN, i64::MAX);
/// A Java class list or list of names: any items.
const ANY_LIST: Kind = Kind::List(&[]);

const fn int(min: i64, max: i64) -> Kind {
    Kind::Int { min, max }
}

const fn opt(default: &'static str) -> Option<&'static str> {
    if default.is_empty() {
        None
    } else {
        Some(default)
    }
}

/// A row: name, dialects, kind, Java default, librdkafka (or steady) default; "" = no default.
const fn k(
    name: &'static str,
    dialects: &'static [Dialect],
    kind: Kind,
    java: &'static str,
    rdkafka: &'static str,
) -> KeyInfo {
    KeyInfo {
        name,
        dialects,
        kind,
        java_default: opt(java),
        rdkafka_default: opt(rdkafka),
    }
}

/// A Java-only row.
const fn j(name: &'static str, kind: Kind, default: &'static str) -> KeyInfo {
    k(name, J, kind, default, "")
}

/// A librdkafka row (steady accepts every librdkafka key).
const fn r(name: &'static str, kind: Kind, default: &'static str) -> KeyInfo {
    k(name, R, kind, "", default)
}

const ASSIGNORS: Kind = Kind::List(&["range", "roundrobin", "cooperative-sticky"]);
const SECURITY: Kind = Kind::Enum(&["plaintext", "ssl", "sasl_plaintext", "sasl_ssl"]);

static KEYS: &[KeyInfo] = &[
    // Group membership and polling.
    k("group.id", JR, TEXT, "", ""),
    k("group.instance.id", JR, TEXT, "", ""),
    j("session.timeout.ms", JINT, "45000"),
    r("session.timeout.ms", int(1, 3_600_000), "45000"),
    j("heartbeat.interval.ms", JINT, "3000"),
    r("heartbeat.interval.ms", int(1, 3_600_000), "3000"),
    j("max.poll.interval.ms", int(1, I32), "300000"),
    r("max.poll.interval.ms", int(1, 86_400_000), "300000"),
    j("max.poll.records", int(1, I32), "500"),
    k("max.poll.records", S, int(1, 10_000_000), "", "1024"),
    j(
        "partition.assignment.strategy",
        ANY_LIST,
        "org.apache.kafka.clients.consumer.RangeAssignor,\
         org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
    ),
    r(
        "partition.assignment.strategy",
        ASSIGNORS,
        "range,roundrobin",
    ),
    k(
        "group.protocol",
        JR,
        Kind::Enum(&["classic", "consumer"]),
        "classic",
        "classic",
    ),
    k("group.remote.assignor", JR, TEXT, "", ""),
    r("group.protocol.type", TEXT, "consumer"),
    r("coordinator.query.interval.ms", int(1, 3_600_000), "600000"),
    // Offsets.
    k("enable.auto.commit", JR, BOOL, "true", "true"),
    j("auto.commit.interval.ms", int(0, I32), "5000"),
    r("auto.commit.interval.ms", int(0, 86_400_000), "5000"),
    r("enable.auto.offset.store", BOOL, "true"),
    j(
        "auto.offset.reset",
        Kind::Enum(&["latest", "earliest", "none", "by_duration:"]),
        "latest",
    ),
    r(
        "auto.offset.reset",
        Kind::Enum(&[
            "smallest",
            "earliest",
            "beginning",
            "largest",
            "latest",
            "end",
            "error",
        ]),
        "largest",
    ),
    r("auto.commit.enable", BOOL, "true"),
    r(
        "offset.store.method",
        Kind::Enum(&["none", "file", "broker"]),
        "broker",
    ),
    r("offset.store.path", TEXT, "."),
    r("offset.store.sync.interval.ms", int(-1, 86_400_000), "-1"),
    k(
        "isolation.level",
        JR,
        Kind::Enum(&["read_uncommitted", "read_committed"]),
        "read_uncommitted",
        "read_committed",
    ),
    // Fetching.
    j("fetch.min.bytes", int(0, I32), "1"),
    r("fetch.min.bytes", int(1, 100_000_000), "1"),
    j("fetch.max.bytes", int(0, I32), "52428800"),
    r("fetch.max.bytes", int(0, 2_147_483_135), "52428800"),
    j("fetch.max.wait.ms", int(0, I32), "500"),
    r("fetch.wait.max.ms", int(0, 300_000), "500"),
    j("max.partition.fetch.bytes", int(0, I32), "1048576"),
    r(
        "max.partition.fetch.bytes",
        int(1, 1_000_000_000),
        "1048576",
    ),
    r("fetch.message.max.bytes", int(1, 1_000_000_000), "1048576"),
    r("fetch.queue.backoff.ms", int(0, 300_000), "1000"),
    r("fetch.error.backoff.ms", int(0, 300_000), "500"),
    r("queued.min.messages", int(1, 10_000_000), "100000"),
    r("queued.max.messages.kbytes", int(1, 2_097_151), "65536"),
    r("message.max.bytes", int(1000, 1_000_000_000), "1000000"),
    r("message.copy.max.bytes", int(0, 1_000_000_000), "65535"),
    r("receive.message.max.bytes", int(1000, I32), "100000000"),
    k("check.crcs", JR, BOOL, "true", "false"),
    r("enable.partition.eof", BOOL, "false"),
    r("consume.callback.max.messages", int(0, 1_000_000), "0"),
    j("exclude.internal.topics", BOOL, "true"),
    k("allow.auto.create.topics", JR, BOOL, "true", "false"),
    j("key.deserializer", TEXT, ""),
    j("value.deserializer", TEXT, ""),
    j("interceptor.classes", ANY_LIST, ""),
    j("config.providers", ANY_LIST, ""),
    j(
        "share.acknowledgement.mode",
        Kind::Enum(&["implicit", "explicit"]),
        "implicit",
    ),
    // Connections, requests and metadata.
    k("bootstrap.servers", JR, TEXT, "", ""),
    r("metadata.broker.list", TEXT, ""),
    k("client.id", JR, TEXT, "", "rdkafka"),
    k("client.rack", JR, TEXT, "", ""),
    k(
        "client.dns.lookup",
        JR,
        Kind::Enum(&[
            "use_all_dns_ips",
            "resolve_canonical_bootstrap_servers_only",
        ]),
        "use_all_dns_ips",
        "use_all_dns_ips",
    ),
    j("request.timeout.ms", int(0, I32), "30000"),
    j("default.api.timeout.ms", int(0, I32), "60000"),
    r("socket.timeout.ms", int(10, 300_000), "60000"),
    j("socket.connection.setup.timeout.ms", JLONG, "10000"),
    r(
        "socket.connection.setup.timeout.ms",
        int(1000, I32),
        "30000",
    ),
    j("socket.connection.setup.timeout.max.ms", JLONG, "30000"),
    j("connections.max.idle.ms", JLONG, "540000"),
    r("connections.max.idle.ms", int(0, I32), "0"),
    j("send.buffer.bytes", int(-1, I32), "131072"),
    j("receive.buffer.bytes", int(-1, I32), "65536"),
    r("socket.send.buffer.bytes", int(0, 100_000_000), "0"),
    r("socket.receive.buffer.bytes", int(0, 100_000_000), "0"),
    r("socket.keepalive.enable", BOOL, "false"),
    r("socket.nagle.disable", BOOL, "true"),
    r("socket.max.fails", int(0, 1_000_000), "1"),
    r("socket.blocking.max.ms", int(1, 60_000), "1000"),
    j("reconnect.backoff.ms", int(0, i64::MAX), "50"),
    r("reconnect.backoff.ms", int(0, 3_600_000), "100"),
    j("reconnect.backoff.max.ms", int(0, i64::MAX), "1000"),
    r("reconnect.backoff.max.ms", int(0, 3_600_000), "10000"),
    r("reconnect.backoff.jitter.ms", int(0, 3_600_000), "0"),
    j("retry.backoff.ms", int(0, i64::MAX), "100"),
    r("retry.backoff.ms", int(1, 300_000), "100"),
    j("retry.backoff.max.ms", int(0, i64::MAX), "1000"),
    r("retry.backoff.max.ms", int(1, 300_000), "1000"),
    r(
        "max.in.flight.requests.per.connection",
        int(1, 1_000_000),
        "1000000",
    ),
    r("max.in.flight", int(1, 1_000_000), "1000000"),
    j("metadata.max.age.ms", int(0, i64::MAX), "300000"),
    r("metadata.max.age.ms", int(1, 86_400_000), "900000"),
    k(
        "metadata.recovery.strategy",
        JR,
        Kind::Enum(&["none", "rebootstrap"]),
        "rebootstrap",
        "rebootstrap",
    ),
    j(
        "metadata.recovery.rebootstrap.trigger.ms",
        int(0, i64::MAX),
        "300000",
    ),
    r(
        "metadata.recovery.rebootstrap.trigger.ms",
        int(0, I32),
        "300000",
    ),
    r(
        "topic.metadata.refresh.interval.ms",
        int(-1, 3_600_000),
        "300000",
    ),
    r(
        "topic.metadata.refresh.fast.interval.ms",
        int(1, 60_000),
        "100",
    ),
    r("topic.metadata.refresh.fast.cnt", int(0, 1000), "10"),
    r("topic.metadata.refresh.sparse", BOOL, "true"),
    r(
        "topic.metadata.propagation.max.ms",
        int(0, 3_600_000),
        "30000",
    ),
    r("topic.blacklist", TEXT, ""),
    r("broker.address.ttl", int(0, 86_400_000), "1000"),
    r(
        "broker.address.family",
        Kind::Enum(&["any", "v4", "v6"]),
        "any",
    ),
    r("api.version.request", BOOL, "true"),
    r("api.version.request.timeout.ms", int(1, 300_000), "10000"),
    r("api.version.fallback.ms", int(0, 604_800_000), "0"),
    r("broker.version.fallback", TEXT, "0.10.0"),
    // Metrics, logging and the library itself.
    k("enable.metrics.push", JR, BOOL, "true", "true"),
    j("metrics.sample.window.ms", int(0, i64::MAX), "30000"),
    j("metrics.num.samples", int(1, I32), "2"),
    j(
        "metrics.recording.level",
        Kind::Enum(&["INFO", "DEBUG", "TRACE"]),
        "INFO",
    ),
    j(
        "metric.reporters",
        ANY_LIST,
        "org.apache.kafka.common.metrics.JmxReporter",
    ),
    r("statistics.interval.ms", int(0, 86_400_000), "0"),
    r("enabled_events", int(0, I32), "0"),
    r("log_level", int(0, 7), "6"),
    r("log.queue", BOOL, "false"),
    r("log.thread.name", BOOL, "true"),
    r("log.connection.close", BOOL, "true"),
    r("enable.random.seed", BOOL, "true"),
    r("internal.termination.signal", int(0, 128), "0"),
    r(
        "debug",
        Kind::List(&[
            "generic",
            "broker",
            "topic",
            "metadata",
            "feature",
            "queue",
            "msg",
            "protocol",
            "cgrp",
            "security",
            "fetch",
            "interceptor",
            "plugin",
            "consumer",
            "admin",
            "eos",
            "mock",
            "assignor",
            "conf",
            "telemetry",
            "all",
        ]),
        "",
    ),
    r(
        "builtin.features",
        Kind::List(&[
            "gzip",
            "snappy",
            "ssl",
            "sasl",
            "regex",
            "lz4",
            "sasl_gssapi",
            "sasl_plain",
            "sasl_scram",
            "plugins",
            "zstd",
            "sasl_oauthbearer",
            "http",
            "oidc",
        ]),
        "gzip,snappy,ssl,sasl,regex,lz4,sasl_gssapi,sasl_plain,sasl_scram,plugins,zstd,\
         sasl_oauthbearer,http,oidc",
    ),
    r("plugin.library.paths", TEXT, ""),
    // Security.
    k("security.protocol", JR, SECURITY, "PLAINTEXT", "plaintext"),
    j("security.providers", TEXT, ""),
    k("ssl.cipher.suites", JR, TEXT, "", ""),
    k("ssl.keystore.location", JR, TEXT, "", ""),
    k("ssl.keystore.password", JR, TEXT, "", ""),
    k("ssl.key.password", JR, TEXT, "", ""),
    j("ssl.protocol", TEXT, "TLSv1.3"),
    j("ssl.provider", TEXT, ""),
    j("ssl.enabled.protocols", ANY_LIST, "TLSv1.2,TLSv1.3"),
    j("ssl.keystore.type", TEXT, "JKS"),
    j("ssl.keystore.key", TEXT, ""),
    j("ssl.keystore.certificate.chain", TEXT, ""),
    j("ssl.truststore.certificates", TEXT, ""),
    j("ssl.truststore.type", TEXT, "JKS"),
    j("ssl.truststore.location", TEXT, ""),
    j("ssl.truststore.password", TEXT, ""),
    j("ssl.keymanager.algorithm", TEXT, "SunX509"),
    j("ssl.trustmanager.algorithm", TEXT, "PKIX"),
    j("ssl.endpoint.identification.algorithm", TEXT, "https"),
    r(
        "ssl.endpoint.identification.algorithm",
        Kind::Enum(&["none", "https"]),
        "https",
    ),
    j("ssl.secure.random.implementation", TEXT, ""),
    j("ssl.engine.factory.class", TEXT, ""),
    r("ssl.curves.list", TEXT, ""),
    r("ssl.sigalgs.list", TEXT, ""),
    r("ssl.key.location", TEXT, ""),
    r("ssl.key.pem", TEXT, ""),
    r("ssl.certificate.location", TEXT, ""),
    r("ssl.certificate.pem", TEXT, ""),
    r("ssl.ca.location", TEXT, ""),
    r("ssl.ca.pem", TEXT, ""),
    r("ssl.ca.certificate.stores", TEXT, "Root"),
    r("ssl.crl.location", TEXT, ""),
    r("ssl.providers", TEXT, ""),
    r("ssl.engine.location", TEXT, ""),
    r("ssl.engine.id", TEXT, "dynamic"),
    r("enable.ssl.certificate.verification", BOOL, "true"),
    r("https.ca.location", TEXT, ""),
    r("https.ca.pem", TEXT, ""),
    k("sasl.mechanism", JR, TEXT, "GSSAPI", "GSSAPI"),
    r("sasl.mechanisms", TEXT, "GSSAPI"),
    k("sasl.kerberos.service.name", JR, TEXT, "", "kafka"),
    k(
        "sasl.kerberos.kinit.cmd",
        JR,
        TEXT,
        "/usr/bin/kinit",
        "kinit -R -t \"%{sasl.kerberos.keytab}\" -k %{sasl.kerberos.principal} || \
         kinit -t \"%{sasl.kerberos.keytab}\" -k %{sasl.kerberos.principal}",
    ),
    j("sasl.kerberos.min.time.before.relogin", JLONG, "60000"),
    r(
        "sasl.kerberos.min.time.before.relogin",
        int(0, 86_400_000),
        "60000",
    ),
    j("sasl.kerberos.ticket.renew.window.factor", TEXT, "0.8"),
    j("sasl.kerberos.ticket.renew.jitter", TEXT, "0.05"),
    r("sasl.kerberos.principal", TEXT, "kafkaclient"),
    r("sasl.kerberos.keytab", TEXT, ""),
    r("sasl.username", TEXT, ""),
    r("sasl.password", TEXT, ""),
    j("sasl.jaas.config", TEXT, ""),
    j("sasl.client.callback.handler.class", TEXT, ""),
    j("sasl.login.callback.handler.class", TEXT, ""),
    j("sasl.login.class", TEXT, ""),
    j("sasl.login.connect.timeout.ms", JINT, ""),
    j("sasl.login.read.timeout.ms", JINT, ""),
    j("sasl.login.retry.backoff.ms", JLONG, "100"),
    j("sasl.login.retry.backoff.max.ms", JLONG, "10000"),
    j("sasl.login.refresh.window.factor", TEXT, "0.8"),
    j("sasl.login.refresh.window.jitter", TEXT, "0.05"),
    j("sasl.login.refresh.min.period.seconds", int(0, 900), "60"),
    j("sasl.login.refresh.buffer.seconds", int(0, 3600), "300"),
    k("sasl.oauthbearer.token.endpoint.url", JR, TEXT, "", ""),
    k("sasl.oauthbearer.scope", JR, TEXT, "", ""),
    k(
        "sasl.oauthbearer.client.credentials.client.id",
        JR,
        TEXT,
        "",
        "",
    ),
    k(
        "sasl.oauthbearer.client.credentials.client.secret",
        JR,
        TEXT,
        "",
        "",
    ),
    k(
        "sasl.oauthbearer.assertion.algorithm",
        JR,
        Kind::Enum(&["RS256", "ES256"]),
        "RS256",
        "RS256",
    ),
    k("sasl.oauthbearer.assertion.claim.aud", JR, TEXT, "", ""),
    k(
        "sasl.oauthbearer.assertion.claim.exp.seconds",
        JR,
        int(1, I32),
        "300",
        "300",
    ),
    k("sasl.oauthbearer.assertion.claim.iss", JR, TEXT, "", ""),
    k(
        "sasl.oauthbearer.assertion.claim.jti.include",
        JR,
        BOOL,
        "false",
        "false",
    ),
    k(
        "sasl.oauthbearer.assertion.claim.nbf.seconds",
        JR,
        int(0, I32),
        "60",
        "60",
    ),
    k("sasl.oauthbearer.assertion.claim.sub", JR, TEXT, "", ""),
    k("sasl.oauthbearer.assertion.file", JR, TEXT, "", ""),
    k(
        "sasl.oauthbearer.assertion.private.key.file",
        JR,
        TEXT,
        "",
        "",
    ),
    k(
        "sasl.oauthbearer.assertion.private.key.passphrase",
        JR,
        TEXT,
        "",
        "",
    ),
    j("sasl.oauthbearer.assertion.template.file", TEXT, ""),
    j(
        "sasl.oauthbearer.jwt.retriever.class",
        TEXT,
        "org.apache.kafka.common.security.oauthbearer.DefaultJwtRetriever",
    ),
    j(
        "sasl.oauthbearer.jwt.validator.class",
        TEXT,
        "org.apache.kafka.common.security.oauthbearer.DefaultJwtValidator",
    ),
    j("sasl.oauthbearer.scope.claim.name", TEXT, "scope"),
    j("sasl.oauthbearer.sub.claim.name", TEXT, "sub"),
    j("sasl.oauthbearer.jwks.endpoint.url", TEXT, ""),
    j(
        "sasl.oauthbearer.jwks.endpoint.refresh.ms",
        JLONG,
        "3600000",
    ),
    j(
        "sasl.oauthbearer.jwks.endpoint.retry.backoff.ms",
        JLONG,
        "100",
    ),
    j(
        "sasl.oauthbearer.jwks.endpoint.retry.backoff.max.ms",
        JLONG,
        "10000",
    ),
    j("sasl.oauthbearer.clock.skew.seconds", JINT, "30"),
    j("sasl.oauthbearer.expected.audience", ANY_LIST, ""),
    j("sasl.oauthbearer.expected.issuer", TEXT, ""),
    j("sasl.oauthbearer.header.urlencode", BOOL, "false"),
    r("sasl.oauthbearer.config", TEXT, ""),
    r("enable.sasl.oauthbearer.unsecure.jwt", BOOL, "false"),
    r(
        "sasl.oauthbearer.method",
        Kind::Enum(&["default", "oidc"]),
        "default",
    ),
    r("sasl.oauthbearer.client.id", TEXT, ""),
    r("sasl.oauthbearer.client.secret", TEXT, ""),
    r("sasl.oauthbearer.extensions", TEXT, ""),
    r(
        "sasl.oauthbearer.grant.type",
        Kind::Enum(&[
            "client_credentials",
            "urn:ietf:params:oauth:grant-type:jwt-bearer",
        ]),
        "client_credentials",
    ),
    r("sasl.oauthbearer.assertion.private.key.pem", TEXT, ""),
    r("sasl.oauthbearer.assertion.jwt.template.file", TEXT, ""),
    r(
        "sasl.oauthbearer.metadata.authentication.type",
        Kind::Enum(&["none", "azure_imds"]),
        "none",
    ),
    // steady's runtime (DESIGN.md).
    k(
        "steady.buffer.max.records",
        S,
        int(1, 10_000_000),
        "",
        "1024",
    ),
    k(
        "steady.buffer.max.bytes",
        S,
        int(1024, 1 << 40),
        "",
        "67108864",
    ),
    k(
        "steady.processing.timeout.ms",
        S,
        int(1000, 86_400_000),
        "",
        "300000",
    ),
    k(
        "steady.stall.policy",
        S,
        Kind::Enum(&["leave", "report"]),
        "",
        "leave",
    ),
    k("steady.revoke.drain.ms", S, int(0, 600_000), "", "5000"),
    k("steady.events.enable", S, BOOL, "", "false"),
    k("steady.metrics.listen", S, TEXT, "", ""),
    k("steady.metrics.enable", S, BOOL, "", "true"),
    k(
        "steady.ordering",
        S,
        Kind::Enum(&["unordered", "partition", "key"]),
        "",
        "unordered",
    ),
    k("steady.retry.backoff.ms", S, int(0, 86_400_000), "", "500"),
    k(
        "steady.retry.backoff.max.ms",
        S,
        int(0, 86_400_000),
        "",
        "30000",
    ),
    k("steady.retry.max.attempts", S, int(1, 1_000_000), "", "10"),
    k("steady.dlq.topic", S, TEXT, "", ""),
    k(
        "steady.dlq.timeout.ms",
        S,
        int(1000, 3_600_000),
        "",
        "30000",
    ),
];

/// Names that mean the same setting (across dialects, or aliases within one).
static EQUIVALENTS: &[&[&str]] = &[
    &["max.partition.fetch.bytes", "fetch.message.max.bytes"],
    &["fetch.max.wait.ms", "fetch.wait.max.ms"],
    &["bootstrap.servers", "metadata.broker.list"],
    &["sasl.mechanism", "sasl.mechanisms"],
    &["send.buffer.bytes", "socket.send.buffer.bytes"],
    &["receive.buffer.bytes", "socket.receive.buffer.bytes"],
    &["max.in.flight.requests.per.connection", "max.in.flight"],
    &["max.poll.records", "steady.buffer.max.records"],
    &["enable.auto.commit", "auto.commit.enable"],
    &[
        "sasl.oauthbearer.client.credentials.client.id",
        "sasl.oauthbearer.client.id",
    ],
    &[
        "sasl.oauthbearer.client.credentials.client.secret",
        "sasl.oauthbearer.client.secret",
    ],
    &[
        "sasl.oauthbearer.assertion.template.file",
        "sasl.oauthbearer.assertion.jwt.template.file",
    ],
];

/// Every row of the catalogue (a key whose type differs between clients has one row per client).
pub fn all() -> &'static [KeyInfo] {
    KEYS
}

/// Looks a key up by exact name (the first row, when clients differ; see [`lookup_in`]).
pub fn lookup(key: &str) -> Option<&'static KeyInfo> {
    KEYS.iter().find(|info| info.name == key)
}

/// Looks a key up by exact name among the keys `dialect` accepts.
pub fn lookup_in(key: &str, dialect: Dialect) -> Option<&'static KeyInfo> {
    KEYS.iter()
        .find(|info| info.name == key && info.dialects.contains(&dialect))
}

/// The known key closest in spelling to `key`, for "did you mean" hints.
pub fn nearest_key(key: &str) -> Option<&'static str> {
    nearest(key, KEYS.iter())
}

/// The key `dialect` accepts that is closest in spelling to `key`.
pub fn nearest_key_in(key: &str, dialect: Dialect) -> Option<&'static str> {
    nearest(key, KEYS.iter().filter(|i| i.dialects.contains(&dialect)))
}

/// The smallest edit distance (case-insensitive), if small enough to be a misspelling:
/// at most a third of the key's length, between 1 and 4 edits.
fn nearest<'a>(key: &str, candidates: impl Iterator<Item = &'a KeyInfo>) -> Option<&'static str> {
    let key = key.trim().to_ascii_lowercase();
    let bound = (key.chars().count() / 3).clamp(1, 4);
    candidates
        .map(|info| (edit_distance(&key, info.name), info.name))
        .filter(|(d, _)| *d <= bound)
        .min()
        .map(|(_, name)| name)
}

/// Levenshtein distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = substitute.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The names that mean the same setting as `key` (the group includes `key`), or none.
pub(crate) fn equivalents(key: &str) -> &'static [&'static str] {
    EQUIVALENTS
        .iter()
        .find(|group| group.contains(&key))
        .copied()
        .unwrap_or(&[])
}

/// The name `dialect` uses for `key`: `key` itself when the dialect accepts it, else an
/// equivalent name it accepts.
pub fn name_in(key: &str, dialect: Dialect) -> Option<&'static str> {
    lookup_in(key, dialect).map(|info| info.name).or_else(|| {
        equivalents(key)
            .iter()
            .copied()
            .find(|k| lookup_in(k, dialect).is_some())
    })
}

/// Where a steady consumer's librdkafka starts from other values than librdkafka's own.
///
/// `enable.auto.offset.store` is forced (the runtime stores nothing; it commits the acked
/// prefix itself). `fetch.queue.backoff.ms` applies unless set: librdkafka compares one queue
/// holding every partition's records with `queued.min.messages`, a per-partition figure, and a
/// partition that finds it full waits this long before it looks again — a whole second by
/// default, while the queue drains in a fraction of that. The memory bound stays
/// `queued.max.messages.kbytes` and steady's buffer.
pub const STEADY_DEFAULTS: &[(&str, &str)] = &[
    ("enable.auto.offset.store", "false"),
    ("fetch.queue.backoff.ms", "10"),
    // Classic protocol only (the consumer protocol's assignor runs on the broker): incremental
    // rebalances, so a rebalance moves only the partitions that change owner.
    ("partition.assignment.strategy", "cooperative-sticky"),
];

/// Defaults of older clients: `(key, before this version, the default then; None: no such key)`.
/// The first row whose version is above the client's applies; otherwise the current default.
const JAVA_HISTORY: &[(&str, Version, Option<&str>)] = &[
    ("session.timeout.ms", Version::new(0, 10, 1), Some("30000")),
    ("session.timeout.ms", Version::new(3, 0, 0), Some("10000")),
    ("max.poll.records", Version::new(0, 10, 0), None),
    (
        "max.poll.records",
        Version::new(0, 10, 1),
        Some("2147483647"),
    ),
    ("request.timeout.ms", Version::new(0, 10, 1), Some("40000")),
    ("request.timeout.ms", Version::new(2, 0, 0), Some("305000")),
    ("max.poll.interval.ms", Version::new(0, 10, 1), None),
    ("fetch.max.bytes", Version::new(0, 10, 1), None),
    ("isolation.level", Version::new(0, 11, 0), None),
    ("default.api.timeout.ms", Version::new(2, 0, 0), None),
    ("group.instance.id", Version::new(2, 3, 0), None),
    ("allow.auto.create.topics", Version::new(2, 3, 0), None),
    (
        "partition.assignment.strategy",
        Version::new(3, 0, 0),
        Some("org.apache.kafka.clients.consumer.RangeAssignor"),
    ),
    ("group.protocol", Version::new(3, 7, 0), None),
    ("group.remote.assignor", Version::new(3, 7, 0), None),
    ("metadata.recovery.strategy", Version::new(3, 8, 0), None),
    (
        "metadata.recovery.strategy",
        Version::new(4, 0, 0),
        Some("none"),
    ),
];

/// The same for librdkafka (by librdkafka's own version).
const RDKAFKA_HISTORY: &[(&str, Version, Option<&str>)] = &[
    ("session.timeout.ms", Version::new(1, 7, 0), Some("10000")),
    ("max.poll.interval.ms", Version::new(1, 0, 0), None),
];

/// The default of `key` in `dialect`, for the client version when known (else the current
/// client's). Java: 0.10.0 has session.timeout.ms 30000, max.poll.records 2147483647,
/// request.timeout.ms 40000 and no max.poll.interval.ms; 0.10.1–2.x session 10000,
/// max.poll.records 500; request.timeout.ms 305000 until 2.0, then 30000; session 45000
/// from 3.0. steady: librdkafka's defaults, `steady.*`, and [`STEADY_DEFAULTS`].
/// `None` when the key has no default or does not exist there.
/// An equivalent name (`fetch.wait.max.ms` for Java) gives the default of the dialect's own name.
pub fn default_for(
    key: &str,
    dialect: Dialect,
    client_version: Option<Version>,
) -> Option<&'static str> {
    let name = name_in(key, dialect)?;
    let info = lookup_in(name, dialect)?;
    let history = match dialect {
        Dialect::Java => JAVA_HISTORY,
        Dialect::Librdkafka => RDKAFKA_HISTORY,
        Dialect::Steady => match STEADY_DEFAULTS.iter().find(|(k, _)| *k == name) {
            Some((_, value)) => return Some(value),
            None => &[],
        },
    };
    let older = client_version.and_then(|version| {
        history
            .iter()
            .find(|(k, before, _)| *k == name && version < *before)
    });
    match older {
        Some((_, _, then)) => *then,
        None if dialect == Dialect::Java => info.java_default,
        None => info.rdkafka_default,
    }
}

/// Whether `value` has the form `kind` allows; `Err` says what is allowed.
pub fn check_value(kind: &Kind, value: &str) -> Result<(), String> {
    let v = value.trim();
    match *kind {
        Kind::Int { min, max } => match v.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(()),
            Ok(_) => Err(format!("an integer from {min} to {max}")),
            Err(_) => Err(format!("an integer (from {min} to {max})")),
        },
        Kind::Bool if v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false") => Ok(()),
        Kind::Bool => Err("true or false".to_string()),
        Kind::Enum(words) if is_word(words, v) => Ok(()),
        Kind::Enum(words) => Err(format!("one of {}", words.join(", "))),
        Kind::List(words) if words.is_empty() || v.split(',').all(|i| is_word(words, i.trim())) => {
            Ok(())
        }
        Kind::List(words) => Err(format!("a comma-separated list of {}", words.join(", "))),
        Kind::Text => Ok(()),
    }
}

fn is_word(words: &[&str], v: &str) -> bool {
    words.iter().any(|w| {
        if w.ends_with(':') {
            v.len() > w.len() && v.get(..w.len()).is_some_and(|p| p.eq_ignore_ascii_case(w))
        } else {
            w.eq_ignore_ascii_case(v)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Dialect; 3] = [Dialect::Java, Dialect::Librdkafka, Dialect::Steady];

    #[test]
    fn one_row_per_key_and_dialect() {
        for d in ALL {
            let mut names: Vec<&str> = KEYS
                .iter()
                .filter(|i| i.dialects.contains(&d))
                .map(|i| i.name)
                .collect();
            let n = names.len();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), n, "duplicate rows in {d}");
        }
    }

    #[test]
    fn every_default_has_its_kind() {
        for info in KEYS {
            for default in [info.java_default, info.rdkafka_default]
                .into_iter()
                .flatten()
            {
                assert_eq!(check_value(&info.kind, default), Ok(()), "{}", info.name);
            }
        }
    }

    #[test]
    fn every_equivalent_is_a_known_key() {
        for group in EQUIVALENTS {
            for name in *group {
                assert!(lookup(name).is_some(), "{name}");
                assert_eq!(equivalents(name), *group);
            }
        }
        assert!(equivalents("group.id").is_empty());
    }

    #[test]
    fn dialects_see_their_own_rows() {
        let java = lookup_in("session.timeout.ms", Dialect::Java).unwrap();
        let rd = lookup_in("session.timeout.ms", Dialect::Librdkafka).unwrap();
        assert_eq!(
            rd.kind,
            Kind::Int {
                min: 1,
                max: 3_600_000
            }
        );
        assert_ne!(java.kind, rd.kind);
        assert!(lookup_in("fetch.wait.max.ms", Dialect::Java).is_none());
        assert!(lookup_in("fetch.wait.max.ms", Dialect::Steady).is_some());
        assert!(lookup_in("max.poll.records", Dialect::Librdkafka).is_none());
        assert_eq!(
            lookup_in("max.poll.records", Dialect::Steady).unwrap().kind,
            Kind::Int {
                min: 1,
                max: 10_000_000
            }
        );
        assert!(lookup_in("steady.stall.policy", Dialect::Java).is_none());
        assert!(lookup_in("sasl.jaas.config", Dialect::Java).is_some());
        assert!(lookup_in("sasl.jaas.config", Dialect::Librdkafka).is_none());
        assert_eq!(lookup("group.id").unwrap().dialects, JR);
        assert_eq!(
            name_in("fetch.max.wait.ms", Dialect::Librdkafka),
            Some("fetch.wait.max.ms")
        );
        assert_eq!(
            name_in("metadata.broker.list", Dialect::Java),
            Some("bootstrap.servers")
        );
        assert_eq!(name_in("key.deserializer", Dialect::Librdkafka), None);
    }

    #[test]
    fn nearest_key_finds_misspellings_only() {
        let cases = [
            ("sesion.timeout.ms", Some("session.timeout.ms")),
            ("max.poll.record", Some("max.poll.records")),
            ("Session.Timeout.MS", Some("session.timeout.ms")),
            ("heartbeat.interval", Some("heartbeat.interval.ms")),
            ("enable.auto.comit", Some("enable.auto.commit")),
            ("xyz", None),
            ("completely.unrelated.setting.name", None),
            ("", None),
        ];
        for (key, expected) in cases {
            assert_eq!(nearest_key(key), expected, "{key}");
        }
        assert_eq!(
            nearest_key_in("fetch.wait.max.msx", Dialect::Librdkafka),
            Some("fetch.wait.max.ms")
        );
        assert_eq!(
            nearest_key_in("steady.stall.polcy", Dialect::Steady),
            Some("steady.stall.policy")
        );
        assert_eq!(nearest_key_in("steady.stall.polcy", Dialect::Java), None);
    }

    #[test]
    fn java_defaults_follow_the_client_version() {
        let java =
            |key, v: Option<&str>| default_for(key, Dialect::Java, v.map(|v| v.parse().unwrap()));
        let table = [
            ("session.timeout.ms", Some("0.10.0"), Some("30000")),
            ("session.timeout.ms", Some("0.10.0.1"), Some("30000")),
            ("session.timeout.ms", Some("0.10.1"), Some("10000")),
            ("session.timeout.ms", Some("2.8"), Some("10000")),
            ("session.timeout.ms", Some("3.0"), Some("45000")),
            ("session.timeout.ms", None, Some("45000")),
            ("max.poll.records", Some("0.9.0"), None),
            ("max.poll.records", Some("0.10.0"), Some("2147483647")),
            ("max.poll.records", Some("0.10.1"), Some("500")),
            ("request.timeout.ms", Some("0.10.0"), Some("40000")),
            ("request.timeout.ms", Some("0.10.1"), Some("305000")),
            ("request.timeout.ms", Some("1.1"), Some("305000")),
            ("request.timeout.ms", Some("2.0"), Some("30000")),
            ("max.poll.interval.ms", Some("0.10.0"), None),
            ("max.poll.interval.ms", Some("0.10.1"), Some("300000")),
            ("heartbeat.interval.ms", Some("0.10.0"), Some("3000")),
            ("default.api.timeout.ms", Some("1.1"), None),
            ("default.api.timeout.ms", Some("2.0"), Some("60000")),
            ("fetch.wait.max.ms", None, Some("500")),
            ("queued.min.messages", None, None),
        ];
        for (key, version, expected) in table {
            assert_eq!(java(key, version), expected, "{key} at {version:?}");
        }
    }

    #[test]
    fn librdkafka_and_steady_defaults() {
        let rd = |key, v: Option<&str>| {
            default_for(key, Dialect::Librdkafka, v.map(|v| v.parse().unwrap()))
        };
        assert_eq!(rd("session.timeout.ms", None), Some("45000"));
        assert_eq!(rd("session.timeout.ms", Some("1.6.1")), Some("10000"));
        assert_eq!(rd("session.timeout.ms", Some("2.12.1")), Some("45000"));
        assert_eq!(rd("enable.auto.offset.store", None), Some("true"));
        assert_eq!(rd("max.partition.fetch.bytes", None), Some("1048576"));
        assert_eq!(rd("max.poll.records", None), None);
        let steady = |key| default_for(key, Dialect::Steady, None);
        assert_eq!(steady("enable.auto.offset.store"), Some("false"));
        assert_eq!(steady("fetch.queue.backoff.ms"), Some("10"));
        assert_eq!(steady("max.poll.records"), Some("1024"));
        assert_eq!(steady("steady.buffer.max.records"), Some("1024"));
        assert_eq!(steady("steady.buffer.max.bytes"), Some("67108864"));
        assert_eq!(steady("steady.processing.timeout.ms"), Some("300000"));
        assert_eq!(steady("steady.stall.policy"), Some("leave"));
        assert_eq!(steady("steady.revoke.drain.ms"), Some("5000"));
        assert_eq!(steady("session.timeout.ms"), Some("45000"));
    }

    #[test]
    fn values_are_checked_against_their_kind() {
        let int = Kind::Int { min: 1, max: 10 };
        assert_eq!(check_value(&int, " 10 "), Ok(()));
        assert_eq!(
            check_value(&int, "11"),
            Err("an integer from 1 to 10".into())
        );
        assert_eq!(
            check_value(&int, "ten"),
            Err("an integer (from 1 to 10)".into())
        );
        assert_eq!(check_value(&Kind::Bool, "TRUE"), Ok(()));
        assert_eq!(check_value(&Kind::Bool, "yes"), Err("true or false".into()));
        let reset = lookup_in("auto.offset.reset", Dialect::Java).unwrap().kind;
        assert_eq!(check_value(&reset, "Earliest"), Ok(()));
        assert_eq!(check_value(&reset, "by_duration:PT1H"), Ok(()));
        assert!(check_value(&reset, "by_duration:").is_err());
        assert!(check_value(&reset, "smallest").is_err());
        let assignors = lookup_in("partition.assignment.strategy", Dialect::Librdkafka)
            .unwrap()
            .kind;
        assert_eq!(check_value(&assignors, "range, cooperative-sticky"), Ok(()));
        assert!(check_value(&assignors, "range,sticky").is_err());
        assert_eq!(check_value(&Kind::Text, "anything"), Ok(()));
        assert_eq!(
            check_value(&Kind::Enum(&["by_duration:"]), "ééééééééééééé"),
            Err("one of by_duration:".into())
        );
    }

    #[test]
    fn dialect_names() {
        for d in ALL {
            assert_eq!(d.to_string().parse::<Dialect>(), Ok(d));
        }
        assert_eq!("LibRdKafka".parse::<Dialect>(), Ok(Dialect::Librdkafka));
        let err = "python".parse::<Dialect>().unwrap_err().to_string();
        assert_eq!(
            err,
            "invalid dialect 'python': expected one of java, librdkafka, steady"
        );
    }
}
