//! The exception hierarchy and the mapping of core errors onto it.
//!
//! `SteadyError` is the base; `ConfigError` carries `.findings`, `StalledError` carries the stuck
//! record's `topic`, `partition`, `offset` and `elapsed_ms`.

use crate::report::Finding;
use pyo3::exceptions::{PyBaseException, PyException};
use pyo3::prelude::*;
use pyo3::{create_exception, PyTypeInfo};
use steady_core::broker::ProbeError;
use steady_core::runtime::Error;
use steady_core::settings::SettingsError;

create_exception!(
    steady,
    SteadyError,
    PyException,
    "Base class of every error steady raises."
);
create_exception!(
    steady,
    ConfigError,
    SteadyError,
    "Settings or arguments were refused; `.findings` lists the rule findings behind it (may be empty)."
);
create_exception!(
    steady,
    KafkaError,
    SteadyError,
    "librdkafka or the broker reported an error, or the broker could not be reached."
);
create_exception!(
    steady,
    StalledError,
    SteadyError,
    "A record was not acked within steady.processing.timeout.ms; `.topic`, `.partition`, `.offset` and `.elapsed_ms` name it."
);
create_exception!(steady, ClosedError, SteadyError, "The consumer was closed.");

/// An exception of type `T` with message `message`, given attributes by `set`.
fn raise_with<T: PyTypeInfo>(
    py: Python<'_>,
    message: String,
    set: impl FnOnce(&Bound<'_, PyBaseException>) -> PyResult<()>,
) -> PyErr {
    let err = PyErr::new::<T, _>(message);
    match set(err.value(py)) {
        Ok(()) => err,
        Err(failed) => failed,
    }
}

/// A `ConfigError` carrying `findings` (possibly none).
pub(crate) fn config_error(
    py: Python<'_>,
    message: String,
    findings: Vec<steady_core::Finding>,
) -> PyErr {
    let findings: Vec<Finding> = findings.into_iter().map(Finding::from).collect();
    raise_with::<ConfigError>(py, message, |e| e.setattr("findings", findings))
}

/// A `ConfigError` with no findings, for a bad argument or unreadable settings.
pub(crate) fn bad_input(py: Python<'_>, message: impl Into<String>) -> PyErr {
    config_error(py, message.into(), Vec::new())
}

/// Maps a settings error (unreadable file, syntax error) to `ConfigError`.
pub(crate) fn settings_error(py: Python<'_>, err: SettingsError) -> PyErr {
    bad_input(py, err.to_string())
}

/// Maps a failed broker probe to `KafkaError`.
pub(crate) fn probe_error(err: ProbeError) -> PyErr {
    KafkaError::new_err(err.to_string())
}

/// Maps a runtime error to its exception.
pub(crate) fn runtime_error(py: Python<'_>, err: Error) -> PyErr {
    let message = err.to_string();
    match err {
        Error::Config(findings) => config_error(py, message, findings),
        Error::Kafka(_) => KafkaError::new_err(message),
        Error::Stalled {
            topic,
            partition,
            offset,
            elapsed_ms,
        } => raise_with::<StalledError>(py, message, |e| {
            e.setattr("topic", topic)?;
            e.setattr("partition", partition)?;
            e.setattr("offset", offset)?;
            e.setattr("elapsed_ms", elapsed_ms)
        }),
        Error::Closed => ClosedError::new_err(message),
    }
}
