//! Group membership rules: GR001–GR008.

use super::context::{Ctx, V2_3, V4_0};
use super::{Finding, Severity};
use crate::settings::Dialect;
use crate::version::Version;
use std::collections::BTreeMap;

/// Runs the family.
pub(super) fn run(ctx: &Ctx, out: &mut Vec<Finding>) {
    out.extend(gr002(ctx));
    out.extend(gr005(ctx));
    out.extend(
        [
            gr001(ctx),
            gr003(ctx),
            gr004(ctx),
            gr006(ctx),
            gr007(ctx),
            gr008(ctx),
        ]
        .into_iter()
        .flatten(),
    );
}

/// Whether the client can do something that arrived in Java `java` / librdkafka `rdkafka`
/// (steady runs on librdkafka 2.12, so always). Unknown versions count as able.
fn client_has(ctx: &Ctx, java: Version, rdkafka: Version) -> bool {
    match ctx.dialect {
        Dialect::Java => ctx.maybe_at_least(java),
        Dialect::Librdkafka => ctx.maybe_at_least(rdkafka),
        Dialect::Steady => true,
    }
}

/// GR001: a group member without group.instance.id where static membership works (broker 2.3
/// on, or unknown): every restart is a leave and a join, two rebalances.
fn gr001(ctx: &Ctx) -> Option<Finding> {
    let able = !ctx.broker_below(V2_3)
        && ctx.broker.and_then(|b| b.static_membership) != Some(false)
        && client_has(ctx, V2_3, Version::new(1, 4, 0));
    let member = ctx.is_set("group.id") && !ctx.is_set("group.instance.id");
    (able && member).then(|| {
        Finding::new(
            "GR001",
            Severity::Info,
            "group.instance.id",
            "group.instance.id is not set, so each restart or deploy of this consumer leaves \
             and rejoins the group: two rebalances. Give every instance a unique, stable \
             group.instance.id (e.g. the pod name) and a session.timeout.ms longer than a \
             restart (static membership, broker 2.3 or later).",
            "KIP-345",
        )
    })
}

/// GR002: two live members with the same group.instance.id fence each other.
fn gr002(ctx: &Ctx) -> Vec<Finding> {
    let Some(group) = ctx.broker.and_then(|b| b.group.as_ref()) else {
        return Vec::new();
    };
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for id in group
        .members
        .iter()
        .filter_map(|m| m.instance_id.as_deref())
    {
        *seen.entry(id).or_default() += 1;
    }
    seen.into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(id, n)| {
            Finding::new(
                "GR002",
                Severity::Error,
                "group.instance.id",
                format!(
                    "{n} members of group {} share group.instance.id '{id}': each join fences \
                     the other, and the group rebalances over and over. Make the ids unique.",
                    group.group
                ),
                "KIP-345; librdkafka INTRODUCTION.md (static membership)",
            )
        })
        .collect()
}

/// Whether an assignor name (librdkafka word or Java class) is eager or cooperative.
#[derive(PartialEq, Clone, Copy)]
enum Protocol {
    Eager,
    Cooperative,
    Unknown,
}

fn protocol_of(assignor: &str) -> Protocol {
    let name = assignor
        .trim()
        .rsplit('.')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    match name.as_str() {
        "range" | "roundrobin" | "rangeassignor" | "roundrobinassignor" | "stickyassignor" => {
            Protocol::Eager
        }
        "cooperative-sticky" | "cooperativestickyassignor" => Protocol::Cooperative,
        _ => Protocol::Unknown,
    }
}

fn assignors(ctx: &Ctx) -> Option<Vec<Protocol>> {
    let list = ctx.value("partition.assignment.strategy")?;
    Some(
        list.split(',')
            .filter(|s| !s.trim().is_empty())
            .map(protocol_of)
            .collect(),
    )
}

/// GR003: only eager assignors under the classic protocol: every rebalance stops the whole
/// group. Silent for clients without cooperative rebalancing (Java < 2.4, librdkafka < 1.6).
fn gr003(ctx: &Ctx) -> Option<Finding> {
    let kinds = assignors(ctx)?;
    let eager = !kinds.is_empty() && kinds.iter().all(|k| *k == Protocol::Eager);
    let able = client_has(ctx, Version::new(2, 4, 0), Version::new(1, 6, 0));
    let fix = match ctx.dialect {
        Dialect::Java => "org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
        _ => "cooperative-sticky",
    };
    (ctx.classic() && eager && able).then(|| {
        Finding::new(
            "GR003",
            Severity::Warning,
            "partition.assignment.strategy",
            format!(
                "partition.assignment.strategy is {}: eager assignors revoke every partition of \
                 every member on each rebalance (stop-the-world). Switch to cooperative-sticky \
                 (a rolling change: add it, then drop the eager ones).",
                ctx.shown("partition.assignment.strategy")
            ),
            "KIP-429; Kafka upgrade notes 2.4/3.0",
        )
        .recommend("partition.assignment.strategy", fix)
    })
}

/// GR004: librdkafka refuses eager and cooperative assignors in one list.
fn gr004(ctx: &Ctx) -> Option<Finding> {
    let kinds = assignors(ctx)?;
    let mixed = kinds.contains(&Protocol::Eager) && kinds.contains(&Protocol::Cooperative);
    (ctx.on_librdkafka() && mixed).then(|| {
        Finding::new(
            "GR004",
            Severity::Error,
            "partition.assignment.strategy",
            format!(
                "partition.assignment.strategy is {}: librdkafka does not allow eager and \
                 cooperative assignors to be mixed. Pick one kind.",
                ctx.shown("partition.assignment.strategy")
            ),
            "librdkafka CONFIGURATION.md (partition.assignment.strategy)",
        )
        .recommend("partition.assignment.strategy", "cooperative-sticky")
    })
}

/// GR005: keys of the classic protocol set under group.protocol=consumer (refused: the broker
/// owns session, heartbeat and assignment), and group.remote.assignor under classic.
fn gr005(ctx: &Ctx) -> Vec<Finding> {
    let finding = |key: &str, why: String| {
        Finding::new(
            "GR005",
            Severity::Error,
            key,
            why,
            "ConsumerConfig (KAFKA-17338); librdkafka rdkafka_conf.c",
        )
    };
    if ctx.classic() {
        return ctx
            .settings
            .get("group.remote.assignor")
            .filter(|v| !v.trim().is_empty())
            .map(|_| {
                finding(
                    "group.remote.assignor",
                    "group.remote.assignor is set but group.protocol is classic: it only \
                     applies to the consumer protocol, and the Java client refuses it. Remove \
                     it, or set group.protocol=consumer."
                        .to_string(),
                )
            })
            .into_iter()
            .collect();
    }
    let mut keys = vec![
        "session.timeout.ms",
        "heartbeat.interval.ms",
        "partition.assignment.strategy",
    ];
    if ctx.on_librdkafka() {
        keys.push("group.protocol.type");
    }
    keys.into_iter()
        .filter(|k| ctx.settings.raw(k).is_some())
        .map(|k| {
            finding(
                k,
                format!(
                    "{k} is set but group.protocol=consumer: under KIP-848 the broker owns it \
                     (group.consumer.* broker settings), and the client refuses it. Remove it."
                ),
            )
        })
        .collect()
}

/// GR006: the broker offers the consumer protocol (4.0 on, or probed) but the group uses
/// classic. Silent for clients without it (Java < 4.0, librdkafka < 2.12).
fn gr006(ctx: &Ctx) -> Option<Finding> {
    let offered = ctx.broker_at_least(V4_0) || ctx.broker.and_then(|b| b.kip848) == Some(true);
    let able = client_has(ctx, V4_0, Version::new(2, 12, 0));
    (offered && able && ctx.classic()).then(|| {
        Finding::new(
            "GR006",
            Severity::Info,
            "group.protocol",
            "The broker supports the KIP-848 consumer group protocol, but group.protocol is \
             classic: with group.protocol=consumer the broker assigns partitions incrementally \
             and members no longer stop for rebalances. Rebalance callbacks must then be \
             incremental.",
            "KIP-848",
        )
        .recommend("group.protocol", "consumer")
    })
}

/// GR007: group.protocol=consumer on a broker without it (older than 4.0, or probed without).
fn gr007(ctx: &Ctx) -> Option<Finding> {
    let lacks = ctx.broker_below(V4_0) || ctx.broker.and_then(|b| b.kip848) == Some(false);
    (!ctx.classic() && lacks).then(|| {
        Finding::new(
            "GR007",
            Severity::Error,
            "group.protocol",
            format!(
                "group.protocol=consumer, but the broker ({}) does not offer the KIP-848 \
                 consumer group protocol (generally available from 4.0): the consumer cannot \
                 join. Use classic, or upgrade the broker.",
                ctx.broker_version()
                    .map_or("version unknown", |b| b.label.as_str())
            ),
            "KIP-848",
        )
        .recommend("group.protocol", "classic")
    })
}

/// GR008: more members than partitions: the extra members sit idle (and still take part in
/// every rebalance).
fn gr008(ctx: &Ctx) -> Option<Finding> {
    let group = ctx.broker?.group.as_ref()?;
    let partitions = group.partitions?;
    let members = group.members.len();
    (members > partitions as usize).then(|| {
        Finding::new(
            "GR008",
            Severity::Warning,
            "group",
            format!(
                "Group {} has {members} members for {partitions} partitions: {} of them get \
                 nothing and still join every rebalance. Run fewer members or add partitions.",
                group.group,
                members - partitions as usize
            ),
            "KMinion empty_members; consumer group best practices",
        )
    })
}
