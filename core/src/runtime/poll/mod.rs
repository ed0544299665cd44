//! The poll thread and what it owns: the loop, the rdkafka context and its callbacks, steady's fetch queue, background commits and the log end offsets.

pub(crate) mod background_commit;
pub(crate) mod context;
pub(crate) mod fetch_queue;
pub(crate) mod log_end;
pub(crate) mod poll_loop;
