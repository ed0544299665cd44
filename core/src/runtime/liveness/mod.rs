//! Stuck-handler detection and the live rule check.

pub(crate) mod live_check;
pub(crate) mod stalls;
pub(crate) mod watchdog;
