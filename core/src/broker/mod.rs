//! The broker probe: ApiVersions → version range and features, DescribeConfigs → the session
//! window, DescribeGroups → the live group.

use crate::rules::BrokerFacts;
use crate::settings::Settings;
use std::time::Duration;

/// Why a probe failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProbeError {
    /// No broker answered within the timeout.
    #[error("broker {servers} did not answer within {timeout_ms} ms: {reason}")]
    Unreachable {
        /// The bootstrap servers tried.
        servers: String,
        /// The timeout.
        timeout_ms: u64,
        /// The last error seen.
        reason: String,
    },
    /// The broker answered with an error.
    #[error("broker {servers}: {reason}")]
    Protocol {
        /// The bootstrap servers tried.
        servers: String,
        /// What went wrong.
        reason: String,
    },
}

/// Probes the broker at `bootstrap_servers` (security settings are taken from `settings`) and,
/// with `group`, describes that live group. Fails within `timeout`.
pub fn probe(
    bootstrap_servers: &str,
    settings: &Settings,
    group: Option<&str>,
    timeout: Duration,
) -> Result<BrokerFacts, ProbeError> {
    let _ = (bootstrap_servers, settings, group, timeout);
    todo!()
}
