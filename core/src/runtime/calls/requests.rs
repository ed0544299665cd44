//! What the poll thread does for the application's requests ([`control`](crate::runtime::control)).
//!
//! - `Pause`: the partition is held paused (composed with backpressure and the offset window,
//!   see [`pauses`]) and its records still in the hand-off buffer go back to librdkafka (the
//!   partition is rewound to the first of them), so no record of it is delivered after the
//!   call returns. A new epoch of the partition (revoked, assigned again) starts unpaused.
//! - `Resume`: the application's hold is lifted; the partition runs when no other holds it.
//! - `Seek`: the partition's buffered records are dropped, its window restarts at the target
//!   ([`Slot::rewind`]) and librdkafka fetches from there. Records delivered before the seek
//!   and not yet acked keep holding the committed offset until they are acked.
//! - `Position`: the offset of the next record the application gets from the partition.
//! - `Committed`: the group's committed offset, asked of the coordinator.

use crate::runtime::commits;
use crate::runtime::context::Kafka;
use crate::runtime::control::{Partition, Reply, Request};
use crate::runtime::events::CommitReason;
use crate::runtime::kafka_error::KafkaError;
use crate::runtime::offsets::Slot;
use crate::runtime::pauses::{self, Hold};
use crate::runtime::shared::Shared;
use crate::runtime::Error;
use crossbeam_channel::Sender;
use rdkafka::consumer::Consumer;
use rdkafka::topic_partition_list::{Offset, TopicPartitionList};
use rdkafka::util::Timeout;
use std::sync::Arc;
use std::time::Duration;

/// Longest wait for librdkafka's seek and for the coordinator's committed offsets.
const BROKER_WAIT: Duration = Duration::from_secs(10);

/// Answers `requests` in order; commit requests queued together share one commit.
pub(crate) fn serve(consumer: &Kafka, shared: &Shared, requests: Vec<(Request, Sender<Reply>)>) {
    let mut commit: Option<Reply> = None;
    for (request, reply) in requests {
        let answer = match request {
            Request::Commit => commit
                .get_or_insert_with(|| commit_all(consumer, shared))
                .clone(),
            Request::Pause(p) => owned(shared, &p).and_then(|s| pause(consumer, shared, &s)),
            Request::Resume(p) => owned(shared, &p).map(|s| {
                pauses::hold(consumer, shared, &[s], Hold::Application, false);
                None
            }),
            Request::Seek(p, offset) => {
                owned(shared, &p).and_then(|s| seek(consumer, shared, &s, offset))
            }
            Request::Position(p) => owned(shared, &p).map(|s| position(consumer, &s)),
            Request::Committed(p) => owned(shared, &p).and_then(|_| committed(consumer, &p)),
        };
        let _ = reply.send(answer);
    }
}

/// Commits the acked prefix of every assigned partition.
pub(crate) fn commit_all(consumer: &Kafka, shared: &Shared) -> Reply {
    let offsets = shared.assignment.uncommitted(&shared.assignment.slots());
    commits::commit_sync(consumer, shared, &offsets, CommitReason::Explicit).map(|()| None)
}

/// The slot of a partition this consumer owns now.
fn owned(shared: &Shared, p: &Partition) -> Result<Arc<Slot>, Error> {
    shared
        .assignment
        .find(&p.topic, p.partition)
        .ok_or_else(|| {
            Error::InvalidArgument(format!(
                "partition {}/{} is not assigned to this consumer",
                p.topic, p.partition
            ))
        })
}

fn pause(consumer: &Kafka, shared: &Shared, slot: &Arc<Slot>) -> Reply {
    pauses::hold(
        consumer,
        shared,
        std::slice::from_ref(slot),
        Hold::Application,
        true,
    );
    match shared.handoff.take_back(slot) {
        Some(first) => rewind(consumer, slot, first),
        None => Ok(None),
    }
}

fn seek(consumer: &Kafka, shared: &Shared, slot: &Arc<Slot>, offset: i64) -> Reply {
    if offset < 0 {
        return Err(Error::InvalidArgument(format!(
            "seek offset {offset} of {}: an offset is 0 or more",
            slot.name()
        )));
    }
    shared.handoff.take_back(slot);
    rewind(consumer, slot, offset)
}

/// Restarts `slot`'s window at `offset` and makes librdkafka fetch from there.
fn rewind(consumer: &Kafka, slot: &Arc<Slot>, offset: i64) -> Reply {
    slot.rewind(offset);
    consumer
        .seek(
            &slot.topic,
            slot.partition,
            Offset::Offset(offset),
            Timeout::After(BROKER_WAIT),
        )
        .map_err(|e| {
            let what = format!("seek {} to {offset}", slot.name());
            KafkaError::from_rdkafka(&what, &e).into()
        })
        .map(|()| None)
}

/// The slot's next delivery, or librdkafka's fetch position before anything was polled.
fn position(consumer: &Kafka, slot: &Slot) -> Option<i64> {
    slot.next_delivery().or_else(|| {
        let list = consumer.position().ok()?;
        match list.find_partition(&slot.topic, slot.partition)?.offset() {
            Offset::Offset(o) => Some(o),
            _ => None,
        }
    })
}

fn committed(consumer: &Kafka, p: &Partition) -> Reply {
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition(&p.topic, p.partition);
    let list = consumer
        .committed_offsets(tpl, Timeout::After(BROKER_WAIT))
        .map_err(|e| KafkaError::from_rdkafka("committed offsets", &e))?;
    Ok(list
        .find_partition(&p.topic, p.partition)
        .and_then(|e| match e.offset() {
            Offset::Offset(o) => Some(o),
            _ => None,
        }))
}
