//! The rolling deploy (`make bench-deploy`, not part of `make test`): twelve member processes of
//! one group on the three-broker cluster, restarted one by one as a deployment restarts them
//! (closed, started again two seconds later, the next one once the group is calm), while
//! records flow and every record takes 10 ms. Run with and without static membership
//! (`group.instance.id` per member), under cooperative-sticky (classic protocol) and KIP-848
//! (`group.protocol=consumer`), for steady and for a plain rdkafka poll loop with the same
//! handler. Reported per run: the rebalance rounds the restarts caused (per restart, the most
//! any member not being restarted took part in), the partitions those members gained or gave
//! up, the longest time any partition had no live owner, the records handled twice, and the
//! records still unhandled two minutes after the last was produced. The table is printed and
//! written to `bench/results/deploy.json` (or `STEADY_DEPLOY_OUT`);
//! `STEADY_DEPLOY_ONLY=steady,static,consumer` (runs with all of the words) narrows the runs.

#[path = "common/broker.rs"]
mod broker;
#[path = "common/cluster.rs"]
mod cluster;
#[path = "common/events.rs"]
mod events;
#[path = "common/runtime.rs"]
mod runtime;

use parking_lot::Mutex;
use rdkafka::client::ClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer as _, ConsumerContext, Rebalance};
use rdkafka::message::Message as _;
use runtime::{plain_config, produce_at_rate, settings, wait_until, Ledger};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use steady_core::runtime::{Consumer, Error, EventKind};

const MEMBERS: usize = 12;
const PARTITIONS: i32 = 24;
/// Handler threads of a steady member (a plain member handles on its poll thread).
const THREADS: usize = 2;
const HANDLER: Duration = Duration::from_millis(10);
const RATE_PER_SECOND: u64 = 200;
/// From a member's exit to the start of its replacement.
const GAP: Duration = Duration::from_secs(2);
/// The group is calm once every partition has an owner and nothing changed for this long.
const CALM: Duration = Duration::from_secs(3);
const WAIT: Duration = Duration::from_secs(240);
/// How long the members have to handle the last records once the producer stopped.
const DRAIN: Duration = Duration::from_secs(120);

/// One run's configuration.
#[derive(Clone, Copy, Debug)]
struct Run {
    steady: bool,
    static_ids: bool,
    kip848: bool,
}

impl Run {
    fn name(&self) -> String {
        format!(
            "{} {} {}",
            if self.steady { "steady" } else { "plain" },
            if self.static_ids { "static" } else { "dynamic" },
            if self.kip848 {
                "consumer"
            } else {
                "cooperative-sticky"
            }
        )
    }

    /// The group's settings for member `slot`, as `key=value` lines.
    fn settings(&self, slot: usize, group: &str) -> String {
        let mut pairs = if self.kip848 {
            vec![("group.protocol".to_string(), "consumer".to_string())]
        } else {
            [
                ("group.protocol", "classic"),
                ("partition.assignment.strategy", "cooperative-sticky"),
                ("session.timeout.ms", "30000"),
                ("heartbeat.interval.ms", "3000"),
            ]
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .to_vec()
        };
        if self.static_ids {
            pairs.push(("group.instance.id".into(), format!("{group}-member-{slot}")));
        }
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Milliseconds since the epoch: the members' clock, shared on one machine.
fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_millis() as u64
}

/// A line of the member's output: `assigned|revoked|lost MS P,P…` (none for no partitions).
fn change(out: &Mutex<std::io::Stdout>, kind: &str, partitions: impl Iterator<Item = i32>) {
    let list: Vec<String> = partitions.map(|p| p.to_string()).collect();
    if !list.is_empty() {
        let _ = writeln!(out.lock(), "{kind} {} {}", now_ms(), list.join(","));
    }
}

/// The member's line for one rebalance it took part in, whether or not its partitions changed.
fn rebalance(out: &Mutex<std::io::Stdout>) {
    let _ = writeln!(out.lock(), "rebalance {}", now_ms());
}

/// The member process: joins the group with `STEADY_DEPLOY_SETTINGS` (steady or plain, by
/// `STEADY_DEPLOY_CLIENT`), prints `done PARTITION OFFSET` per record handled, one line per
/// assignment change and `rebalance MS` per rebalance round (an assignment, a revoke of
/// partitions), until its standard input closes; then closes and prints `closed MS`.
#[test]
#[ignore = "a member process of rolling_deploy"]
fn deploy_member() {
    let var = |k: &str| std::env::var(format!("STEADY_DEPLOY_{k}"));
    let (Ok(bootstrap), Ok(topic), Ok(group), Ok(client), Ok(extra)) = (
        var("BOOTSTRAP"),
        var("TOPIC"),
        var("GROUP"),
        var("CLIENT"),
        var("SETTINGS"),
    ) else {
        return;
    };
    let extra: Vec<(&str, &str)> = extra
        .lines()
        .map(|l| l.split_once('=').expect("key=value"))
        .collect();
    let out = Arc::new(Mutex::new(std::io::stdout()));
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut Vec::new());
            stop.store(true, Ordering::Release);
        })
    };
    let member = Joining {
        bootstrap: &bootstrap,
        topic: &topic,
        group: &group,
        extra,
        out: out.clone(),
        stop: &stop,
    };
    if client == "steady" {
        steady_member(member);
    } else {
        plain_member(member);
    }
    watcher.join().expect("stdin watcher");
    let _ = writeln!(out.lock(), "closed {}", now_ms());
}

/// What a member process joins with, and where it reports.
struct Joining<'a> {
    bootstrap: &'a str,
    topic: &'a str,
    group: &'a str,
    /// The run's group settings.
    extra: Vec<(&'a str, &'a str)>,
    out: Arc<Mutex<std::io::Stdout>>,
    /// Set once the member's standard input closed.
    stop: &'a AtomicBool,
}

fn steady_member(mut m: Joining<'_>) {
    m.extra.push(("steady.events.enable", "true"));
    let (out, stop) = (&m.out, m.stop);
    let consumer = Arc::new(
        Consumer::new(&settings(m.bootstrap, m.group, &m.extra), &[m.topic]).expect("consumer"),
    );
    let threads: Vec<_> = (0..THREADS)
        .map(|_| {
            let (consumer, out) = (consumer.clone(), out.clone());
            std::thread::spawn(move || loop {
                match consumer.recv(Duration::from_millis(100)) {
                    Ok(Some(r)) => {
                        std::thread::sleep(HANDLER);
                        let _ = writeln!(out.lock(), "done {} {}", r.partition(), r.offset());
                        let _ = r.ack();
                    }
                    Ok(None) | Err(Error::Stalled { .. }) => {}
                    Err(Error::Closed) => return,
                    Err(e) => panic!("recv: {e}"),
                }
            })
        })
        .collect();
    let printer = out.clone();
    let recorder = events::Recorder::start(consumer.clone(), move |e| {
        let kind = match e.kind() {
            EventKind::Assigned => "assigned",
            EventKind::Revoked => "revoked",
            EventKind::Lost => "lost",
            _ => return,
        };
        change(&printer, kind, e.partitions().iter().map(|p| p.partition));
    });
    // steady counts the rounds it took part in (`rebalances`, empty assignments included).
    let mut rounds = 0;
    while !stop.load(Ordering::Acquire) {
        std::thread::sleep(Duration::from_millis(50));
        let now = consumer.stats().rebalances;
        (rounds..now).for_each(|_| rebalance(out));
        rounds = now;
    }
    consumer.close().expect("close");
    for t in threads {
        t.join().expect("handler thread");
    }
    recorder.finish();
}

/// Prints a plain consumer's assignment changes.
struct Printing(Arc<Mutex<std::io::Stdout>>);

impl ClientContext for Printing {}

impl ConsumerContext for Printing {
    fn post_rebalance(&self, _: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        // Counted as steady counts them: every assignment, and revokes of partitions.
        let (kind, list) = match rebalance {
            Rebalance::Assign(tpl) => ("assigned", tpl),
            Rebalance::Revoke(tpl) if tpl.count() > 0 => ("revoked", tpl),
            Rebalance::Revoke(_) | Rebalance::Error(_) => return,
        };
        self::rebalance(&self.0);
        change(&self.0, kind, list.elements().iter().map(|e| e.partition()));
    }
}

/// A plain rdkafka poll loop — poll, handle, poll again — with auto-commit, as most
/// applications consume.
fn plain_member(m: Joining<'_>) {
    let out = &m.out;
    let consumer: BaseConsumer<Printing> = plain_config(m.bootstrap, m.group, &m.extra)
        .create_with_context(Printing(out.clone()))
        .expect("plain consumer");
    consumer.subscribe(&[m.topic]).expect("subscribe");
    while !m.stop.load(Ordering::Acquire) {
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(100)) {
            std::thread::sleep(HANDLER);
            let _ = writeln!(out.lock(), "done {} {}", m.partition(), m.offset());
        }
    }
    drop(consumer); // closes: revokes (printed), commits the stored offsets, leaves
}

/// What one member process reported.
#[derive(Clone, Debug)]
struct Change {
    at_ms: u64,
    process: usize,
    what: What,
}

#[derive(Clone, Debug)]
enum What {
    Gained(Vec<i32>),
    /// Revoked or lost.
    Dropped(Vec<i32>),
    /// It took part in a rebalance round.
    Rebalance,
    /// It closed: it owns nothing from then on.
    Closed,
}

/// What every member process reported, in arrival order.
#[derive(Clone, Default)]
struct Timeline(Arc<Mutex<Vec<Change>>>);

impl Timeline {
    /// Each partition's live owners after every change so far, and when the last came.
    fn owners(&self) -> (BTreeMap<i32, BTreeSet<usize>>, u64) {
        let mut changes = self.0.lock().clone();
        changes.sort_by_key(|c| c.at_ms);
        let mut owners: BTreeMap<i32, BTreeSet<usize>> = BTreeMap::new();
        for c in &changes {
            apply(&mut owners, c);
        }
        (owners, changes.last().map_or(0, |c| c.at_ms))
    }

    /// Whether every partition has an owner, each of `processes` owns one, and nothing
    /// changed for `CALM`.
    fn calm(&self, processes: impl IntoIterator<Item = usize>) -> bool {
        let (owners, last) = self.owners();
        let owned = (0..PARTITIONS).all(|p| owners.get(&p).is_some_and(|o| !o.is_empty()));
        let joined = processes
            .into_iter()
            .all(|n| owners.values().any(|o| o.contains(&n)));
        owned && joined && now_ms().saturating_sub(last) >= CALM.as_millis() as u64
    }
}

fn apply(owners: &mut BTreeMap<i32, BTreeSet<usize>>, c: &Change) {
    match &c.what {
        What::Gained(list) => list.iter().for_each(|p| {
            owners.entry(*p).or_default().insert(c.process);
        }),
        What::Dropped(list) => list.iter().for_each(|p| {
            owners.entry(*p).or_default().remove(&c.process);
        }),
        What::Closed => owners.values_mut().for_each(|o| {
            o.remove(&c.process);
        }),
        What::Rebalance => {}
    }
}

/// One member process.
struct Member {
    child: Child,
    reader: std::thread::JoinHandle<()>,
}

impl Member {
    fn start(run: Run, slot: usize, process: usize, at: &Target, timeline: &Timeline) -> Member {
        let mut child = Command::new(std::env::current_exe().expect("test binary"))
            .args(["--exact", "deploy_member", "--ignored", "--nocapture"])
            .env("STEADY_DEPLOY_BOOTSTRAP", &at.bootstrap)
            .env("STEADY_DEPLOY_TOPIC", &at.topic)
            .env("STEADY_DEPLOY_GROUP", &at.group)
            .env(
                "STEADY_DEPLOY_CLIENT",
                if run.steady { "steady" } else { "plain" },
            )
            .env("STEADY_DEPLOY_SETTINGS", run.settings(slot, &at.group))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("member process");
        let out = child.stdout.take().expect("member stdout");
        let (ledger, timeline) = (at.ledger.clone(), timeline.clone());
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let mut words = line.split(' ');
                let (word, a, b) = (words.next(), words.next(), words.next());
                let ms = || a.and_then(|a| a.parse().ok()).expect("MS");
                let list = || -> Vec<i32> {
                    b.unwrap_or("")
                        .split(',')
                        .filter(|p| !p.is_empty())
                        .map(|p| p.parse().expect("partition"))
                        .collect()
                };
                let what = match word {
                    Some("done") => {
                        let offset = b.and_then(|b| b.parse().ok()).expect("OFFSET");
                        ledger.note(a.and_then(|a| a.parse().ok()).expect("P"), offset);
                        continue;
                    }
                    Some("assigned") => What::Gained(list()),
                    Some("revoked") | Some("lost") => What::Dropped(list()),
                    Some("rebalance") => What::Rebalance,
                    Some("closed") => What::Closed,
                    _ => continue,
                };
                timeline.0.lock().push(Change {
                    at_ms: ms(),
                    process,
                    what,
                });
            }
        });
        Member { child, reader }
    }

    /// Closes the member (its standard input ends) and waits for it to exit.
    fn stop(mut self) {
        drop(self.child.stdin.take());
        let status = self.child.wait().expect("member exit");
        self.reader.join().expect("member reader");
        assert!(status.success(), "a member exited with {status}");
    }
}

/// Where a run's members consume, and what they handled.
struct Target {
    bootstrap: String,
    topic: String,
    group: String,
    ledger: Ledger,
}

/// A run's figures.
#[derive(Debug, serde::Serialize)]
struct Outcome {
    client: &'static str,
    membership: &'static str,
    protocol: &'static str,
    /// Rebalance rounds the deploy caused: per restart, the most rounds any member not being
    /// restarted took part in.
    rebalances: usize,
    /// Assignment changes (partitions gained or given up) on the members not being
    /// restarted, during the deploy.
    others_assignment_changes: usize,
    /// The longest time a partition had no live owner, during the deploy.
    longest_unowned_ms: u64,
    duplicates: u64,
    records: i64,
    /// Records produced that no member had handled `DRAIN` after the producer stopped.
    unhandled: i64,
    deploy_seconds: f64,
}

fn deploy(run: Run, bootstrap: &str) -> Outcome {
    let name = run.name().replace(' ', "-");
    let at = Target {
        bootstrap: bootstrap.to_string(),
        topic: broker::unique(&format!("deploy-{name}")),
        group: broker::unique(&format!("deploy-{name}")),
        ledger: Ledger::default(),
    };
    cluster::create_topic(&at.topic, PARTITIONS as u32);
    let stop = Arc::new(AtomicBool::new(false));
    let production = {
        let (b, t, s) = (at.bootstrap.clone(), at.topic.clone(), stop.clone());
        std::thread::spawn(move || produce_at_rate(&b, &t, PARTITIONS, RATE_PER_SECOND, &s))
    };
    let timeline = Timeline::default();
    let mut members: Vec<Option<Member>> = (0..MEMBERS)
        .map(|slot| Some(Member::start(run, slot, slot, &at, &timeline)))
        .collect();
    wait_until("the group calm with every member", WAIT, || {
        timeline.calm(0..MEMBERS)
    });
    let from = timeline.0.lock().len();
    let began = Instant::now();
    // Per restart: the first change it may have caused, the process stopped, its replacement.
    let mut restarts: Vec<(usize, usize, usize)> = Vec::new();
    for (slot, member) in members.iter_mut().enumerate() {
        let process = MEMBERS + slot;
        restarts.push((timeline.0.lock().len(), slot, process));
        member.take().expect("a member").stop();
        std::thread::sleep(GAP);
        *member = Some(Member::start(run, slot, process, &at, &timeline));
        wait_until("the group calm after a restart", WAIT, || {
            timeline.calm([process])
        });
    }
    let deploy_seconds = began.elapsed().as_secs_f64();
    let changes = timeline.0.lock().clone();
    stop.store(true, Ordering::Release);
    let produced: i64 = production.join().expect("producer").iter().sum();
    // A record a member never handles is a finding of the run, not the end of the benchmark.
    let drained = Instant::now() + DRAIN;
    while (at.ledger.distinct() as i64) < produced && Instant::now() < drained {
        std::thread::sleep(Duration::from_millis(100));
    }
    let unhandled = produced - at.ledger.distinct() as i64;
    members.into_iter().flatten().for_each(Member::stop);

    // A change belongs to the restart in whose window it arrived; it is another member's
    // unless it is the stopped process's or its replacement's.
    let mut rounds: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    let mut others_assignment_changes = 0;
    for (i, c) in changes.iter().enumerate().skip(from) {
        let (window, (_, old, new)) = restarts
            .iter()
            .enumerate()
            .rev()
            .find(|(_, (first, ..))| *first <= i)
            .expect("a change after the first restart began");
        if c.process == *old || c.process == *new {
            continue;
        }
        match c.what {
            What::Gained(_) | What::Dropped(_) => others_assignment_changes += 1,
            What::Rebalance => *rounds.entry((window, c.process)).or_default() += 1,
            What::Closed => {}
        }
    }
    // The group's rounds in a window: the most any other member took part in.
    let rebalances = (0..restarts.len())
        .map(|w| {
            rounds
                .range((w, 0)..(w + 1, 0))
                .map(|(_, n)| *n)
                .max()
                .unwrap_or(0)
        })
        .sum();
    Outcome {
        client: if run.steady { "steady" } else { "plain" },
        membership: if run.static_ids { "static" } else { "dynamic" },
        protocol: if run.kip848 {
            "consumer (KIP-848)"
        } else {
            "classic cooperative-sticky"
        },
        rebalances,
        others_assignment_changes,
        longest_unowned_ms: longest_unowned(&changes, from),
        duplicates: at.ledger.duplicates(),
        records: produced,
        unhandled,
        deploy_seconds,
    }
}

/// The longest time a partition had no live owner after change `from` (when all had one).
fn longest_unowned(changes: &[Change], from: usize) -> u64 {
    let mut sorted: Vec<&Change> = changes.iter().collect();
    let start_ms = changes.get(from).map_or(u64::MAX, |c| c.at_ms);
    sorted.sort_by_key(|c| c.at_ms);
    let mut owners: BTreeMap<i32, BTreeSet<usize>> = BTreeMap::new();
    let mut since: BTreeMap<i32, u64> = BTreeMap::new();
    let mut longest = 0;
    for c in sorted {
        apply(&mut owners, c);
        if c.at_ms < start_ms {
            continue;
        }
        for p in 0..PARTITIONS {
            let owned = owners.get(&p).is_some_and(|o| !o.is_empty());
            match (owned, since.get(&p).copied()) {
                (false, None) => {
                    since.insert(p, c.at_ms);
                }
                (true, Some(t)) => {
                    longest = longest.max(c.at_ms - t);
                    since.remove(&p);
                }
                _ => {}
            }
        }
    }
    longest
}

#[test]
#[ignore = "the rolling deploy: make bench-deploy"]
fn rolling_deploy() {
    let only: Vec<String> = std::env::var("STEADY_DEPLOY_ONLY")
        .map(|o| o.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    let bootstrap = cluster::start();
    let mut outcomes = Vec::new();
    for kip848 in [false, true] {
        for static_ids in [true, false] {
            for steady in [true, false] {
                let run = Run {
                    steady,
                    static_ids,
                    kip848,
                };
                let name = run.name();
                if !only.iter().all(|w| name.split(' ').any(|n| n == w)) {
                    continue;
                }
                let outcome = deploy(run, &bootstrap);
                println!("deploy: {name}: {outcome:?}");
                outcomes.push(outcome);
            }
        }
    }
    println!(
        "{:<8} {:<9} {:<28} {:>10} {:>24} {:>20} {:>10} {:>9}",
        "client",
        "members",
        "protocol",
        "rebalances",
        "changes on other members",
        "longest unowned ms",
        "duplicates",
        "unhandled"
    );
    for o in &outcomes {
        println!(
            "{:<8} {:<9} {:<28} {:>10} {:>24} {:>20} {:>10} {:>9}",
            o.client,
            o.membership,
            o.protocol,
            o.rebalances,
            o.others_assignment_changes,
            o.longest_unowned_ms,
            o.duplicates,
            o.unhandled
        );
    }
    let path = std::env::var("STEADY_DEPLOY_OUT")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| broker::repo_root().join("bench/results/deploy.json"));
    let json = serde_json::json!({
        "members": MEMBERS,
        "partitions": PARTITIONS,
        "handler_ms": HANDLER.as_millis() as u64,
        "records_per_second": RATE_PER_SECOND,
        "restart_gap_ms": GAP.as_millis() as u64,
        "runs": outcomes,
    });
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&json).expect("json") + "\n",
    )
    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    println!("deploy: results in {}", path.display());
}
