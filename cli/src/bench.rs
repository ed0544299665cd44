//! `steady bench`: consumer throughput of steady against a plain rdkafka poll loop, measured
//! in the same run on the same topic.
//!
//! One topic (12 partitions, 2,000,000 records of 100 bytes by default; produced once and
//! reused) is read in full from a fresh consumer group by each reader in turn — a plain
//! `BaseConsumer` poll loop, steady with `recv` + `ack` per record, steady with `recv_batch` +
//! `ack`, steady with `recv` + `ack` and `steady.metrics.enable=false` (what the per-record
//! metrics cost), and for information a plain loop that reads only payloads — alternating, five runs
//! each, each round starting one reader later than the one before. Every reader reads the
//! key, payload, headers and timestamp of every record (what a steady record carries), except
//! the payload-only one. A run's rate is records / time from the first record to the last
//! (group join and the first fetch are left out, they are the same for all); its CPU cost is
//! this process's CPU time (all threads) per record. Medians and steady/plain ratios are
//! printed and written as JSON.

use crate::demo::topic;
use rdkafka::consumer::{BaseConsumer, Consumer as _};
use rdkafka::message::{Headers, Message};
use rdkafka::ClientConfig;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use steady_core::runtime::{Consumer, Record};
use steady_core::settings::STEADY_DEFAULTS;
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

    /// Run only these readers (plain, recv, batch, plain-payload, recv-metrics-off;
    /// repeatable), e.g. to
    /// profile one; the results file is then not written.
    #[arg(long = "reader", value_name = "R",
          value_parser = ["plain", "recv", "batch", "plain-payload", "recv-metrics-off"])]
    readers: Vec<String>,

    /// A consumer setting for every reader (repeatable), e.g. to compare librdkafka tunings.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,

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

/// The readers, in the order they run within the first round.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reader {
    /// A plain poll loop reading every field a steady record carries: the reference.
    Plain,
    SteadyRecv,
    SteadyBatch,
    /// A plain poll loop reading only the payload (no key, headers or timestamp), for
    /// information: see bench/README.md.
    PlainPayload,
    /// `SteadyRecv` with `steady.metrics.enable=false`: what the per-record metrics cost.
    SteadyRecvMetricsOff,
}

const READERS: [Reader; 5] = [
    Reader::Plain,
    Reader::SteadyRecv,
    Reader::SteadyBatch,
    Reader::PlainPayload,
    Reader::SteadyRecvMetricsOff,
];

impl Reader {
    fn short(self) -> &'static str {
        match self {
            Reader::Plain => "plain",
            Reader::SteadyRecv => "recv",
            Reader::SteadyBatch => "batch",
            Reader::PlainPayload => "plain-payload",
            Reader::SteadyRecvMetricsOff => "recv-metrics-off",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Reader::Plain => "plain_poll_loop",
            Reader::SteadyRecv => "steady_recv_ack",
            Reader::SteadyBatch => "steady_recv_batch_ack",
            Reader::PlainPayload => "plain_poll_loop_payload_only",
            Reader::SteadyRecvMetricsOff => "steady_recv_ack_metrics_off",
        }
    }
}

/// One timed read of the whole topic.
struct Run {
    /// Records per second, first record to last.
    rate: f64,
    /// Seconds from creating the consumer to the last record.
    total_s: f64,
    /// CPU time of this process (every thread, librdkafka's included) per record, µs.
    cpu_us: f64,
}

/// The runs of one reader.
struct Series {
    reader: Reader,
    runs: Vec<Run>,
}

impl Series {
    fn median_rate(&self) -> f64 {
        median(self.runs.iter().map(|r| r.rate).collect())
    }

    fn median_cpu_us(&self) -> f64 {
        median(self.runs.iter().map(|r| r.cpu_us).collect())
    }

    fn to_json(&self) -> Value {
        let rates: Vec<f64> = self.runs.iter().map(|r| r.rate.round()).collect();
        let totals: Vec<f64> = self.runs.iter().map(|r| round3(r.total_s)).collect();
        let cpu: Vec<f64> = self.runs.iter().map(|r| round3(r.cpu_us)).collect();
        json!({"records_per_s": rates, "median_records_per_s": self.median_rate().round(),
               "cpu_us_per_record": cpu, "median_cpu_us_per_record": round3(self.median_cpu_us()),
               "seconds_with_join": totals})
    }
}

fn bench(args: &Args) -> Result<(), String> {
    let name = format!(
        "steady-bench-{}x{}-p{}",
        args.records, args.size, args.partitions
    );
    prepare(args, &name)?;
    let chosen =
        |r: &Reader| args.readers.is_empty() || args.readers.iter().any(|s| s == r.short());
    let mut series: Vec<Series> = READERS
        .into_iter()
        .filter(chosen)
        .map(|reader| Series {
            reader,
            runs: Vec::new(),
        })
        .collect();
    for round in 1..=args.runs {
        // Each round starts one reader later, so that no reader always runs in the wake of
        // the same one (the broker's clean-up after a group, its garbage collection).
        let n = series.len();
        for i in 0..n {
            let s = &mut series[(i + round - 1) % n];
            let run = read_all(args, &name, s.reader)?;
            println!(
                "round {round}/{}: {:<30} {:>9.0} records/s, {:.2} µs CPU per record \
                 ({:.1} s with the join)",
                args.runs,
                s.reader.name(),
                run.rate,
                run.cpu_us,
                run.total_s
            );
            s.runs.push(run);
        }
    }
    println!("\nmedians of {} runs:", args.runs);
    for s in &series {
        println!(
            "  {:<30} {:>9.0} records/s, {:.2} µs CPU per record",
            s.reader.name(),
            s.median_rate(),
            s.median_cpu_us()
        );
    }
    if series.len() < READERS.len() {
        return Ok(());
    }
    let [plain, recv, batch, payload, metrics_off] = &series[..] else {
        unreachable!("one series per reader");
    };
    let ratios = |base: &Series| {
        json!({"steady_recv_ack": round3(recv.median_rate() / base.median_rate()),
               "steady_recv_batch_ack": round3(batch.median_rate() / base.median_rate())})
    };
    let (to_plain, to_payload) = (ratios(plain), ratios(payload));
    println!("steady / plain poll loop (same fields read): {to_plain}");
    println!("steady / plain poll loop reading the payload only: {to_payload}");
    let metrics_cost = round3(recv.median_rate() / metrics_off.median_rate());
    println!("steady with its per-record metrics / without them: {metrics_cost}");
    let result = json!({
        "topic": {"name": name, "partitions": args.partitions, "records": args.records,
                  "payload_bytes": args.size},
        "runs": args.runs,
        "recv_batch_max": args.batch,
        "settings": {
            "every_reader": args.set,
            "steady_readers_unless_set": STEADY_DEFAULTS.iter()
                .map(|(k, v)| (k.to_string(), Value::from(*v)))
                .collect::<serde_json::Map<String, Value>>(),
        },
        "rate": "records / seconds from the first record to the last",
        "cpu": "CPU time of the benchmark process (all threads) per record",
        "fields_read": "key, payload, headers, timestamp of every record \
                        (payload only for plain_poll_loop_payload_only)",
        "readers": series.iter().map(|s| (s.reader.name().to_string(), s.to_json()))
            .collect::<serde_json::Map<String, Value>>(),
        "ratio_to_plain": to_plain,
        "ratio_to_plain_payload_only": to_payload,
        "ratio_metrics_on_to_off": metrics_cost,
        "machine": {"cpus": std::thread::available_parallelism().map_or(0, |n| n.get()),
                    "librdkafka": rdkafka::util::get_rdkafka_version().1},
        "measured_at_unix_s": unix_time().as_secs(),
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
    let servers = &args.bootstrap_servers;
    match topic::size(servers, name)? {
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
            topic::create(servers, name, args.partitions)?;
            topic::produce(servers, name, args.partitions, args.records, args.size)?;
            println!("produced in {:.1} s", start.elapsed().as_secs_f64());
            Ok(())
        }
    }
}

/// What a reader saw of the records' fields.
#[derive(Default)]
struct Seen {
    records: usize,
    payload_bytes: usize,
    key_bytes: usize,
    headers: usize,
    timestamps: usize,
    first: Option<Instant>,
}

impl Seen {
    fn note(
        &mut self,
        key: Option<&[u8]>,
        payload: Option<&[u8]>,
        headers: usize,
        timestamp: Option<i64>,
    ) {
        self.first.get_or_insert_with(Instant::now);
        self.records += 1;
        self.payload_bytes += payload.map_or(0, <[u8]>::len);
        self.key_bytes += key.map_or(0, <[u8]>::len);
        self.headers += headers;
        self.timestamps += usize::from(timestamp.is_some());
    }
}

/// Reads the whole topic once with `reader`, from a fresh group.
fn read_all(args: &Args, topic: &str, reader: Reader) -> Result<Run, String> {
    let mut settings = Settings::from_pairs([
        ("bootstrap.servers", args.bootstrap_servers.clone()),
        (
            "group.id",
            format!("steady-bench-{}", unix_time().as_nanos()),
        ),
        ("auto.offset.reset", "earliest".to_string()),
    ]);
    for pair in &args.set {
        settings.set_pair(pair).map_err(|e| e.to_string())?;
    }
    let total = args.records;
    let deadline = Duration::from_secs(600);
    let timeout = Duration::from_millis(100);
    let cpu_before = cpu_time();
    let created = Instant::now();
    let mut seen = Seen::default();
    let end = match reader {
        Reader::Plain | Reader::PlainPayload => {
            let mut config = ClientConfig::new();
            for (k, v) in settings.iter() {
                config.set(k, v);
            }
            let consumer: BaseConsumer = config.create().map_err(|e| e.to_string())?;
            consumer.subscribe(&[topic]).map_err(|e| e.to_string())?;
            while seen.records < total && created.elapsed() < deadline {
                match consumer.poll(timeout) {
                    Some(Ok(m)) if reader == Reader::Plain => {
                        let headers = m.headers().map_or(0, |h| h.count());
                        seen.note(m.key(), m.payload(), headers, m.timestamp().to_millis());
                    }
                    Some(Ok(m)) => seen.note(None, m.payload(), 0, None),
                    _ => {}
                }
            }
            Instant::now()
        }
        Reader::SteadyRecv | Reader::SteadyBatch | Reader::SteadyRecvMetricsOff => {
            if reader == Reader::SteadyRecvMetricsOff {
                settings.set("steady.metrics.enable", "false");
            }
            let consumer = Consumer::new(&settings, &[topic]).map_err(|e| e.to_string())?;
            let take = |r: Record, seen: &mut Seen| {
                seen.note(r.key(), r.payload(), r.headers().len(), r.timestamp());
                r.ack().map_err(|e| e.to_string())
            };
            while seen.records < total && created.elapsed() < deadline {
                if reader == Reader::SteadyBatch {
                    let batch = consumer
                        .recv_batch(args.batch, timeout)
                        .map_err(|e| e.to_string())?;
                    for r in batch {
                        take(r, &mut seen)?;
                    }
                } else if let Some(r) = consumer.recv(timeout).map_err(|e| e.to_string())? {
                    take(r, &mut seen)?;
                }
            }
            let end = Instant::now();
            let pauses = consumer.stats().backpressure_pauses;
            if pauses > 0 {
                println!("  ({} paused its partitions {pauses} times)", reader.name());
            }
            consumer.close().map_err(|e| e.to_string())?;
            end
        }
    };
    let name = reader.name();
    if seen.records < total {
        return Err(format!(
            "{name} read {} of {total} records in 600 s",
            seen.records
        ));
    }
    if seen.payload_bytes != total * args.size {
        return Err(format!("{name} read {} payload bytes", seen.payload_bytes));
    }
    if reader != Reader::PlainPayload && (seen.key_bytes == 0 || seen.timestamps != total) {
        return Err(format!("{name} missed keys or timestamps"));
    }
    let span = end.duration_since(seen.first.unwrap_or(created));
    Ok(Run {
        rate: total as f64 / span.as_secs_f64().max(1e-9),
        total_s: end.duration_since(created).as_secs_f64(),
        cpu_us: (cpu_time() - cpu_before).as_secs_f64() * 1e6 / total as f64,
    })
}

/// CPU time this process used so far (user + system), from /proc/self/stat.
fn cpu_time() -> Duration {
    // utime and stime are fields 14 and 15, in clock ticks of 10 ms (USER_HZ = 100); the
    // command name before them is in parentheses and may contain spaces.
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit(')').next().unwrap_or_default();
    let ticks: u64 = after_name
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|f| f.parse::<u64>().ok())
        .sum();
    Duration::from_millis(ticks * 10)
}

fn unix_time() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

/// The median of `values` (0 when empty).
pub(crate) fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => 0.0,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// `x` rounded to three decimals.
pub(crate) fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
