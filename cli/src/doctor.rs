//! `steady doctor`: checks a consumer's settings, client, broker and workload and says what
//! will make its group rebalance or misbehave, and what to set instead.
//!
//! Exit codes: 0 when no finding reaches `--fail-on`, 1 when one does, 2 on bad input (one
//! line on stderr naming the problem).

mod group_json;
mod input;
mod lag;
mod summary;
mod table;

use clap::ValueEnum;
use std::path::PathBuf;
use steady_core::rules::{check, BrokerVersion, Heartbeat, Profile, Severity};
use steady_core::settings::Dialect;
use steady_core::Version;

/// Arguments of `steady doctor`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Consumer properties file (Java .properties syntax; Java or librdkafka names).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    /// One consumer setting; repeatable, and wins over --config.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,

    /// The client that runs the settings: java, librdkafka or steady (default: guessed from
    /// the keys).
    #[arg(long, value_name = "CLIENT")]
    client: Option<Dialect>,

    /// The client's version, e.g. 0.10.0 or 3.7.1.
    #[arg(long, value_name = "V")]
    client_version: Option<Version>,

    /// How the client heartbeats: coupled (only inside poll) or decoupled (a background
    /// thread); default: derived from the client and its version.
    #[arg(long, value_name = "HOW")]
    heartbeat: Option<Heartbeat>,

    /// The broker's version: exact (0.10.0.1), a range (0.11-1.1) or open (3.2+).
    #[arg(long, value_name = "V", value_parser = BrokerVersion::parse,
          conflicts_with = "bootstrap_servers")]
    broker_version: Option<BrokerVersion>,

    /// Probe the broker at HOST:PORT[,HOST:PORT…] for its version, features and session window.
    #[arg(long, value_name = "HOSTS")]
    bootstrap_servers: Option<String>,

    /// How long the probe may take, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 10_000)]
    probe_timeout_ms: u64,

    /// A live consumer group to describe through the probe (members, partitions, committed
    /// offsets, log end offsets, lag).
    #[arg(long, value_name = "G", requires = "bootstrap_servers")]
    group: Option<String>,

    /// With --group: how many times to sample the group's offsets and lag (LG001 compares
    /// two or more).
    #[arg(long, value_name = "N", default_value_t = 2, requires = "group",
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    lag_samples: u32,

    /// With --group: milliseconds from one lag sample to the next.
    #[arg(long, value_name = "MS", default_value_t = 5000, requires = "group",
          value_parser = clap::value_parser!(u64).range(0..=3_600_000))]
    lag_interval_ms: u64,

    /// Records per second one consumer thread processes.
    #[arg(long, value_name = "R", value_parser = positive, allow_negative_numbers = true)]
    rate: Option<f64>,

    /// Consumer threads.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    threads: Option<u32>,

    /// 99th-percentile processing time per record, in milliseconds.
    #[arg(long = "record-ms", value_name = "P99", value_parser = positive,
          allow_negative_numbers = true)]
    record_ms_p99: Option<f64>,

    /// Median processing time per record, in milliseconds.
    #[arg(long = "record-ms-p50", value_name = "P50", value_parser = positive,
          allow_negative_numbers = true)]
    record_ms_p50: Option<f64>,

    /// Partitions assigned to one consumer.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    partitions: Option<u32>,

    /// Limits of the service running the cluster: apache, alibaba or azure-event-hubs.
    #[arg(long, value_name = "NAME", default_value = "apache")]
    profile: Profile,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,

    /// The least severe finding that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    fail_on: FailOn,
}

/// How the report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Findings grouped by severity, each with its fix.
    Text,
    /// One JSON object: findings, summary, broker.
    Json,
}

/// The least severe finding that fails the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    /// Errors only.
    Error,
    /// Warnings and errors.
    Warning,
    /// Any finding.
    Info,
    /// Never fail on findings.
    Never,
}

impl FailOn {
    /// The severity from which a finding fails the run, if any.
    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

/// A finite number above zero.
fn positive(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(format!("'{text}' is not a positive number")),
    }
}

/// Runs `steady doctor`; returns the process exit code.
pub fn run(args: Args) -> u8 {
    let (input, probed) = match input::build(&args) {
        Ok(built) => built,
        Err(problem) => {
            eprintln!("steady doctor: {problem}");
            return 2;
        }
    };
    let samples = match lag::sample(&args, &input.settings) {
        Ok(samples) => samples,
        Err(problem) => {
            eprintln!("steady doctor: {problem}");
            return 2;
        }
    };
    let mut report = check(&input);
    if let (Some(group), Some(samples)) = (&args.group, &samples) {
        report = lag::with_findings(report, group, samples);
    }
    match args.format {
        Format::Text => {
            if let (Some(servers), Some(facts)) = (&args.bootstrap_servers, probed) {
                print!("{}", summary::probed(servers, &facts));
            }
            if let (Some(group), Some(samples)) = (&args.group, &samples) {
                print!("{}", table::render(group, samples));
            }
            print!("{}", report.to_text());
        }
        Format::Json => {
            let group = args.group.as_deref().zip(samples.as_deref()).map(|(g, s)| {
                let facts = report.broker.as_ref().and_then(|b| b.group.as_ref());
                group_json::object(g, facts, s)
            });
            println!("{}", group_json::append(&report.to_json(), group));
        }
    }
    let failed = args
        .fail_on
        .threshold()
        .is_some_and(|t| report.findings.iter().any(|f| f.severity >= t));
    u8::from(failed)
}
