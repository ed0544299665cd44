//! The hand-off between the poll thread and the application: the bounded buffer and the records waiting in it as librdkafka's messages.

pub(crate) mod handoff;
pub(crate) mod message_view;
pub(crate) mod pending;
