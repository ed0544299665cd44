//! The broker probe: ApiVersions → version range and features, DescribeConfigs → the session
//! window, DescribeGroups → the live group; and samples of a group's offsets and lag.
//!
//! PLAINTEXT listeners are probed over a plain socket with the Kafka protocol itself; TLS and
//! SASL listeners through librdkafka with the user's security settings.

mod assignment;
mod configs;
mod group;
mod infer;
mod lag;
mod librdkafka;
mod members;
mod metadata;
mod offsets;
mod plain;
mod wire;

pub use infer::{before_api_versions, infer, ApiRange};
pub use lag::{sample_group, sample_group_with_librdkafka, LagSampling};

use crate::rules::BrokerFacts;
use crate::settings::Settings;
use std::time::{Duration, Instant};

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
    let target = Target::parse(bootstrap_servers, group, timeout)?;
    if plaintext(settings) {
        plain::probe(&target)
    } else {
        librdkafka::probe(&target, settings)
    }
}

/// Whether `security.protocol` (default PLAINTEXT) lets the probe use a plain socket.
fn plaintext(settings: &Settings) -> bool {
    let protocol = settings.get("security.protocol").unwrap_or("plaintext");
    protocol.eq_ignore_ascii_case("plaintext")
}

/// Probes like [`probe`] but always through librdkafka, whatever `security.protocol` says
/// (the path [`probe`] takes for TLS and SASL listeners). The session window is then Apache
/// Kafka's default for the inferred version, and group members carry no group.instance.id.
pub fn probe_with_librdkafka(
    bootstrap_servers: &str,
    settings: &Settings,
    group: Option<&str>,
    timeout: Duration,
) -> Result<BrokerFacts, ProbeError> {
    let target = Target::parse(bootstrap_servers, group, timeout)?;
    librdkafka::probe(&target, settings)
}

/// What one probe is after, and until when.
pub(crate) struct Target {
    /// `host:port` of each bootstrap server, in the order given.
    servers: Vec<String>,
    /// The bootstrap servers as given, for messages.
    listed: String,
    /// The group to describe.
    group: Option<String>,
    /// The probe's timeout, for messages.
    timeout: Duration,
    /// When the probe gives up.
    deadline: Instant,
}

/// The port a bootstrap server without one listens on.
const DEFAULT_PORT: u16 = 9092;

impl Target {
    /// Reads `host[:port][,host[:port]…]`, each optionally prefixed by `LISTENER://`.
    fn parse(listed: &str, group: Option<&str>, timeout: Duration) -> Result<Self, ProbeError> {
        let servers: Vec<String> = listed
            .split(',')
            .map(|s| s.trim())
            .map(|s| s.split_once("://").map_or(s, |(_, rest)| rest))
            .filter(|s| !s.is_empty())
            .map(|s| {
                let has_port = s
                    .rsplit_once(':')
                    .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
                    && !s.ends_with(']');
                if has_port {
                    s.to_string()
                } else {
                    format!("{s}:{DEFAULT_PORT}")
                }
            })
            .collect();
        let target = Target {
            servers,
            listed: listed.to_string(),
            group: group.map(str::to_string),
            timeout,
            deadline: Instant::now() + timeout,
        };
        if target.servers.is_empty() {
            return Err(target.unreachable("no bootstrap server given".into()));
        }
        Ok(target)
    }

    /// The error for brokers that could not be reached in time.
    pub(crate) fn unreachable(&self, reason: String) -> ProbeError {
        ProbeError::Unreachable {
            servers: self.listed.clone(),
            timeout_ms: self.timeout.as_millis() as u64,
            reason,
        }
    }

    /// The error for a broker that answered, but not usefully.
    pub(crate) fn protocol(&self, reason: String) -> ProbeError {
        ProbeError::Protocol {
            servers: self.listed.clone(),
            reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn servers(listed: &str) -> Vec<String> {
        Target::parse(listed, None, Duration::from_secs(1))
            .unwrap()
            .servers
    }

    #[test]
    fn reads_bootstrap_lists() {
        assert_eq!(
            servers("a:1, PLAINTEXT://b:2,c,[::1]:3,[::1]"),
            ["a:1", "b:2", "c:9092", "[::1]:3", "[::1]:9092"]
        );
    }

    #[test]
    fn an_empty_list_is_an_error() {
        let err = Target::parse(" , ", None, Duration::from_secs(1))
            .err()
            .unwrap();
        assert!(matches!(err, ProbeError::Unreachable { .. }));
        assert!(err.to_string().contains("no bootstrap server given"));
    }
}
