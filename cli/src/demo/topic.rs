//! Topic set-up for the demo and the benchmark: create a topic, fill it, read its size.

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::ClientConfig;
use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll, Wake};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(60);

/// Creates `topic` with `partitions` partitions (replication factor 1).
pub fn create(bootstrap: &str, topic: &str, partitions: i32) -> Result<(), String> {
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .map_err(|e| format!("admin client: {e}"))?;
    let new = NewTopic::new(topic, partitions, TopicReplication::Fixed(1));
    let options = AdminOptions::new().operation_timeout(Some(TIMEOUT));
    let results = block_on(admin.create_topics([&new], &options))
        .map_err(|e| format!("create topic {topic}: {e}"))?;
    for result in results {
        result.map_err(|(t, e)| format!("create topic {t}: {e}"))?;
    }
    // The topic exists once its metadata names a leader for every partition.
    let probe = metadata_client(bootstrap)?;
    for _ in 0..120 {
        if partition_count(&probe, topic) == Some(partitions as usize) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    Err(format!("topic {topic} has no leaders after 30 s"))
}

/// Records in `topic` (sum of high watermarks minus low ones), and its partition count;
/// `None` when it does not exist.
pub fn size(bootstrap: &str, topic: &str) -> Result<Option<(i32, i64)>, String> {
    let probe = metadata_client(bootstrap)?;
    let Some(partitions) = partition_count(&probe, topic) else {
        return Ok(None);
    };
    let mut total = 0;
    for p in 0..partitions as i32 {
        let (low, high) = probe
            .fetch_watermarks(topic, p, TIMEOUT)
            .map_err(|e| format!("watermarks of {topic}/{p}: {e}"))?;
        total += high - low;
    }
    Ok(Some((partitions as i32, total)))
}

/// Writes `count` records of `size` bytes spread round-robin over `partitions`, keyed by their
/// index, and waits until the broker acknowledged them all.
pub fn produce(
    bootstrap: &str,
    topic: &str,
    partitions: i32,
    count: usize,
    size: usize,
) -> Result<(), String> {
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("linger.ms", "20")
        .set("batch.size", "1000000")
        .create()
        .map_err(|e| format!("producer: {e}"))?;
    let payload = vec![b'x'; size];
    for i in 0..count {
        let key = i.to_string();
        let mut record = BaseRecord::to(topic)
            .key(&key)
            .payload(&payload)
            .partition((i % partitions as usize) as i32);
        while let Err((e, back)) = producer.send(record) {
            if !matches!(
                e.rdkafka_error_code(),
                Some(rdkafka::types::RDKafkaErrorCode::QueueFull)
            ) {
                return Err(format!("produce to {topic}: {e}"));
            }
            record = back;
            producer.poll(Duration::from_millis(10));
        }
    }
    producer
        .flush(Duration::from_secs(300))
        .map_err(|e| format!("flush to {topic}: {e}"))
}

fn metadata_client(bootstrap: &str) -> Result<BaseConsumer, String> {
    ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .map_err(|e| format!("metadata client: {e}"))
}

fn partition_count(probe: &BaseConsumer, topic: &str) -> Option<usize> {
    let md = probe.fetch_metadata(Some(topic), TIMEOUT).ok()?;
    let t = md.topics().iter().find(|t| t.name() == topic)?;
    let ready = t.error().is_none()
        && !t.partitions().is_empty()
        && t.partitions().iter().all(|p| p.leader() >= 0);
    ready.then(|| t.partitions().len())
}

/// Wakes the blocked thread; rdkafka's admin futures complete on its own threads.
struct Unpark(std::thread::Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Runs `future` to completion on this thread.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let waker = Arc::new(Unpark(std::thread::current())).into();
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::park();
    }
}
