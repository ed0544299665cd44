//! `Consumer`: the heartbeat-decoupled consumer runtime, as a Python iterator and context
//! manager, with its events (read with `next_event` or handed to callbacks) and partition
//! control (pause, resume, seek, position, committed).

use crate::args::{self, Count, Seconds, Whole};
use crate::dispatch::{Callbacks, Dispatcher};
use crate::event::Event;
use crate::handle::Handle;
use crate::message::Message;
use crate::report::{self, Finding, Report};
use crate::{blocking, errors, logging, settings};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString, PyTuple};
use std::time::Duration;
use steady_core::runtime;

/// A Kafka consumer whose poll loop (heartbeats, rebalances, commits) runs on a thread of its
/// own, so a slow handler never makes the group rebalance.
///
/// `settings` is a dict of key → value (Java or librdkafka names, plus `steady.*`) or the path
/// of a `.properties` file. The settings are checked first: an error finding raises
/// `ConfigError`; warnings are kept in `warnings`.
///
/// With `steady.events.enable=true` the application reads rebalances, commit results and
/// dead letters with `next_event()`. Or it gives callbacks: `on_assign(consumer, partitions)`,
/// `on_revoke(consumer, partitions)`, `on_lost(consumer, partitions)`,
/// `on_commit(consumer, event)` and `on_dead_letter(consumer, event)` are called on a thread
/// of the consumer's own ("steady-events"), and each event is done when its callback returns
/// (or raises: the exception is logged on the `steady` logger). Any callback makes
/// steady.events.enable default to true.
///
/// Log records go to `logging`: steady's own (start-up findings, rebalances, errors) to the
/// logger "steady", librdkafka's lines to "steady.librdkafka", with a `facility` attribute;
/// they are logged on the consumer's thread "steady-log" (see [`crate::logging`]).
///
/// It closes when `close()` is called, at the end of a `with` block, or when the object is
/// collected, never because a `Message` was. It belongs to the process that created it: after
/// `fork()` every method raises `SteadyError` in the child.
#[pyclass(module = "steady", frozen, weakref)]
pub struct Consumer {
    inner: Handle,
    /// The thread that calls the callbacks, when some were given.
    dispatcher: Option<Dispatcher>,
}

impl Drop for Consumer {
    fn drop(&mut self) {
        // Without a dispatcher the handle's own drop closes the consumer; the dispatcher holds
        // the runtime consumer too, so the collected `Consumer` closes it here.
        if let Some(dispatcher) = &self.dispatcher {
            dispatcher.owner_gone(&self.inner);
        }
    }
}

impl Consumer {
    /// Waits for one record up to `timeout` (`None`: no limit).
    fn next_message<'py>(
        &self,
        py: Python<'py>,
        timeout: Option<Duration>,
    ) -> PyResult<Option<Bound<'py, Message>>> {
        let inner = self.inner.get()?;
        let got = blocking::wait_for(py, timeout, |slice| inner.recv(slice))?;
        let record = got.map_err(|e| errors::runtime_error(py, e))?;
        record.map(|r| Message::wrap(py, r)).transpose()
    }

    /// Runs `call` on the runtime consumer with the GIL released (a call the poll thread
    /// answers), as `what`.
    fn control<T: Send + 'static>(
        &self,
        py: Python<'_>,
        what: &str,
        call: impl FnOnce(&runtime::Consumer) -> Result<T, runtime::Error> + Send + 'static,
    ) -> PyResult<T> {
        self.inner.get()?;
        let inner = self.inner.clone();
        blocking::run(py, what, move || inner.get().map(call))??
            .map_err(|e| errors::runtime_error(py, e))
    }
}

/// A topic argument as UTF-8 text, and a partition number (see [`Whole::partition`]).
fn partition_args(topic: &Bound<'_, PyString>, partition: Whole) -> PyResult<(String, i32)> {
    Ok((
        args::text("topic", topic)?,
        partition.partition("partition")?,
    ))
}

/// From this many messages on, `Consumer.ack` releases the GIL while it acks.
const DETACH_FROM: usize = 256;

/// The messages of `Consumer.ack`'s argument (a list, a tuple or any iterable), or
/// `TypeError` naming the first item that is not a `Message`.
fn gather<'py>(messages: &Bound<'py, PyAny>) -> PyResult<Vec<Bound<'py, Message>>> {
    let one = |i: usize, item: Bound<'py, PyAny>| {
        item.cast_into::<Message>().map_err(|e| {
            PyTypeError::new_err(format!(
                "messages[{i}] must be a steady.Message, not {}",
                args::type_name(e.into_inner().as_any())
            ))
        })
    };
    if let Ok(list) = messages.cast::<PyList>() {
        return list.iter().enumerate().map(|(i, m)| one(i, m)).collect();
    }
    if let Ok(tuple) = messages.cast::<PyTuple>() {
        return tuple.iter().enumerate().map(|(i, m)| one(i, m)).collect();
    }
    let items = messages.try_iter().map_err(|_| {
        PyTypeError::new_err(format!(
            "messages must be a steady.Message or an iterable of them, not {}",
            args::type_name(messages)
        ))
    })?;
    items
        .enumerate()
        .map(|(i, m)| m.and_then(|m| one(i, m)))
        .collect()
}

#[pymethods]
impl Consumer {
    #[new]
    #[allow(clippy::too_many_arguments)] // the keyword-only callbacks of Python's signature
    #[pyo3(signature = (settings, topics, *, on_assign=None, on_revoke=None, on_lost=None, on_commit=None, on_dead_letter=None))]
    fn new(
        py: Python<'_>,
        settings: &Bound<'_, PyAny>,
        topics: Vec<Bound<'_, PyString>>,
        on_assign: Option<Bound<'_, PyAny>>,
        on_revoke: Option<Bound<'_, PyAny>>,
        on_lost: Option<Bound<'_, PyAny>>,
        on_commit: Option<Bound<'_, PyAny>>,
        on_dead_letter: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Py<Self>> {
        let mut settings = settings::from_py(settings)?;
        let callbacks = Callbacks::new(on_assign, on_revoke, on_lost, on_commit, on_dead_letter)?;
        if let Some(callbacks) = &callbacks {
            callbacks.enable_events(&mut settings)?;
        }
        let topics = topics
            .iter()
            .enumerate()
            .map(|(i, t)| args::text(format_args!("topics[{i}]"), t))
            .collect::<PyResult<Vec<_>>>()?;
        let built = blocking::run(py, "consumer", move || {
            let topics: Vec<&str> = topics.iter().map(String::as_str).collect();
            let options = runtime::ConsumerOptions::default().log(logging::sink());
            runtime::Consumer::with_options(&settings, &topics, options)
        })?;
        let inner = Handle::new(built.map_err(|e| errors::runtime_error(py, e))?);
        let consumer = Py::new(
            py,
            Consumer {
                inner: inner.clone(),
                dispatcher: callbacks.map(Dispatcher::new),
            },
        )?;
        if let Some(dispatcher) = &consumer.get().dispatcher {
            dispatcher.start(consumer.bind(py).as_any(), inner)?;
        }
        Ok(consumer)
    }

    /// The next message, waiting up to `timeout` seconds (None: until one arrives).
    /// Returns None when none arrived in time.
    #[pyo3(signature = (timeout=None))]
    fn poll<'py>(
        &self,
        py: Python<'py>,
        timeout: Option<Seconds>,
    ) -> PyResult<Option<Bound<'py, Message>>> {
        self.next_message(py, args::timeout(py, "timeout", timeout)?)
    }

    /// Up to `max_records` messages, waiting up to `timeout` seconds (None: no limit) for the
    /// first one. Returns an empty list when none arrived in time.
    #[pyo3(
        signature = (max_records=Count::new(500), timeout=None),
        text_signature = "($self, max_records=500, timeout=None)"
    )]
    fn consume<'py>(
        &self,
        py: Python<'py>,
        max_records: Count,
        timeout: Option<Seconds>,
    ) -> PyResult<Bound<'py, PyList>> {
        let max_records = max_records.at_least_one("max_records")?;
        let timeout = args::timeout(py, "timeout", timeout)?;
        let inner = self.inner.get()?;
        let got = blocking::wait_for(py, timeout, |slice| {
            inner
                .recv_batch(max_records, slice)
                .map(|batch| Some(batch).filter(|b| !b.is_empty()))
        })?;
        let records = got.map_err(|e| errors::runtime_error(py, e))?;
        let messages = records
            .unwrap_or_default()
            .into_iter()
            .map(|r| Message::wrap(py, r))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, messages)
    }

    /// Marks `messages` processed: a `Message` or an iterable of them, each acked as its own
    /// `ack()` would (in the order given), in one call. Ack only messages that are processed:
    /// commits never pass an unacked one. `TypeError` (and nothing acked) when an item is not a
    /// `Message`; `ClosedError` once the consumer is closed.
    #[pyo3(signature = (messages, /))]
    fn ack(&self, py: Python<'_>, messages: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.get()?;
        if let Ok(message) = messages.cast::<Message>() {
            let message = message.get();
            message.check_process()?;
            return message
                .record()
                .ack()
                .map_err(|e| errors::runtime_error(py, e));
        }
        let held = gather(messages)?;
        let mut records = Vec::with_capacity(held.len());
        for message in &held {
            let message = message.get();
            message.check_process()?;
            records.push(message.record());
        }
        let ack_all = || runtime::Record::ack_all(&records);
        // A long batch lets other threads run; a short one costs less than the GIL's release.
        let acked = if records.len() >= DETACH_FROM {
            py.detach(ack_all)
        } else {
            ack_all()
        };
        acked.map_err(|e| errors::runtime_error(py, e))
    }

    /// Commits the acked prefix of every assigned partition now.
    fn commit(&self, py: Python<'_>) -> PyResult<()> {
        self.inner.get()?;
        let inner = self.inner.clone();
        blocking::run(py, "commit", move || inner.get().map(|c| c.commit()))??
            .map_err(|e| errors::runtime_error(py, e))
    }

    /// The next event (a rebalance or a commit result), waiting up to `timeout` seconds (None:
    /// until one comes). Returns None when none came in time. Needs
    /// steady.events.enable=true (else `ValueError`); not for a consumer given callbacks.
    /// After close it returns the events still queued, then raises `ClosedError`.
    #[pyo3(signature = (timeout=None))]
    fn next_event(&self, py: Python<'_>, timeout: Option<Seconds>) -> PyResult<Option<Event>> {
        let timeout = args::timeout(py, "timeout", timeout)?;
        let inner = self.inner.get()?;
        if let Some(dispatcher) = &self.dispatcher {
            return Err(dispatcher.taken_error());
        }
        let got = blocking::wait_for(py, timeout, |slice| inner.next_event(slice))?;
        let event = got.map_err(|e| errors::runtime_error(py, e))?;
        Ok(event.map(|e| Event::new(py, e)))
    }

    /// Pauses `topic`/`partition`: no record of it is delivered once this returns (buffered
    /// ones come again after `resume`). `ValueError` when it is not assigned to this consumer.
    fn pause(&self, py: Python<'_>, topic: Bound<'_, PyString>, partition: Whole) -> PyResult<()> {
        let (topic, partition) = partition_args(&topic, partition)?;
        self.control(py, "pause", move |c| c.pause(&topic, partition))
    }

    /// Lifts `pause` of `topic`/`partition`.
    fn resume(&self, py: Python<'_>, topic: Bound<'_, PyString>, partition: Whole) -> PyResult<()> {
        let (topic, partition) = partition_args(&topic, partition)?;
        self.control(py, "resume", move |c| c.resume(&topic, partition))
    }

    /// Makes `offset` the next record delivered from `topic`/`partition`; records of it still
    /// buffered are dropped.
    fn seek(
        &self,
        py: Python<'_>,
        topic: Bound<'_, PyString>,
        partition: Whole,
        offset: Whole,
    ) -> PyResult<()> {
        let (topic, partition) = partition_args(&topic, partition)?;
        let offset = offset.offset("offset")?;
        self.control(py, "seek", move |c| c.seek(&topic, partition, offset))
    }

    /// The offset of the next record the application gets from `topic`/`partition`, or None
    /// before its first fetch.
    fn position(
        &self,
        py: Python<'_>,
        topic: Bound<'_, PyString>,
        partition: Whole,
    ) -> PyResult<Option<i64>> {
        let (topic, partition) = partition_args(&topic, partition)?;
        self.control(py, "position", move |c| c.position(&topic, partition))
    }

    /// The group's committed offset of `topic`/`partition` (the next to read), asked of the
    /// group coordinator; None when none is committed.
    fn committed(
        &self,
        py: Python<'_>,
        topic: Bound<'_, PyString>,
        partition: Whole,
    ) -> PyResult<Option<i64>> {
        let (topic, partition) = partition_args(&topic, partition)?;
        self.control(py, "committed", move |c| c.committed(&topic, partition))
    }

    /// A snapshot of the counters (rebalances, assignment, buffered, in flight, delivered,
    /// acked, committed offsets, rate, stalls, last error) as a dict.
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let inner = self.inner.get()?;
        let json = py.detach(|| inner.stats().to_json());
        py.import("json")?.call_method1("loads", (json,))
    }

    /// The consumer's metrics in the Prometheus text exposition format (version 0.0.4), as
    /// `steady.metrics.listen` serves them; also after close.
    fn metrics_text(&self, py: Python<'_>) -> PyResult<String> {
        let inner = self.inner.get()?;
        Ok(py.detach(|| inner.metrics_text()))
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
    /// returns once that close is done. With callbacks it then waits for their thread to end;
    /// called from a callback, it calls the callbacks of the events the close produces (the
    /// final revoke, the close commit) itself before it returns.
    fn close(slf: &Bound<'_, Self>) -> PyResult<()> {
        let py = slf.py();
        let this = slf.get();
        this.inner.get()?;
        if let Some(dispatcher) = this.dispatcher.as_ref().filter(|d| d.on_its_thread()) {
            return dispatcher.close_from_callback(slf.as_any(), &this.inner);
        }
        let inner = this.inner.clone();
        let closed = blocking::run(py, "close", move || inner.get().map(|c| c.close()))??;
        if let Some(dispatcher) = &this.dispatcher {
            dispatcher.join(py)?;
        }
        closed.map_err(|e| errors::runtime_error(py, e))
    }

    fn __enter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    fn __exit__(
        slf: &Bound<'_, Self>,
        exc_type: &Bound<'_, PyAny>,
        exc_value: &Bound<'_, PyAny>,
        traceback: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let _ = (exc_type, exc_value, traceback);
        Self::close(slf)
    }

    fn __iter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    /// The next message, waiting as long as it takes; iteration ends when the consumer is
    /// closed.
    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, Message>>> {
        match self.next_message(py, None) {
            Err(e) if e.is_instance_of::<errors::ClosedError>(py) => Ok(None),
            other => other,
        }
    }
}
