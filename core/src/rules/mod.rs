//! The rule checks ("the doctor"): what in a consumer's settings, client, broker and workload
//! will make its group rebalance or misbehave, why, and what to set instead.
//!
//! Rule ids and severities are a public interface; the catalogue is docs/rules.md.

mod config;
mod context;
mod engine;
mod facts;
mod fetch;
mod group;
mod group_offsets;
mod lag;
mod librdkafka;
mod offsets;
mod report;
mod seed;
mod session;

pub use config::validate;
pub use engine::check;
pub use facts::{
    BrokerFacts, BrokerVersion, ClientInfo, GroupFacts, GroupMember, Heartbeat, Profile, Workload,
};
pub use group_offsets::{AssignedMember, GroupOffsets, PartitionOffsets, TopicPartition};
pub use lag::lag_growth;
pub use report::{Finding, Recommendation, Report, Severity, Summary};

use crate::settings::Settings;

/// Everything a check looks at. Only `settings` is required; unknown inputs keep their rules silent.
#[derive(Debug, Clone, Default)]
pub struct Input {
    /// The consumer's properties.
    pub settings: Settings,
    /// Which client runs them, and how its heartbeat works.
    pub client: ClientInfo,
    /// What is known of the broker (given or probed).
    pub broker: Option<BrokerFacts>,
    /// How fast records arrive and are processed.
    pub workload: Workload,
    /// Limits of the service the cluster runs on.
    pub profile: Profile,
}
#[cfg(test)]
mod tests;
