//! Bounded memory: 200 MB of records waiting and a handler that cannot keep up. The hand-off
//! buffer never holds more than steady.buffer.max.bytes, and the whole process stays within
//! steady.buffer.max.bytes + librdkafka's queue (queued.max.messages.kbytes, plus one fetch of
//! fetch.max.bytes) + 150 MB. Alone in its test binary so the RSS figure is its own.

#[path = "common/broker.rs"]
mod broker;
#[path = "common/runtime.rs"]
mod runtime;

use runtime::{produce, rss_bytes, settings, wait_until, Ledger, Workers};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use steady_core::runtime::Consumer;

const PARTITIONS: i32 = 4;
const RECORDS: usize = 200_000;
const RECORD_BYTES: usize = 1024;
const BUFFER_BYTES: u64 = 8 << 20;
const QUEUE_KBYTES: u64 = 8 << 10;
const FETCH_BYTES: u64 = 4 << 20;
const SLOW_PHASE: Duration = Duration::from_secs(15);
const MB: f64 = (1 << 20) as f64;

#[test]
fn buffered_bytes_and_rss_stay_bounded() {
    let bootstrap = broker::bootstrap();
    let topic = broker::unique("memory");
    broker::create_topic(&topic, PARTITIONS as u32);
    produce(&bootstrap, &topic, PARTITIONS, RECORDS, RECORD_BYTES);
    let rss_before = rss_bytes();

    let s = settings(
        &bootstrap,
        &broker::unique("memory-group"),
        &[
            ("steady.buffer.max.bytes", &BUFFER_BYTES.to_string()),
            ("steady.buffer.max.records", "1000000"),
            ("queued.max.messages.kbytes", &QUEUE_KBYTES.to_string()),
            ("fetch.max.bytes", &FETCH_BYTES.to_string()),
        ],
    );
    let consumer = Consumer::new(&s, &[&topic]).expect("consumer");
    let ledger = Ledger::default();
    let start = Instant::now();
    // 1 ms per record for the first 15 s (about 2,000 records/s on two threads), then as fast
    // as the records come.
    let workers = Workers::start(consumer, 2, &ledger, move |_| {
        if start.elapsed() < SLOW_PHASE {
            std::thread::sleep(Duration::from_millis(1));
        }
    });

    let done = Arc::new(AtomicBool::new(false));
    let (peak_sampled, peak_rss, paused_seen) = (
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
    );
    let sampler = {
        let (c, done) = (workers.consumer.clone(), done.clone());
        let (peak_sampled, peak_rss, paused_seen) =
            (peak_sampled.clone(), peak_rss.clone(), paused_seen.clone());
        std::thread::spawn(move || {
            let mut samples = 0u64;
            while !done.load(Ordering::Acquire) {
                let st = c.stats();
                peak_sampled.fetch_max(st.buffered_bytes, Ordering::Relaxed);
                peak_rss.fetch_max(rss_bytes(), Ordering::Relaxed);
                paused_seen.fetch_max(st.paused_partitions.len() as u64, Ordering::Relaxed);
                samples += 1;
                std::thread::sleep(Duration::from_millis(5));
            }
            samples
        })
    };

    wait_until("every record handled", Duration::from_secs(600), || {
        ledger.distinct() == RECORDS
    });
    done.store(true, Ordering::Release);
    let samples = sampler.join().unwrap();
    let stats = workers.consumer.stats();
    let bound = BUFFER_BYTES + QUEUE_KBYTES * 1024 + FETCH_BYTES + (150 << 20);
    let peak_rss = peak_rss.load(Ordering::Relaxed);
    println!(
        "memory: {RECORDS} records of {RECORD_BYTES} B ({:.0} MB), handled in {:?}; \
         peak buffered {:.2} MB (stat) / {:.2} MB (sampled {samples} times), budget {:.0} MB; \
         most partitions paused at once {}; RSS before {:.0} MB, peak {:.0} MB, bound {:.0} MB; \
         duplicates {}",
        (RECORDS * RECORD_BYTES) as f64 / MB,
        start.elapsed(),
        stats.peak_buffered_bytes as f64 / MB,
        peak_sampled.load(Ordering::Relaxed) as f64 / MB,
        BUFFER_BYTES as f64 / MB,
        paused_seen.load(Ordering::Relaxed),
        rss_before as f64 / MB,
        peak_rss as f64 / MB,
        bound as f64 / MB,
        ledger.duplicates(),
    );
    println!("stats: {}", stats.to_json());
    assert!(stats.peak_buffered_bytes <= BUFFER_BYTES);
    assert!(peak_sampled.load(Ordering::Relaxed) <= BUFFER_BYTES);
    assert!(
        paused_seen.load(Ordering::Relaxed) > 0,
        "the slow phase made the poll thread pause"
    );
    assert!(peak_rss < bound, "RSS {peak_rss} within {bound}");
    assert!(workers.finish().is_empty());
}
