//! Runs every rule family over an input.
use super::context::Ctx;
use super::{config, fetch, group, librdkafka, offsets, seed, session, Finding, Input, Report};

/// The rule families, one file each.
const FAMILIES: &[fn(&Ctx, &mut Vec<Finding>)] = &[
    seed::run,
    config::run,
    session::run,
    librdkafka::run,
    fetch::run,
    group::run,
    offsets::run,
];

/// Runs every rule; the report's findings are sorted most severe first, then by rule id.
pub fn check(input: &Input) -> Report {
    let ctx = Ctx::new(input);
    let mut findings = Vec::new();
    for family in FAMILIES {
        family(&ctx, &mut findings);
    }
    Report::new(findings, input.broker.clone())
}
