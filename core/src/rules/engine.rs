//! Runs every rule over an input.
use super::{Input, Report};

/// Runs every rule; the report's findings are sorted most severe first, then by rule id.
pub fn check(input: &Input) -> Report {
    let _ = input;
    todo!()
}
