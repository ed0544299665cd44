//! Nacks, retries and the dead-letter topic against the real broker: a nacked record comes back
//! with its attempt number and holds the committed offset until acked; a poison record ends in
//! `steady.dlq.topic` with its headers and the ones naming its source, and only the broker's
//! acknowledgement lets the committed offset pass it; with the dead-letter topic missing the
//! record stays pending, the failure is visible, and it goes out once the topic exists.

#[path = "common/broker.rs"]
mod broker;
#[path = "common/events.rs"]
mod events;
#[path = "common/runtime.rs"]
mod runtime;

use events::{Recorder, Seen};
use rdkafka::consumer::{BaseConsumer, Consumer as _};
use rdkafka::message::{Header, Headers, Message, OwnedHeaders};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::ClientConfig;
use runtime::{committed, settings, wait_until};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use steady_core::runtime::{Consumer, EventKind, Record};

const WAIT: Duration = Duration::from_secs(120);

/// Produces `count` records to partition 0 of `topic`: key `k<i>`, value `v<i>`, header
/// `trace` = `t<i>`.
fn produce(bootstrap: &str, topic: &str, count: usize) {
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .expect("producer");
    for i in 0..count {
        let (key, value, trace) = (format!("k{i}"), format!("v{i}"), format!("t{i}"));
        let headers = OwnedHeaders::new().insert(Header {
            key: "trace",
            value: Some(&trace),
        });
        producer
            .send(
                BaseRecord::to(topic)
                    .partition(0)
                    .key(&key)
                    .payload(&value)
                    .headers(headers),
            )
            .expect("queued");
    }
    producer.flush(Duration::from_secs(30)).expect("flush");
}

/// Every record of partition 0 of `topic`: (key, value, headers), read from the start.
fn read_all(
    bootstrap: &str,
    topic: &str,
    expect: usize,
) -> Vec<(String, String, HashMap<String, String>)> {
    let c: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", broker::unique("dlq-reader"))
        .set("auto.offset.reset", "earliest")
        .create()
        .expect("reader");
    c.subscribe(&[topic]).unwrap();
    let mut got = Vec::new();
    let deadline = Instant::now() + WAIT;
    while got.len() < expect && Instant::now() < deadline {
        if let Some(Ok(m)) = c.poll(Duration::from_millis(200)) {
            let text =
                |b: Option<&[u8]>| String::from_utf8_lossy(b.unwrap_or_default()).to_string();
            let headers = m
                .headers()
                .map(|h| {
                    h.iter()
                        .map(|h| (h.key.to_string(), text(h.value)))
                        .collect()
                })
                .unwrap_or_default();
            got.push((text(m.key()), text(m.payload()), headers));
        }
    }
    got
}

fn consumer(bootstrap: &str, topic: &str, group: &str, extra: &[(&str, &str)]) -> Consumer {
    Consumer::new(&settings(bootstrap, group, extra), &[topic]).expect("consumer")
}

/// The first `dead_lettered` event, waiting for it.
fn dead_letter_event(events: &Recorder) -> Seen {
    wait_until("a dead_lettered event", WAIT, || {
        !events.of(EventKind::DeadLettered).is_empty()
    });
    events.of(EventKind::DeadLettered).remove(0)
}

fn recv(c: &Consumer) -> Record {
    c.recv(WAIT)
        .expect("recv")
        .expect("a record within the wait")
}

#[test]
fn a_nacked_record_comes_back_with_its_attempt_and_holds_the_commit_and_its_partition() {
    let bootstrap = broker::bootstrap();
    let topic = broker::unique("nack");
    broker::create_topic(&topic, 1);
    produce(&bootstrap, &topic, 5);
    let group = broker::unique("nack");
    let c = consumer(
        &bootstrap,
        &topic,
        &group,
        &[
            ("steady.ordering", "partition"),
            ("steady.retry.backoff.ms", "100"),
            ("enable.auto.commit", "false"),
        ],
    );
    let mut seen = Vec::new();
    while seen.len() < 7 {
        let r = recv(&c);
        seen.push((r.offset(), r.attempt()));
        if r.offset() == 2 && r.attempt() < 3 {
            let began = Instant::now();
            r.nack("downstream unavailable").unwrap();
            c.commit().unwrap();
            assert_eq!(committed(&bootstrap, &group, &topic, 1), vec![2]);
            let again = recv(&c);
            assert!(
                began.elapsed() >= Duration::from_millis(100),
                "the back-off"
            );
            seen.push((again.offset(), again.attempt()));
            if again.attempt() < 3 {
                again.nack("still unavailable").unwrap();
                continue;
            }
            again.ack().unwrap();
        } else {
            r.ack().unwrap();
        }
    }
    assert_eq!(
        seen,
        vec![(0, 1), (1, 1), (2, 1), (2, 2), (2, 3), (3, 1), (4, 1)],
        "the records behind the nacked one wait for it (partition order)"
    );
    c.commit().unwrap();
    assert_eq!(committed(&bootstrap, &group, &topic, 1), vec![5]);
    assert_eq!(c.stats().retries, 2);
    c.close().unwrap();
}

#[test]
fn a_poison_record_ends_in_the_dead_letter_topic_with_its_source() {
    let bootstrap = broker::bootstrap();
    let topic = broker::unique("poison");
    let dlq = broker::unique("poison-dlq");
    broker::create_topic(&topic, 1);
    broker::create_topic(&dlq, 1);
    produce(&bootstrap, &topic, 10);
    let group = broker::unique("poison");
    let c = consumer(
        &bootstrap,
        &topic,
        &group,
        &[
            ("steady.ordering", "key"),
            ("steady.retry.backoff.ms", "50"),
            ("steady.retry.max.attempts", "3"),
            ("steady.dlq.topic", &dlq),
            ("steady.events.enable", "true"),
        ],
    );
    let c = Arc::new(c);
    let events = Recorder::start(c.clone(), |_| {});
    let mut attempts = Vec::new();
    let mut acked = 0;
    while acked < 9 || attempts.len() < 3 {
        let r = recv(&c);
        if r.offset() == 4 {
            attempts.push(r.attempt());
            r.nack(&format!(
                "cannot parse {:?}",
                r.payload().unwrap_or_default()
            ))
            .unwrap();
        } else {
            r.ack().unwrap();
            acked += 1;
        }
    }
    let event = dead_letter_event(&events);
    assert_eq!(attempts, vec![1, 2, 3]);
    assert!(event.error.is_none(), "{:?}", event.error);
    assert_eq!(event.partitions, vec![(0, Some(4))]);
    c.commit().unwrap();
    assert_eq!(committed(&bootstrap, &group, &topic, 1), vec![10]);
    let stats = c.stats();
    assert_eq!(
        (stats.dead_lettered, stats.retries, stats.parked_records),
        (1, 2, 0)
    );
    c.close().unwrap();

    let letters = read_all(&bootstrap, &dlq, 1);
    assert_eq!(letters.len(), 1);
    let (key, value, headers) = &letters[0];
    assert_eq!((key.as_str(), value.as_str()), ("k4", "v4"));
    assert_eq!(headers["trace"], "t4", "the record's own headers are kept");
    assert_eq!(headers["steady.source.topic"], topic);
    assert_eq!(headers["steady.source.partition"], "0");
    assert_eq!(headers["steady.source.offset"], "4");
    assert_eq!(headers["steady.attempts"], "3");
    assert!(
        headers["steady.error"].contains("cannot parse"),
        "{headers:?}"
    );
}

#[test]
fn with_the_dead_letter_topic_missing_the_record_stays_pending_until_it_exists() {
    let bootstrap = broker::bootstrap();
    let topic = broker::unique("dlq-down");
    let dlq = broker::unique("dlq-down-dlq"); // not created yet: the broker refuses it
    broker::create_topic(&topic, 1);
    produce(&bootstrap, &topic, 3);
    let group = broker::unique("dlq-down");
    let c = consumer(
        &bootstrap,
        &topic,
        &group,
        &[
            ("steady.dlq.topic", &dlq),
            ("steady.dlq.timeout.ms", "3000"),
            ("steady.retry.backoff.max.ms", "1000"),
            ("steady.events.enable", "true"),
            ("enable.auto.commit", "false"),
        ],
    );
    let c = Arc::new(c);
    let events = Recorder::start(c.clone(), |_| {});
    for _ in 0..3 {
        let r = recv(&c);
        if r.offset() == 1 {
            r.reject("schema violation").unwrap();
        } else {
            r.ack().unwrap();
        }
    }
    let error = dead_letter_event(&events)
        .error
        .expect("the produce failed");
    let stats = c.stats();
    assert!(stats.dead_letter_failures >= 1);
    assert_eq!((stats.parked_records, stats.dead_lettered), (1, 0));
    let last = stats.last_error.unwrap_or_default();
    assert!(last.contains("could not be dead-lettered"), "{last}");
    c.commit().unwrap();
    assert_eq!(
        committed(&bootstrap, &group, &topic, 1),
        vec![1],
        "nothing is committed past the record"
    );
    println!("dead-letter produce failed as expected: {error}");

    broker::create_topic(&dlq, 1);
    wait_until(
        "the record dead-lettered once the topic exists",
        WAIT,
        || c.stats().dead_lettered == 1,
    );
    c.commit().unwrap();
    assert_eq!(committed(&bootstrap, &group, &topic, 1), vec![3]);
    assert_eq!(c.stats().parked_records, 0);
    c.close().unwrap();
    let letters = read_all(&bootstrap, &dlq, 1);
    assert_eq!(letters[0].2["steady.source.offset"], "1");
    assert_eq!(letters[0].2["steady.attempts"], "1");
}

#[test]
fn without_a_dead_letter_topic_a_record_out_of_attempts_stays_pending() {
    let bootstrap = broker::bootstrap();
    let topic = broker::unique("parked");
    broker::create_topic(&topic, 1);
    produce(&bootstrap, &topic, 2);
    let group = broker::unique("parked");
    let c = consumer(
        &bootstrap,
        &topic,
        &group,
        &[
            ("steady.retry.max.attempts", "1"),
            ("enable.auto.commit", "false"),
        ],
    );
    for _ in 0..2 {
        let r = recv(&c);
        if r.offset() == 0 {
            r.nack("boom").unwrap(); // its only attempt
        } else {
            r.ack().unwrap();
        }
    }
    assert!(
        c.recv(Duration::from_millis(500)).unwrap().is_none(),
        "not delivered again"
    );
    c.commit().unwrap();
    let stats = c.stats();
    assert_eq!((stats.parked_records, stats.retries), (1, 0));
    assert!(stats
        .last_error
        .unwrap_or_default()
        .contains("no steady.dlq.topic"));
    assert_eq!(
        committed(&bootstrap, &group, &topic, 1),
        vec![0],
        "never past the parked record"
    );
    c.close().unwrap();
}
