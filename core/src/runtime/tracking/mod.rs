//! Per-partition bookkeeping: offset windows and watermarks, the assignment, pause state and commits.

pub(crate) mod assignment;
pub(crate) mod commits;
pub(crate) mod offsets;
pub(crate) mod pauses;
