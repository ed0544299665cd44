//! `Report`, `Finding` and `Recommendation`: the outcome of a rule check, read-only.

use crate::repr::quote;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyIterator, PyTuple};
use steady_core::rules;

/// The setting to change and the value to give it; unpacks as `key, value`.
#[pyclass(module = "steady", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct Recommendation {
    /// The key to set.
    #[pyo3(get)]
    key: String,
    /// The value to set it to.
    #[pyo3(get)]
    value: String,
}

#[pymethods]
impl Recommendation {
    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyIterator>> {
        PyTuple::new(py, [&self.key, &self.value])?.try_iter()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Recommendation(key={}, value={})",
            quote(py, &self.key)?,
            quote(py, &self.value)?
        ))
    }
}

/// One problem found by one rule.
#[pyclass(module = "steady", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct Finding(rules::Finding);

impl From<rules::Finding> for Finding {
    fn from(finding: rules::Finding) -> Self {
        Finding(finding)
    }
}

#[pymethods]
impl Finding {
    /// Stable rule id, e.g. "ST006".
    #[getter]
    fn rule(&self) -> &'static str {
        self.0.rule
    }

    /// "error", "warning" or "info".
    #[getter]
    fn severity(&self) -> &'static str {
        self.0.severity.as_str()
    }

    /// The setting concerned (or "broker", "client", "group").
    #[getter]
    fn key(&self) -> &str {
        &self.0.key
    }

    /// What is wrong and why.
    #[getter]
    fn message(&self) -> &str {
        &self.0.message
    }

    /// What to set instead, when a setting fixes it.
    #[getter]
    fn recommendation(&self) -> Option<Recommendation> {
        self.0.recommendation.as_ref().map(|r| Recommendation {
            key: r.key.clone(),
            value: r.value.clone(),
        })
    }

    /// Where the rule comes from.
    #[getter]
    fn source(&self) -> &'static str {
        self.0.source
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Finding(rule={}, severity={}, key={})",
            quote(py, self.0.rule)?,
            quote(py, self.severity())?,
            quote(py, &self.0.key)?
        ))
    }

    fn __str__(&self) -> String {
        format!(
            "{} {} {}: {}",
            self.severity(),
            self.0.rule,
            self.0.key,
            self.0.message
        )
    }
}

/// The outcome of a check: findings, most severe first.
#[pyclass(module = "steady", frozen)]
pub struct Report(rules::Report);

impl From<rules::Report> for Report {
    fn from(report: rules::Report) -> Self {
        Report(report)
    }
}

/// Copies borrowed findings into Python objects.
pub(crate) fn to_py<'a>(findings: impl Iterator<Item = &'a rules::Finding>) -> Vec<Finding> {
    findings.cloned().map(Finding).collect()
}

#[pymethods]
impl Report {
    /// Every finding, most severe first, then by rule id.
    #[getter]
    fn findings(&self) -> Vec<Finding> {
        to_py(self.0.findings.iter())
    }

    /// The error findings.
    #[getter]
    fn errors(&self) -> Vec<Finding> {
        to_py(self.0.errors())
    }

    /// The warning findings.
    #[getter]
    fn warnings(&self) -> Vec<Finding> {
        to_py(self.0.warnings())
    }

    /// The info findings.
    #[getter]
    fn infos(&self) -> Vec<Finding> {
        to_py(self.0.infos())
    }

    /// Counts by severity: `{"errors": n, "warnings": n, "info": n}`.
    #[getter]
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let summary = self.0.summary();
        let dict = PyDict::new(py);
        dict.set_item("errors", summary.errors)?;
        dict.set_item("warnings", summary.warnings)?;
        dict.set_item("info", summary.info)?;
        Ok(dict)
    }

    /// The report as JSON (the same shape as `steady doctor --format json`).
    fn to_json(&self) -> String {
        self.0.to_json()
    }

    fn __len__(&self) -> usize {
        self.0.findings.len()
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyIterator>> {
        self.findings().into_pyobject(py)?.try_iter()
    }

    /// The report for people, as `steady doctor` prints it.
    fn __str__(&self) -> String {
        self.0.to_text()
    }

    fn __repr__(&self) -> String {
        let s = self.0.summary();
        format!(
            "Report(errors={}, warnings={}, info={})",
            s.errors, s.warnings, s.info
        )
    }
}
