//! The rdkafka consumer context: error, rebalance and commit callbacks, run on the poll thread.
//!
//! Assign: before librdkafka starts fetching, the partitions' records are forwarded to the
//! fetch queue; after it, [`rebalance::assign`]. Revoke: [`rebalance::revoke`]. rdkafka's
//! default `rebalance` picks `assign` or `incremental_assign` for eager, cooperative and
//! KIP-848 groups; these hooks run around it.

use crate::runtime::commits;
use crate::runtime::events::CommitReason;
use crate::runtime::kafka_error::KafkaError;
use crate::runtime::logging::{LogLevel, LIBRDKAFKA_TARGET};
use crate::runtime::rebalance;
use crate::runtime::shared::Shared;
use rdkafka::client::ClientContext;
use rdkafka::config::RDKafkaLogLevel;
use rdkafka::consumer::{BaseConsumer, ConsumerContext, Rebalance};
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

    /// librdkafka's log lines (from its own threads): queued for the consumer's log sink.
    fn log(&self, level: RDKafkaLogLevel, fac: &str, log_message: &str) {
        let shared = &self.shared;
        let level = LogLevel::from_syslog(level as i32);
        let message = shared.settings.scrub(log_message);
        shared.log.write(level, LIBRDKAFKA_TARGET, fac, message);
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
        // Every connection failed — for a reason reported just before (a refused password,
        // a certificate, a listener that is not Kafka): that reason stays the last error.
        None if error.kind() == RDKafkaErrorCode::AllBrokersDown => {
            shared.consequence("error", error.to_string())
        }
        None => shared.error("error", error.to_string()),
    }
}

impl ConsumerContext for Ctx {
    fn pre_rebalance(&self, consumer: &Kafka, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Revoke(tpl) => rebalance::revoke(consumer, &self.shared, tpl),
            Rebalance::Error(e) => report(&self.shared, KafkaError::from_rdkafka("rebalance", e)),
            Rebalance::Assign(tpl) => {
                if let Err(e) = self.shared.fetch.forward(consumer, tpl) {
                    self.shared.error("rebalance", e);
                }
            }
        }
    }

    fn post_rebalance(&self, consumer: &Kafka, rebalance: &Rebalance<'_>) {
        if let Rebalance::Assign(tpl) = rebalance {
            rebalance::assign(consumer, &self.shared, tpl);
        }
    }

    /// The result of a background commit (the others are synchronous).
    fn commit_callback(&self, result: KafkaResult<()>, offsets: &TopicPartitionList) {
        let error = match result {
            Ok(()) => None,
            Err(RdError::ConsumerCommit(RDKafkaErrorCode::NoOffset)) => return,
            Err(e) => Some(KafkaError::from_rdkafka("commit on background", &e)),
        };
        commits::finished(&self.shared, CommitReason::Background, offsets, error);
    }
}
