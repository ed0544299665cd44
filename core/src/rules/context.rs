//! What every rule reads, resolved once: the dialect, the heartbeat coupling and the effective
//! value of a key (set, else the dialect's default for the client version, else unknown).

use super::{BrokerFacts, BrokerVersion, Heartbeat, Input, Profile, Workload};
use crate::settings::{default_for, lookup_in, redact_value, Dialect, Settings};
use crate::version::Version;

/// The facts of one check as the rules see them.
pub(super) struct Ctx<'a> {
    /// The consumer's properties.
    pub settings: &'a Settings,
    /// The dialect given, or guessed from the keys.
    pub dialect: Dialect,
    /// The client's version, when known.
    pub version: Option<Version>,
    /// How the client heartbeats, when it can be told.
    pub heartbeat: Option<Heartbeat>,
    /// What is known of the broker.
    pub broker: Option<&'a BrokerFacts>,
    /// The workload.
    pub workload: &'a Workload,
    /// The service profile.
    pub profile: Profile,
}

pub(super) const V0_10_0: Version = Version::new(0, 10, 0);
pub(super) const V0_10_1: Version = Version::new(0, 10, 1);
pub(super) const V0_10_2: Version = Version::new(0, 10, 2);
pub(super) const V2_0: Version = Version::new(2, 0, 0);
pub(super) const V2_3: Version = Version::new(2, 3, 0);
pub(super) const V4_0: Version = Version::new(4, 0, 0);

impl<'a> Ctx<'a> {
    /// Resolves dialect and heartbeat for `input`.
    pub fn new(input: &'a Input) -> Self {
        let dialect = input
            .client
            .dialect
            .unwrap_or_else(|| guess_dialect(&input.settings));
        let version = input.client.version;
        // steady's poll thread heartbeats whatever the handler does, so steady is always
        // decoupled; otherwise the caller's word wins, then what the client version implies.
        let heartbeat = match dialect {
            Dialect::Steady => Some(Heartbeat::Decoupled),
            _ if input.client.heartbeat.is_some() => input.client.heartbeat,
            Dialect::Librdkafka => Some(Heartbeat::Decoupled),
            Dialect::Java => version.map(|v| {
                if v < V0_10_1 {
                    Heartbeat::Coupled
                } else {
                    Heartbeat::Decoupled
                }
            }),
        };
        Ctx {
            settings: &input.settings,
            dialect,
            version,
            heartbeat,
            broker: input.broker.as_ref(),
            workload: &input.workload,
            profile: input.profile,
        }
    }

    /// The value in force: set (under this or an equivalent name), else the default.
    /// steady forces `enable.auto.offset.store=false` whatever is set.
    pub fn value(&self, key: &str) -> Option<&'a str> {
        if self.dialect == Dialect::Steady && key == "enable.auto.offset.store" {
            return Some("false");
        }
        self.settings
            .get(key)
            .or_else(|| default_for(key, self.dialect, self.version))
    }

    /// Whether `key` (or an equivalent name) is set explicitly.
    pub fn is_set(&self, key: &str) -> bool {
        self.settings.is_set(key)
    }

    /// The value in force as an integer (`None`: unknown, or not a number — CF002 says so).
    pub fn int(&self, key: &str) -> Option<i64> {
        self.value(key)?.trim().parse().ok()
    }

    /// The dialect's default for `key` (for the client version) as an integer.
    pub fn int_default(&self, key: &str) -> Option<i64> {
        default_for(key, self.dialect, self.version)?.parse().ok()
    }

    /// The explicitly set value as an integer.
    pub fn set_int(&self, key: &str) -> Option<i64> {
        self.settings.get_i64(key)
    }

    /// The value in force as a boolean.
    pub fn flag(&self, key: &str) -> Option<bool> {
        let v = self.value(key)?.trim();
        ["false", "true"]
            .iter()
            .position(|b| b.eq_ignore_ascii_case(v))
            .map(|i| i == 1)
    }

    /// The value in force for a message: "40000", or "45000, the Java client's default".
    pub fn shown(&self, key: &str) -> String {
        let value = redact_value(key, self.value(key).unwrap_or("unset"));
        if self.is_set(key) || self.value(key).is_none() {
            return value;
        }
        let whose = match (self.dialect, self.version) {
            (Dialect::Java, Some(v)) => format!("the default of Java client {v}"),
            (Dialect::Java, None) => "the Java client's default".to_string(),
            (Dialect::Librdkafka, Some(v)) => format!("the default of librdkafka {v}"),
            (Dialect::Librdkafka, None) => "librdkafka's default".to_string(),
            (Dialect::Steady, _) => "steady's default".to_string(),
        };
        format!("{value}, {whose}")
    }

    /// The Java client, with its version known to be below `v`.
    pub fn java_below(&self, v: Version) -> bool {
        self.dialect == Dialect::Java && self.version.is_some_and(|c| c < v)
    }

    /// The client's version is unknown or at least `v`.
    pub fn maybe_at_least(&self, v: Version) -> bool {
        self.version.is_none_or(|c| c >= v)
    }

    /// The broker's version range, when known.
    pub fn broker_version(&self) -> Option<&'a BrokerVersion> {
        self.broker?.version.as_ref()
    }

    /// The broker is certainly older than `v`.
    pub fn broker_below(&self, v: Version) -> bool {
        self.broker_version()
            .is_some_and(|b| b.is_below(v) == Some(true))
    }

    /// The broker is certainly `v` or newer.
    pub fn broker_at_least(&self, v: Version) -> bool {
        self.broker_version()
            .is_some_and(|b| b.is_at_least(v) == Some(true))
    }

    /// The group uses the classic protocol (`group.protocol` is not `consumer`).
    pub fn classic(&self) -> bool {
        !self
            .value("group.protocol")
            .is_some_and(|p| p.trim().eq_ignore_ascii_case("consumer"))
    }

    /// librdkafka or steady (which runs on librdkafka).
    pub fn on_librdkafka(&self) -> bool {
        self.dialect != Dialect::Java
    }
}

/// The dialect the keys suggest: steady when a `steady.*` key is set, librdkafka when a key only
/// librdkafka knows is set, else Java.
pub(super) fn guess_dialect(settings: &Settings) -> Dialect {
    let keys = || settings.iter().map(|(k, _)| k);
    if keys().any(|k| k.starts_with("steady.")) {
        Dialect::Steady
    } else if keys().any(|k| {
        lookup_in(k, Dialect::Librdkafka).is_some() && lookup_in(k, Dialect::Java).is_none()
    }) {
        Dialect::Librdkafka
    } else {
        Dialect::Java
    }
}

/// A number for a message: whole numbers without decimals, others with up to two.
pub(super) fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        let s = format!("{x:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}
