//! Records the application could not process: retries with back-off and the dead-letter topic.

pub(crate) mod dead_letters;
pub(crate) mod verdicts;
