//! `steady`: the doctor (rule checks), the demo and the benchmarks.

mod bench;
mod bench_ordering;
mod demo;
mod doctor;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Keeps Kafka consumer groups from rebalancing over and over.
#[derive(Parser)]
#[command(name = "steady", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a consumer's settings, client, broker and workload for what makes groups rebalance.
    Doctor(doctor::Args),
    /// Show a slow handler under a plain poll loop and under steady, side by side.
    Demo(demo::Args),
    /// Measure steady's throughput against a plain rdkafka poll loop.
    Bench(bench::Args),
    /// Measure records/s of each steady.ordering mode with slow handlers on many threads.
    BenchOrdering(bench_ordering::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let code = match cli.command {
        Command::Doctor(args) => doctor::run(args),
        Command::Demo(args) => demo::run(args),
        Command::Bench(args) => bench::run(args),
        Command::BenchOrdering(args) => bench_ordering::run(args),
    };
    ExitCode::from(code)
}
