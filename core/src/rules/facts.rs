//! The inputs of a check besides the settings: client, broker, workload, profile.

use crate::settings::{choose, Dialect, UnknownChoice};
use crate::version::{Version, VersionError};
use serde::{Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// How the client sends heartbeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Heartbeat {
    /// Heartbeats only happen inside `poll()` (Java < 0.10.1, or an application that says so).
    Coupled,
    /// A background thread heartbeats (KIP-62 clients, librdkafka, steady).
    Decoupled,
}

/// The client that runs the settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientInfo {
    /// Java or librdkafka names and defaults; `None` guesses from the keys used.
    pub dialect: Option<Dialect>,
    /// The client's version, when known.
    pub version: Option<Version>,
    /// How it heartbeats, when the caller says so (otherwise derived from dialect and version).
    pub heartbeat: Option<Heartbeat>,
}

const HEARTBEAT_NAMES: &[&str] = &["coupled", "decoupled"];

impl fmt::Display for Heartbeat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(HEARTBEAT_NAMES[*self as usize])
    }
}

/// Reads "coupled" or "decoupled" (any case).
impl FromStr for Heartbeat {
    type Err = UnknownChoice;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const ALL: [Heartbeat; 2] = [Heartbeat::Coupled, Heartbeat::Decoupled];
        choose("heartbeat", s, HEARTBEAT_NAMES).map(|i| ALL[i])
    }
}

/// A broker's version as far as it is known: a range `[min, max]` (equal when exact).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerVersion {
    /// Lowest version it can be.
    pub min: Version,
    /// Highest version it can be (`None`: no upper bound, e.g. "≥ 3.2").
    pub max: Option<Version>,
    /// How to print it: "0.10.0", "0.11–1.1", "4.0+".
    pub label: String,
}

impl BrokerVersion {
    /// Exactly version `v`.
    pub fn exact(v: Version) -> Self {
        BrokerVersion {
            min: v,
            max: Some(v),
            label: v.to_string(),
        }
    }

    /// Reads "0.10.0.1" (exact), "3.2+" (that or newer) or "0.11-1.1" / "0.11–1.1" (a range).
    pub fn parse(text: &str) -> Result<Self, VersionError> {
        let t = text.trim();
        if let Some(min) = t.strip_suffix('+') {
            let min: Version = min.parse().map_err(|_| VersionError(text.to_string()))?;
            return Ok(BrokerVersion {
                min,
                max: None,
                label: format!("{min}+"),
            });
        }
        match t.split_once(['-', '–']) {
            Some((lo, hi)) => {
                let bad = |_| VersionError(text.to_string());
                let (min, max): (Version, Version) =
                    (lo.parse().map_err(bad)?, hi.parse().map_err(bad)?);
                if max < min {
                    return Err(VersionError(text.to_string()));
                }
                Ok(BrokerVersion {
                    min,
                    max: Some(max),
                    label: format!("{}–{}", lo.trim(), hi.trim()),
                })
            }
            None => t.parse().map(Self::exact),
        }
    }

    /// `Some(true)` when the broker is certainly older than `v` (`max < v`), `Some(false)` when
    /// it is certainly not (`min ≥ v`), `None` when the range straddles `v`.
    pub fn is_below(&self, v: Version) -> Option<bool> {
        if self.min >= v {
            Some(false)
        } else if self.max.is_some_and(|max| max < v) {
            Some(true)
        } else {
            None
        }
    }

    /// `Some(true)` when the broker is certainly `v` or newer; see [`BrokerVersion::is_below`].
    pub fn is_at_least(&self, v: Version) -> Option<bool> {
        self.is_below(v).map(|below| !below)
    }
}

impl From<Version> for BrokerVersion {
    fn from(v: Version) -> Self {
        Self::exact(v)
    }
}

impl fmt::Display for BrokerVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label)
    }
}

/// Serialised as its label ("0.10.0", "2.5–3.1", "4.0+").
impl Serialize for BrokerVersion {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.label)
    }
}

/// One member of a live consumer group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupMember {
    /// The member id the coordinator assigned.
    pub member_id: String,
    /// The client's `client.id`.
    pub client_id: String,
    /// The client's host as the broker saw it.
    pub client_host: String,
    /// `group.instance.id` for static members.
    pub instance_id: Option<String>,
}

/// A live consumer group as DescribeGroups reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupFacts {
    /// The group id.
    pub group: String,
    /// Stable, PreparingRebalance, Empty, Dead, …
    pub state: String,
    /// The assignment protocol ("range", "cooperative-sticky", …).
    pub protocol: String,
    /// Its members.
    pub members: Vec<GroupMember>,
    /// Partitions of the topics the group consumes, when known.
    pub partitions: Option<u32>,
}

/// What is known about the broker, given by the caller or probed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BrokerFacts {
    /// Version range.
    pub version: Option<BrokerVersion>,
    /// Separate rebalance timeout (KIP-62, 0.10.1+).
    pub kip62: Option<bool>,
    /// Static membership (KIP-345, 2.3+).
    pub static_membership: Option<bool>,
    /// The consumer group protocol (KIP-848, 4.0+).
    pub kip848: Option<bool>,
    /// group.min.session.timeout.ms, when read.
    pub group_min_session_timeout_ms: Option<i64>,
    /// group.max.session.timeout.ms, when read.
    pub group_max_session_timeout_ms: Option<i64>,
    /// message.max.bytes, when read.
    pub message_max_bytes: Option<i64>,
    /// The live group, when one was described.
    pub group: Option<GroupFacts>,
}

impl BrokerFacts {
    /// What a broker version implies, with Apache Kafka's defaults: KIP-62 from 0.10.1,
    /// static membership from 2.3, KIP-848 from 4.0, group.min.session.timeout.ms 6000 and
    /// group.max.session.timeout.ms 30000 (0.9), 300000 (0.10.0–2.2) or 1800000 (2.3 on).
    /// What the range leaves open stays `None`.
    pub fn from_version(version: impl Into<BrokerVersion>) -> Self {
        let version = version.into();
        let at_least = |a, b| version.is_at_least(Version::new(a, b, 0));
        let max_session = match (at_least(0, 10), at_least(2, 3)) {
            (Some(false), _) => Some(30_000),
            (_, Some(true)) => Some(1_800_000),
            (Some(true), Some(false)) => Some(300_000),
            _ => None,
        };
        BrokerFacts {
            kip62: version.is_at_least(Version::new(0, 10, 1)),
            static_membership: at_least(2, 3),
            kip848: at_least(4, 0),
            group_min_session_timeout_ms: Some(6000),
            group_max_session_timeout_ms: max_session,
            version: Some(version),
            ..BrokerFacts::default()
        }
    }
}

/// The workload the consumer runs.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Workload {
    /// Records per second one thread processes.
    pub rate_per_thread: Option<f64>,
    /// Consumer threads.
    pub threads: Option<u32>,
    /// Median processing time per record, ms.
    pub record_ms_p50: Option<f64>,
    /// 99th-percentile processing time per record, ms.
    pub record_ms_p99: Option<f64>,
    /// Partitions assigned to this consumer, when known.
    pub assigned_partitions: Option<u32>,
}

/// Limits of the service that runs the cluster.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Profile {
    /// Apache Kafka as shipped.
    #[default]
    Apache,
    /// A managed 0.10-era service: session.timeout.ms ≤ 30000, 25000 recommended.
    Alibaba,
    /// Azure Event Hubs' Kafka endpoint. Applied: session.timeout.ms must lie within
    /// 6000..=300000 when the broker's window is unknown (ST003), at least 30000 is recommended
    /// (ST005's floor), and max.poll.interval.ms should be at least 50000 (ST007).
    AzureEventHubs,
}

const PROFILE_NAMES: &[&str] = &["apache", "alibaba", "azure-event-hubs"];

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(PROFILE_NAMES[*self as usize])
    }
}

/// Reads "apache", "alibaba" or "azure-event-hubs" (any case).
impl FromStr for Profile {
    type Err = UnknownChoice;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const ALL: [Profile; 3] = [Profile::Apache, Profile::Alibaba, Profile::AzureEventHubs];
        choose("profile", s, PROFILE_NAMES).map(|i| ALL[i])
    }
}
