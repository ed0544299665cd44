//! `steady.ordering` against the real broker: 16 receiving threads on one partition of 1,000
//! keys with per-key sequence numbers. `key` never runs two records of a key at once and runs
//! each key in order — also across a kill -9 and a restart, with nothing lost; `partition` runs
//! the partition in order, one record at a time.

#[path = "common/broker.rs"]
mod broker;
#[path = "common/runtime.rs"]
mod runtime;

use parking_lot::Mutex;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::ClientConfig;
use runtime::{committed, settings, wait_until};
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use steady_core::runtime::{Consumer, Error, Record};

const THREADS: usize = 16;
const KEYS: u64 = 1_000;
const RECORDS: u64 = 10_000;
const WAIT: Duration = Duration::from_secs(300);

/// A small deterministic generator (xorshift), for keys and handler times.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Produces `RECORDS` records to partition 0 of `topic`: key `k<N>` (N < KEYS, drawn at
/// random), value the key's sequence number (0, 1, 2, … per key).
fn produce_keyed(bootstrap: &str, topic: &str) {
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("linger.ms", "20")
        .create()
        .expect("producer");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut next_seq: HashMap<u64, u64> = HashMap::new();
    for _ in 0..RECORDS {
        let k = rng.next() % KEYS;
        let seq = next_seq.entry(k).or_default();
        let (key, value) = (format!("k{k}"), seq.to_string());
        *seq += 1;
        loop {
            match producer.send(BaseRecord::to(topic).partition(0).key(&key).payload(&value)) {
                Ok(()) => break,
                Err((_, _)) => producer.poll(Duration::from_millis(10)),
            }
        }
    }
    producer.flush(Duration::from_secs(60)).expect("flush");
}

fn field(r: &Record, bytes: Option<&[u8]>) -> String {
    String::from_utf8(bytes.unwrap_or_default().to_vec())
        .unwrap_or_else(|_| panic!("{r:?}: not UTF-8"))
}

/// What the handlers saw, checked as they run: no two records of one key (or, under
/// `partition`, of the partition) at once, and each key's sequence numbers consecutive.
#[derive(Default)]
struct Checker {
    /// Keys with a record in a handler now.
    running: Mutex<HashSet<String>>,
    /// Handlers running now, and the most at once.
    now: AtomicUsize,
    most: AtomicUsize,
    /// Last sequence number per key in this run.
    last: Mutex<HashMap<String, u64>>,
    /// Last offset handled (partition order).
    last_offset: AtomicI64,
    violations: Mutex<Vec<String>>,
    handled: AtomicUsize,
}

impl Checker {
    fn new() -> Checker {
        Checker {
            last_offset: AtomicI64::new(-1),
            ..Checker::default()
        }
    }

    /// Runs one record's handler (sleeping `pause`) with the checks around it.
    fn handle(&self, r: &Record, pause: Duration, per_partition: bool) {
        let (key, seq) = (field(r, r.key()), field(r, r.payload()));
        let seq: u64 = seq.parse().expect("a sequence number");
        if !self.running.lock().insert(key.clone()) {
            self.violation(format!(
                "{key} seq {seq}: another record of the key is running"
            ));
        }
        let running = self.now.fetch_add(1, Ordering::AcqRel) + 1;
        self.most.fetch_max(running, Ordering::AcqRel);
        if per_partition {
            if running > 1 {
                self.violation(format!("offset {}: {running} records at once", r.offset()));
            }
            let before = self.last_offset.swap(r.offset(), Ordering::AcqRel);
            if r.offset() <= before {
                self.violation(format!("offset {} after {before}", r.offset()));
            }
        }
        match self.last.lock().insert(key.clone(), seq) {
            Some(before) if seq != before + 1 => {
                self.violation(format!("{key}: seq {seq} after {before}"))
            }
            _ => {}
        }
        std::thread::sleep(pause);
        self.now.fetch_sub(1, Ordering::AcqRel);
        self.running.lock().remove(&key);
        self.handled.fetch_add(1, Ordering::AcqRel);
    }

    fn violation(&self, what: String) {
        let mut v = self.violations.lock();
        if v.len() < 20 {
            v.push(what);
        }
    }
}

/// Runs `THREADS` receivers on `consumer` until `done`, each handling a record in a uniform
/// 0–`max_us` µs, calling `after` with each record handled (before its ack).
fn serve(
    consumer: &Arc<Consumer>,
    checker: &Arc<Checker>,
    max_us: u64,
    per_partition: bool,
    done: &Arc<AtomicBool>,
    after: impl Fn(&Record) + Send + Sync + 'static,
) -> Vec<std::thread::JoinHandle<()>> {
    let after = Arc::new(after);
    (0..THREADS as u64)
        .map(|t| {
            let (consumer, checker, done, after) = (
                consumer.clone(),
                checker.clone(),
                done.clone(),
                after.clone(),
            );
            std::thread::spawn(move || {
                let mut rng = Rng(t * 7919 + 1);
                while !done.load(Ordering::Acquire) {
                    match consumer.recv(Duration::from_millis(100)) {
                        Ok(Some(r)) => {
                            let pause = Duration::from_micros(rng.next() % (max_us + 1));
                            checker.handle(&r, pause, per_partition);
                            after(&r);
                            r.ack().expect("ack");
                        }
                        Ok(None) => {}
                        Err(Error::Closed) => return,
                        Err(e) => panic!("recv: {e}"),
                    }
                }
            })
        })
        .collect()
}

fn topic_with_records(bootstrap: &str, prefix: &str) -> String {
    let topic = broker::unique(prefix);
    broker::create_topic(&topic, 1);
    produce_keyed(bootstrap, &topic);
    topic
}

#[test]
fn partition_order_runs_the_partition_in_order_one_record_at_a_time() {
    let bootstrap = broker::bootstrap();
    let topic = topic_with_records(&bootstrap, "order-partition");
    let group = broker::unique("order-partition");
    let consumer = Arc::new(
        Consumer::new(
            &settings(&bootstrap, &group, &[("steady.ordering", "partition")]),
            &[&topic],
        )
        .expect("consumer"),
    );
    let checker = Arc::new(Checker::new());
    let done = Arc::new(AtomicBool::new(false));
    // 10,000 records one after the other: handlers of at most 0.2 ms keep it short.
    let threads = serve(&consumer, &checker, 200, true, &done, |_| {});
    wait_until("every record handled", WAIT, || {
        checker.handled.load(Ordering::Acquire) >= RECORDS as usize
    });
    done.store(true, Ordering::Release);
    for t in threads {
        t.join().unwrap();
    }
    let stats = consumer.stats();
    consumer.close().unwrap();
    assert_eq!(*checker.violations.lock(), Vec::<String>::new());
    assert_eq!(checker.most.load(Ordering::Acquire), 1);
    assert_eq!(checker.handled.load(Ordering::Acquire), RECORDS as usize);
    assert_eq!(
        committed(&bootstrap, &group, &topic, 1),
        vec![RECORDS as i64]
    );
    println!(
        "partition order: {RECORDS} records by {THREADS} threads, one at a time; peak waiting \
         for the partition: buffered {}",
        stats.peak_buffered_records
    );
}

#[test]
fn key_order_runs_keys_side_by_side_each_in_order() {
    let bootstrap = broker::bootstrap();
    let topic = topic_with_records(&bootstrap, "order-key");
    let group = broker::unique("order-key");
    let consumer = Arc::new(
        Consumer::new(
            &settings(&bootstrap, &group, &[("steady.ordering", "key")]),
            &[&topic],
        )
        .expect("consumer"),
    );
    let checker = Arc::new(Checker::new());
    let done = Arc::new(AtomicBool::new(false));
    let threads = serve(&consumer, &checker, 2_000, false, &done, |_| {});
    let started = Instant::now();
    wait_until("every record handled", WAIT, || {
        checker.handled.load(Ordering::Acquire) >= RECORDS as usize
    });
    let took = started.elapsed();
    done.store(true, Ordering::Release);
    for t in threads {
        t.join().unwrap();
    }
    consumer.close().unwrap();
    assert_eq!(*checker.violations.lock(), Vec::<String>::new());
    let most = checker.most.load(Ordering::Acquire);
    assert!(
        most > 1,
        "keys never ran side by side (most at once: {most})"
    );
    assert_eq!(checker.handled.load(Ordering::Acquire), RECORDS as usize);
    assert_eq!(
        committed(&bootstrap, &group, &topic, 1),
        vec![RECORDS as i64]
    );
    println!("key order: {RECORDS} records, {most} at once at most, in {took:?}");
}

// ---- kill -9 in the middle of a key-ordered run, then a restart ----

/// The child: a key-ordered consumer of 16 threads that prints `done KEY SEQ` for every record
/// handled (before its ack) and `violation …` for any break of key order, until killed or
/// until stdin closes.
#[test]
#[ignore = "the member process of key_order_survives_kill_9_without_losing_a_record"]
fn key_order_member() {
    let (Ok(bootstrap), Ok(topic), Ok(group)) = (
        std::env::var("STEADY_ORDER_BOOTSTRAP"),
        std::env::var("STEADY_ORDER_TOPIC"),
        std::env::var("STEADY_ORDER_GROUP"),
    ) else {
        return;
    };
    let extra = [
        ("steady.ordering", "key"),
        ("auto.commit.interval.ms", "200"),
        // The killed member's partition moves once its session expires.
        ("session.timeout.ms", "10000"),
    ];
    let consumer =
        Arc::new(Consumer::new(&settings(&bootstrap, &group, &extra), &[&topic]).unwrap());
    let checker = Arc::new(Checker::new());
    let done = Arc::new(AtomicBool::new(false));
    let out = Arc::new(Mutex::new(std::io::stdout()));
    let threads = {
        let out = out.clone();
        serve(&consumer, &checker, 5_000, false, &done, move |r| {
            let line = format!("done {} {}\n", field(r, r.key()), field(r, r.payload()));
            let mut out = out.lock();
            out.write_all(line.as_bytes()).unwrap();
            out.flush().unwrap();
        })
    };
    let watcher = {
        let (checker, out, done) = (checker.clone(), out.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Acquire) {
                for v in checker.violations.lock().drain(..) {
                    writeln!(out.lock(), "violation {v}").unwrap();
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        })
    };
    let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut Vec::new());
    done.store(true, Ordering::Release);
    for t in threads {
        t.join().unwrap();
    }
    watcher.join().unwrap();
    consumer.close().unwrap();
}

/// A member process and what it printed.
struct Member {
    child: Child,
    done: Arc<Mutex<Vec<(String, u64)>>>,
    violations: Arc<Mutex<Vec<String>>>,
}

impl Member {
    fn start(bootstrap: &str, topic: &str, group: &str) -> Member {
        let mut child = Command::new(std::env::current_exe().expect("test binary"))
            .args(["--exact", "key_order_member", "--ignored", "--nocapture"])
            .env("STEADY_ORDER_BOOTSTRAP", bootstrap)
            .env("STEADY_ORDER_TOPIC", topic)
            .env("STEADY_ORDER_GROUP", group)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("member process");
        let (done, violations): (Arc<Mutex<Vec<_>>>, Arc<Mutex<Vec<_>>>) = Default::default();
        let out = child.stdout.take().unwrap();
        let (d, v) = (done.clone(), violations.clone());
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("done ") {
                    let (key, seq) = rest.split_once(' ').expect("done KEY SEQ");
                    d.lock().push((key.to_string(), seq.parse().expect("seq")));
                } else if let Some(what) = line.strip_prefix("violation ") {
                    v.lock().push(what.to_string());
                }
            }
        });
        Member {
            child,
            done,
            violations,
        }
    }

    fn handled(&self) -> usize {
        self.done.lock().len()
    }
}

#[test]
fn key_order_survives_kill_9_without_losing_a_record() {
    let bootstrap = broker::bootstrap();
    let topic = topic_with_records(&bootstrap, "order-kill");
    let group = broker::unique("order-kill");
    let first = Member::start(&bootstrap, &topic, &group);
    wait_until("a third of the records handled", WAIT, || {
        first.handled() >= RECORDS as usize / 3
    });
    let mut first = first;
    first.child.kill().expect("kill -9"); // SIGKILL: no close, no commit
    first.child.wait().unwrap();
    let before_kill = first.handled();

    let mut second = Member::start(&bootstrap, &topic, &group);
    let expected: HashSet<(String, u64)> = {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut next: HashMap<u64, u64> = HashMap::new();
        (0..RECORDS)
            .map(|_| {
                let k = rng.next() % KEYS;
                let seq = next.entry(k).or_default();
                *seq += 1;
                (format!("k{k}"), *seq - 1)
            })
            .collect()
    };
    let seen = || -> HashSet<(String, u64)> {
        let mut all: HashSet<_> = first.done.lock().iter().cloned().collect();
        all.extend(second.done.lock().iter().cloned());
        all
    };
    wait_until(
        "every record handled by one member or the other",
        WAIT,
        || seen().len() >= expected.len(),
    );
    wait_until("the group committed the end of the partition", WAIT, || {
        committed(&bootstrap, &group, &topic, 1) == vec![RECORDS as i64]
    });
    drop(second.child.stdin.take()); // the member closes
    let status = second.child.wait().unwrap();
    assert!(status.success(), "second member: {status}");
    let missing: Vec<_> = expected.difference(&seen()).take(10).cloned().collect();
    assert!(missing.is_empty(), "lost: {missing:?}");
    let violations: Vec<String> = first
        .violations
        .lock()
        .iter()
        .chain(second.violations.lock().iter())
        .cloned()
        .collect();
    assert_eq!(violations, Vec::<String>::new());
    let handled = first.handled() + second.handled();
    println!(
        "kill -9: {before_kill} handled before the kill, {} after the restart; duplicates {}",
        second.handled(),
        handled - expected.len()
    );
}
