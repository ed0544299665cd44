//! Arguments given from Python, converted with errors that name the argument: timeouts in
//! seconds, counts, and text that must be valid UTF-8.
//!
//! A bad value raises `ValueError` naming the argument, never a panic: NaN, negative, infinite
//! or too large timeouts, counts out of range, and strings with lone surrogates (which cannot
//! be encoded as UTF-8).

use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyFloat, PyString};
use std::fmt::Display;
use std::time::{Duration, Instant};

/// The Python type name of `obj`, for error messages.
pub(crate) fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".to_string())
}

/// `obj`'s `repr()` for a message, shortened when long, or a placeholder if that fails.
fn repr(obj: &Bound<'_, PyAny>) -> String {
    const LONGEST: usize = 60;
    let Ok(shown) = obj.repr().map(|r| r.to_string()) else {
        return "<unprintable>".to_string();
    };
    match shown.char_indices().nth(LONGEST) {
        Some((cut, _)) => format!("{}…", &shown[..cut]),
        None => shown,
    }
}

/// A number of seconds as given: a float (or an int converted to one), or why it is unusable.
/// Extraction never fails; [`Seconds::duration`] raises the error naming the argument.
pub(crate) struct Seconds(Result<f64, Unusable>);

/// Why a number of seconds cannot be used.
enum Unusable {
    /// An `int` beyond the range of a float; its `repr()`.
    TooLarge(String),
    /// Not a number; its type name.
    NotANumber(String),
}

impl Seconds {
    /// `seconds`, for a default.
    pub(crate) const fn new(seconds: f64) -> Self {
        Seconds(Ok(seconds))
    }

    /// The duration, or `ValueError` naming the argument `name` when the value is NaN,
    /// negative, infinite or so large that `now + seconds` cannot be represented (`TypeError`
    /// when it is not a number).
    pub(crate) fn duration(self, py: Python<'_>, name: &str) -> PyResult<Duration> {
        let seconds = match self.0 {
            Ok(seconds) => seconds,
            Err(Unusable::TooLarge(shown)) => return Err(too_large(name, &shown)),
            Err(Unusable::NotANumber(type_name)) => {
                return Err(PyTypeError::new_err(format!(
                    "{name} must be a number of seconds, not {type_name}"
                )))
            }
        };
        let shown = || repr(PyFloat::new(py, seconds).as_any());
        if seconds.is_nan() || seconds < 0.0 || seconds.is_infinite() {
            return Err(PyValueError::new_err(format!(
                "{name} must be a finite number of seconds ≥ 0; got {}",
                shown()
            )));
        }
        Duration::try_from_secs_f64(seconds)
            .ok()
            .filter(|&d| Instant::now().checked_add(d).is_some())
            .ok_or_else(|| too_large(name, &shown()))
    }
}

impl FromPyObject<'_, '_> for Seconds {
    type Error = PyErr;

    fn extract(obj: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        Ok(Seconds(obj.extract::<f64>().map_err(|e| {
            if e.is_instance_of::<PyOverflowError>(obj.py()) {
                Unusable::TooLarge(repr(&obj))
            } else {
                Unusable::NotANumber(type_name(&obj))
            }
        })))
    }
}

/// The optional timeout argument `name` (`None`: no limit), as [`Seconds::duration`].
pub(crate) fn timeout(
    py: Python<'_>,
    name: &str,
    seconds: Option<Seconds>,
) -> PyResult<Option<Duration>> {
    seconds.map(|s| s.duration(py, name)).transpose()
}

/// `ValueError`: the argument `name`, shown as `shown`, is beyond any deadline.
fn too_large(name: &str, shown: &str) -> PyErr {
    PyValueError::new_err(format!("{name}={shown} is too large a number of seconds"))
}

/// A count argument as given: a whole number, or (`Err`) the `repr()` of an `int` out of the
/// range of `usize` (negative, or too large). Other types fail to extract with `TypeError`.
pub(crate) struct Count(Result<usize, String>);

impl Count {
    /// The count `n`, for a default.
    pub(crate) const fn new(n: usize) -> Self {
        Count(Ok(n))
    }

    /// The count if it is at least 1; otherwise `ValueError` naming the argument `name`.
    pub(crate) fn at_least_one(self, name: &str) -> PyResult<usize> {
        match self.0 {
            Ok(n) if n >= 1 => Ok(n),
            Ok(n) => Err(PyValueError::new_err(format!(
                "{name} must be at least 1; got {n}"
            ))),
            Err(shown) => Err(PyValueError::new_err(format!(
                "{name} must be a whole number from 1 to {}; got {shown}",
                usize::MAX
            ))),
        }
    }
}

impl FromPyObject<'_, '_> for Count {
    type Error = PyErr;

    fn extract(obj: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        match obj.extract::<usize>() {
            Ok(n) => Ok(Count(Ok(n))),
            Err(e) if e.is_instance_of::<PyOverflowError>(obj.py()) => Ok(Count(Err(repr(&obj)))),
            Err(e) => Err(e),
        }
    }
}

/// `s` as UTF-8 text; `ValueError` naming `what` when it cannot be encoded (a lone surrogate),
/// with the encoder's error as its cause.
pub(crate) fn text(what: impl Display, s: &Bound<'_, PyString>) -> PyResult<String> {
    let py = s.py();
    s.to_cow().map(|t| t.into_owned()).map_err(|cause| {
        let err = PyValueError::new_err(format!(
            "{what}: {} cannot be encoded as UTF-8 (it contains a lone surrogate)",
            repr(s.as_any())
        ));
        err.set_cause(py, Some(cause));
        err
    })
}

/// The optional text argument `name` (see [`text`]).
pub(crate) fn opt_text(name: &str, s: Option<Bound<'_, PyString>>) -> PyResult<Option<String>> {
    s.map(|s| text(name, &s)).transpose()
}

/// A whole-number argument as given: an `int` that fits an `i64`, or (`Err`) the `repr()` of
/// one that does not. Other types fail to extract with `TypeError`.
pub(crate) struct Whole(Result<i64, String>);

impl Whole {
    /// The value if it is from `low` to `high`; otherwise `ValueError` naming the argument
    /// `name`.
    fn within(self, name: &str, low: i64, high: i64) -> PyResult<i64> {
        match self.0 {
            Ok(n) if (low..=high).contains(&n) => Ok(n),
            Ok(n) => Err(out_of_range(name, low, high, &n.to_string())),
            Err(shown) => Err(out_of_range(name, low, high, &shown)),
        }
    }

    /// A partition number: 0 to 2³¹ − 1.
    pub(crate) fn partition(self, name: &str) -> PyResult<i32> {
        // The range check makes the conversion lossless.
        self.within(name, 0, i32::MAX.into()).map(|n| n as i32)
    }

    /// An offset: 0 to 2⁶³ − 1.
    pub(crate) fn offset(self, name: &str) -> PyResult<i64> {
        self.within(name, 0, i64::MAX)
    }
}

/// `ValueError`: the argument `name` is `shown`, not a whole number from `low` to `high`.
fn out_of_range(name: &str, low: i64, high: i64, shown: &str) -> PyErr {
    PyValueError::new_err(format!(
        "{name} must be a whole number from {low} to {high}; got {shown}"
    ))
}

impl FromPyObject<'_, '_> for Whole {
    type Error = PyErr;

    fn extract(obj: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        match obj.extract::<i64>() {
            Ok(n) => Ok(Whole(Ok(n))),
            Err(e) if e.is_instance_of::<PyOverflowError>(obj.py()) => Ok(Whole(Err(repr(&obj)))),
            Err(e) => Err(e),
        }
    }
}
