//! `Message`: one record handed to the application, acked from any thread.

use crate::errors;
use crate::handle::Handle;
use crate::repr::quote;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use steady_core::runtime::Record;

/// One Kafka record. Call `ack()` once it is processed, from any thread and in any order.
#[pyclass(module = "steady", frozen)]
pub struct Message {
    consumer: Handle,
    record: Record,
}

impl Message {
    /// Wraps `record`, delivered by `consumer`.
    pub(crate) fn new(consumer: Handle, record: Record) -> Self {
        Message { consumer, record }
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

    /// Marks the message processed. Safe from any thread, in any order; acks of partitions
    /// this consumer no longer owns are ignored.
    fn ack(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.consumer.ack(&self.record))
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
