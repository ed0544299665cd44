//! steady-core: keeps Kafka consumer groups from rebalancing over and over.
//!
//! - [`settings`]: consumer properties in the Java or librdkafka dialect, parsed, typed and redacted.
//! - [`rules`]: the rule checks ("the doctor") over settings, client, broker, workload and profile.
//! - [`broker`]: the broker probe (ApiVersions → version range, DescribeConfigs, DescribeGroups).
//! - [`runtime`]: the heartbeat-decoupled consumer runtime on rdkafka.
//!
//! The dependency arrow points one way: `runtime` may call `rules`; `rules` never calls `runtime`.

pub mod broker;
pub mod rules;
pub mod runtime;
pub mod settings;
pub mod version;

pub use rules::{check, BrokerFacts, ClientInfo, Finding, Profile, Report, Severity, Workload};
pub use runtime::{Consumer, Record, Stats};
pub use settings::Settings;
pub use version::Version;
