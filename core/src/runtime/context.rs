//! The rdkafka consumer context: rebalance and commit callbacks, run on the poll thread.
//!
//! Revoke: fence the revoked partitions (buffered and held records dropped, never delivered
//! after this point), wait up to `steady.revoke.drain.ms` for their in-flight records to be
//! acked, commit the acked prefix synchronously and forget them — except when the assignment
//! was lost, where nothing is committed. Assign: first (before librdkafka starts fetching) the
//! partitions' records are forwarded to the fetch queue, then after it a new epoch per partition
//! and the backpressure pause re-applied when it is in force (or explicitly lifted when it is
//! not). rdkafka's default `rebalance` picks `assign` or `incremental_assign` for eager,
//! cooperative and KIP-848 groups; these hooks run around it.

use super::kafka_error::KafkaError;
use super::offsets;
use super::shared::Shared;
use super::Error;
use rdkafka::client::ClientContext;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance};
use rdkafka::error::{KafkaError as RdError, KafkaResult, RDKafkaErrorCode};
use rdkafka::topic_partition_list::TopicPartitionList;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// The context of the runtime's `BaseConsumer`.
pub(crate) struct Ctx {
    pub shared: Arc<Shared>,
}

/// The consumer type the poll thread owns.
pub(crate) type Kafka = BaseConsumer<Ctx>;

impl ClientContext for Ctx {
    fn error(&self, error: RdError, reason: &str) {
        report(&self.shared, KafkaError::from_rdkafka(reason, &error));
    }
}

/// Counts a Kafka error in the stats. A fatal one makes the poll thread read librdkafka's
/// underlying code (`fatal_error`) and end the consumer; so does one steady cannot go on after
/// (see [`KafkaError::steady_fatal`]).
pub(crate) fn report(shared: &Shared, error: KafkaError) {
    if error.is_fatal() {
        shared.fatal_raised.store(true, Ordering::Release);
        shared.fetch.wake();
    }
    match KafkaError::steady_fatal(error.kind(), error.message()) {
        Some(fatal) => shared.fail(fatal.into()),
        None => shared.metrics.set_error(error.to_string()),
    }
}

impl ConsumerContext for Ctx {
    fn pre_rebalance(&self, consumer: &Kafka, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Revoke(tpl) => self.revoke(consumer, tpl),
            Rebalance::Error(e) => report(&self.shared, KafkaError::from_rdkafka("rebalance", e)),
            Rebalance::Assign(tpl) => {
                if let Err(e) = self.shared.fetch.forward(consumer, tpl) {
                    self.shared.metrics.set_error(e);
                }
            }
        }
    }

    fn post_rebalance(&self, consumer: &Kafka, rebalance: &Rebalance<'_>) {
        if let Rebalance::Assign(tpl) = rebalance {
            self.assign(consumer, tpl);
        }
    }

    fn commit_callback(&self, result: KafkaResult<()>, offsets: &TopicPartitionList) {
        match result {
            Ok(()) => self.shared.assignment.note_committed(offsets),
            Err(RdError::ConsumerCommit(RDKafkaErrorCode::NoOffset)) => {}
            Err(e) => report(&self.shared, KafkaError::from_rdkafka("commit", &e)),
        }
    }
}

impl Ctx {
    fn revoke(&self, consumer: &Kafka, tpl: &TopicPartitionList) {
        let shared = &self.shared;
        let slots = shared.assignment.remove(tpl);
        shared.handoff.fence(&slots);
        if !consumer.assignment_lost() {
            offsets::drain_all(&slots, shared.config.revoke_drain);
            let offsets = shared.assignment.uncommitted(&slots);
            if let Err(e) = commit(consumer, &offsets, shared) {
                shared.metrics.set_error(format!("commit on revoke: {e}"));
            }
        }
        for slot in &slots {
            slot.revoke();
        }
        shared.metrics.rebalances.fetch_add(1, Ordering::Relaxed);
    }

    fn assign(&self, consumer: &Kafka, tpl: &TopicPartitionList) {
        let shared = &self.shared;
        let (_, replaced) = shared.assignment.add(tpl, &shared.metrics);
        shared.handoff.fence(&replaced);
        for slot in &replaced {
            slot.revoke();
        }
        // librdkafka keeps an application pause across unassign and assign: a partition paused
        // for backpressure, revoked and assigned again later would stay paused for good. So
        // every assignment sets the pause state explicitly.
        if tpl.count() > 0 {
            let result = if shared.assignment.paused() {
                consumer.pause(tpl)
            } else {
                consumer.resume(tpl)
            };
            if let Err(e) = result {
                shared
                    .metrics
                    .set_error(format!("pause/resume after assign: {e}"));
            }
        }
        shared.metrics.rebalances.fetch_add(1, Ordering::Relaxed);
    }
}

/// Commits `offsets` synchronously and remembers them; nothing to do for an empty list.
pub(crate) fn commit(
    consumer: &Kafka,
    offsets: &TopicPartitionList,
    shared: &Shared,
) -> Result<(), Error> {
    if offsets.count() == 0 {
        return Ok(());
    }
    consumer
        .commit(offsets, CommitMode::Sync)
        .map_err(|e| KafkaError::from_rdkafka("commit", &e))?;
    shared.assignment.note_committed(offsets);
    Ok(())
}
