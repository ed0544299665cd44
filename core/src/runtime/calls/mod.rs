//! Requests of application threads that only the poll thread can carry out, and how they are answered.

pub(crate) mod control;
pub(crate) mod requests;
