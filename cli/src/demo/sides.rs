//! The two sides of the demo: a group of plain rdkafka poll loops and a group of steady
//! consumers, both running the same handler, each keeping a tally of what it processed.

use rdkafka::client::ClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer as _, ConsumerContext, Rebalance};
use rdkafka::message::Message;
use rdkafka::ClientConfig;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;
use steady_core::runtime::{Consumer, Error};
use steady_core::Settings;

/// The handler both sides run: `(partition, offset, stop)`; it must return soon once `stop`
/// is set.
pub type Handler = Arc<dyn Fn(i32, i64, &AtomicBool) + Send + Sync>;

/// What one side processed.
#[derive(Default)]
pub struct Tally {
    handled: Mutex<HashMap<(i32, i64), u32>>,
    /// Rebalance callbacks (revoke or assign) across the side's members.
    pub rebalances: AtomicU64,
}

impl Tally {
    fn handled(&self) -> MutexGuard<'_, HashMap<(i32, i64), u32>> {
        self.handled.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn note(&self, partition: i32, offset: i64) {
        *self.handled().entry((partition, offset)).or_default() += 1;
    }

    /// Distinct records processed.
    pub fn processed(&self) -> usize {
        self.handled().len()
    }

    /// Processings beyond the first of a record.
    pub fn duplicates(&self) -> u64 {
        self.handled().values().map(|&n| u64::from(n - 1)).sum()
    }
}

/// One side: its members' threads and what they share.
pub struct Side {
    /// What the side processed so far.
    pub tally: Arc<Tally>,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
    consumers: Vec<Arc<Consumer>>,
    /// Partitions each plain member holds now.
    held: Vec<Arc<AtomicUsize>>,
}

impl Side {
    /// `members` plain poll loops: poll, handle, poll again, offsets stored and auto-committed
    /// by librdkafka as usual.
    pub fn plain(
        settings: &Settings,
        topic: &str,
        members: usize,
        handler: &Handler,
    ) -> Result<Side, String> {
        let tally = Arc::new(Tally::default());
        let stop = Arc::new(AtomicBool::new(false));
        let held: Vec<Arc<AtomicUsize>> = (0..members).map(|_| Arc::default()).collect();
        let mut threads = Vec::new();
        for held in &held {
            let mut config = ClientConfig::new();
            for (k, v) in settings.iter() {
                config.set(k, v);
            }
            let context = Counting(tally.clone(), held.clone());
            let consumer: BaseConsumer<Counting> = config
                .create_with_context(context)
                .map_err(|e| format!("plain consumer: {e}"))?;
            consumer
                .subscribe(&[topic])
                .map_err(|e| format!("subscribe to {topic}: {e}"))?;
            let (tally, stop, handler) = (tally.clone(), stop.clone(), handler.clone());
            threads.push(std::thread::spawn(move || {
                while !stop.load(Ordering::Acquire) {
                    if let Some(Ok(m)) = consumer.poll(Duration::from_millis(100)) {
                        handler(m.partition(), m.offset(), &stop);
                        if !stop.load(Ordering::Acquire) {
                            tally.note(m.partition(), m.offset());
                        }
                    }
                }
            }));
        }
        Ok(Side {
            tally,
            stop,
            threads,
            consumers: Vec::new(),
            held,
        })
    }

    /// `members` steady consumers with `workers` threads each: recv, handle, ack.
    pub fn steady(
        settings: &Settings,
        topic: &str,
        members: usize,
        workers: usize,
        handler: &Handler,
    ) -> Result<Side, Error> {
        let tally = Arc::new(Tally::default());
        let stop = Arc::new(AtomicBool::new(false));
        let mut consumers = Vec::new();
        let mut threads = Vec::new();
        for _ in 0..members {
            let consumer = Arc::new(Consumer::new(settings, &[topic])?);
            for _ in 0..workers {
                let (consumer, tally, stop, handler) = (
                    consumer.clone(),
                    tally.clone(),
                    stop.clone(),
                    handler.clone(),
                );
                threads.push(std::thread::spawn(move || {
                    while let Ok(next) = consumer.recv(Duration::from_millis(200)) {
                        if let Some(r) = next {
                            handler(r.partition(), r.offset(), &stop);
                            if !stop.load(Ordering::Acquire) {
                                tally.note(r.partition(), r.offset());
                                let _ = r.ack();
                            }
                        }
                    }
                }));
            }
            consumers.push(consumer);
        }
        Ok(Side {
            tally,
            stop,
            threads,
            consumers,
            held: Vec::new(),
        })
    }

    /// Whether every member holds at least one partition.
    pub fn formed(&self) -> bool {
        self.held.iter().all(|h| h.load(Ordering::Acquire) > 0)
            && self
                .consumers
                .iter()
                .all(|c| !c.stats().assignment.is_empty())
    }

    /// Rebalance callbacks so far (for steady, from its stats).
    pub fn rebalances(&self) -> u64 {
        if self.consumers.is_empty() {
            self.tally.rebalances.load(Ordering::Acquire)
        } else {
            self.consumers.iter().map(|c| c.stats().rebalances).sum()
        }
    }

    /// Stops the handlers and the members, and waits for their threads.
    pub fn stop(self) {
        self.stop.store(true, Ordering::Release);
        for c in &self.consumers {
            let _ = c.close();
        }
        for t in self.threads {
            let _ = t.join();
        }
    }
}

/// Counts a plain member's rebalance callbacks into its side's tally, and the partitions it
/// holds.
struct Counting(Arc<Tally>, Arc<AtomicUsize>);

impl ClientContext for Counting {}

impl ConsumerContext for Counting {
    fn post_rebalance(&self, _: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Assign(tpl) => {
                self.1.fetch_add(tpl.count(), Ordering::AcqRel);
            }
            Rebalance::Revoke(tpl) => {
                let n = tpl.count();
                let _ = self
                    .1
                    .fetch_update(Ordering::AcqRel, Ordering::Acquire, |h| {
                        Some(h.saturating_sub(n))
                    });
            }
            Rebalance::Error(_) => return,
        }
        self.0.rebalances.fetch_add(1, Ordering::AcqRel);
    }
}
