//! Lag and the Prometheus exposition against the real broker: produce N, consume and ack M,
//! commit — the lag steady exposes (stats, `metrics_text`, `/metrics` over HTTP) is N − M per
//! partition, as the broker's own offsets say.

#[path = "common/broker.rs"]
mod broker;
#[path = "common/runtime.rs"]
mod runtime;

use rdkafka::consumer::{BaseConsumer, Consumer as _};
use rdkafka::ClientConfig;
use runtime::{committed, produce_per_partition, settings, wait_until};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::time::{Duration, Instant};
use steady_core::runtime::Consumer;

const PARTITIONS: i32 = 3;
const N: i64 = 100;
const M: i64 = 40;
const WAIT: Duration = Duration::from_secs(120);

/// The broker's log end offsets of the topic, read by a fresh client.
fn log_ends(bootstrap: &str, topic: &str) -> Vec<i64> {
    let reader: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .expect("reader");
    (0..PARTITIONS)
        .map(|p| {
            reader
                .fetch_watermarks(topic, p, Duration::from_secs(30))
                .expect("watermarks")
                .1
        })
        .collect()
}

/// The samples of `metric` by partition, parsed with a Prometheus text parser.
fn by_partition(text: &str, metric: &str) -> HashMap<i32, f64> {
    let lines = text.lines().map(|l| Ok(l.to_string()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("valid exposition");
    scrape
        .samples
        .iter()
        .filter(|s| s.metric == metric)
        .map(|s| {
            let p = s.labels.get("messaging_destination_partition_id").unwrap();
            let v = match s.value {
                prometheus_parse::Value::Gauge(v) | prometheus_parse::Value::Counter(v) => v,
                ref other => panic!("{metric}: {other:?}"),
            };
            (p.parse().unwrap(), v)
        })
        .collect()
}

/// GET /metrics from `address`.
fn scrape(address: std::net::SocketAddr) -> String {
    let mut stream = std::net::TcpStream::connect(address).expect("connect to /metrics");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("a response");
    let (head, body) = response.split_once("\r\n\r\n").expect("headers and a body");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(head.contains("text/plain; version=0.0.4"), "{head}");
    body.to_string()
}

#[test]
fn lag_is_log_end_minus_the_acked_prefix_everywhere_it_is_shown() {
    let bootstrap = broker::bootstrap();
    let topic = broker::unique("metrics-lag");
    broker::create_topic(&topic, PARTITIONS as u32);
    produce_per_partition(&bootstrap, &topic, PARTITIONS, N);
    let group = broker::unique("metrics-lag");
    let c = Consumer::new(
        &settings(
            &bootstrap,
            &group,
            &[
                ("enable.auto.commit", "false"),
                ("steady.metrics.listen", "127.0.0.1:0"),
            ],
        ),
        &[&topic],
    )
    .expect("consumer");
    // Ack the first M records of each partition; the rest are delivered and held.
    let mut acked: HashMap<i32, i64> = HashMap::new();
    let mut held = Vec::new();
    let deadline = Instant::now() + WAIT;
    while acked.values().sum::<i64>() < M * PARTITIONS as i64 {
        assert!(Instant::now() < deadline, "acked only {acked:?}");
        if let Some(r) = c.recv(Duration::from_millis(200)).expect("recv") {
            if r.offset() < M {
                r.ack().unwrap();
                *acked.entry(r.partition()).or_default() += 1;
            } else {
                held.push(r);
            }
        }
    }
    c.commit().expect("commit");
    assert_eq!(
        committed(&bootstrap, &group, &topic, PARTITIONS),
        vec![M; PARTITIONS as usize]
    );
    let broker_lag: Vec<i64> = log_ends(&bootstrap, &topic)
        .into_iter()
        .map(|end| end - M)
        .collect();
    assert_eq!(broker_lag, vec![N - M; PARTITIONS as usize]);
    wait_until("the log end offsets are known", WAIT, || {
        c.stats()
            .partitions
            .iter()
            .all(|p| p.log_end_offset == Some(N))
    });
    let stats = c.stats();
    for p in &stats.partitions {
        assert_eq!(p.lag, Some(broker_lag[p.partition as usize]), "{p:?}");
        assert_eq!(p.committed, Some(M));
        assert!(p.delivered >= M as u64 && p.acked == M as u64, "{p:?}");
    }
    for text in [
        c.metrics_text(),
        scrape(c.metrics_address().expect("served")),
    ] {
        let lag = by_partition(&text, "steady_consumer_lag_records");
        let consumed = by_partition(&text, "messaging_client_consumed_messages_total");
        for p in 0..PARTITIONS {
            assert_eq!(lag.get(&p), Some(&((N - M) as f64)), "lag of {p}");
            assert!(consumed[&p] >= M as f64);
        }
        assert!(text.contains("messaging_process_duration_seconds_bucket{"));
        assert!(text.contains("steady_commits_total{"));
    }
    assert!(stats.processing_ms_p90.is_some() && stats.processing_ms_max.is_some());
    assert!(
        stats.rebalance_ms_last.is_some(),
        "the first assignment is timed"
    );
    let address = c.metrics_address().unwrap();
    drop(held);
    c.close().unwrap();
    let after = by_partition(
        &c.metrics_text(),
        "messaging_client_consumed_messages_total",
    );
    assert_eq!(
        after.len(),
        PARTITIONS as usize,
        "counters outlive the assignment"
    );
    assert!(
        std::net::TcpStream::connect_timeout(&address, Duration::from_secs(5)).is_err(),
        "/metrics stops with the consumer"
    );
}

#[test]
fn a_metrics_address_that_cannot_be_bound_is_refused_naming_the_key() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    for value in [address.as_str(), "no-port", "host:99999"] {
        let s = settings("127.0.0.1:1", "g", &[("steady.metrics.listen", value)]);
        match Consumer::new(&s, &["t"]) {
            Err(e) => assert!(e.to_string().contains("steady.metrics.listen"), "{e}"),
            Ok(_) => panic!("{value} was accepted"),
        }
    }
}
