//! The callbacks of a `Consumer` (`on_assign`, `on_revoke`, `on_lost`, `on_commit`,
//! `on_dead_letter`) and the thread that calls them.
//!
//! The dispatcher is a `threading.Thread` ("steady-events", a daemon) started from Rust when
//! the consumer is built, whose target is [`Loop`]: it waits for the next event with the GIL
//! released (one unbounded wait, woken by the event or by close, so an idle dispatcher never
//! takes the GIL), then calls the event's callback with the GIL held and marks the event done
//! when the callback returns or raises (an exception is logged on the `steady` logger).
//! Events without a callback are done at once. A Python thread rather than a Rust one, so the
//! callbacks run on a thread Python knows (`threading.current_thread()`, `threading.local`,
//! profilers and debuggers see it by its name); a daemon, so a consumer that is never closed
//! does not keep the interpreter from exiting.
//!
//! The thread holds the runtime consumer but only a weak reference to the Python `Consumer`,
//! so an unreferenced consumer is still collected; its collection closes it, and the events
//! left are done without callbacks (there is no consumer to give them). `close()` joins the
//! thread, except when called from a callback: then it handles the events the close produces
//! (the final revoke, the close commit) itself, in nested callbacks, and the thread ends after
//! the callback returns.

use crate::errors;
use crate::event::Event;
use crate::handle::Handle;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyWeakrefMethods, PyWeakrefReference};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, OnceLock};
use std::thread::ThreadId;
use std::time::Duration;
use steady_core::runtime::{self, EventKind};
use steady_core::Settings;

/// The setting that turns events on.
const EVENTS_KEY: &str = "steady.events.enable";

/// How long a close called from a callback waits for an event before it looks whether the
/// close is done.
const SLICE: Duration = Duration::from_millis(50);

/// The callbacks given to `Consumer(...)`; at least one is set.
pub(crate) struct Callbacks {
    on_assign: Option<Py<PyAny>>,
    on_revoke: Option<Py<PyAny>>,
    on_lost: Option<Py<PyAny>>,
    on_commit: Option<Py<PyAny>>,
    on_dead_letter: Option<Py<PyAny>>,
}

/// A callback argument: None, or a callable (else `TypeError` naming it).
fn callable(name: &str, given: Option<Bound<'_, PyAny>>) -> PyResult<Option<Py<PyAny>>> {
    match given {
        Some(f) if f.is_none() => Ok(None),
        Some(f) if f.is_callable() => Ok(Some(f.unbind())),
        Some(f) => Err(PyTypeError::new_err(format!(
            "{name} must be callable or None, not {}",
            crate::args::type_name(&f)
        ))),
        None => Ok(None),
    }
}

impl Callbacks {
    /// The callbacks given, or None when none was.
    pub(crate) fn new(
        on_assign: Option<Bound<'_, PyAny>>,
        on_revoke: Option<Bound<'_, PyAny>>,
        on_lost: Option<Bound<'_, PyAny>>,
        on_commit: Option<Bound<'_, PyAny>>,
        on_dead_letter: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Option<Self>> {
        let callbacks = Callbacks {
            on_assign: callable("on_assign", on_assign)?,
            on_revoke: callable("on_revoke", on_revoke)?,
            on_lost: callable("on_lost", on_lost)?,
            on_commit: callable("on_commit", on_commit)?,
            on_dead_letter: callable("on_dead_letter", on_dead_letter)?,
        };
        Ok(Some(callbacks).filter(|c| !c.names().is_empty()))
    }

    /// The names of the callbacks given, e.g. "on_revoke, on_commit".
    fn names(&self) -> String {
        [
            ("on_assign", &self.on_assign),
            ("on_revoke", &self.on_revoke),
            ("on_lost", &self.on_lost),
            ("on_commit", &self.on_commit),
            ("on_dead_letter", &self.on_dead_letter),
        ]
        .iter()
        .filter(|(_, f)| f.is_some())
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
    }

    /// The callback of events of `kind`, with its name.
    fn of(&self, kind: EventKind) -> Option<(&'static str, &Py<PyAny>)> {
        let (name, f) = match kind {
            EventKind::Assigned => ("on_assign", &self.on_assign),
            EventKind::Revoked => ("on_revoke", &self.on_revoke),
            EventKind::Lost => ("on_lost", &self.on_lost),
            EventKind::Committed => ("on_commit", &self.on_commit),
            EventKind::DeadLettered => ("on_dead_letter", &self.on_dead_letter),
            _ => return None,
        };
        f.as_ref().map(|f| (name, f))
    }

    /// Turns events on in `settings` unless they say otherwise: `steady.events.enable=false`
    /// with callbacks is `ValueError` naming the key (a value that is not a boolean is left to
    /// the settings check).
    pub(crate) fn enable_events(&self, settings: &mut Settings) -> PyResult<()> {
        match settings.get_bool(EVENTS_KEY) {
            Some(false) => Err(PyValueError::new_err(format!(
                "{EVENTS_KEY}=false turns events off, but the callbacks {} need them: leave \
                 {EVENTS_KEY} unset (callbacks make it default to true) or set it to true",
                self.names()
            ))),
            _ if !settings.is_set(EVENTS_KEY) => {
                settings.set(EVENTS_KEY, "true");
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// What the consumer and its dispatcher thread share.
struct Shared {
    callbacks: Callbacks,
    /// The dispatcher thread, once it runs.
    thread_id: OnceLock<ThreadId>,
    /// The Python `Consumer` was collected: events are done without callbacks.
    owner_gone: AtomicBool,
}

impl Shared {
    /// Hands `event` to its callback (none: it is done at once), with `owner` as the
    /// consumer; the event is done when the callback returns or raises.
    fn dispatch(&self, owner: &Bound<'_, PyAny>, event: runtime::Event) {
        let py = owner.py();
        let Some((name, callback)) = self.callbacks.of(event.kind()) else {
            return;
        };
        let kind = event.kind().as_str();
        let outcome = Bound::new(py, Event::new(py, event)).and_then(|event| {
            // Results (a commit's, a dead letter's) are given as the event; rebalances as
            // their partitions.
            let kind = event.get().event_kind();
            let called = if matches!(kind, EventKind::Committed | EventKind::DeadLettered) {
                callback.call1(py, (owner, &event))
            } else {
                event
                    .getattr("partitions")
                    .and_then(|partitions| callback.call1(py, (owner, partitions)))
            };
            event.get().finish();
            called
        });
        if let Err(err) = outcome {
            log_exception(
                py,
                "%s raised an exception; the %s event is done and events go on",
                (name, kind),
                err,
            );
        }
    }
}

/// Logs `err` with `message % args` on the `steady` logger at level ERROR (with the
/// traceback, facility "callback"); if logging fails, both go to `sys.unraisablehook`.
fn log_exception(py: Python<'_>, message: &str, args: (&str, &str), err: PyErr) {
    let exc = err.into_value(py);
    let logged = (|| -> PyResult<()> {
        let logger = py
            .import("logging")?
            .call_method1("getLogger", ("steady",))?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("exc_info", exc.bind(py))?;
        // Like every record on the steady loggers, it has a facility.
        let extra = PyDict::new(py);
        extra.set_item("facility", "callback")?;
        kwargs.set_item("extra", extra)?;
        logger.call_method("error", (message, args.0, args.1), Some(&kwargs))?;
        Ok(())
    })();
    if let Err(failed) = logged {
        PyErr::from_value(exc.into_bound(py).into_any()).write_unraisable(py, None);
        failed.write_unraisable(py, None);
    }
}

/// The dispatcher of a consumer given callbacks: what `Consumer` keeps of it.
pub(crate) struct Dispatcher {
    shared: Arc<Shared>,
    /// The `threading.Thread`, once started.
    thread: OnceLock<Py<PyAny>>,
}

impl Dispatcher {
    /// A dispatcher of `callbacks`, not started.
    pub(crate) fn new(callbacks: Callbacks) -> Self {
        Dispatcher {
            shared: Arc::new(Shared {
                callbacks,
                thread_id: OnceLock::new(),
                owner_gone: AtomicBool::new(false),
            }),
            thread: OnceLock::new(),
        }
    }

    /// Starts the thread that reads the events of `handle` and calls the callbacks with
    /// `owner`, the Python `Consumer`, held weakly.
    pub(crate) fn start(&self, owner: &Bound<'_, PyAny>, handle: Handle) -> PyResult<()> {
        let py = owner.py();
        let target = Loop {
            shared: Arc::clone(&self.shared),
            handle,
            owner: PyWeakrefReference::new(owner)?.unbind(),
        };
        let kwargs = PyDict::new(py);
        kwargs.set_item("target", Bound::new(py, target)?)?;
        kwargs.set_item("name", "steady-events")?;
        kwargs.set_item("daemon", true)?;
        let thread = py
            .import("threading")?
            .getattr("Thread")?
            .call((), Some(&kwargs))?;
        thread.call_method0("start")?;
        let _ = self.thread.set(thread.unbind());
        Ok(())
    }

    /// Whether this is the dispatcher thread (a callback is running on it).
    pub(crate) fn on_its_thread(&self) -> bool {
        self.shared.thread_id.get() == Some(&std::thread::current().id())
    }

    /// The `ValueError` of `next_event` on a consumer whose events go to callbacks.
    pub(crate) fn taken_error(&self) -> PyErr {
        PyValueError::new_err(format!(
            "this consumer's events go to its callbacks ({}): next_event() cannot read them too",
            self.shared.callbacks.names()
        ))
    }

    /// Waits for the thread to end (after close).
    pub(crate) fn join(&self, py: Python<'_>) -> PyResult<()> {
        if let Some(thread) = self.thread.get() {
            thread.bind(py).call_method0("join")?;
        }
        Ok(())
    }

    /// `close()` called from a callback: closes `handle` on a helper thread while this one
    /// handles the events the close produces, with `owner` as the consumer.
    pub(crate) fn close_from_callback(
        &self,
        owner: &Bound<'_, PyAny>,
        handle: &Handle,
    ) -> PyResult<()> {
        let py = owner.py();
        let consumer = handle.get()?;
        let (tx, rx) = mpsc::sync_channel(1);
        let closing = handle.clone();
        std::thread::Builder::new()
            .name("steady-close".into())
            .spawn(move || {
                let _ = tx.send(closing.get().map_or(Ok(()), |c| c.close()));
            })
            .map_err(|e| {
                errors::SteadyError::new_err(format!("close: cannot start a thread: {e}"))
            })?;
        let outcome = loop {
            match rx.try_recv() {
                Ok(closed) => break Ok(closed),
                Err(mpsc::TryRecvError::Disconnected) => break Err(()),
                Err(mpsc::TryRecvError::Empty) => {}
            }
            match py.detach(|| consumer.next_event(SLICE)) {
                Ok(Some(event)) => self.shared.dispatch(owner, event),
                Ok(None) => {}
                // The queue is closed: the close is done or about to be.
                Err(_) => {
                    // mpsc::Receiver is Send, not Sync: the closure takes it by value.
                    break py.detach(move || rx.recv()).map_err(|_| ());
                }
            }
        };
        match outcome {
            Ok(closed) => closed.map_err(|e| errors::runtime_error(py, e)),
            Err(()) => Err(errors::InternalError::new_err(
                "close: internal error (the call panicked)",
            )),
        }
    }

    /// The Python `Consumer` is being collected: events are done without callbacks from now
    /// on, and `handle` is closed (on a thread of its own when this is the dispatcher thread,
    /// which must go on reading events for the close to end).
    pub(crate) fn owner_gone(&self, handle: &Handle) {
        self.shared.owner_gone.store(true, Ordering::Release);
        if !handle.owned_here() {
            return;
        }
        if self.on_its_thread() {
            let handle = handle.clone();
            // If no thread can be started, the consumer closes when the interpreter exits.
            let _ = std::thread::Builder::new()
                .name("steady-close".into())
                .spawn(move || {
                    if let Ok(c) = handle.get() {
                        let _ = c.close();
                    }
                });
        } else if let Ok(c) = handle.get() {
            let close = || {
                let _ = c.close();
            };
            if Python::try_attach(|py| py.detach(close)).is_none() {
                close();
            }
        }
    }
}

/// The dispatcher thread's target.
#[pyclass(module = "steady", frozen, name = "_EventDispatcher")]
struct Loop {
    shared: Arc<Shared>,
    handle: Handle,
    /// The Python `Consumer`, weakly.
    owner: Py<PyWeakrefReference>,
}

#[pymethods]
impl Loop {
    /// Reads events until the consumer is closed and hands each one to its callback.
    fn __call__(&self, py: Python<'_>) -> PyResult<()> {
        let shared = &*self.shared;
        let _ = shared.thread_id.set(std::thread::current().id());
        let consumer = self.handle.get()?;
        loop {
            let got = py.detach(|| loop {
                // No limit: the next event, or close, wakes it.
                match consumer.next_event(Duration::MAX) {
                    Ok(Some(event)) if shared.owner_gone.load(Ordering::Acquire) => drop(event),
                    other => break other,
                }
            });
            match got {
                Ok(Some(event)) => match self.owner.bind(py).upgrade() {
                    Some(owner) => shared.dispatch(&owner, event),
                    None => drop(event),
                },
                Ok(None) => {}
                Err(runtime::Error::Closed) => return Ok(()),
                Err(e) => {
                    let err = errors::runtime_error(py, e);
                    log_exception(
                        py,
                        "%s: reading events failed; %s",
                        ("steady-events", "no callback is called from now on"),
                        err,
                    );
                    return Ok(());
                }
            }
        }
    }
}
