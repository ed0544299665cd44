//! `Message`: one record handed to the application, acked from any thread.

use crate::args::{self, Seconds};
use crate::errors::{self, SteadyError};
use crate::process;
use crate::repr::quote;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use std::mem::ManuallyDrop;
use steady_core::runtime::Record;

/// One Kafka record. Call `ack()` once it is processed, from any thread and in any order.
///
/// It owns a copy of the record's data and what it takes to ack it, not the consumer: the
/// consumer closes when the `Consumer` object goes, whatever messages are left.
#[pyclass(module = "steady", frozen)]
pub struct Message {
    /// Dropped only in the process that received it.
    record: ManuallyDrop<Record>,
    /// The process that received it.
    pid: u32,
}

impl Message {
    /// Wraps `record`, received by this process.
    #[inline]
    fn new(record: Record) -> Self {
        Message {
            record: ManuallyDrop::new(record),
            pid: process::id(),
        }
    }

    /// The Python object of `record`, received by this process.
    ///
    /// It is not tracked by the cyclic garbage collector: it holds no Python object, so it can
    /// never be part of a cycle. Every `#[pyclass]` object is made tracked, and a `consume()`
    /// of 1,000 messages would otherwise set off a young-generation collection that walks all
    /// of them (each through its `tp_traverse`) on every call.
    pub(crate) fn wrap(py: Python<'_>, record: Record) -> PyResult<Bound<'_, Message>> {
        let message = Bound::new(py, Message::new(record))?;
        // SAFETY: a live object of a GC type (every `#[pyclass]` is one); untracking an object
        // that references no Python object only keeps the collector from visiting it, and
        // its deallocation untracks it again, which is allowed.
        unsafe { pyo3::ffi::PyObject_GC_UnTrack(message.as_ptr().cast()) };
        Ok(message)
    }

    /// The record, once [`Message::check_process`] found this the process that received it.
    pub(crate) fn record(&self) -> &Record {
        &self.record
    }

    /// `SteadyError` unless this is the process that received the message: in a forked child
    /// its bookkeeping belongs to the parent's consumer.
    #[inline]
    pub(crate) fn check_process(&self) -> PyResult<()> {
        if process::id() == self.pid {
            return Ok(());
        }
        Err(SteadyError::new_err(format!(
            "this Message was received in process {}; only that process can ack it \
             (after fork() create a new Consumer in the child, process {})",
            self.pid,
            process::id()
        )))
    }
}

impl Drop for Message {
    fn drop(&mut self) {
        // In a forked child the record's bookkeeping belongs to the parent's consumer: leave it.
        if process::id() == self.pid {
            // SAFETY: `record` is not used after this.
            unsafe { ManuallyDrop::drop(&mut self.record) }
        }
    }
}

/// Copies optional bytes into a Python `bytes` object.
fn bytes_or_none<'py>(py: Python<'py>, data: Option<&[u8]>) -> Option<Bound<'py, PyBytes>> {
    data.map(|d| PyBytes::new(py, d))
}

#[pymethods]
impl Message {
    /// The topic.
    #[getter]
    fn topic(&self) -> &str {
        self.record.topic()
    }

    /// The partition.
    #[getter]
    fn partition(&self) -> i32 {
        self.record.partition()
    }

    /// The offset.
    #[getter]
    fn offset(&self) -> i64 {
        self.record.offset()
    }

    /// The key, or None.
    #[getter]
    fn key<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        bytes_or_none(py, self.record.key())
    }

    /// The payload, or None.
    #[getter]
    fn value<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        bytes_or_none(py, self.record.payload())
    }

    /// Headers in order, as (name, value or None) pairs.
    #[getter]
    fn headers<'py>(&self, py: Python<'py>) -> Vec<(&str, Option<Bound<'py, PyBytes>>)> {
        self.record
            .headers()
            .iter()
            .map(|(name, value)| (name.as_str(), bytes_or_none(py, value.as_deref())))
            .collect()
    }

    /// Milliseconds since the epoch (create or log-append time), or None.
    #[getter]
    fn timestamp(&self) -> Option<i64> {
        self.record.timestamp()
    }

    /// Marks the message processed. Safe from any thread, in any order; acking it again, or
    /// acking a message of a partition this consumer no longer owns, has no effect. Raises
    /// `ClosedError` once its consumer is closed (or was collected).
    fn ack(&self, py: Python<'_>) -> PyResult<()> {
        self.check_process()?;
        // The GIL stays held: an ack holds its partition's lock (and under steady.ordering the
        // hand-off's, to free the record's lane) only briefly and never waits for anything
        // while holding it (nor does any other holder of those locks, and none of them waits
        // for the GIL), so releasing and taking the GIL would cost more than it saves.
        self.record.ack().map_err(|e| errors::runtime_error(py, e))
    }

    /// How many times the record was delivered, this time included: 1, then one more for
    /// every `nack()`.
    #[getter]
    fn attempt(&self) -> u32 {
        self.record.attempt()
    }

    /// The handler failed with `reason`: the record is delivered again after `delay` seconds,
    /// or with `delay=None` after the back-off (steady.retry.backoff.ms, doubled per attempt up
    /// to steady.retry.backoff.max.ms); once it used up steady.retry.max.attempts it is
    /// dead-lettered instead. Until it is acked or dead-lettered the committed offset stays
    /// before it. Any thread; ignored like `ack()` when the message was already acked or
    /// nacked or its partition was revoked. Raises `ClosedError` once its consumer is closed.
    #[pyo3(signature = (reason, delay=None))]
    fn nack(
        &self,
        py: Python<'_>,
        reason: Bound<'_, PyString>,
        delay: Option<Seconds>,
    ) -> PyResult<()> {
        let reason = args::text("reason", &reason)?;
        let delay = args::timeout(py, "delay", delay)?;
        self.check_process()?;
        let record = &*self.record;
        // A nack may produce to the dead-letter topic: more than a short lock.
        py.detach(|| match delay {
            Some(delay) => record.nack_after(&reason, delay),
            None => record.nack(&reason),
        })
        .map_err(|e| errors::runtime_error(py, e))
    }

    /// The record can never be processed (`reason` says why): it is dead-lettered now,
    /// without retries. With steady.dlq.topic set it is produced there and counts as acked
    /// once the broker has it; without, it stays pending (the committed offset stays before
    /// it, stats show it as parked). Ignored like `ack()`; `ClosedError` once closed.
    fn reject(&self, py: Python<'_>, reason: Bound<'_, PyString>) -> PyResult<()> {
        let reason = args::text("reason", &reason)?;
        self.check_process()?;
        let record = &*self.record;
        py.detach(|| record.reject(&reason))
            .map_err(|e| errors::runtime_error(py, e))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Message(topic={}, partition={}, offset={})",
            quote(py, self.record.topic())?,
            self.record.partition(),
            self.record.offset()
        ))
    }
}
