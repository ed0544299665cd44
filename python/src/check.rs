//! `steady.check(...)`: the rule checks over settings, client, broker, workload and profile.

use crate::args::{self, Seconds};
use crate::report::Report;
use crate::{blocking, errors, settings};
use pyo3::exceptions::{PyOverflowError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::PyString;
use std::fmt::Display;
use std::str::FromStr;
use steady_core::rules::{self, BrokerFacts, BrokerVersion, ClientInfo, Input, Workload};

/// Parses the argument `name`, raising `ConfigError` naming it and the bad value.
fn parse<T>(py: Python<'_>, name: &str, value: Option<String>) -> PyResult<Option<T>>
where
    T: FromStr,
    T::Err: Display,
{
    value
        .map(|v| {
            v.parse()
                .map_err(|e| errors::bad_input(py, format!("{name}={v:?}: {e}")))
        })
        .transpose()
}

/// `value` if it is a finite number above zero; otherwise `ConfigError` naming `name`.
fn positive<T: Copy + Into<f64> + Display>(
    py: Python<'_>,
    name: &str,
    value: Option<T>,
) -> PyResult<Option<T>> {
    match value {
        Some(v) if !(v.into().is_finite() && v.into() > 0.0) => Err(errors::bad_input(
            py,
            format!("{name}={v}: expected a number above zero"),
        )),
        _ => Ok(value),
    }
}

/// The optional whole-number argument `name`: `ConfigError` naming it when it is below zero or
/// too large (zero is refused by [`positive`]).
fn whole(py: Python<'_>, name: &str, value: Option<Bound<'_, PyAny>>) -> PyResult<Option<u32>> {
    value
        .map(|v| {
            v.extract::<u32>().map_err(|e| {
                if e.is_instance_of::<PyOverflowError>(py) {
                    errors::bad_input(
                        py,
                        format!("{name}={v}: expected a number from 1 to {}", u32::MAX),
                    )
                } else {
                    PyTypeError::new_err(format!(
                        "{name} must be an int, not {}",
                        args::type_name(&v)
                    ))
                }
            })
        })
        .transpose()
}

/// Where the broker facts come from: `broker_version`, or a probe of `bootstrap_servers`
/// (which also describes `group`).
struct BrokerSource {
    version: Option<String>,
    bootstrap_servers: Option<String>,
    group: Option<String>,
    probe_timeout: Seconds,
}

impl BrokerSource {
    /// The broker facts, if a source was given.
    fn facts(
        self,
        py: Python<'_>,
        settings: &steady_core::Settings,
    ) -> PyResult<Option<BrokerFacts>> {
        match (self.version, self.bootstrap_servers, self.group) {
            (Some(_), Some(_), _) => Err(errors::bad_input(
                py,
                "give broker_version or bootstrap_servers, not both",
            )),
            (_, None, Some(group)) => Err(errors::bad_input(
                py,
                format!("group={group:?} needs bootstrap_servers: a group is described by probing"),
            )),
            (Some(version), None, None) => {
                let version = BrokerVersion::parse(&version).map_err(|e| {
                    errors::bad_input(py, format!("broker_version={version:?}: {e}"))
                })?;
                Ok(Some(BrokerFacts::from_version(version)))
            }
            (None, Some(servers), group) => {
                let timeout = self.probe_timeout.duration(py, "probe_timeout")?;
                let settings = settings.clone();
                let facts = blocking::run(py, "probe", move || {
                    steady_core::broker::probe(&servers, &settings, group.as_deref(), timeout)
                })?;
                facts.map(Some).map_err(|e| errors::probe_error(py, e))
            }
            (None, None, None) => Ok(None),
        }
    }
}

/// Checks consumer settings and says what will make the group rebalance or misbehave.
///
/// `settings` is a dict of key → value or the path of a `.properties` file. The other
/// arguments describe the client, the broker (by version, or probed at `bootstrap_servers`),
/// the workload (records/s per thread, threads, ms per record, assigned partitions) and the
/// service profile (default "apache"); rules whose inputs are unknown stay silent.
#[pyfunction]
#[pyo3(signature = (
    settings, *, client=None, client_version=None, heartbeat=None, broker_version=None,
    bootstrap_servers=None, group=None, rate=None, threads=None, record_ms_p99=None,
    record_ms_p50=None, partitions=None, profile=None, probe_timeout=Seconds::new(10.0)
), text_signature = "(settings, *, client=None, client_version=None, heartbeat=None, \
    broker_version=None, bootstrap_servers=None, group=None, rate=None, threads=None, \
    record_ms_p99=None, record_ms_p50=None, partitions=None, profile=None, probe_timeout=10.0)")]
#[allow(clippy::too_many_arguments)]
pub fn check(
    py: Python<'_>,
    settings: &Bound<'_, PyAny>,
    client: Option<Bound<'_, PyString>>,
    client_version: Option<Bound<'_, PyString>>,
    heartbeat: Option<Bound<'_, PyString>>,
    broker_version: Option<Bound<'_, PyString>>,
    bootstrap_servers: Option<Bound<'_, PyString>>,
    group: Option<Bound<'_, PyString>>,
    rate: Option<f64>,
    threads: Option<Bound<'_, PyAny>>,
    record_ms_p99: Option<f64>,
    record_ms_p50: Option<f64>,
    partitions: Option<Bound<'_, PyAny>>,
    profile: Option<Bound<'_, PyString>>,
    probe_timeout: Seconds,
) -> PyResult<Report> {
    let settings = settings::from_py(settings)?;
    let client = ClientInfo {
        dialect: parse(py, "client", args::opt_text("client", client)?)?,
        version: parse(
            py,
            "client_version",
            args::opt_text("client_version", client_version)?,
        )?,
        heartbeat: parse(py, "heartbeat", args::opt_text("heartbeat", heartbeat)?)?,
    };
    let workload = Workload {
        rate_per_thread: positive(py, "rate", rate)?,
        threads: positive(py, "threads", whole(py, "threads", threads)?)?,
        record_ms_p50: positive(py, "record_ms_p50", record_ms_p50)?,
        record_ms_p99: positive(py, "record_ms_p99", record_ms_p99)?,
        assigned_partitions: positive(py, "partitions", whole(py, "partitions", partitions)?)?,
    };
    let broker = BrokerSource {
        version: args::opt_text("broker_version", broker_version)?,
        bootstrap_servers: args::opt_text("bootstrap_servers", bootstrap_servers)?,
        group: args::opt_text("group", group)?,
        probe_timeout,
    }
    .facts(py, &settings)?;
    let profile = parse(py, "profile", args::opt_text("profile", profile)?)?.unwrap_or_default();
    let input = Input {
        settings,
        client,
        broker,
        workload,
        profile,
    };
    Ok(py.detach(|| rules::check(&input)).into())
}
