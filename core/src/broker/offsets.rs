//! A group's committed offsets (OffsetFetch) and the log end offsets of its partitions
//! (ListOffsets), read through a librdkafka consumer that carries the group's id but never
//! joins the group.

use super::librdkafka::connection_config;
use super::wire::remaining;
use super::{ProbeError, Target};
use crate::rules::{AssignedMember, PartitionOffsets, TopicPartition};
use crate::settings::Settings;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::{Offset, TopicPartitionList};
use std::collections::BTreeMap;
use std::time::Duration;

/// A consumer for `group` that only reads offsets: it never subscribes, so it never joins.
pub(crate) fn reader(
    target: &Target,
    settings: &Settings,
    group: &str,
) -> Result<BaseConsumer, ProbeError> {
    let mut config = connection_config(target, settings)?;
    config
        .set("group.id", group)
        .set("client.id", "steady-doctor")
        .set("enable.auto.commit", "false")
        .set("enable.partition.eof", "false");
    config
        .create()
        .map_err(|e| target.protocol(format!("cannot create the librdkafka client: {e}")))
}

/// The time left for this sample, or the error for having none.
fn time_left(target: &Target) -> Result<Duration, ProbeError> {
    remaining(target.deadline).map_err(|_| target.unreachable("no time left".into()))
}

/// Every partition of the cluster with a committed offset of the group, and every partition
/// a member owns, with its log end offset and owner; sorted by topic and partition.
pub(crate) fn read(
    consumer: &BaseConsumer,
    target: &Target,
    assigned: &[AssignedMember],
) -> Result<Vec<PartitionOffsets>, ProbeError> {
    let metadata = consumer
        .fetch_metadata(None, time_left(target)?)
        .map_err(|e| target.unreachable(e.to_string()))?;
    let mut all = TopicPartitionList::new();
    for topic in metadata.topics() {
        for p in topic.partitions() {
            all.add_partition(topic.name(), p.id());
        }
    }
    let committed = consumer
        .committed_offsets(all, time_left(target)?)
        .map_err(|e| target.protocol(format!("committed offsets: {e}")))?;
    let mut rows: BTreeMap<TopicPartition, PartitionOffsets> = BTreeMap::new();
    let row = |tp: &TopicPartition| PartitionOffsets {
        topic: tp.topic.clone(),
        partition: tp.partition,
        committed: None,
        log_end: None,
        member_id: None,
    };
    for e in committed.elements() {
        if let Offset::Offset(offset) = e.offset() {
            let tp = TopicPartition::new(e.topic(), e.partition());
            let entry = rows.entry(tp.clone()).or_insert_with(|| row(&tp));
            entry.committed = Some(offset);
        }
    }
    for m in assigned {
        for tp in &m.partitions {
            let entry = rows.entry(tp.clone()).or_insert_with(|| row(tp));
            entry.member_id = Some(m.member_id.clone());
        }
    }
    for r in rows.values_mut() {
        // A partition that cannot be read (deleted meanwhile, leader moving) stays unknown.
        let left = time_left(target)?;
        r.log_end = consumer
            .fetch_watermarks(&r.topic, r.partition, left)
            .ok()
            .map(|(_, high)| high);
    }
    Ok(rows.into_values().collect())
}
