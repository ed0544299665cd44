//! Findings and the report that holds them (text and JSON).

use crate::settings::{choose, redact_value, UnknownChoice};
use serde::Serialize;
use std::fmt::{self, Write};
use std::str::FromStr;

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

const SEVERITY_NAMES: &[&str] = &["info", "warning", "error"];

impl Severity {
    /// "info", "warning" or "error".
    pub fn as_str(self) -> &'static str {
        SEVERITY_NAMES[self as usize]
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Reads "info", "warning" or "error" (any case).
impl FromStr for Severity {
    type Err = UnknownChoice;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const ALL: [Severity; 3] = [Severity::Info, Severity::Warning, Severity::Error];
        choose("severity", s, SEVERITY_NAMES).map(|i| ALL[i])
    }
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

impl Finding {
    /// A finding without a recommendation.
    pub fn new(
        rule: &'static str,
        severity: Severity,
        key: impl Into<String>,
        message: impl Into<String>,
        source: &'static str,
    ) -> Self {
        Finding {
            rule,
            severity,
            key: key.into(),
            message: message.into(),
            recommendation: None,
            source,
        }
    }

    /// The same finding recommending `key=value` (a secret value is redacted).
    pub fn recommend(mut self, key: impl Into<String>, value: impl fmt::Display) -> Self {
        let key = key.into();
        let value = redact_value(&key, &value.to_string());
        self.recommendation = Some(Recommendation { key, value });
        self
    }
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

impl Report {
    /// A report of `findings`, sorted most severe first, then by rule id and key.
    pub fn new(mut findings: Vec<Finding>, broker: Option<super::BrokerFacts>) -> Self {
        findings.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| (a.rule, &a.key, &a.message).cmp(&(b.rule, &b.key, &b.message)))
        });
        Report { findings, broker }
    }

    /// Counts by severity.
    pub fn summary(&self) -> Summary {
        let count = |s| self.findings.iter().filter(|f| f.severity == s).count();
        Summary {
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            info: count(Severity::Info),
        }
    }

    /// The error findings.
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.with(Severity::Error)
    }

    /// The warning findings.
    pub fn warnings(&self) -> impl Iterator<Item = &Finding> {
        self.with(Severity::Warning)
    }

    /// The info findings.
    pub fn infos(&self) -> impl Iterator<Item = &Finding> {
        self.with(Severity::Info)
    }

    fn with(&self, severity: Severity) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.severity == severity)
    }

    /// The most severe finding's severity, or `None` for a clean report.
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }

    /// Whether some finding carries the rule `id`.
    pub fn has(&self, id: &str) -> bool {
        self.findings.iter().any(|f| f.rule == id)
    }

    /// The report as JSON, fields in this order:
    /// `{"findings":[{rule,severity,key,message,recommendation:{key,value}|null,source}],
    /// "summary":{errors,warnings,info},"broker":{version,kip62,static_membership,kip848}|null}`
    /// (unknown broker facts are `null`).
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Broker<'a> {
            version: Option<&'a str>,
            kip62: Option<bool>,
            static_membership: Option<bool>,
            kip848: Option<bool>,
        }
        #[derive(Serialize)]
        struct Json<'a> {
            findings: &'a [Finding],
            summary: Summary,
            broker: Option<Broker<'a>>,
        }
        let broker = self.broker.as_ref().map(|b| Broker {
            version: b.version.as_ref().map(|v| v.label.as_str()),
            kip62: b.kip62,
            static_membership: b.static_membership,
            kip848: b.kip848,
        });
        let json = Json {
            findings: &self.findings,
            summary: self.summary(),
            broker,
        };
        serde_json::to_string(&json).unwrap_or_default()
    }

    /// The report for people: findings grouped by severity, each with its fix and source.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        if let Some(version) = self.broker.as_ref().and_then(|b| b.version.as_ref()) {
            let _ = writeln!(out, "broker: {}\n", version.label);
        }
        for (severity, title) in [
            (Severity::Error, "Errors"),
            (Severity::Warning, "Warnings"),
            (Severity::Info, "Info"),
        ] {
            let group: Vec<&Finding> = self.with(severity).collect();
            if group.is_empty() {
                continue;
            }
            let _ = writeln!(out, "{title} ({}):", group.len());
            for f in group {
                let _ = writeln!(out, "  {} [{}] {}", f.rule, f.key, f.message);
                if let Some(r) = &f.recommendation {
                    let _ = writeln!(out, "      fix: {}={}", r.key, r.value);
                }
                let _ = writeln!(out, "      source: {}", f.source);
            }
            out.push('\n');
        }
        if self.findings.is_empty() {
            out.push_str("No findings.\n");
        }
        let s = self.summary();
        let _ = writeln!(
            out,
            "{} error(s), {} warning(s), {} info",
            s.errors, s.warnings, s.info
        );
        out
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}
