//! The check's input from the command line: settings from --config and --set, the client, the
//! broker (given or probed) and the workload. Every problem is one line naming the flag.

use super::Args;
use std::time::Duration;
use steady_core::broker::probe;
use steady_core::rules::{BrokerFacts, ClientInfo, Input, Workload};
use steady_core::Settings;

/// The input of the check, and the facts a probe found (for the text summary).
pub(super) fn build(args: &Args) -> Result<(Input, Option<BrokerFacts>), String> {
    let settings = settings(args)?;
    let probed = match &args.bootstrap_servers {
        Some(servers) => {
            let timeout = Duration::from_millis(args.probe_timeout_ms);
            let facts = probe(servers, &settings, args.group.as_deref(), timeout)
                .map_err(|e| format!("--bootstrap-servers: {e}"))?;
            Some(facts)
        }
        None => None,
    };
    let broker = probed
        .clone()
        .or_else(|| args.broker_version.clone().map(BrokerFacts::from_version));
    let input = Input {
        settings,
        client: ClientInfo {
            dialect: args.client,
            version: args.client_version,
            heartbeat: args.heartbeat,
        },
        broker,
        workload: Workload {
            rate_per_thread: args.rate,
            threads: args.threads,
            record_ms_p50: args.record_ms_p50,
            record_ms_p99: args.record_ms_p99,
            assigned_partitions: args.partitions,
        },
        profile: args.profile,
    };
    Ok((input, probed))
}

/// The settings of --config, overridden by each --set in order.
fn settings(args: &Args) -> Result<Settings, String> {
    let mut settings = match &args.config {
        Some(path) => Settings::load(path).map_err(|e| format!("--config: {e}"))?,
        None => Settings::new(),
    };
    for pair in &args.set {
        settings
            .set_pair(pair)
            .map_err(|_| match pair.split_once('=') {
                // The value may be a secret: never echo it.
                Some(_) => "--set: the key before '=' is empty".to_string(),
                None => format!("--set '{pair}': expected KEY=VALUE"),
            })?;
    }
    Ok(settings)
}
