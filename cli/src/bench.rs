//! `steady bench`: consumer throughput of steady against a plain rdkafka poll loop, measured
//! in the same run on the same topic.
//!
//! One topic (12 partitions, 2,000,000 records of 100 bytes by default; produced once and
//! reused) is read in full from a fresh consumer group by each reader in turn — a plain
//! `BaseConsumer` poll loop, steady with `recv` + `ack` per record, steady with `recv_batch` +
//! `ack` — alternating, five runs each. A run's rate is records / time from the first record
//! to the last (group join and the first fetch are left out, they are the same for all).
//! Medians and steady/plain ratios are printed and written as JSON.

use crate::demo::topic;
use rdkafka::consumer::{BaseConsumer, Consumer as _};
use rdkafka::message::Message;
use rdkafka::ClientConfig;
use serde_json::json;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use steady_core::runtime::Consumer;
use steady_core::Settings;

/// Arguments of `steady bench`.
#[derive(clap::Args)]
pub struct Args {
    /// The broker, HOST:PORT.
    #[arg(long, value_name = "HOSTS", default_value = "127.0.0.1:19092")]
    bootstrap_servers: String,

    /// Where to write the results (JSON).
    #[arg(
        long,
        value_name = "FILE",
        default_value = "bench/results/throughput.json"
    )]
    out: PathBuf,

    /// Records in the topic.
    #[arg(long, value_name = "N", default_value_t = 2_000_000)]
    records: usize,

    /// Payload bytes per record.
    #[arg(long, value_name = "B", default_value_t = 100)]
    size: usize,

    /// Partitions of the topic.
    #[arg(long, value_name = "N", default_value_t = 12)]
    partitions: i32,

    /// Runs of each reader.
    #[arg(long, value_name = "N", default_value_t = 5)]
    runs: usize,

    /// Records steady's recv_batch asks for at once.
    #[arg(long, value_name = "N", default_value_t = 512)]
    batch: usize,
}

/// Runs `steady bench`; returns the process exit code.
pub fn run(args: Args) -> u8 {
    match bench(&args) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("steady bench: {e}");
            1
        }
    }
}

/// The readers compared, in the order they run within a round.
#[derive(Clone, Copy)]
enum Reader {
    Plain,
    SteadyRecv,
    SteadyBatch,
}

const READERS: [Reader; 3] = [Reader::Plain, Reader::SteadyRecv, Reader::SteadyBatch];

impl Reader {
    fn name(self) -> &'static str {
        match self {
            Reader::Plain => "plain_poll_loop",
            Reader::SteadyRecv => "steady_recv_ack",
            Reader::SteadyBatch => "steady_recv_batch_ack",
        }
    }
}

/// One timed read of the whole topic.
struct Run {
    /// Records per second, first record to last.
    rate: f64,
    /// Seconds from creating the consumer to the last record.
    total_s: f64,
}

fn bench(args: &Args) -> Result<(), String> {
    let name = format!(
        "steady-bench-{}x{}-p{}",
        args.records, args.size, args.partitions
    );
    prepare(args, &name)?;
    let mut runs: Vec<Vec<Run>> = READERS.iter().map(|_| Vec::new()).collect();
    for round in 1..=args.runs {
        for (i, reader) in READERS.iter().enumerate() {
            let run = read_all(args, &name, *reader)?;
            println!(
                "round {round}/{}: {:<22} {:>10.0} records/s ({:.2} s with the join)",
                args.runs,
                reader.name(),
                run.rate,
                run.total_s
            );
            runs[i].push(run);
        }
    }
    let medians: Vec<f64> = runs
        .iter()
        .map(|r| median(r.iter().map(|x| x.rate).collect()))
        .collect();
    let ratio = |i: usize| medians[i] / medians[0];
    println!("\nmedians of {} runs (records/s):", args.runs);
    for (i, reader) in READERS.iter().enumerate() {
        println!("  {:<22} {:>10.0}", reader.name(), medians[i]);
    }
    println!(
        "ratios to the plain loop: recv+ack {:.3}, recv_batch+ack {:.3}",
        ratio(1),
        ratio(2)
    );
    let readers: serde_json::Map<String, serde_json::Value> = READERS
        .iter()
        .enumerate()
        .map(|(i, reader)| {
            let rates: Vec<f64> = runs[i].iter().map(|r| r.rate.round()).collect();
            let totals: Vec<f64> = runs[i]
                .iter()
                .map(|r| (r.total_s * 1000.0).round() / 1000.0)
                .collect();
            (
                reader.name().to_string(),
                json!({"records_per_s": rates, "seconds_with_join": totals,
                       "median_records_per_s": medians[i].round()}),
            )
        })
        .collect();
    let result = json!({
        "topic": {"name": name, "partitions": args.partitions, "records": args.records,
                  "payload_bytes": args.size},
        "runs": args.runs,
        "recv_batch_max": args.batch,
        "rate": "records / seconds from the first record to the last",
        "readers": readers,
        "ratio_to_plain": {"steady_recv_ack": round3(ratio(1)),
                           "steady_recv_batch_ack": round3(ratio(2))},
        "machine": {"cpus": std::thread::available_parallelism().map_or(0, |n| n.get()),
                    "librdkafka": rdkafka::util::get_rdkafka_version().1},
        "measured_at_unix_s": SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()),
    });
    if let Some(dir) = args.out.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let text = serde_json::to_string_pretty(&result).map_err(|e| e.to_string())? + "\n";
    std::fs::write(&args.out, text).map_err(|e| format!("{}: {e}", args.out.display()))?;
    println!("written to {}", args.out.display());
    Ok(())
}

/// Creates and fills the topic unless it already holds the records.
fn prepare(args: &Args, name: &str) -> Result<(), String> {
    match topic::size(&args.bootstrap_servers, name)? {
        Some((partitions, records))
            if partitions == args.partitions && records == args.records as i64 =>
        {
            println!("reusing topic {name}: {records} records in {partitions} partitions");
            Ok(())
        }
        Some((partitions, records)) => Err(format!(
            "topic {name} exists with {records} records in {partitions} partitions; \
             delete it or use another broker"
        )),
        None => {
            println!(
                "creating topic {name} and producing {} records of {} bytes…",
                args.records, args.size
            );
            let start = Instant::now();
            topic::create(&args.bootstrap_servers, name, args.partitions)?;
            topic::produce(
                &args.bootstrap_servers,
                name,
                args.partitions,
                args.records,
                args.size,
            )?;
            println!("produced in {:.1} s", start.elapsed().as_secs_f64());
            Ok(())
        }
    }
}

/// Settings shared by every reader: a fresh group reading from the start.
fn settings(args: &Args) -> Settings {
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    Settings::from_pairs([
        ("bootstrap.servers", args.bootstrap_servers.clone()),
        ("group.id", format!("steady-bench-{stamp}")),
        ("auto.offset.reset", "earliest".to_string()),
    ])
}

/// Reads the whole topic once with `reader`.
fn read_all(args: &Args, topic: &str, reader: Reader) -> Result<Run, String> {
    let settings = settings(args);
    let total = args.records;
    let created = Instant::now();
    let mut first: Option<Instant> = None;
    let mut seen = 0usize;
    let mut bytes = 0usize;
    let deadline = Duration::from_secs(600);
    let mut count = |len: usize, seen: &mut usize| {
        first.get_or_insert_with(Instant::now);
        bytes += len;
        *seen += 1;
    };
    let end = match reader {
        Reader::Plain => {
            let mut config = ClientConfig::new();
            for (k, v) in settings.iter() {
                config.set(k, v);
            }
            let consumer: BaseConsumer = config.create().map_err(|e| e.to_string())?;
            consumer.subscribe(&[topic]).map_err(|e| e.to_string())?;
            while seen < total && created.elapsed() < deadline {
                if let Some(Ok(m)) = consumer.poll(Duration::from_millis(100)) {
                    count(m.payload().map_or(0, <[u8]>::len), &mut seen);
                }
            }
            Instant::now()
        }
        Reader::SteadyRecv | Reader::SteadyBatch => {
            let consumer = Consumer::new(&settings, &[topic]).map_err(|e| e.to_string())?;
            while seen < total && created.elapsed() < deadline {
                let records = match reader {
                    Reader::SteadyBatch => {
                        consumer.recv_batch(args.batch, Duration::from_millis(100))
                    }
                    _ => consumer
                        .recv(Duration::from_millis(100))
                        .map(|r| r.into_iter().collect()),
                }
                .map_err(|e| e.to_string())?;
                for r in records {
                    count(r.payload().map_or(0, <[u8]>::len), &mut seen);
                    r.ack().map_err(|e| e.to_string())?;
                }
            }
            let end = Instant::now();
            consumer.close().map_err(|e| e.to_string())?;
            end
        }
    };
    if seen < total {
        return Err(format!(
            "{} read {seen} of {total} records in 600 s",
            reader.name()
        ));
    }
    if bytes != total * args.size {
        return Err(format!("{} read {bytes} payload bytes", reader.name()));
    }
    let span = end.duration_since(first.unwrap_or(created)).as_secs_f64();
    Ok(Run {
        rate: total as f64 / span.max(1e-9),
        total_s: end.duration_since(created).as_secs_f64(),
    })
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => 0.0,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
