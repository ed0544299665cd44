//! `steady demo`: the same slow handler in a plain rdkafka poll loop and under steady, side by
//! side on a local broker, each in its own consumer group; then what the doctor says about
//! the plain loop's settings.
//!
//! The handler takes 100 ms per record, and 8 s for one record in ten — longer than
//! `max.poll.interval.ms` (7 s). A plain loop cannot poll while it handles, so librdkafka
//! makes the member leave the group, the group rebalances, and uncommitted records are
//! processed again. steady's poll thread keeps polling while the handler runs.

mod sides;
pub(crate) mod topic;

use sides::{Handler, Side};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use steady_core::rules::{self, ClientInfo, Heartbeat, Input, Workload};
use steady_core::settings::Dialect;
use steady_core::Settings;

/// Arguments of `steady demo`.
#[derive(clap::Args)]
pub struct Args {
    /// The broker to run against, HOST:PORT (e.g. the one `make demo` starts).
    #[arg(long, value_name = "HOSTS", default_value = "127.0.0.1:19092")]
    bootstrap_servers: String,

    /// How long the two groups run side by side, in seconds.
    #[arg(long, value_name = "S", default_value_t = 60)]
    seconds: u64,
}

const PARTITIONS: i32 = 4;
const PER_PARTITION: i64 = 10;
const MEMBERS: usize = 2;
const WORKERS: usize = 2;
const FAST: Duration = Duration::from_millis(100);
const SLOW: Duration = Duration::from_secs(8);
const GROUP_SETTINGS: &[(&str, &str)] = &[
    ("session.timeout.ms", "6000"),
    ("heartbeat.interval.ms", "2000"),
    ("max.poll.interval.ms", "7000"),
    ("auto.offset.reset", "earliest"),
];
const REPORT_EVERY: Duration = Duration::from_secs(5);

/// Offset 3 of every partition is slow: one record in ten.
fn is_slow(offset: i64) -> bool {
    offset % 10 == 3
}

/// Runs `steady demo`; returns the process exit code.
pub fn run(args: Args) -> u8 {
    match demo(&args) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("steady demo: {e}");
            1
        }
    }
}

fn demo(args: &Args) -> Result<(), String> {
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let name = format!("steady-demo-{}-{stamp}", std::process::id());
    let total = PARTITIONS as i64 * PER_PARTITION;
    println!(
        "steady demo — broker {}, topic {name}: {PARTITIONS} partitions, {total} records",
        args.bootstrap_servers
    );
    println!(
        "handler: {} ms per record, {} s for one record in ten; both groups: {}",
        FAST.as_millis(),
        SLOW.as_secs(),
        GROUP_SETTINGS
            .iter()
            .take(3)
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!(
        "plain poll loop: {MEMBERS} members, each poll → handle → poll · steady: {MEMBERS} \
         members, each with {WORKERS} threads doing recv → handle → ack\n"
    );
    topic::create(&args.bootstrap_servers, &name, PARTITIONS)?;

    let handler: Handler = Arc::new(|_, offset, stop: &AtomicBool| {
        let d = if is_slow(offset) { SLOW } else { FAST };
        let end = Instant::now() + d;
        while Instant::now() < end && !stop.load(std::sync::atomic::Ordering::Acquire) {
            std::thread::sleep(Duration::from_millis(20).min(end - Instant::now()));
        }
    });
    let group_settings = |side: &str| {
        let mut s = Settings::from_pairs(GROUP_SETTINGS.iter().copied());
        s.set("bootstrap.servers", &args.bootstrap_servers);
        s.set("group.id", format!("{name}-{side}"));
        s
    };
    let plain_settings = group_settings("plain");
    let steady = Side::steady(&group_settings("steady"), &name, MEMBERS, WORKERS, &handler)
        .map_err(|e| format!("steady consumer: {e}"))?;
    let plain = Side::plain(&plain_settings, &name, MEMBERS, &handler)?;

    let joined = Instant::now();
    while !(steady.formed() && plain.formed()) {
        if joined.elapsed() > Duration::from_secs(60) {
            return Err("the groups did not form within 60 s".into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let base = (plain.rebalances(), steady.rebalances());
    topic::produce(
        &args.bootstrap_servers,
        &name,
        PARTITIONS,
        total as usize,
        100,
    )?;

    println!("  time │ plain poll loop: rebalances processed duplicates │ steady: rebalances processed duplicates");
    let start = Instant::now();
    let deadline = start + Duration::from_secs(args.seconds);
    let line = |at: Duration| {
        println!(
            "{:>5.0} s │ {:>28} {:>9} {:>10} │ {:>18} {:>9} {:>10}",
            at.as_secs_f64(),
            plain.rebalances() - base.0,
            format!("{}/{total}", plain.tally.processed()),
            plain.tally.duplicates(),
            steady.rebalances() - base.1,
            format!("{}/{total}", steady.tally.processed()),
            steady.tally.duplicates(),
        );
    };
    let mut next = start + REPORT_EVERY;
    while Instant::now() < deadline {
        std::thread::sleep(next.min(deadline).saturating_duration_since(Instant::now()));
        line(start.elapsed());
        next += REPORT_EVERY;
    }
    let (plain_rebalances, steady_rebalances) =
        (plain.rebalances() - base.0, steady.rebalances() - base.1);
    let summary = |side: &str, rebalances: u64, tally: &sides::Tally| {
        println!(
            "  {side:<16} {rebalances:>3} rebalance callbacks, {:>3} of {total} records processed, \
             {:>3} processed twice or more",
            tally.processed(),
            tally.duplicates()
        )
    };
    println!("\nafter {} s:", args.seconds);
    summary("plain poll loop:", plain_rebalances, &plain.tally);
    summary("steady:", steady_rebalances, &steady.tally);
    plain.stop();
    steady.stop();

    println!("\nwhat `steady doctor` says about the plain loop's settings with this handler:\n");
    let slow_share = 1.0 / 10.0;
    let mean_ms =
        FAST.as_millis() as f64 * (1.0 - slow_share) + SLOW.as_millis() as f64 * slow_share;
    // What the broker is, when it answers the probe (the version-dependent rules need it).
    let broker = steady_core::broker::probe(
        &args.bootstrap_servers,
        &plain_settings,
        None,
        Duration::from_secs(10),
    )
    .ok();
    let report = rules::check(&Input {
        settings: plain_settings,
        broker,
        client: ClientInfo {
            dialect: Some(Dialect::Librdkafka),
            heartbeat: Some(Heartbeat::Decoupled),
            version: None,
        },
        workload: Workload {
            rate_per_thread: Some(1000.0 / mean_ms),
            threads: Some(1),
            record_ms_p50: Some(FAST.as_millis() as f64),
            record_ms_p99: Some(SLOW.as_millis() as f64),
            assigned_partitions: Some((PARTITIONS as usize / MEMBERS) as u32),
        },
        ..Input::default()
    });
    println!("{}", report.to_text());
    Ok(())
}
