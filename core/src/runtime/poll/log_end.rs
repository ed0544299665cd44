//! The log end offset (high watermark) of each assigned partition, as librdkafka last saw it in
//! a fetch response: read from its cache without asking the broker, for the lag figures.

use crate::runtime::context::Kafka;
use crate::runtime::shared::Shared;
use rdkafka::bindings as rdsys;
use rdkafka::consumer::Consumer;
use std::ffi::CString;
use std::sync::atomic::Ordering;

/// Refreshes the log end offset of every assigned partition (poll thread).
pub(crate) fn refresh(consumer: &Kafka, shared: &Shared) {
    let rk = consumer.client().native_ptr();
    for slot in shared.assignment.slots() {
        let Ok(topic) = CString::new(&*slot.topic) else {
            continue;
        };
        let (mut low, mut high) = (-1i64, -1i64);
        // SAFETY: a live consumer handle, a NUL-terminated topic name, two writable i64s.
        let err = unsafe {
            rdsys::rd_kafka_get_watermark_offsets(
                rk,
                topic.as_ptr(),
                slot.partition,
                &mut low,
                &mut high,
            )
        };
        if err == rdsys::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR && high >= 0 {
            slot.counters.log_end.store(high, Ordering::Relaxed);
        }
    }
}
