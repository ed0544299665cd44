//! A live consumer group: FindCoordinator, then DescribeGroups (classic protocol) or
//! ConsumerGroupDescribe (KIP-848), then the partition count of the topics it consumes.

use super::assignment::{assigned_partitions, Consumed};
use super::infer::ApiRange;
use super::metadata::partition_count;
use super::wire::{negotiate, remaining, Connection, WireError};
use crate::rules::{AssignedMember, GroupFacts, GroupMember, TopicPartition};
use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::{
    ConsumerGroupDescribeRequest, DescribeGroupsRequest, FindCoordinatorRequest, GroupId,
};
use kafka_protocol::protocol::StrBytes;
use std::time::{Duration, Instant};

/// Pause between attempts while the coordinator is loading or moving.
const BACKOFF: Duration = Duration::from_millis(200);

/// Why an attempt failed: worth another try before the deadline, or not.
enum Attempt {
    Retry(String),
    Fail(String),
}

impl From<WireError> for Attempt {
    fn from(e: WireError) -> Self {
        Attempt::Fail(e.to_string())
    }
}

/// A Kafka error code as an attempt's outcome (`Ok` for 0).
fn check(code: i16, what: &str) -> Result<(), Attempt> {
    match ResponseError::try_from_code(code) {
        None => Ok(()),
        Some(e) if e.is_retriable() => Err(Attempt::Retry(format!("{what}: {e}"))),
        Some(e) => Err(Attempt::Fail(format!("{what}: {e}"))),
    }
}

/// A described group: its facts, the topics its members consume and who owns what.
struct Described {
    facts: GroupFacts,
    topics: Vec<String>,
    assigned: Vec<AssignedMember>,
}

/// Describes `group` through the broker behind `conn`; the error is a reason for a person.
pub(crate) fn describe(
    conn: &mut Connection,
    apis: &[ApiRange],
    group: &str,
    deadline: Instant,
) -> Result<GroupFacts, String> {
    describe_assigned(conn, apis, group, deadline).map(|(facts, _)| facts)
}

/// Describes `group` like [`describe`], with each member's assigned partitions.
pub(crate) fn describe_assigned(
    conn: &mut Connection,
    apis: &[ApiRange],
    group: &str,
    deadline: Instant,
) -> Result<(GroupFacts, Vec<AssignedMember>), String> {
    loop {
        match attempt(conn, apis, group, deadline) {
            Ok(d) => return Ok((d.facts, d.assigned)),
            Err(Attempt::Fail(reason)) => return Err(reason),
            Err(Attempt::Retry(reason)) => {
                let wait = remaining(deadline).map_err(|_| reason)?;
                std::thread::sleep(wait.min(BACKOFF));
            }
        }
    }
}

fn attempt(
    conn: &mut Connection,
    apis: &[ApiRange],
    group: &str,
    deadline: Instant,
) -> Result<Described, Attempt> {
    let address = coordinator(conn, apis, group)?;
    let budget = remaining(deadline).map_err(Attempt::from)?;
    let mut coord = Connection::open(&address, budget, deadline)
        .map_err(|e| Attempt::Fail(format!("coordinator {address}: {e}")))?;
    let coord_apis = coord.api_versions()?;
    let mut described = match classic(&mut coord, &coord_apis, group)? {
        Some(described) => described,
        None => match consumer_protocol(&mut coord, &coord_apis, group)? {
            Some(described) => described,
            None => Described {
                facts: absent(group),
                topics: Vec::new(),
                assigned: Vec::new(),
            },
        },
    };
    if !described.topics.is_empty() {
        let counted = partition_count(&mut coord, &coord_apis, &described.topics).ok();
        let facts = &mut described.facts;
        facts.partitions = counted.filter(|&n| n > 0).or(facts.partitions);
    }
    Ok(described)
}

/// `host:port` of the group's coordinator.
fn coordinator(conn: &mut Connection, apis: &[ApiRange], group: &str) -> Result<String, Attempt> {
    let version = negotiate::<FindCoordinatorRequest>(apis, 0)
        .ok_or_else(|| Attempt::Fail("the broker has no FindCoordinator".into()))?;
    let key = StrBytes::from_string(group.to_string());
    let request = if version >= 4 {
        FindCoordinatorRequest::default().with_coordinator_keys(vec![key])
    } else {
        FindCoordinatorRequest::default().with_key(key)
    };
    let response = conn.call(&request, version)?;
    let (code, host, port) = match response.coordinators.first() {
        Some(c) if version >= 4 => (c.error_code, c.host.to_string(), c.port),
        _ => (
            response.error_code,
            response.host.to_string(),
            response.port,
        ),
    };
    check(code, "FindCoordinator")?;
    Ok(if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    })
}

/// The group as DescribeGroups sees it, with the topics its members consume; `None` when
/// the classic protocol does not know the group.
fn classic(
    conn: &mut Connection,
    apis: &[ApiRange],
    group: &str,
) -> Result<Option<Described>, Attempt> {
    let version = negotiate::<DescribeGroupsRequest>(apis, 0)
        .ok_or_else(|| Attempt::Fail("the broker has no DescribeGroups".into()))?;
    let request = DescribeGroupsRequest::default()
        .with_groups(vec![GroupId(StrBytes::from_string(group.to_string()))]);
    let response = conn.call(&request, version)?;
    let Some(described) = response.groups.into_iter().next() else {
        return Ok(None);
    };
    if described.error_code == ResponseError::GroupIdNotFound.code() {
        return Ok(None);
    }
    check(described.error_code, "DescribeGroups")?;
    if described.members.is_empty() && described.group_state.as_str() == "Dead" {
        return Ok(None);
    }
    let consumer = described.protocol_type.as_str() == "consumer";
    let mut consumed = Consumed::default();
    if consumer {
        for m in &described.members {
            consumed.add_member_bytes(&m.member_metadata, &m.member_assignment);
        }
    }
    let members: Vec<GroupMember> = described
        .members
        .iter()
        .map(|m| {
            let instance = m.group_instance_id.as_deref();
            member(&m.member_id, &m.client_id, &m.client_host, instance)
        })
        .collect();
    let owned = described.members.iter().map(|m| match consumer {
        true => assigned_partitions(&m.member_assignment),
        false => Vec::new(),
    });
    let assigned = with_partitions(&members, owned);
    let (facts, topics) = found(
        group,
        &described.group_state,
        &described.protocol_data,
        members,
        consumed,
    );
    Ok(Some(Described {
        facts,
        topics,
        assigned,
    }))
}

/// The group as ConsumerGroupDescribe (KIP-848) sees it; `None` when the broker has no such
/// API or no such group.
fn consumer_protocol(
    conn: &mut Connection,
    apis: &[ApiRange],
    group: &str,
) -> Result<Option<Described>, Attempt> {
    let Some(version) = negotiate::<ConsumerGroupDescribeRequest>(apis, 0) else {
        return Ok(None);
    };
    let request = ConsumerGroupDescribeRequest::default()
        .with_group_ids(vec![GroupId(StrBytes::from_string(group.to_string()))]);
    let response = conn.call(&request, version)?;
    let Some(described) = response.groups.into_iter().next() else {
        return Ok(None);
    };
    if described.error_code == ResponseError::GroupIdNotFound.code() {
        return Ok(None);
    }
    check(described.error_code, "ConsumerGroupDescribe")?;
    let mut consumed = Consumed::default();
    for m in &described.members {
        consumed.add_subscription(m.subscribed_topic_names.iter().map(|t| t.0.to_string()));
        for tp in &m.assignment.topic_partitions {
            consumed.add_assigned(tp.topic_name.0.to_string(), tp.partitions.len() as u32);
        }
    }
    let members: Vec<GroupMember> = described
        .members
        .iter()
        .map(|m| {
            let instance = m.instance_id.as_deref();
            member(&m.member_id, &m.client_id, &m.client_host, instance)
        })
        .collect();
    let owned = described.members.iter().map(|m| {
        let topics = &m.assignment.topic_partitions;
        topics
            .iter()
            .map(|tp| (tp.topic_name.0.to_string(), tp.partitions.clone()))
            .collect()
    });
    let assigned = with_partitions(&members, owned);
    let (facts, topics) = found(
        group,
        &described.group_state,
        &described.assignor_name,
        members,
        consumed,
    );
    Ok(Some(Described {
        facts,
        topics,
        assigned,
    }))
}

/// Each member with the `(topic, partitions)` it owns, in the same order.
pub(crate) fn with_partitions(
    members: &[GroupMember],
    owned: impl IntoIterator<Item = Vec<(String, Vec<i32>)>>,
) -> Vec<AssignedMember> {
    members
        .iter()
        .zip(owned)
        .map(|(m, owned)| {
            let mut partitions: Vec<TopicPartition> = owned
                .into_iter()
                .flat_map(|(topic, ps)| {
                    ps.into_iter()
                        .map(move |p| TopicPartition::new(topic.clone(), p))
                })
                .collect();
            partitions.sort();
            AssignedMember {
                member_id: m.member_id.clone(),
                client_id: m.client_id.clone(),
                host: m.client_host.clone(),
                instance_id: m.instance_id.clone(),
                partitions,
            }
        })
        .collect()
}

/// One member as the describe answers give it.
pub(crate) fn member(
    id: &str,
    client_id: &str,
    host: &str,
    instance_id: Option<&str>,
) -> GroupMember {
    GroupMember {
        member_id: id.to_string(),
        client_id: client_id.to_string(),
        client_host: host.to_string(),
        instance_id: instance_id.map(str::to_string),
    }
}

/// A described group and the topics its members consume.
pub(crate) fn found(
    group: &str,
    state: &str,
    protocol: &str,
    members: Vec<GroupMember>,
    consumed: Consumed,
) -> (GroupFacts, Vec<String>) {
    let facts = GroupFacts {
        group: group.to_string(),
        state: state.to_string(),
        protocol: protocol.to_string(),
        members,
        partitions: (consumed.assigned > 0).then_some(consumed.assigned),
    };
    (facts, consumed.topics.into_iter().collect())
}

/// A group no coordinator knows: no members.
pub(crate) fn absent(group: &str) -> GroupFacts {
    GroupFacts {
        group: group.to_string(),
        state: "Dead".to_string(),
        protocol: String::new(),
        members: Vec::new(),
        partitions: None,
    }
}
