//! The inputs of a check besides the settings: client, broker, workload, profile.

use crate::settings::Dialect;
use crate::version::Version;
use serde::Serialize;

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

/// A broker's version as far as it is known: a range `[min, max]` (equal when exact).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokerVersion {
    /// Lowest version it can be.
    pub min: Version,
    /// Highest version it can be (`None`: no upper bound, e.g. "≥ 3.2").
    pub max: Option<Version>,
    /// How to print it: "0.10.0", "0.11–1.1", "4.0+".
    pub label: String,
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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Profile {
    /// Apache Kafka as shipped.
    #[default]
    Apache,
    /// A managed 0.10-era service: session.timeout.ms ≤ 30000, 25000 recommended.
    Alibaba,
    /// Azure Event Hubs' Kafka endpoint.
    AzureEventHubs,
}
