//! Findings and the report that holds them (text and JSON).

use serde::Serialize;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Advice.
    Info,
    /// Likely instability.
    Warning,
    /// Rejected by the client or broker, or certain to misbehave.
    Error,
}

/// The setting to change and the value to give it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recommendation {
    /// The key to set.
    pub key: String,
    /// The value to set it to.
    pub value: String,
}

/// One problem found by one rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable rule id, e.g. "ST006".
    pub rule: &'static str,
    /// How bad it is.
    pub severity: Severity,
    /// The setting concerned (or "broker", "client", "group").
    pub key: String,
    /// What is wrong and why, for a person.
    pub message: String,
    /// What to set instead, when a setting fixes it.
    pub recommendation: Option<Recommendation>,
    /// Where the rule comes from (KIP, FAQ, source file).
    pub source: &'static str,
}

/// Counts by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Error findings.
    pub errors: usize,
    /// Warning findings.
    pub warnings: usize,
    /// Info findings.
    pub info: usize,
}

/// The outcome of a check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Findings, most severe first.
    pub findings: Vec<Finding>,
    /// The broker facts the check used, if any.
    pub broker: Option<super::BrokerFacts>,
}
