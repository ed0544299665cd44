//! `__repr__` text in Python's own spelling.

use pyo3::prelude::*;
use pyo3::types::PyString;

/// `s` quoted and escaped as Python's `repr()` shows a `str`.
pub(crate) fn quote(py: Python<'_>, s: &str) -> PyResult<String> {
    Ok(PyString::new(py, s).repr()?.to_string())
}
