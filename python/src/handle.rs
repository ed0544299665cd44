//! The runtime consumer owned by a Python `Consumer`, and the check that it is used only in the
//! process that created it.
//!
//! Messages do not hold a handle: a record acks itself, so the consumer's connection lives only
//! as long as the `Consumer` object (and calls in progress on it).

use crate::errors::SteadyError;
use pyo3::prelude::*;
use std::sync::Arc;
use steady_core::runtime;

/// What a handle shares.
struct Owned {
    consumer: runtime::Consumer,
    /// The process that created the consumer; in any other (a child after `fork()`) the poll
    /// thread does not exist and the consumer's locks may be held forever, so nothing touches it.
    pid: u32,
}

/// A shared reference to the runtime consumer. The last one dropped in the creating process
/// closes the consumer with the GIL released, so a consumer garbage-collected without
/// `close()` never holds up other Python threads while it commits and leaves the group; in a
/// forked child the consumer is leaked instead.
#[derive(Clone)]
pub(crate) struct Handle(Arc<Owned>);

/// `SteadyError` for a consumer created in process `pid` and used in this one.
fn forked_error(pid: u32) -> PyErr {
    SteadyError::new_err(format!(
        "this Consumer was created in process {pid}; after fork() create a new one in the child \
         (process {})",
        crate::process::id()
    ))
}

impl Handle {
    /// Shares `consumer`, created by this process.
    pub(crate) fn new(consumer: runtime::Consumer) -> Self {
        Handle(Arc::new(Owned {
            consumer,
            pid: crate::process::id(),
        }))
    }

    /// Whether this is the process that created the consumer.
    pub(crate) fn owned_here(&self) -> bool {
        crate::process::id() == self.0.pid
    }

    /// The consumer, unless this process is not the one that created it (a forked child).
    pub(crate) fn get(&self) -> PyResult<&runtime::Consumer> {
        if self.owned_here() {
            Ok(&self.0.consumer)
        } else {
            Err(forked_error(self.0.pid))
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        if crate::process::id() != self.0.pid {
            // A forked child: the consumer's poll thread and locks belong to the parent.
            // An extra reference that is never released keeps it from ever being dropped here.
            std::mem::forget(Arc::clone(&self.0));
            return;
        }
        if Arc::strong_count(&self.0) == 1 {
            let consumer = &self.0.consumer;
            // Closing is idempotent: the runtime's own drop then finds nothing left to do.
            let close = || {
                let _ = consumer.close();
            };
            if Python::try_attach(|py| py.detach(close)).is_none() {
                close();
            }
        }
    }
}
