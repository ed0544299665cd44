//! A live consumer-group member for tests: an rdkafka consumer that has joined its group.
//!
//! Include it with `#[path = "…/core/tests/common/member.rs"] mod member;`.
#![allow(dead_code)]

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::ClientConfig;
use std::time::{Duration, Instant};

/// How long a member may take to join and get partitions.
const JOIN_TIMEOUT: Duration = Duration::from_secs(90);

/// Joins `group` on `topic` with `client.id` = `client_id` plus `extra` settings, polling
/// until the group assigned it at least one partition; panics after a generous bound.
pub fn join(
    bootstrap: &str,
    topic: &str,
    group: &str,
    client_id: &str,
    extra: &[(&str, &str)],
) -> BaseConsumer {
    let mut config = ClientConfig::new();
    config
        .set("bootstrap.servers", bootstrap)
        .set("group.id", group)
        .set("client.id", client_id)
        .set("auto.offset.reset", "earliest");
    for (k, v) in extra {
        config.set(*k, *v);
    }
    let consumer: BaseConsumer = config.create().expect("consumer created");
    consumer.subscribe(&[topic]).expect("subscribed");
    let start = Instant::now();
    while consumer.assignment().map_or(0, |a| a.count()) == 0 {
        assert!(
            start.elapsed() < JOIN_TIMEOUT,
            "{client_id} got no partition of {topic} within {JOIN_TIMEOUT:?}"
        );
        let _ = consumer.poll(Duration::from_millis(100));
    }
    consumer
}
