//! The hand-off between the poll thread and the application: the bounded buffer, the records
//! waiting in it as librdkafka's messages, the order they go out in and the nacked ones
//! waiting to go out again.

pub(crate) mod handoff;
pub(crate) mod message_view;
pub(crate) mod order;
pub(crate) mod pending;
pub(crate) mod retries;
