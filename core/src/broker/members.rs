//! Who owns which partitions of a live group: over the plain socket (DescribeGroups, then
//! ConsumerGroupDescribe for KIP-848 groups) or through librdkafka's group list (classic
//! groups only: its DescribeGroups does not show the members of a KIP-848 group).

use super::assignment::assigned_partitions;
use super::group::{describe_assigned, member, with_partitions};
use super::wire::remaining;
use super::{plain, ProbeError, Target};
use crate::rules::{AssignedMember, GroupMember};
use bytes::Bytes;
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext};

/// The members of a group and what they own.
pub(crate) struct Members {
    /// Whether the members could be listed at all (see [`over_librdkafka`]).
    pub(crate) shown: bool,
    /// Each member with its partitions.
    pub(crate) assigned: Vec<AssignedMember>,
}

/// The members over a plain socket: every protocol, static member ids included.
pub(crate) fn over_socket(target: &Target, group: &str) -> Result<Members, ProbeError> {
    let (mut conn, apis) = plain::connect(target)?;
    let (_, assigned) = describe_assigned(&mut conn, &apis, group, target.deadline)
        .map_err(|reason| target.protocol(format!("group '{group}': {reason}")))?;
    Ok(Members {
        shown: true,
        assigned,
    })
}

/// The members through librdkafka's group list. A group it lists without members and not
/// as `Empty` may be a KIP-848 group whose members it cannot see: `shown` is then false.
pub(crate) fn over_librdkafka<C: ConsumerContext>(
    consumer: &BaseConsumer<C>,
    target: &Target,
    group: &str,
) -> Result<Members, ProbeError> {
    let left = remaining(target.deadline).map_err(|_| target.unreachable("no time left".into()))?;
    let list = consumer
        .fetch_group_list(Some(group), left)
        .map_err(|e| target.protocol(format!("group '{group}': {e}")))?;
    let Some(info) = list.groups().iter().find(|g| g.name() == group) else {
        return Ok(Members {
            shown: false,
            assigned: Vec::new(),
        });
    };
    let consumer_protocol = info.protocol_type() == "consumer";
    let members: Vec<GroupMember> = info
        .members()
        .iter()
        .map(|m| member(m.id(), m.client_id(), m.client_host(), None))
        .collect();
    let owned = info
        .members()
        .iter()
        .map(|m| match (consumer_protocol, m.assignment()) {
            (true, Some(bytes)) => assigned_partitions(&Bytes::copy_from_slice(bytes)),
            _ => Vec::new(),
        });
    let assigned = with_partitions(&members, owned);
    Ok(Members {
        shown: !assigned.is_empty() || info.state().eq_ignore_ascii_case("empty"),
        assigned,
    })
}
