//! Every blocking call made from Python goes through here: the GIL is released and the wait is
//! cut into short slices, between which pending signals are handled. Ctrl-C therefore raises
//! `KeyboardInterrupt` within a slice, and other Python threads run while a call waits.

use crate::errors::{InternalError, SteadyError};
use pyo3::prelude::*;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The longest stretch spent without the GIL before signals are checked again.
const SLICE: Duration = Duration::from_millis(50);

/// Calls `attempt(slice)` with the GIL released until it returns something, fails, or
/// `timeout` (`None`: no limit) has passed, running signal handlers between attempts.
///
/// The outer error is a signal handler's exception (`KeyboardInterrupt`); the inner result is
/// the attempt's own, `Ok(None)` when nothing came in time.
pub(crate) fn wait_for<T, E>(
    py: Python<'_>,
    timeout: Option<Duration>,
    mut attempt: impl FnMut(Duration) -> Result<Option<T>, E> + Send,
) -> PyResult<Result<Option<T>, E>>
where
    T: Send,
    E: Send,
{
    // A deadline too far off to represent is no deadline (arguments are checked before).
    let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
    loop {
        let slice = deadline.map_or(SLICE, |d| {
            d.saturating_duration_since(Instant::now()).min(SLICE)
        });
        let outcome = py.detach(|| attempt(slice));
        let time_left = deadline.is_none_or(|d| Instant::now() < d);
        match outcome {
            Ok(None) if time_left => py.check_signals()?,
            done => return Ok(done),
        }
    }
}

/// Runs `job`, which cannot be cut into slices, on a thread of its own and waits for it as
/// [`wait_for`] does. If a signal interrupts the wait, the job still completes in the
/// background and its result is dropped.
pub(crate) fn run<T: Send + 'static>(
    py: Python<'_>,
    what: &str,
    job: impl FnOnce() -> T + Send + 'static,
) -> PyResult<T> {
    let (tx, rx) = mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name(format!("steady-{what}"))
        .spawn(move || {
            // The receiver is gone only when the caller was interrupted; nobody wants the result.
            let _ = tx.send(job());
        })
        .map_err(|e| SteadyError::new_err(format!("{what}: cannot start a thread: {e}")))?;
    let waited = wait_for(py, None, move |slice| match rx.recv_timeout(slice) {
        Ok(value) => Ok(Some(value)),
        Err(mpsc::RecvTimeoutError::Timeout) => Ok(None),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(()),
    })?;
    match waited {
        Ok(Some(value)) => Ok(value),
        _ => Err(InternalError::new_err(format!(
            "{what}: internal error (the call panicked)"
        ))),
    }
}
