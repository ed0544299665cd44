//! `steady bench-ordering`: records/s of each `steady.ordering` mode on parallel-consumer's
//! published setup — one partition of 10,000 records over 1,000 keys, 16 receiving threads, a
//! handler that sleeps a uniform 0–5 ms — next to the physical limit (threads ÷ mean handler
//! time: 6,400/s; for `partition`, one record at a time: 400/s) and parallel-consumer's own
//! figures for the same setup.
//!
//! Each round runs every mode once from a fresh group, alternating which goes first; a run's
//! rate is records ÷ time from the first delivery to the last ack. Medians are printed and
//! written as JSON.

use crate::bench::{median, round3};
use crate::demo::topic;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::ClientConfig;
use serde_json::json;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use steady_core::runtime::{Consumer, Error};
use steady_core::Settings;

/// parallel-consumer's published records/s for this setup (its README's benchmark table).
const PUBLISHED: [(&str, f64); 2] = [("partition", 450.0), ("key", 4_900.0)];

/// Arguments of `steady bench-ordering`.
#[derive(clap::Args)]
pub struct Args {
    /// The broker, HOST:PORT.
    #[arg(long, value_name = "HOSTS", default_value = "127.0.0.1:19092")]
    bootstrap_servers: String,

    /// Where to write the results (JSON).
    #[arg(
        long,
        value_name = "FILE",
        default_value = "bench/results/ordering-rust.json"
    )]
    out: PathBuf,

    /// Records in the topic (one partition).
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    records: usize,

    /// Distinct keys.
    #[arg(long, value_name = "N", default_value_t = 1_000)]
    keys: u64,

    /// Receiving threads.
    #[arg(long, value_name = "N", default_value_t = 16)]
    threads: usize,

    /// The handler sleeps a uniform 0..=this many ms.
    #[arg(long, value_name = "MS", default_value_t = 5)]
    max_ms: u64,

    /// Rounds (each mode once per round).
    #[arg(long, value_name = "N", default_value_t = 3)]
    rounds: usize,

    /// Modes to run (repeatable): unordered, partition, key.
    #[arg(long = "mode", value_name = "M", value_parser = ["unordered", "partition", "key"])]
    modes: Vec<String>,
}

/// Runs `steady bench-ordering`; returns the process exit code.
pub fn run(args: Args) -> u8 {
    match bench(&args) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("steady bench-ordering: {e}");
            1
        }
    }
}

/// A small deterministic generator (xorshift) for keys and handler times.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn bench(args: &Args) -> Result<(), String> {
    let modes: Vec<&str> = if args.modes.is_empty() {
        vec!["unordered", "partition", "key"]
    } else {
        args.modes.iter().map(String::as_str).collect()
    };
    let topic = format!("steady-bench-ordering-{}x{}", args.records, args.keys);
    ensure_topic(args, &topic)?;
    let mean_s = args.max_ms as f64 / 2.0 / 1000.0;
    let limit = args.threads as f64 / mean_s;
    // One partition in `partition` order: one record at a time, whatever the threads.
    let limit_of = |mode: &str| {
        if mode == "partition" {
            1.0 / mean_s
        } else {
            limit
        }
    };
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); modes.len()];
    for round in 0..args.rounds {
        for i in 0..modes.len() {
            let m = (i + round) % modes.len();
            let rate = run_once(args, &topic, modes[m])?;
            eprintln!("round {} {:>9}: {rate:>8.0} records/s", round + 1, modes[m]);
            rates[m].push(rate);
        }
    }
    println!(
        "{} records, 1 partition, {} keys, {} threads, handler 0-{} ms: limit {limit:.0}/s",
        args.records, args.keys, args.threads, args.max_ms
    );
    println!("| mode | records/s (median) | its limit | of the limit | parallel-consumer |");
    println!("|---|---:|---:|---:|---:|");
    let mut results = Vec::new();
    for (mode, runs) in modes.iter().zip(&rates) {
        let rate = median(runs.clone());
        let published = PUBLISHED.iter().find(|p| p.0 == *mode).map(|p| p.1);
        let own = limit_of(mode);
        println!(
            "| {mode} | {rate:.0} | {own:.0} | {:.2} | {} |",
            rate / own,
            published.map_or("—".to_string(), |p| format!("{p:.0}"))
        );
        results.push(json!({
            "mode": mode, "rate_median": round3(rate), "runs": runs, "limit": round3(own),
            "of_limit": round3(rate / own), "parallel_consumer_published": published,
        }));
    }
    let started = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let doc = json!({
        "benchmark": "ordering", "language": "rust", "records": args.records,
        "keys": args.keys, "partitions": 1, "threads": args.threads,
        "handler_ms": [0, args.max_ms], "limit": round3(limit), "rounds": args.rounds,
        "finished_unix": started.as_secs(), "results": results,
    });
    if let Some(dir) = args.out.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let text = serde_json::to_string_pretty(&doc).expect("json");
    std::fs::write(&args.out, text + "\n").map_err(|e| format!("{}: {e}", args.out.display()))
}

/// Creates and fills the topic unless it holds the records already.
fn ensure_topic(args: &Args, topic: &str) -> Result<(), String> {
    let bootstrap = &args.bootstrap_servers;
    match topic::size(bootstrap, topic)? {
        Some((1, n)) if n == args.records as i64 => return Ok(()),
        Some(other) => {
            return Err(format!(
                "topic {topic} exists with {other:?} (partitions, records)"
            ))
        }
        None => topic::create(bootstrap, topic, 1)?,
    }
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("linger.ms", "20")
        .create()
        .map_err(|e| format!("producer: {e}"))?;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let payload = vec![b'x'; 100];
    for _ in 0..args.records {
        let key = format!("k{}", rng.next() % args.keys);
        let mut record = BaseRecord::to(topic)
            .partition(0)
            .key(&key)
            .payload(&payload);
        while let Err((_, back)) = producer.send(record) {
            producer.poll(Duration::from_millis(10));
            record = back;
        }
    }
    producer
        .flush(Duration::from_secs(60))
        .map_err(|e| format!("flush: {e}"))
}

/// Reads the whole topic once in `mode`; returns records/s from the first delivery to the
/// last ack.
fn run_once(args: &Args, topic: &str, mode: &str) -> Result<f64, String> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    let settings = Settings::from_pairs([
        ("bootstrap.servers", args.bootstrap_servers.as_str()),
        ("group.id", &format!("steady-bench-ordering-{nanos}")),
        ("auto.offset.reset", "earliest"),
        ("steady.ordering", mode),
    ]);
    let consumer = Arc::new(Consumer::new(&settings, &[topic]).map_err(|e| e.to_string())?);
    let acked = Arc::new(AtomicUsize::new(0));
    let first = Arc::new(std::sync::OnceLock::<Instant>::new());
    let workers: Vec<_> = (0..args.threads as u64)
        .map(|t| {
            let (consumer, acked, first) = (consumer.clone(), acked.clone(), first.clone());
            let (records, max_us) = (args.records, args.max_ms * 1000);
            std::thread::spawn(move || -> Result<Instant, Error> {
                let mut rng = Rng(t * 7919 + 1);
                loop {
                    if let Some(r) = consumer.recv(Duration::from_millis(100))? {
                        first.get_or_init(Instant::now);
                        std::thread::sleep(Duration::from_micros(rng.next() % (max_us + 1)));
                        r.ack()?;
                        if acked.fetch_add(1, Ordering::AcqRel) + 1 == records {
                            return Ok(Instant::now());
                        }
                    }
                    if acked.load(Ordering::Acquire) >= records {
                        return Ok(Instant::now());
                    }
                }
            })
        })
        .collect();
    let mut last = None;
    for w in workers {
        let end = w.join().map_err(|_| "a worker panicked".to_string())?;
        let end = end.map_err(|e| format!("{mode}: {e}"))?;
        last = Some(last.map_or(end, |l: Instant| l.min(end)));
    }
    consumer.close().map_err(|e| e.to_string())?;
    let span = last.expect("workers ran") - *first.get().expect("a record arrived");
    Ok(args.records as f64 / span.as_secs_f64())
}
