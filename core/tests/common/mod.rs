//! Helpers shared by core's integration tests.
pub mod broker;
pub mod emulated;
pub mod member;
