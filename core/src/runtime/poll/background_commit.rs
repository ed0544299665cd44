//! Commits sent without waiting, whose results come back to the commit callback.
//!
//! rdkafka's asynchronous `commit` reports its result only through an offset-commit callback
//! in librdkafka's configuration, which rdkafka's event-based consumer does not set: the
//! runtime would never learn what was committed. `rd_kafka_commit_queue` with the consumer
//! queue as the reply queue posts the result there instead, where the poll thread serves it as
//! a commit event ([`ConsumerContext::commit_callback`](rdkafka::consumer::ConsumerContext)).

use crate::runtime::context::Kafka;
use rdkafka::bindings as rdsys;
use rdkafka::consumer::Consumer;
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::TopicPartitionList;
use std::ptr::NonNull;

/// Sends a commit of `offsets`; the result arrives at the commit callback.
pub(crate) fn commit_async(consumer: &Kafka, offsets: &TopicPartitionList) -> Result<(), String> {
    let rk = consumer.client().native_ptr();
    // SAFETY: `rk` is a live consumer handle; the queue handle is ours and destroyed below
    // (the commit keeps its own reference to the queue for the reply).
    let queue = NonNull::new(unsafe { rdsys::rd_kafka_queue_get_consumer(rk) })
        .ok_or("the consumer has no queue (no group.id)")?;
    // SAFETY: live handles; librdkafka copies `offsets`.
    let err = unsafe {
        let err = rdsys::rd_kafka_commit_queue(
            rk,
            offsets.ptr(),
            queue.as_ptr(),
            None,
            std::ptr::null_mut(),
        );
        rdsys::rd_kafka_queue_destroy(queue.as_ptr());
        err
    };
    match RDKafkaErrorCode::from(err) {
        RDKafkaErrorCode::NoError => Ok(()),
        code => Err(code.to_string()),
    }
}
