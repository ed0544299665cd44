//! Every commit's result, whatever made it (background, explicit, revoke, close): remembered
//! when it succeeded, counted by outcome, reported as a `Committed` event with its offsets and
//! error.

use crate::runtime::context::{self, Kafka};
use crate::runtime::events::{CommitReason, Event, PartitionOffset};
use crate::runtime::kafka_error::KafkaError;
use crate::runtime::shared::Shared;
use crate::runtime::Error;
use rdkafka::consumer::{CommitMode, Consumer};
use rdkafka::topic_partition_list::{Offset, TopicPartitionList};
use std::sync::atomic::Ordering;

/// Commits `offsets` synchronously (nothing to do for an empty list) and reports the result.
pub(crate) fn commit_sync(
    consumer: &Kafka,
    shared: &Shared,
    offsets: &TopicPartitionList,
    reason: CommitReason,
) -> Result<(), Error> {
    if offsets.count() == 0 {
        return Ok(());
    }
    let result = consumer
        .commit(offsets, CommitMode::Sync)
        .map_err(|e| KafkaError::from_rdkafka(&format!("commit on {}", reason.as_str()), &e));
    finished(shared, reason, offsets, result.clone().err());
    result.map_err(Error::from)
}

/// Reports a finished commit of `offsets`: remembered on success, counted, queued as an event;
/// a failure also goes to the error count (never fatal by itself).
pub(crate) fn finished(
    shared: &Shared,
    reason: CommitReason,
    offsets: &TopicPartitionList,
    error: Option<KafkaError>,
) {
    let m = &shared.metrics;
    match &error {
        None => {
            shared.assignment.note_committed(offsets);
            m.commits_succeeded.fetch_add(1, Ordering::Relaxed);
        }
        Some(e) => {
            m.commits_failed.fetch_add(1, Ordering::Relaxed);
            context::report(shared, e.clone());
        }
    }
    let partitions = offsets
        .elements()
        .iter()
        .map(|e| PartitionOffset {
            topic: e.topic().to_string(),
            partition: e.partition(),
            offset: match e.offset() {
                Offset::Offset(o) => Some(o),
                _ => None,
            },
        })
        .collect();
    shared
        .events
        .push(Event::committed(reason, partitions, error));
}
