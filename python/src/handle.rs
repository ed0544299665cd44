//! The runtime consumer, shared by a Python `Consumer` and the `Message`s it delivered.

use pyo3::Python;
use std::ops::Deref;
use std::sync::Arc;
use steady_core::runtime;

/// A shared reference to the runtime consumer. The last one dropped closes the consumer with
/// the GIL released, so a consumer garbage-collected without `close()` never holds up other
/// Python threads while it commits and leaves the group.
#[derive(Clone)]
pub(crate) struct Handle(Arc<runtime::Consumer>);

impl Handle {
    /// Shares `consumer`.
    pub(crate) fn new(consumer: runtime::Consumer) -> Self {
        Handle(Arc::new(consumer))
    }
}

impl Deref for Handle {
    type Target = runtime::Consumer;

    fn deref(&self) -> &runtime::Consumer {
        &self.0
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        if Arc::strong_count(&self.0) == 1 {
            let consumer = &*self.0;
            // Closing is idempotent: the runtime's own drop then finds nothing left to do.
            Python::try_attach(|py| py.detach(|| consumer.close()));
        }
    }
}
