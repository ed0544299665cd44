//! Python bindings of steady: the rule checks and the consumer runtime of `steady-core`,
//! exposed as the extension module `steady._steady`.
//!
//! Every class is frozen and holds only `Send + Sync` data, so the module does not need the GIL
//! for its own safety; every blocking call releases it (see [`blocking`]).

mod args;
mod blocking;
mod check;
mod consumer;
mod dispatch;
mod errors;
mod event;
mod handle;
mod logging;
mod message;
mod process;
mod report;
mod repr;
mod settings;

use pyo3::prelude::*;

/// Rule checks and a heartbeat-decoupled consumer runtime that keep Kafka consumer groups stable.
#[pymodule(gil_used = false)]
mod _steady {
    use pyo3::prelude::*;

    #[pymodule_export]
    use crate::check::check;
    #[pymodule_export]
    use crate::consumer::Consumer;
    #[pymodule_export]
    use crate::errors::{
        ClosedError, ConfigError, InternalError, KafkaError, StalledError, SteadyError,
    };
    #[pymodule_export]
    use crate::event::{Event, TopicPartition};
    #[pymodule_export]
    use crate::message::Message;
    #[pymodule_export]
    use crate::report::{Finding, Recommendation, Report};

    /// Reads the process id for the fork checks; sets the exceptions' class attributes;
    /// prepares the log records' way into `logging`.
    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        crate::process::init().map_err(pyo3::exceptions::PyImportError::new_err)?;
        crate::errors::init(m.py())?;
        crate::logging::init(m)
    }

    /// The package version.
    #[pymodule_export]
    #[allow(non_upper_case_globals)]
    const __version__: &str = env!("CARGO_PKG_VERSION");
}
