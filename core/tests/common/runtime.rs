//! Helpers for the runtime's integration tests: settings, producing, reading committed offsets,
//! process RSS, bounded waits and a pool of worker threads that recv → handle → ack.
//!
//! Include it with `#[path = "common/runtime.rs"] mod runtime;` from core/tests.
#![allow(dead_code)]

use parking_lot::Mutex;
use rdkafka::client::ClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer as _, ConsumerContext, Rebalance};
use rdkafka::message::{Header, Message, OwnedHeaders};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use steady_core::runtime::{Consumer, Error, Record};
use steady_core::Settings;

/// Settings of a steady consumer of `group` reading from the beginning, plus `extra`.
pub fn settings(bootstrap: &str, group: &str, extra: &[(&str, &str)]) -> Settings {
    let mut s = Settings::from_pairs([
        ("bootstrap.servers", bootstrap),
        ("group.id", group),
        ("auto.offset.reset", "earliest"),
    ]);
    for (k, v) in extra {
        s.set(*k, *v);
    }
    s
}

/// Produces `per_partition` records of 100 bytes to each of `partitions` partitions.
pub fn produce_per_partition(bootstrap: &str, topic: &str, partitions: i32, per_partition: i64) {
    produce(
        bootstrap,
        topic,
        partitions,
        (partitions as i64 * per_partition) as usize,
        100,
    );
}

/// Produces `count` records of `size` payload bytes, spread round-robin over `partitions`
/// partitions; the key is the record's index, and every third record (index divisible by 3)
/// has the headers [`expected_headers`] gives. Waits until all are acknowledged.
pub fn produce(bootstrap: &str, topic: &str, partitions: i32, count: usize, size: usize) {
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("linger.ms", "20")
        // A small queue keeps the producer's memory out of the tests' RSS figures.
        .set("queue.buffering.max.kbytes", "16384")
        .create()
        .expect("producer");
    let payload = vec![b'x'; size];
    for i in 0..count {
        let key = i.to_string();
        let mut record = BaseRecord::to(topic)
            .key(&key)
            .payload(&payload)
            .partition(i as i32 % partitions);
        if i.is_multiple_of(3) {
            let headers =
                expected_headers(i)
                    .into_iter()
                    .fold(OwnedHeaders::new(), |h, (key, value)| {
                        h.insert(Header {
                            key: &key,
                            value: value.as_deref(),
                        })
                    });
            record = record.headers(headers);
        }
        send(&producer, record);
    }
    producer
        .flush(Duration::from_secs(120))
        .expect("all records acknowledged");
}

/// The headers `produce` gives record `index`: a value and a header without one for every
/// third record, none for the others.
pub fn expected_headers(index: usize) -> Vec<(String, Option<Vec<u8>>)> {
    if index.is_multiple_of(3) {
        vec![
            ("n".into(), Some(index.to_string().into_bytes())),
            ("empty".into(), None),
        ]
    } else {
        Vec::new()
    }
}

/// The offsets `group` committed for partitions 0..`partitions` of `topic` (-1: none), read
/// by a fresh client.
pub fn committed(bootstrap: &str, group: &str, topic: &str, partitions: i32) -> Vec<i64> {
    let reader: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", group)
        .create()
        .expect("offset reader");
    let mut tpl = TopicPartitionList::new();
    for p in 0..partitions {
        tpl.add_partition(topic, p);
    }
    let got = reader
        .committed_offsets(tpl, Duration::from_secs(30))
        .expect("committed offsets");
    (0..partitions)
        .map(|p| match got.find_partition(topic, p).map(|e| e.offset()) {
            Some(Offset::Offset(o)) => o,
            _ => -1,
        })
        .collect()
}

/// Sends `record`, serving the producer's queue while it is full.
pub fn send<'a, K: rdkafka::message::ToBytes + ?Sized, P: rdkafka::message::ToBytes + ?Sized>(
    producer: &BaseProducer,
    mut record: BaseRecord<'a, K, P>,
) {
    while let Err((_, back)) = producer.send(record) {
        record = back;
        producer.poll(Duration::from_millis(10));
    }
}

/// Produces `rate` records of 1 KiB a second round-robin over `partitions` partitions until
/// `stop`; returns how many went to each partition (all acknowledged).
pub fn produce_at_rate(
    bootstrap: &str,
    topic: &str,
    partitions: i32,
    rate: u64,
    stop: &AtomicBool,
) -> Vec<i64> {
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("linger.ms", "20")
        .set("acks", "all")
        .set("message.timeout.ms", "600000")
        .create()
        .expect("producer");
    let payload = vec![b'x'; 1024];
    let mut counts = vec![0i64; partitions as usize];
    let start = Instant::now();
    let mut sent: u64 = 0;
    while !stop.load(Ordering::Acquire) {
        let due = start.elapsed().as_millis() as u64 * rate / 1000;
        while sent < due {
            let p = (sent % partitions as u64) as i32;
            send(
                &producer,
                BaseRecord::<(), _>::to(topic)
                    .payload(&payload)
                    .partition(p),
            );
            counts[p as usize] += 1;
            sent += 1;
        }
        producer.poll(Duration::from_millis(20));
    }
    producer
        .flush(Duration::from_secs(300))
        .expect("every record acknowledged");
    counts
}

/// The process's resident set size in bytes (VmRSS of /proc/self/status).
pub fn rss_bytes() -> u64 {
    rss_bytes_of("self").expect("VmRSS of /proc/self/status")
}

/// The resident set size in bytes of process `pid` ("self" for this one); `None` once it
/// has gone.
pub fn rss_bytes_of(pid: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
}

/// Waits until `cond` holds, checking every 50 ms; panics with `what` after `timeout`.
pub fn wait_until(what: &str, timeout: Duration, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < timeout,
            "timed out after {timeout:?}: {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// How many times each (partition, offset) was handled, across every worker of a test.
#[derive(Clone, Default)]
pub struct Ledger(Arc<Mutex<HashMap<(i32, i64), u32>>>);

impl Ledger {
    /// Counts one handling of the record at `partition`/`offset`.
    pub fn note(&self, partition: i32, offset: i64) {
        *self.0.lock().entry((partition, offset)).or_default() += 1;
    }
    /// Distinct records handled.
    pub fn distinct(&self) -> usize {
        self.0.lock().len()
    }
    /// Handlings beyond the first, summed.
    pub fn duplicates(&self) -> u64 {
        self.0.lock().values().map(|&n| u64::from(n - 1)).sum()
    }
    /// The records handled more than once, as (partition, offset), sorted.
    pub fn duplicated(&self) -> Vec<(i32, i64)> {
        let mut twice: Vec<(i32, i64)> = self
            .0
            .lock()
            .iter()
            .filter(|(_, &n)| n > 1)
            .map(|(k, _)| *k)
            .collect();
        twice.sort();
        twice
    }
    /// Whether every offset 0..per_partition of partitions 0..partitions was handled.
    pub fn covers(&self, partitions: i32, per_partition: i64) -> bool {
        self.missing(partitions, per_partition).is_empty()
    }
    /// Per partition with records not handled: (partition, first missing offset, how many).
    pub fn missing(&self, partitions: i32, per_partition: i64) -> Vec<(i32, i64, usize)> {
        let seen = self.0.lock();
        (0..partitions)
            .filter_map(|p| {
                let gone: Vec<i64> = (0..per_partition)
                    .filter(|o| !seen.contains_key(&(p, *o)))
                    .collect();
                gone.first().map(|first| (p, *first, gone.len()))
            })
            .collect()
    }
    /// Waits until every offset 0..per_partition of partitions 0..partitions was handled;
    /// panics after `timeout` with what is missing.
    pub fn wait_for_all(&self, partitions: i32, per_partition: i64, timeout: Duration) {
        let start = Instant::now();
        while !self.covers(partitions, per_partition) {
            assert!(
                start.elapsed() < timeout,
                "after {timeout:?} not every record was handled; missing (partition, first \
                 offset, count): {:?}",
                self.missing(partitions, per_partition)
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Worker threads that recv → handle → ack on one consumer until stopped or closed.
pub struct Workers {
    /// The consumer they serve.
    pub consumer: Arc<Consumer>,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<Vec<Error>>>,
}

impl Workers {
    /// Starts `threads` workers; `handle` runs before each ack (the ledger is noted after it).
    pub fn start(
        consumer: Consumer,
        threads: usize,
        ledger: &Ledger,
        handle: impl Fn(&Record) + Send + Sync + 'static,
    ) -> Workers {
        let consumer = Arc::new(consumer);
        let stop = Arc::new(AtomicBool::new(false));
        let handle = Arc::new(handle);
        let threads = (0..threads)
            .map(|_| {
                let (consumer, stop, ledger, handle) = (
                    consumer.clone(),
                    stop.clone(),
                    ledger.clone(),
                    handle.clone(),
                );
                std::thread::spawn(move || {
                    let mut errors = Vec::new();
                    while !stop.load(Ordering::Acquire) {
                        match consumer.recv(Duration::from_millis(100)) {
                            Ok(Some(r)) => {
                                handle(&r);
                                ledger.note(r.partition(), r.offset());
                                let _ = r.ack();
                            }
                            Ok(None) => {}
                            Err(Error::Closed) => break,
                            Err(e) => errors.push(e),
                        }
                    }
                    errors
                })
            })
            .collect();
        Workers {
            consumer,
            stop,
            threads,
        }
    }

    /// Stops the workers that are not blocked in a handler, closes the consumer and returns
    /// the errors `recv` reported. Workers stuck in a handler are left behind.
    pub fn finish(self) -> Vec<Error> {
        self.stop.store(true, Ordering::Release);
        self.consumer.close().expect("close");
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.threads.iter().any(|t| !t.is_finished()) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let mut errors = Vec::new();
        for t in self.threads {
            if t.is_finished() {
                errors.extend(t.join().expect("worker"));
            }
        }
        errors
    }
}

/// Sleeps for `d`, in short steps, returning early once `stop` is set.
pub fn sleep_unless(d: Duration, stop: &AtomicBool) {
    let end = Instant::now() + d;
    while !stop.load(Ordering::Acquire) && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(50).min(end - Instant::now()));
    }
}

/// Counts the rebalance events of a plain consumer and the partitions it holds.
#[derive(Default)]
struct Counting {
    rebalances: AtomicU64,
    assigned: AtomicUsize,
}

/// An `Arc` so the test can read the figures while the poll loop owns the consumer.
#[derive(Clone, Default)]
struct CountingContext(Arc<Counting>);

impl ClientContext for CountingContext {}

impl ConsumerContext for CountingContext {
    fn post_rebalance(&self, _: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Assign(tpl) => {
                self.0.assigned.fetch_add(tpl.count(), Ordering::AcqRel);
            }
            Rebalance::Revoke(tpl) => {
                let n = tpl.count();
                let _ = self
                    .0
                    .assigned
                    .fetch_update(Ordering::AcqRel, Ordering::Acquire, |a| {
                        Some(a.saturating_sub(n))
                    });
            }
            Rebalance::Error(_) => return,
        }
        self.0.rebalances.fetch_add(1, Ordering::AcqRel);
    }
}

/// A plain rdkafka consumer's configuration: `group` reading from the beginning, plus `extra`.
pub fn plain_config(bootstrap: &str, group: &str, extra: &[(&str, &str)]) -> ClientConfig {
    let mut config = ClientConfig::new();
    config
        .set("bootstrap.servers", bootstrap)
        .set("group.id", group)
        .set("auto.offset.reset", "earliest");
    for (k, v) in extra {
        config.set(*k, *v);
    }
    config
}

/// A plain rdkafka poll loop — poll, handle, poll again — on a thread: the way most
/// applications consume, with the handler's time counted against max.poll.interval.ms.
pub struct PlainMember {
    counts: Arc<Counting>,
    stop: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl PlainMember {
    /// Joins `group` on `topic` and handles each record with `handle(partition, offset, stop)`.
    pub fn start(
        bootstrap: &str,
        group: &str,
        topic: &str,
        extra: &[(&str, &str)],
        ledger: &Ledger,
        handle: impl Fn(i32, i64, &AtomicBool) + Send + 'static,
    ) -> PlainMember {
        let context = CountingContext::default();
        let counts = context.0.clone();
        let consumer: BaseConsumer<CountingContext> = plain_config(bootstrap, group, extra)
            .create_with_context(context)
            .expect("plain consumer");
        consumer.subscribe(&[topic]).expect("subscribe");
        let stop = Arc::new(AtomicBool::new(false));
        let ledger = ledger.clone();
        let thread = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                while !stop.load(Ordering::Acquire) {
                    if let Some(Ok(m)) = consumer.poll(Duration::from_millis(100)) {
                        handle(m.partition(), m.offset(), &stop);
                        ledger.note(m.partition(), m.offset());
                    }
                }
            })
        };
        PlainMember {
            counts,
            stop,
            thread,
        }
    }

    /// Rebalance events seen so far.
    pub fn rebalances(&self) -> u64 {
        self.counts.rebalances.load(Ordering::Acquire)
    }

    /// Partitions held now.
    pub fn assigned(&self) -> usize {
        self.counts.assigned.load(Ordering::Acquire)
    }

    /// Stops the loop (interrupting a handler that watches `stop`) and closes the consumer.
    pub fn finish(self) {
        self.stop.store(true, Ordering::Release);
        self.thread.join().expect("plain member");
    }
}
