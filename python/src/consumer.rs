//! `Consumer`: the heartbeat-decoupled consumer runtime, as a Python iterator and context
//! manager.

use crate::args::{self, Count, Seconds};
use crate::handle::Handle;
use crate::message::Message;
use crate::report::{self, Finding, Report};
use crate::{blocking, errors, settings};
use pyo3::prelude::*;
use pyo3::types::PyString;
use std::time::Duration;
use steady_core::runtime;

/// A Kafka consumer whose poll loop (heartbeats, rebalances, commits) runs on a thread of its
/// own, so a slow handler never makes the group rebalance.
///
/// `settings` is a dict of key → value (Java or librdkafka names, plus `steady.*`) or the path
/// of a `.properties` file. The settings are checked first: an error finding raises
/// `ConfigError`; warnings are kept in `warnings`.
///
/// It closes when `close()` is called, at the end of a `with` block, or when the object is
/// collected, never because a `Message` was. It belongs to the process that created it: after
/// `fork()` every method raises `SteadyError` in the child.
#[pyclass(module = "steady", frozen)]
pub struct Consumer {
    inner: Handle,
}

impl Consumer {
    /// Waits for one record up to `timeout` (`None`: no limit).
    fn next_message(&self, py: Python<'_>, timeout: Option<Duration>) -> PyResult<Option<Message>> {
        let inner = self.inner.get()?;
        let got = blocking::wait_for(py, timeout, |slice| inner.recv(slice))?;
        let record = got.map_err(|e| errors::runtime_error(py, e))?;
        Ok(record.map(Message::new))
    }
}

#[pymethods]
impl Consumer {
    #[new]
    fn new(
        py: Python<'_>,
        settings: &Bound<'_, PyAny>,
        topics: Vec<Bound<'_, PyString>>,
    ) -> PyResult<Self> {
        let settings = settings::from_py(settings)?;
        let topics = topics
            .iter()
            .enumerate()
            .map(|(i, t)| args::text(format_args!("topics[{i}]"), t))
            .collect::<PyResult<Vec<_>>>()?;
        let built = blocking::run(py, "consumer", move || {
            let topics: Vec<&str> = topics.iter().map(String::as_str).collect();
            runtime::Consumer::new(&settings, &topics)
        })?;
        let inner = built.map_err(|e| errors::runtime_error(py, e))?;
        Ok(Consumer {
            inner: Handle::new(inner),
        })
    }

    /// The next message, waiting up to `timeout` seconds (None: until one arrives).
    /// Returns None when none arrived in time.
    #[pyo3(signature = (timeout=None))]
    fn poll(&self, py: Python<'_>, timeout: Option<Seconds>) -> PyResult<Option<Message>> {
        self.next_message(py, args::timeout(py, "timeout", timeout)?)
    }

    /// Up to `max_records` messages, waiting up to `timeout` seconds (None: no limit) for the
    /// first one. Returns an empty list when none arrived in time.
    #[pyo3(
        signature = (max_records=Count::new(500), timeout=None),
        text_signature = "($self, max_records=500, timeout=None)"
    )]
    fn consume(
        &self,
        py: Python<'_>,
        max_records: Count,
        timeout: Option<Seconds>,
    ) -> PyResult<Vec<Message>> {
        let max_records = max_records.at_least_one("max_records")?;
        let timeout = args::timeout(py, "timeout", timeout)?;
        let inner = self.inner.get()?;
        let got = blocking::wait_for(py, timeout, |slice| {
            inner
                .recv_batch(max_records, slice)
                .map(|batch| Some(batch).filter(|b| !b.is_empty()))
        })?;
        let records = got.map_err(|e| errors::runtime_error(py, e))?;
        Ok(records
            .unwrap_or_default()
            .into_iter()
            .map(Message::new)
            .collect())
    }

    /// Commits the acked prefix of every assigned partition now.
    fn commit(&self, py: Python<'_>) -> PyResult<()> {
        self.inner.get()?;
        let inner = self.inner.clone();
        blocking::run(py, "commit", move || inner.get().map(|c| c.commit()))??
            .map_err(|e| errors::runtime_error(py, e))
    }

    /// A snapshot of the counters (rebalances, assignment, buffered, in flight, delivered,
    /// acked, committed offsets, rate, stalls, last error) as a dict.
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let inner = self.inner.get()?;
        let json = py.detach(|| inner.stats().to_json());
        py.import("json")?.call_method1("loads", (json,))
    }

    /// Re-runs the rule checks with the settings and the live processing figures.
    fn check(&self, py: Python<'_>) -> PyResult<Report> {
        let inner = self.inner.get()?;
        Ok(py.detach(|| inner.check()).into())
    }

    /// Warning and info findings of the check made when the consumer was built.
    #[getter]
    fn warnings(&self) -> PyResult<Vec<Finding>> {
        Ok(report::to_py(self.inner.get()?.warnings().iter()))
    }

    /// Stops deliveries and wakes every blocked call, waits up to steady.revoke.drain.ms for
    /// the records in flight to be acked (by any thread), commits the acked prefix and leaves
    /// the group. Calling it again has no effect; a call made while another thread closes
    /// returns once that close is done.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        self.inner.get()?;
        let inner = self.inner.clone();
        blocking::run(py, "close", move || inner.get().map(|c| c.close()))??
            .map_err(|e| errors::runtime_error(py, e))
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
    ) -> PyResult<()> {
        let _ = (exc_type, exc_value, traceback);
        self.close(py)
    }

    fn __iter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    /// The next message, waiting as long as it takes; iteration ends when the consumer is
    /// closed.
    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Message>> {
        match self.next_message(py, None) {
            Err(e) if e.is_instance_of::<errors::ClosedError>(py) => Ok(None),
            other => other,
        }
    }
}
