//! The exception hierarchy and the mapping of core errors onto it.
//!
//! `SteadyError` is the base; `ConfigError` carries `.findings`, `KafkaError` librdkafka's
//! `code` and `name` and whether the error is `fatal` or `retriable`, `StalledError` the stuck
//! record's `topic`, `partition`, `offset` and `elapsed_ms`; `InternalError` is always fatal.
//! A bad argument raises `ValueError`.

use crate::report::Finding;
use pyo3::exceptions::{PyBaseException, PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::{create_exception, PyTypeInfo};
use steady_core::broker::ProbeError;
use steady_core::runtime::{Error, KafkaError as CoreKafkaError};
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
    "librdkafka or the broker reported an error, or the broker could not be reached; `.code` and `.name` are librdkafka's, `.fatal` says the consumer cannot go on (only close() is left), `.retriable` that trying again may succeed."
);
create_exception!(
    steady,
    StalledError,
    SteadyError,
    "A record was not acked within steady.processing.timeout.ms; `.topic`, `.partition`, `.offset` and `.elapsed_ms` name it."
);
create_exception!(steady, ClosedError, SteadyError, "The consumer was closed.");
create_exception!(
    steady,
    InternalError,
    SteadyError,
    "steady itself failed (its poll thread died); `.fatal` is True: only close() is left."
);

/// librdkafka's `RD_KAFKA_RESP_ERR__TRANSPORT`, for a probe that reached no broker.
const TRANSPORT: (i32, &str) = (-195, "_TRANSPORT");
/// librdkafka's `RD_KAFKA_RESP_ERR_UNKNOWN`, for a probe the broker answered with an error.
const UNKNOWN: (i32, &str) = (-1, "UNKNOWN");

/// Sets the class attributes: `InternalError.fatal` is True.
pub(crate) fn init(py: Python<'_>) -> PyResult<()> {
    InternalError::type_object(py).setattr("fatal", true)
}

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

/// A `KafkaError` with librdkafka's `code` and `name`.
fn kafka_error(
    py: Python<'_>,
    message: String,
    (code, name): (i32, &str),
    fatal: bool,
    retriable: bool,
) -> PyErr {
    raise_with::<KafkaError>(py, message, |e| {
        e.setattr("code", code)?;
        e.setattr("name", name)?;
        e.setattr("fatal", fatal)?;
        e.setattr("retriable", retriable)
    })
}

/// Maps a failed broker probe to `KafkaError`: `_TRANSPORT` (retriable) when no broker
/// answered, `UNKNOWN` when one answered with an error.
pub(crate) fn probe_error(py: Python<'_>, err: ProbeError) -> PyErr {
    let (code, retriable) = match err {
        ProbeError::Unreachable { .. } => (TRANSPORT, true),
        ProbeError::Protocol { .. } => (UNKNOWN, false),
    };
    kafka_error(py, err.to_string(), code, false, retriable)
}

/// Maps a Kafka error of the runtime to `KafkaError`.
fn runtime_kafka_error(py: Python<'_>, message: String, err: &CoreKafkaError) -> PyErr {
    kafka_error(
        py,
        message,
        (err.code(), err.name()),
        err.is_fatal(),
        err.is_retriable(),
    )
}

/// Maps a runtime error to its exception.
pub(crate) fn runtime_error(py: Python<'_>, err: Error) -> PyErr {
    let message = err.to_string();
    match err {
        Error::Config(findings) => config_error(py, message, findings),
        Error::Kafka(kafka) => runtime_kafka_error(py, message, &kafka),
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
        Error::InvalidArgument(what) => PyValueError::new_err(what),
        Error::Internal(_) => InternalError::new_err(message),
        _ => SteadyError::new_err(message),
    }
}
