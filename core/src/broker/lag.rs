//! Samples of a live group's offsets and lag over time, like `kafka-consumer-groups
//! --describe` taken several times: the members and their partitions, the committed and log
//! end offsets. LG001 ([`lag_growth`](crate::rules::lag_growth)) reads the samples.

use super::{members, offsets, plaintext, ProbeError, Target};
use crate::rules::GroupOffsets;
use crate::settings::Settings;
use std::time::{Duration, Instant};

/// How often and how far apart to sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LagSampling {
    /// Samples to take (at least 1; LG001 needs 2).
    pub samples: u32,
    /// Time from the start of one sample to the start of the next.
    pub interval: Duration,
}

impl Default for LagSampling {
    /// Two samples five seconds apart.
    fn default() -> Self {
        LagSampling {
            samples: 2,
            interval: Duration::from_secs(5),
        }
    }
}

/// Samples `group`'s members, committed offsets, log end offsets and lag on the broker at
/// `bootstrap_servers` (security settings from `settings`). Members come over a plain socket
/// for PLAINTEXT listeners (classic and KIP-848 groups), else from librdkafka's group list
/// (classic groups only); offsets always through librdkafka. Each sample is bounded by
/// `timeout`.
pub fn sample_group(
    bootstrap_servers: &str,
    settings: &Settings,
    group: &str,
    sampling: LagSampling,
    timeout: Duration,
) -> Result<Vec<GroupOffsets>, ProbeError> {
    let socket = plaintext(settings);
    sample(
        bootstrap_servers,
        settings,
        group,
        sampling,
        timeout,
        socket,
    )
}

/// Samples like [`sample_group`] but lists members through librdkafka whatever
/// `security.protocol` says (the path [`sample_group`] takes for TLS and SASL listeners).
pub fn sample_group_with_librdkafka(
    bootstrap_servers: &str,
    settings: &Settings,
    group: &str,
    sampling: LagSampling,
    timeout: Duration,
) -> Result<Vec<GroupOffsets>, ProbeError> {
    sample(bootstrap_servers, settings, group, sampling, timeout, false)
}

fn sample(
    bootstrap_servers: &str,
    settings: &Settings,
    group: &str,
    sampling: LagSampling,
    timeout: Duration,
    socket: bool,
) -> Result<Vec<GroupOffsets>, ProbeError> {
    let target = Target::parse(bootstrap_servers, Some(group), timeout)?;
    let reader = offsets::reader(&target, settings, group)?;
    let start = Instant::now();
    let mut samples = Vec::new();
    for i in 0..sampling.samples.max(1) {
        let due = start + sampling.interval * i;
        std::thread::sleep(due.saturating_duration_since(Instant::now()));
        let elapsed_ms = start.elapsed().as_millis() as u64;
        // Each sample has the whole timeout.
        let target = Target::parse(bootstrap_servers, Some(group), timeout)?;
        let members = if socket {
            members::over_socket(&target, group)?
        } else {
            members::over_librdkafka(&reader, &target, group)?
        };
        let partitions = offsets::read(&reader, &target, &members.assigned)?;
        samples.push(GroupOffsets {
            elapsed_ms,
            members_shown: members.shown,
            members: members.assigned,
            partitions,
        });
    }
    Ok(samples)
}
