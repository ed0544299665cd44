//! steady's log records, steady's own and librdkafka's, into Python's `logging`.
//!
//! Every consumer is built with [`sink`]: the core calls it on the consumer's `steady-log`
//! thread, one record at a time (never on librdkafka's threads or the poll thread, so a sink
//! waiting for the GIL stalls neither). It takes the GIL there and logs the record on the
//! logger `steady` (target `steady`) or `steady.librdkafka` (target `steady::librdkafka`) at
//! ERROR, WARNING, INFO or DEBUG, with the message text as the record's message and the
//! facility as its `facility` attribute (`extra`). A level the logger does not enable costs
//! one `isEnabledFor` call. With no logging configured, Python's last-resort handler still
//! writes warnings and errors to stderr, so start-up warnings stay visible.
//!
//! Nothing raised while logging (a failing filter, a handler that raises) leaves the sink: it
//! goes to `sys.unraisablehook`, and the next record is logged as usual.
//!
//! Deadlocks: the sink needs the GIL, so every call into the core that waits for the log
//! thread (building a consumer, `close`, a collected consumer's close) releases the GIL while
//! it waits; the core waits at most 5 s for it in any case.
//!
//! The thread keeps one Python thread state from its first record to its end ([`Kept`]), so
//! it is one Python thread throughout, named `steady-log` (`%(threadName)s`).
//!
//! Interpreter shutdown: once the `atexit` callbacks run ([`shutdown`]), records are dropped
//! rather than logged. A thread that asks for the GIL while the interpreter finalizes never
//! gets it back (CPython ends or hangs it), which must not happen to `steady-log`:
//! [`shutdown`] marks the interpreter as going away, then waits (with the GIL released) for a
//! record being logged to be done, so no sink attaches after that.

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple};
use pyo3::{intern, wrap_pyfunction};
use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use steady_core::runtime::{LogLevel, LogRecord, LogSink, LIBRDKAFKA_TARGET, LOG_TARGET};

/// The logger of steady's own records.
const STEADY_LOGGER: &str = "steady";
/// The logger of librdkafka's lines.
const LIBRDKAFKA_LOGGER: &str = "steady.librdkafka";
/// The name the `steady-log` thread has in Python (`%(threadName)s`).
const THREAD_NAME: &str = "steady-log";
/// The longest [`shutdown`] waits for a record being logged (a handler may be stuck).
const SHUTDOWN_WAIT: Duration = Duration::from_secs(2);

/// Set by [`shutdown`]: the interpreter is going away, records are dropped.
static SHUTTING_DOWN: AtomicBool = AtomicBool::new(false);
/// Sinks between their look at [`SHUTTING_DOWN`] and the release of the GIL.
static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);

/// The two loggers, looked up once.
struct Loggers {
    steady: Py<PyAny>,
    librdkafka: Py<PyAny>,
}

static LOGGERS: PyOnceLock<Loggers> = PyOnceLock::new();

thread_local! {
    /// This thread's Python name was set to [`THREAD_NAME`].
    static NAMED: Cell<bool> = const { Cell::new(false) };
    /// This thread's Python thread state, kept from its first record to its end.
    static KEPT: RefCell<Option<Kept>> = const { RefCell::new(None) };
}

/// A Python thread state kept for the `steady-log` thread, not holding the GIL: every record's
/// attach then reuses it instead of making (and, on release, deleting) one, which is cheaper,
/// and the thread stays one Python thread (`threading.current_thread()`, its name,
/// `threading.local`) across records, on Python 3.13 too. Released when the thread ends,
/// unless the interpreter is going away by then.
struct Kept {
    state: ffi::PyGILState_STATE,
    saved: *mut ffi::PyThreadState,
}

impl Kept {
    /// Makes this thread's thread state (the caller checked that the interpreter is not
    /// going away, and counts itself in flight).
    fn keep() {
        KEPT.with_borrow_mut(|kept| {
            if kept.is_none() && unsafe { ffi::Py_IsInitialized() } != 0 {
                // SAFETY: the interpreter is initialized and not finalizing (see the caller);
                // this thread holds no thread state, so this creates one, then releases the GIL.
                let state = unsafe { ffi::PyGILState_Ensure() };
                let saved = unsafe { ffi::PyEval_SaveThread() };
                *kept = Some(Kept { state, saved });
            }
        });
    }
}

impl Drop for Kept {
    fn drop(&mut self) {
        let _counted = InFlight::enter();
        if SHUTTING_DOWN.load(Ordering::SeqCst) {
            // The interpreter clears it when it finalizes.
            return;
        }
        if NAMED.get() {
            let _ = Python::try_attach(forget_thread);
        }
        // SAFETY: `saved` is this thread's thread state, released by `keep`; the interpreter
        // is not finalizing (`shutdown` waits for this while it is counted in flight).
        unsafe {
            ffi::PyEval_RestoreThread(self.saved);
            ffi::PyGILState_Release(self.state);
        }
    }
}

/// The sink every consumer of this module is built with.
pub(crate) fn sink() -> LogSink {
    Arc::new(deliver)
}

/// Counts a sink in flight while it lives (also when the sink unwinds).
struct InFlight;

impl InFlight {
    fn enter() -> InFlight {
        IN_FLIGHT.fetch_add(1, Ordering::SeqCst);
        InFlight
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Logs `record` unless the interpreter is going away (or gone).
fn deliver(record: &LogRecord) {
    let _counted = InFlight::enter();
    if SHUTTING_DOWN.load(Ordering::SeqCst) {
        return;
    }
    Kept::keep();
    // None: the interpreter is not (or no longer) there; the record is dropped.
    let _ = Python::try_attach(|py| {
        if let Err(err) = log(py, record) {
            err.write_unraisable(py, None);
        }
    });
}

/// The Python level of a record's level.
fn level(level: LogLevel) -> u8 {
    match level {
        LogLevel::Error => 40,
        LogLevel::Warn => 30,
        LogLevel::Info => 20,
        _ => 10,
    }
}

/// `logging.getLogger(name)`.
fn get_logger<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import(intern!(py, "logging"))?
        .call_method1(intern!(py, "getLogger"), (name,))
}

/// The logger of records of `target`: "steady", "steady.librdkafka", or the target with
/// "::" as "." for any other.
fn logger_of<'py>(py: Python<'py>, target: &str) -> PyResult<Bound<'py, PyAny>> {
    let loggers = LOGGERS.get_or_try_init(py, || -> PyResult<Loggers> {
        Ok(Loggers {
            steady: get_logger(py, STEADY_LOGGER)?.unbind(),
            librdkafka: get_logger(py, LIBRDKAFKA_LOGGER)?.unbind(),
        })
    })?;
    Ok(match target {
        LOG_TARGET => loggers.steady.bind(py).clone(),
        LIBRDKAFKA_TARGET => loggers.librdkafka.bind(py).clone(),
        other => get_logger(py, &other.replace("::", "."))?,
    })
}

/// Gives this (foreign) thread the name `steady-log` in Python once, so formatters show it.
fn name_thread(py: Python<'_>) -> PyResult<()> {
    if !NAMED.get() {
        NAMED.set(true);
        py.import(intern!(py, "threading"))?
            .call_method0(intern!(py, "current_thread"))?
            .setattr(intern!(py, "name"), THREAD_NAME)?;
    }
    Ok(())
}

/// Before Python 3.13 the `threading.current_thread()` of a thread Python did not start stays
/// in `threading.enumerate()` after the thread ended; this one is taken out as it ends (3.13
/// does so itself). Best effort: a failure is ignored.
fn forget_thread(py: Python<'_>) {
    if py.version_info() >= (3, 13) {
        return;
    }
    let _ = (|| -> PyResult<()> {
        let threading = py.import("threading")?;
        let current = threading.call_method0("current_thread")?;
        if current.is_instance(&threading.getattr("_DummyThread")?)? {
            let ident = threading.call_method0("get_ident")?;
            threading
                .getattr("_active")?
                .call_method1("pop", (ident, py.None()))?;
        }
        Ok(())
    })();
}

/// Logs `record` on its logger when the level is enabled: `logger.makeRecord(...)` with the
/// message and `extra={"facility": ...}`, then `logger.handle(record)` (what `logger.log`
/// does, without looking for a calling frame: there is none on this thread; the record's file
/// is "(unknown file)", as logging has it then).
fn log(py: Python<'_>, record: &LogRecord) -> PyResult<()> {
    let logger = logger_of(py, record.target)?;
    let level = level(record.level);
    if !logger
        .call_method1(intern!(py, "isEnabledFor"), (level,))?
        .is_truthy()?
    {
        return Ok(());
    }
    name_thread(py)?;
    let extra = PyDict::new(py);
    extra.set_item(intern!(py, "facility"), &record.facility)?;
    let name = logger.getattr(intern!(py, "name"))?;
    // No arguments: the message is never %-formatted, so a "%" in it is safe.
    let args = (
        name,
        level,
        intern!(py, "(unknown file)"),
        0,
        record.message.as_str(),
        PyTuple::empty(py),
        py.None(),
        intern!(py, "(unknown function)"),
        extra,
    );
    let made = logger.call_method1(intern!(py, "makeRecord"), args)?;
    logger.call_method1(intern!(py, "handle"), (made,))?;
    Ok(())
}

/// The `atexit` callback: from now on records are dropped; waits (the GIL released) for the
/// record being logged, if any, so no `steady-log` thread asks for the GIL once the
/// interpreter finalizes.
#[pyfunction]
#[pyo3(name = "_stop_logging")]
fn shutdown(py: Python<'_>) {
    SHUTTING_DOWN.store(true, Ordering::SeqCst);
    let end = Instant::now() + SHUTDOWN_WAIT;
    py.detach(|| {
        while IN_FLIGHT.load(Ordering::SeqCst) > 0 && Instant::now() < end {
            std::thread::sleep(Duration::from_millis(1));
        }
    });
}

/// The child of a `fork()`: the sinks counted in flight were the parent's threads.
#[pyfunction]
#[pyo3(name = "_forked_logging")]
fn forked() {
    IN_FLIGHT.store(0, Ordering::SeqCst);
}

/// Registers [`shutdown`] with `atexit`, and [`forked`] to run in the child of a `fork()`.
pub(crate) fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let stop = wrap_pyfunction!(shutdown, m)?;
    py.import("atexit")?.call_method1("register", (stop,))?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("after_in_child", wrap_pyfunction!(forked, m)?)?;
    py.import("os")?
        .call_method("register_at_fork", (), Some(&kwargs))?;
    Ok(())
}
