//! The probe over a plain TCP socket (security.protocol PLAINTEXT): ApiVersions on the first
//! bootstrap server that answers, then DescribeConfigs and the group on the same connection.

use super::configs::read_limits;
use super::infer::{before_api_versions, infer, ApiRange};
use super::metadata::answers_v0;
use super::wire::{remaining, Connection, WireError};
use super::{group, ProbeError, Target};
use crate::rules::BrokerFacts;

/// What the first reachable bootstrap server said to ApiVersions.
enum Hello {
    /// It listed its API versions.
    Apis(Connection, Vec<ApiRange>),
    /// It closed the connection instead: a broker older than 0.10.0.
    TooOld,
}

/// Probes `target` over plain TCP.
pub(crate) fn probe(target: &Target) -> Result<BrokerFacts, ProbeError> {
    let (mut conn, apis) = match hello(target)? {
        Hello::Apis(conn, apis) => (conn, apis),
        Hello::TooOld => return Ok(before_api_versions()),
    };
    let mut facts = infer(&apis);
    read_limits(&mut conn, &apis, &mut facts);
    if let Some(name) = &target.group {
        let described = group::describe(&mut conn, &apis, name, target.deadline)
            .map_err(|reason| target.protocol(format!("group '{name}': {reason}")))?;
        facts.group = Some(described);
    }
    Ok(facts)
}

/// A connection to the first bootstrap server that answers ApiVersions, and its answer.
pub(crate) fn connect(target: &Target) -> Result<(Connection, Vec<ApiRange>), ProbeError> {
    match hello(target)? {
        Hello::Apis(conn, apis) => Ok((conn, apis)),
        Hello::TooOld => Err(target.protocol(
            "the broker is older than 0.10.0 (no ApiVersions): its groups cannot be described"
                .into(),
        )),
    }
}

/// Connects to the bootstrap servers in turn, each with an equal share of the time left, and
/// asks the first one that accepts for its API versions.
fn hello(target: &Target) -> Result<Hello, ProbeError> {
    let mut reasons = Vec::new();
    let servers = &target.servers;
    for (i, server) in servers.iter().enumerate() {
        let Ok(left) = remaining(target.deadline) else {
            break;
        };
        let share = left / (servers.len() - i) as u32;
        let outcome = Connection::open(server, share, target.deadline)
            .and_then(|mut conn| conn.api_versions().map(|apis| Hello::Apis(conn, apis)));
        match outcome {
            Ok(hello) => return Ok(hello),
            Err(WireError::Closed) => return older_or_not_kafka(target, server),
            Err(WireError::Codec(reason)) => return Err(target.protocol(reason)),
            Err(e) => reasons.push(format!("{server}: {e}")),
        }
    }
    if reasons.is_empty() {
        reasons.push("no time left to connect".to_string());
    }
    Err(target.unreachable(reasons.join("; ")))
}

/// A server that hung up on ApiVersions: a broker older than 0.10.0 when it answers Metadata
/// v0 on a new connection, otherwise no plaintext Kafka listener (TLS and SASL listeners hang
/// up on plaintext requests too).
fn older_or_not_kafka(target: &Target, server: &str) -> Result<Hello, ProbeError> {
    let answered = remaining(target.deadline).and_then(|left| {
        let mut conn = Connection::open(server, left, target.deadline)?;
        answers_v0(&mut conn)
    });
    match answered {
        Ok(()) => Ok(Hello::TooOld),
        Err(WireError::Closed) => Err(target.protocol(format!(
            "{server} hung up without answering ApiVersions or Metadata: not a plaintext Kafka \
             listener (for TLS or SASL, set security.protocol)"
        ))),
        Err(WireError::Codec(reason)) => Err(target.protocol(reason)),
        Err(e) => Err(target.unreachable(format!("{server}: {e}"))),
    }
}
