//! `--group` with `--bootstrap-servers`: samples the group's offsets and lag
//! (`--lag-samples`, `--lag-interval-ms`) and adds LG001's findings to the report.

use super::Args;
use std::time::Duration;
use steady_core::broker::{sample_group, LagSampling};
use steady_core::rules::{lag_growth, GroupOffsets, Report};
use steady_core::Settings;

/// The samples of the group, or `None` when no group was asked for; the error is one line
/// naming the flag.
pub(super) fn sample(
    args: &Args,
    settings: &Settings,
) -> Result<Option<Vec<GroupOffsets>>, String> {
    let (Some(servers), Some(group)) = (&args.bootstrap_servers, &args.group) else {
        return Ok(None);
    };
    let sampling = LagSampling {
        samples: args.lag_samples,
        interval: Duration::from_millis(args.lag_interval_ms),
    };
    let timeout = Duration::from_millis(args.probe_timeout_ms);
    sample_group(servers, settings, group, sampling, timeout)
        .map(Some)
        .map_err(|e| format!("--group: {e}"))
}

/// `report` with LG001's findings over `samples` added (and sorted in).
pub(super) fn with_findings(report: Report, group: &str, samples: &[GroupOffsets]) -> Report {
    let mut findings = report.findings;
    findings.extend(lag_growth(group, samples));
    Report::new(findings, report.broker)
}
