//! The soak (`make soak`, not part of `make test`): the slow-handler workload on the
//! three-broker cluster for `STEADY_SOAK_MINUTES` (20) minutes, with member churn and broker
//! restarts, four member processes of eight handler threads each. Two members run the whole
//! time; the other two are replaced in turn every 90 s (closed, a new process started); one
//! broker is restarted every 4 minutes. A record in 500 takes 12 s, longer than
//! `max.poll.interval.ms` (10 s); the others 4 ms. At the end: every record produced was
//! handled, the committed offsets are the end of every partition, no member lost its
//! partitions (what a slow handler does to a plain loop), and the resident memory of the two
//! long-lived members is flat after warm-up. The curve is printed and written to
//! `bench/results/soak.json` (or `STEADY_SOAK_OUT`).

#[path = "common/broker.rs"]
mod broker;
#[path = "common/cluster.rs"]
mod cluster;
#[path = "common/events.rs"]
mod events;
#[path = "common/runtime.rs"]
mod runtime;

use parking_lot::Mutex;
use runtime::{committed, produce_at_rate, rss_bytes_of, settings, wait_until, Ledger};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use steady_core::runtime::{Consumer, Error, EventKind};

const PARTITIONS: i32 = 12;
const MEMBERS: usize = 4;
/// Members 0 and 1 live the whole soak; the others are replaced in turn.
const ANCHORS: usize = 2;
const THREADS: usize = 8;
const RATE_PER_SECOND: u64 = 500;
const CHURN_EVERY: Duration = Duration::from_secs(90);
const RESTART_EVERY: Duration = Duration::from_secs(240);
const SAMPLE_EVERY: Duration = Duration::from_secs(10);
const GROUP_SETTINGS: &[(&str, &str)] = &[
    ("session.timeout.ms", "10000"),
    ("max.poll.interval.ms", "10000"),
    ("heartbeat.interval.ms", "3000"),
    ("steady.events.enable", "true"),
];
const DRAIN: Duration = Duration::from_secs(300);

/// The handler: 12 s for one record in 500, 4 ms for the others.
fn handle(offset: i64) {
    let slow = offset % 500 == 7;
    std::thread::sleep(Duration::from_millis(if slow { 12_000 } else { 4 }));
}

/// The member process: prints `done PARTITION OFFSET` for each record handled (before its
/// ack), `event KIND` for each event and `error …` for each error `recv` returns, until its
/// standard input closes; then closes and prints `stats JSON`.
#[test]
#[ignore = "a member process of soak"]
fn soak_member() {
    let (Ok(bootstrap), Ok(topic), Ok(group)) = (
        std::env::var("STEADY_SOAK_BOOTSTRAP"),
        std::env::var("STEADY_SOAK_TOPIC"),
        std::env::var("STEADY_SOAK_GROUP"),
    ) else {
        return;
    };
    let out = Arc::new(Mutex::new(std::io::stdout()));
    let consumer = Arc::new(
        Consumer::new(&settings(&bootstrap, &group, GROUP_SETTINGS), &[&topic])
            .expect("member consumer"),
    );
    // Its own threads rather than the tests' `Workers`, whose ledger would keep every record
    // in the member's memory: what the soak measures.
    let threads: Vec<_> = (0..THREADS)
        .map(|_| {
            let (consumer, out) = (consumer.clone(), out.clone());
            std::thread::spawn(move || loop {
                match consumer.recv(Duration::from_millis(100)) {
                    Ok(Some(r)) => {
                        handle(r.offset());
                        let _ = writeln!(out.lock(), "done {} {}", r.partition(), r.offset());
                        let _ = r.ack();
                    }
                    Ok(None) => {}
                    Err(Error::Closed) => return,
                    Err(e) => {
                        let _ = writeln!(out.lock(), "error {e}");
                    }
                }
            })
        })
        .collect();
    let printer = out.clone();
    let recorder = events::Recorder::start(consumer.clone(), move |e| {
        let _ = writeln!(printer.lock(), "event {:?}", e.kind());
    });
    let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut Vec::new());
    let stats = consumer.stats().to_json();
    consumer.close().expect("close");
    for t in threads {
        t.join().expect("handler thread");
    }
    recorder.finish();
    let _ = writeln!(out.lock(), "stats {stats}");
}

/// One member process and what it reported.
struct Member {
    child: Child,
    started: Instant,
    lost_events: Arc<AtomicU64>,
    rebalance_events: Arc<AtomicU64>,
    reader: std::thread::JoinHandle<()>,
}

impl Member {
    fn start(bootstrap: &str, topic: &str, group: &str, ledger: &Ledger) -> Member {
        let mut child = Command::new(std::env::current_exe().expect("test binary"))
            .args(["--exact", "soak_member", "--ignored", "--nocapture"])
            .env("STEADY_SOAK_BOOTSTRAP", bootstrap)
            .env("STEADY_SOAK_TOPIC", topic)
            .env("STEADY_SOAK_GROUP", group)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("member process");
        let (lost_events, rebalance_events) = <(Arc<AtomicU64>, Arc<AtomicU64>)>::default();
        let out = child.stdout.take().expect("member stdout");
        let (ledger, lost, rebalances) = (
            ledger.clone(),
            lost_events.clone(),
            rebalance_events.clone(),
        );
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("done ") {
                    let (p, o) = rest.split_once(' ').expect("done PARTITION OFFSET");
                    ledger.note(p.parse().expect("partition"), o.parse().expect("offset"));
                } else if let Some(kind) = line.strip_prefix("event ") {
                    if kind == format!("{:?}", EventKind::Lost) {
                        lost.fetch_add(1, Ordering::Relaxed);
                    }
                    if [EventKind::Assigned, EventKind::Revoked, EventKind::Lost]
                        .iter()
                        .any(|k| kind == format!("{k:?}"))
                    {
                        rebalances.fetch_add(1, Ordering::Relaxed);
                    }
                } else if let Some(error) = line.strip_prefix("error ") {
                    println!("soak: a member's recv: {error}");
                } else if let Some(stats) = line.strip_prefix("stats ") {
                    let stats: serde_json::Value = serde_json::from_str(stats).expect("stats");
                    let figures: Vec<String> = ["delivered", "acked", "rebalances", "stalls"]
                        .iter()
                        .map(|k| format!("{k} {}", stats[k]))
                        .collect();
                    println!("soak: a member closed: {}", figures.join(", "));
                }
            }
        });
        Member {
            child,
            started: Instant::now(),
            lost_events,
            rebalance_events,
            reader,
        }
    }

    /// Resident memory in MiB, from /proc.
    fn rss_mib(&self) -> Option<f64> {
        rss_bytes_of(&self.child.id().to_string()).map(|b| b as f64 / (1024.0 * 1024.0))
    }

    /// Closes the member (its standard input ends) and waits for it; returns its lost and
    /// rebalance events.
    fn stop(mut self) -> (u64, u64) {
        drop(self.child.stdin.take());
        let status = self.child.wait().expect("member exit");
        self.reader.join().expect("member reader");
        assert!(status.success(), "a member exited with {status}");
        (
            self.lost_events.load(Ordering::Relaxed),
            self.rebalance_events.load(Ordering::Relaxed),
        )
    }
}

#[test]
#[ignore = "the soak: make soak"]
fn soak() {
    let minutes: u64 = std::env::var("STEADY_SOAK_MINUTES")
        .ok()
        .map(|m| m.parse().expect("STEADY_SOAK_MINUTES: a number of minutes"))
        .unwrap_or(20);
    let length = Duration::from_secs(minutes * 60);
    let bootstrap = cluster::start();
    let topic = broker::unique("soak");
    cluster::create_topic(&topic, PARTITIONS as u32);
    let group = broker::unique("soak");
    let ledger = Ledger::default();
    let stop = Arc::new(AtomicBool::new(false));
    let production = {
        let (b, t, s) = (bootstrap.clone(), topic.clone(), stop.clone());
        std::thread::spawn(move || produce_at_rate(&b, &t, PARTITIONS, RATE_PER_SECOND, &s))
    };
    let mut members: Vec<Member> = (0..MEMBERS)
        .map(|_| Member::start(&bootstrap, &topic, &group, &ledger))
        .collect();
    let (mut lost, mut rebalances, mut churned, mut restarts) = (0u64, 0u64, 0usize, 0u32);
    let mut curve: Vec<(u64, Vec<f64>)> = Vec::new();
    let start = Instant::now();
    let (mut next_churn, mut next_restart, mut next_sample) =
        (CHURN_EVERY, RESTART_EVERY, Duration::ZERO);
    while start.elapsed() < length {
        let now = start.elapsed();
        if now >= next_sample {
            let rss: Vec<f64> = members.iter().map(|m| m.rss_mib().unwrap_or(0.0)).collect();
            println!(
                "soak: {:>5} s, {} records handled, RSS MiB {rss:.1?}",
                now.as_secs(),
                ledger.distinct()
            );
            curve.push((now.as_secs(), rss));
            next_sample += SAMPLE_EVERY;
        }
        if now >= next_churn {
            let slot = ANCHORS + churned % (MEMBERS - ANCHORS);
            let fresh = Member::start(&bootstrap, &topic, &group, &ledger);
            let old = std::mem::replace(&mut members[slot], fresh);
            println!(
                "soak: member {slot} replaced after {:.0?}",
                old.started.elapsed()
            );
            let (l, r) = old.stop();
            (lost, rebalances) = (lost + l, rebalances + r);
            churned += 1;
            next_churn += CHURN_EVERY;
        }
        if now >= next_restart {
            let id = restarts % cluster::BROKERS + 1;
            let took = Instant::now();
            cluster::broker("restart", id);
            println!("soak: broker {id} restarted in {:.1?}", took.elapsed());
            restarts += 1;
            next_restart += RESTART_EVERY;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    stop.store(true, Ordering::Release);
    let produced = production.join().expect("producer");
    let total: i64 = produced.iter().sum();
    wait_until("every record produced handled", DRAIN, || {
        ledger.distinct() as i64 >= total
    });
    for m in members {
        let (l, r) = m.stop();
        (lost, rebalances) = (lost + l, rebalances + r);
    }
    let offsets = committed(&bootstrap, &group, &topic, PARTITIONS);

    let anchors = anchor_growth(&curve, length);
    println!(
        "soak: {minutes} min, {total} records, {} duplicates, {churned} members replaced, \
         {restarts} broker restarts, {rebalances} rebalance events, {lost} lost-partition \
         events; anchor RSS after warm-up → end: {anchors:.1?} MiB",
        ledger.duplicates()
    );
    write_results(
        minutes,
        total,
        ledger.duplicates(),
        churned,
        restarts,
        lost,
        &curve,
    );
    assert_eq!(
        offsets, produced,
        "the committed offsets are the end of every partition"
    );
    assert_eq!(lost, 0, "no member lost its partitions to a slow handler");
    for (warm, end) in anchors {
        assert!(
            end <= warm * 1.25 + 8.0,
            "a long-lived member's RSS grew from {warm:.1} MiB to {end:.1} MiB after warm-up"
        );
    }
}

/// Per long-lived member: its mean RSS in the second quarter of the soak (after warm-up) and
/// in the last quarter.
fn anchor_growth(curve: &[(u64, Vec<f64>)], length: Duration) -> Vec<(f64, f64)> {
    let quarter = length.as_secs() / 4;
    let mean = |from: u64, to: u64, member: usize| {
        let xs: Vec<f64> = curve
            .iter()
            .filter(|(t, _)| (from..to).contains(t))
            .map(|(_, rss)| rss[member])
            .collect();
        xs.iter().sum::<f64>() / xs.len().max(1) as f64
    };
    (0..ANCHORS)
        .map(|m| {
            (
                mean(quarter, 2 * quarter, m),
                mean(3 * quarter, 4 * quarter + 1, m),
            )
        })
        .collect()
}

/// The figures and the RSS curve as JSON.
fn write_results(
    minutes: u64,
    records: i64,
    duplicates: u64,
    churned: usize,
    restarts: u32,
    lost: u64,
    curve: &[(u64, Vec<f64>)],
) {
    let path = std::env::var("STEADY_SOAK_OUT")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| broker::repo_root().join("bench/results/soak.json"));
    let json = serde_json::json!({
        "minutes": minutes,
        "records": records,
        "duplicates": duplicates,
        "members_replaced": churned,
        "broker_restarts": restarts,
        "lost_partition_events": lost,
        "rss_mib": curve.iter().map(|(t, rss)| serde_json::json!({"second": t, "members": rss})).collect::<Vec<_>>(),
    });
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&json).expect("json") + "\n",
    )
    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    println!("soak: results in {}", path.display());
}
