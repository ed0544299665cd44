//! `Event` and `TopicPartition`: rebalances, commit results and dead letters, read with
//! `Consumer.next_event()` or handed to the consumer's callbacks.

use crate::args::{self, Whole};
use crate::errors;
use crate::repr::quote;
use pyo3::exceptions::PyBaseException;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};
use std::sync::Mutex;
use steady_core::runtime::{self, EventKind};

/// A partition of a topic, and an offset where there is one.
///
/// In an event: for "assigned" the committed offset the partition starts from (None: nothing
/// committed, `auto.offset.reset` applies); for "committed" the offset committed (the next one
/// to read); for "dead_lettered" the offset of the record sent to the dead-letter topic; None
/// for "revoked" and "lost".
#[pyclass(module = "steady", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TopicPartition {
    /// The topic.
    #[pyo3(get)]
    topic: String,
    /// The partition.
    #[pyo3(get)]
    partition: i32,
    /// The offset, or None.
    #[pyo3(get)]
    offset: Option<i64>,
}

impl From<&runtime::PartitionOffset> for TopicPartition {
    fn from(p: &runtime::PartitionOffset) -> Self {
        TopicPartition {
            topic: p.topic.clone(),
            partition: p.partition,
            offset: p.offset,
        }
    }
}

#[pymethods]
impl TopicPartition {
    #[new]
    #[pyo3(signature = (topic, partition, offset=None))]
    fn new(topic: Bound<'_, PyString>, partition: Whole, offset: Option<Whole>) -> PyResult<Self> {
        Ok(TopicPartition {
            topic: args::text("topic", &topic)?,
            partition: partition.partition("partition")?,
            offset: offset.map(|o| o.offset("offset")).transpose()?,
        })
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let offset = self.offset.map_or("None".to_string(), |o| o.to_string());
        Ok(format!(
            "TopicPartition(topic={}, partition={}, offset={offset})",
            quote(py, &self.topic)?,
            self.partition
        ))
    }
}

/// What happened to the consumer's partitions: `kind` is "assigned", "revoked", "lost",
/// "committed" or "dead_lettered". Call `done()` (or leave a `with` block) once it is handled: steady waits for a
/// "revoked" event to be done (within steady.revoke.drain.ms) before it commits the acked
/// prefix of those partitions, and keeps "assigned" partitions paused until their event is done
/// (at most steady.processing.timeout.ms). Collecting the event also makes it done.
#[pyclass(module = "steady", frozen)]
pub struct Event {
    kind: EventKind,
    partitions: Vec<TopicPartition>,
    commit_reason: Option<&'static str>,
    error: Option<Py<PyBaseException>>,
    /// The runtime's event until it is done.
    held: Mutex<Option<runtime::Event>>,
    /// The process that received it.
    pid: u32,
}

impl Event {
    /// Wraps `event`, received by this process.
    pub(crate) fn new(py: Python<'_>, event: runtime::Event) -> Self {
        let error = event
            .error()
            .map(|e| errors::runtime_error(py, runtime::Error::Kafka(e.clone())).into_value(py));
        Event {
            kind: event.kind(),
            partitions: event
                .partitions()
                .iter()
                .map(TopicPartition::from)
                .collect(),
            commit_reason: event.commit_reason().map(|r| r.as_str()),
            error,
            held: Mutex::new(Some(event)),
            pid: crate::process::id(),
        }
    }

    /// What happened.
    pub(crate) fn event_kind(&self) -> EventKind {
        self.kind
    }

    /// Marks the event done (again: no effect).
    pub(crate) fn finish(&self) {
        let taken = self
            .held
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        if crate::process::id() == self.pid {
            drop(taken);
        } else {
            // A forked child: the event's completion belongs to the parent's consumer.
            std::mem::forget(taken);
        }
    }
}

impl Drop for Event {
    fn drop(&mut self) {
        self.finish();
    }
}

#[pymethods]
impl Event {
    /// "assigned", "revoked", "lost", "committed" or "dead_lettered".
    #[getter]
    fn kind(&self) -> &'static str {
        self.kind.as_str()
    }

    /// The partitions concerned, as `TopicPartition` objects.
    #[getter]
    fn partitions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.partitions.iter().cloned())
    }

    /// For "committed": why the commit was made ("background", "explicit", "revoke" or
    /// "close"); None for the other kinds.
    #[getter]
    fn commit_reason(&self) -> Option<&'static str> {
        self.commit_reason
    }

    /// For "committed": the `KafkaError` when the commit failed; for "dead_lettered": the
    /// `KafkaError` when the produce to the dead-letter topic failed (the record stays pending
    /// and is sent again); else None.
    #[getter]
    fn error<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBaseException>> {
        self.error.as_ref().map(|e| e.bind(py).clone())
    }

    /// Marks the event handled. Calling it again has no effect.
    fn done(&self, py: Python<'_>) {
        py.detach(|| self.finish());
    }

    fn __enter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    fn __exit__(
        &self,
        py: Python<'_>,
        exc_type: &Bound<'_, PyAny>,
        exc_value: &Bound<'_, PyAny>,
        traceback: &Bound<'_, PyAny>,
    ) {
        let _ = (exc_type, exc_value, traceback);
        self.done(py);
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let partitions = self
            .partitions
            .iter()
            .map(|p| p.__repr__(py))
            .collect::<PyResult<Vec<_>>>()?
            .join(", ");
        let reason = match self.commit_reason {
            Some(r) => format!(", commit_reason={}", quote(py, r)?),
            None => String::new(),
        };
        let error = match &self.error {
            Some(e) => format!(", error={}", e.bind(py).repr()?),
            None => String::new(),
        };
        Ok(format!(
            "Event(kind={}, partitions=[{partitions}]{reason}{error})",
            quote(py, self.kind.as_str())?
        ))
    }
}
