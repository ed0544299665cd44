//! The heartbeat-decoupled consumer runtime: a library-owned poll thread, a bounded hand-off
//! buffer with pause/resume backpressure, contiguous-prefix offset commits, revoke draining and
//! a stuck-handler watchdog.

mod consumer;
mod error;
mod record;
mod stats;

pub use consumer::Consumer;
pub use error::Error;
pub use record::Record;
pub use stats::Stats;
