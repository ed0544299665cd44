//! The C ABI of steady: rule checks, the broker probe and the heartbeat-decoupled consumer for
//! C, Go, Java and any other language that can call C.
//!
//! Conventions (the header repeats them where they apply):
//! - every symbol is `steady_<type>_<verb>`; handles are opaque and created by `steady_<type>_new`
//!   or by the call that returns them, and released once with `steady_<type>_free` (NULL is fine);
//! - fallible functions return a [`steady_result`]; other outputs go through `out` parameters that
//!   are written only on success; any other result (`STEADY_RESULT_TIMEOUT` included) writes a
//!   [`steady_error`] to the optional `steady_error **err_out` parameter (pass NULL when the
//!   detail is not wanted);
//! - strings given to steady are NUL-terminated UTF-8; strings steady returns are either borrowed
//!   (their lifetime is documented) or owned and released with [`steady_string_free`];
//! - a byte buffer is always followed by its `size_t` length;
//! - no panic crosses the boundary: an internal failure returns `STEADY_RESULT_PANIC`.
#![allow(non_camel_case_types)]
// Exported functions take raw pointers by design: C callers hold the contract each function
// documents, and every pointer is checked for NULL before use.
#![allow(clippy::not_unsafe_ptr_arg_deref)]

#[macro_use]
mod panic;

mod check;
mod consumer;
mod error;
mod event;
mod handle;
mod log;
mod message;
mod probe;
mod report;
mod settings;
mod strings;
mod version;

pub use check::*;
pub use consumer::*;
pub use error::*;
pub use event::*;
pub use log::*;
pub use message::*;
pub use probe::*;
pub use report::*;
pub use settings::*;
pub use strings::steady_string_free;
pub use version::steady_version;
