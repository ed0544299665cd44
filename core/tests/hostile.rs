//! Servers that are not the broker they claim to be: silence, garbage, a 2 GiB length prefix, a
//! negative one, a short frame, an HTTP reply and an immediate close. The probe (both ways) and
//! the consumer each end with a clear error within their timeout, and memory stays bounded.

#[path = "common/runtime.rs"]
mod runtime;

use runtime::{rss_bytes, wait_until};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};
use steady_core::broker::{probe, probe_with_librdkafka, ProbeError};
use steady_core::rules::BrokerFacts;
use steady_core::runtime::Consumer;
use steady_core::Settings;

const TIMEOUT: Duration = Duration::from_secs(3);
/// Most the process may grow while talking to one hostile server.
const GROWTH: u64 = 64 << 20;

/// What the server does once a client has sent its first bytes.
#[derive(Debug, Clone, Copy)]
enum Hostile {
    Silence,
    Garbage,
    TwoGiB,
    Negative,
    ShortFrame,
    Http,
    Close,
}

const ALL: [Hostile; 7] = [
    Hostile::Silence,
    Hostile::Garbage,
    Hostile::TwoGiB,
    Hostile::Negative,
    Hostile::ShortFrame,
    Hostile::Http,
    Hostile::Close,
];

impl Hostile {
    /// The bytes written after the first request arrives; `None`: hang up.
    fn reply(self) -> Option<Vec<u8>> {
        let frame = |len: u32, rest: &[u8]| [&len.to_be_bytes()[..], rest].concat();
        match self {
            Hostile::Silence => Some(Vec::new()),
            // A frame of 8 bytes whose correlation id answers nothing, then noise.
            Hostile::Garbage => Some(frame(8, b"\xde\xad\xbe\xef\x01\x02\x03\x04\xff\xfe")),
            Hostile::TwoGiB => Some(frame(1 << 31, &[0; 16])),
            Hostile::Negative => Some(frame(-16i32 as u32, &[0; 16])),
            Hostile::ShortFrame => Some(frame(100, &[0; 10])),
            Hostile::Http => Some(
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_vec(),
            ),
            Hostile::Close => None,
        }
    }
}

/// Serves `how` on 127.0.0.1 to every connection until the test process ends.
fn serve(how: Hostile) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            std::thread::spawn(move || answer(stream, how));
        }
    });
    address
}

fn answer(mut stream: TcpStream, how: Hostile) {
    let Some(reply) = how.reply() else {
        return; // dropped: closed at once
    };
    let mut first = [0u8; 4];
    if stream.read_exact(&mut first).is_err() {
        return;
    }
    let _ = stream.write_all(&reply);
    // Keep the connection open, reading (and dropping) whatever comes, until the peer goes.
    let mut sink = [0u8; 4096];
    while matches!(stream.read(&mut sink), Ok(n) if n > 0) {}
}

#[test]
fn the_probe_ends_with_a_clear_error_within_its_timeout() {
    type Probe = fn(&str, &Settings, Option<&str>, Duration) -> Result<BrokerFacts, ProbeError>;
    let probes: [(&str, Probe); 2] = [("plain", probe), ("librdkafka", probe_with_librdkafka)];
    for how in ALL {
        let address = serve(how);
        for (name, probe) in probes {
            let rss = rss_bytes();
            let start = Instant::now();
            let result = probe(&address, &Settings::new(), Some("g"), TIMEOUT);
            let took = start.elapsed();
            let error = match result {
                Err(e) => e.to_string(),
                Ok(facts) => panic!("{how:?} {name}: taken for a broker: {facts:?}"),
            };
            println!("{how:?} {name} ({took:?}): {error}");
            assert!(
                error.contains(&address),
                "{how:?} {name}: names the server: {error}"
            );
            assert!(
                took < TIMEOUT + Duration::from_secs(10),
                "{how:?} {name}: {took:?}"
            );
            let grew = rss_bytes().saturating_sub(rss);
            assert!(grew < GROWTH, "{how:?} {name}: RSS grew {grew} bytes");
        }
    }
}

#[test]
fn the_plain_probe_names_what_it_met() {
    let expect = [
        (Hostile::TwoGiB, "2147483648 bytes"),
        (Hostile::Negative, "4294967280 bytes"),
        (Hostile::Http, "HTTP"),
        (Hostile::Garbage, "correlation id"),
        (Hostile::Close, "not a plaintext Kafka listener"),
        (Hostile::Silence, "did not answer within"),
        (Hostile::ShortFrame, "did not answer within"),
    ];
    for (how, words) in expect {
        let error = probe(&serve(how), &Settings::new(), None, TIMEOUT)
            .unwrap_err()
            .to_string();
        assert!(error.contains(words), "{how:?}: {error}");
    }
}

#[test]
fn the_consumer_reports_the_failure_and_closes() {
    for how in ALL {
        let address = serve(how);
        let rss = rss_bytes();
        let settings = Settings::from_pairs([
            ("bootstrap.servers", address.as_str()),
            ("group.id", "hostile"),
            ("socket.connection.setup.timeout.ms", "3000"),
            ("api.version.request.timeout.ms", "3000"),
            ("socket.timeout.ms", "3000"),
            ("reconnect.backoff.max.ms", "1000"),
        ]);
        let consumer =
            Consumer::new(&settings, &["t"]).expect("created: librdkafka connects later");
        wait_until(
            &format!("{how:?}: an error in the stats"),
            Duration::from_secs(60),
            || {
                assert!(consumer
                    .recv(Duration::from_millis(100))
                    .is_ok_and(|r| r.is_none()));
                consumer.stats().last_error.is_some()
            },
        );
        let stats = consumer.stats();
        println!(
            "{how:?}: {} errors, last: {:?}",
            stats.errors, stats.last_error
        );
        assert!(
            stats.fatal_error.is_none(),
            "{how:?}: a broker's misbehaviour is not fatal"
        );
        let start = Instant::now();
        consumer.close().expect("close");
        assert!(
            start.elapsed() < Duration::from_secs(40),
            "{how:?}: close took {:?}",
            start.elapsed()
        );
        let grew = rss_bytes().saturating_sub(rss);
        assert!(grew < GROWTH, "{how:?}: RSS grew {grew} bytes");
    }
}
