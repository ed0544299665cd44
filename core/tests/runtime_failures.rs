//! Failures the application sees, against the real broker: fatal group errors end `recv` and
//! `commit` with librdkafka's code (a fenced static member, an unknown KIP-848 assignor, a
//! group whose members run another rebalance protocol), and `close` still works.

#[path = "common/broker.rs"]
mod broker;
#[path = "common/runtime.rs"]
mod runtime;

use runtime::{produce_per_partition, settings, wait_until};
use std::time::{Duration, Instant};
use steady_core::runtime::{Consumer, Error};

const WAIT: Duration = Duration::from_secs(120);
/// The bound: a fatal error reaches `recv` within 30 s.
const FATAL_WITHIN: Duration = Duration::from_secs(30);

/// Calls `recv` (acking what arrives) until it fails; returns the error and when it came.
fn recv_until_error(consumer: &Consumer, within: Duration) -> (Error, Duration) {
    let start = Instant::now();
    loop {
        assert!(start.elapsed() < within, "no error within {within:?}");
        match consumer.recv(Duration::from_millis(200)) {
            Ok(Some(r)) => r.ack().unwrap(),
            Ok(None) => {}
            Err(e) => return (e, start.elapsed()),
        }
    }
}

fn assert_fatal(e: &Error, name: &str, code: i32) {
    let k = e
        .kafka()
        .unwrap_or_else(|| panic!("a Kafka error, got {e:?}"));
    assert!(e.is_fatal() && k.is_fatal(), "{e}");
    assert_eq!((k.name(), k.code()), (name, code), "{e}");
}

#[test]
fn a_fenced_static_member_gets_a_fatal_error() {
    let bootstrap = broker::bootstrap();
    let topic = broker::unique("fenced");
    broker::create_topic(&topic, 2);
    produce_per_partition(&bootstrap, &topic, 2, 5);
    let group = broker::unique("fenced");
    let extra = [
        ("group.instance.id", "steady-static-1"),
        ("session.timeout.ms", "6000"),
    ];
    let a = Consumer::new(&settings(&bootstrap, &group, &extra), &[&topic]).expect("a");
    wait_until("A has its assignment", WAIT, || {
        let _ = a
            .recv(Duration::from_millis(100))
            .map(|r| r.map(|r| r.ack()));
        a.stats().assignment.len() == 2
    });
    let b = Consumer::new(&settings(&bootstrap, &group, &extra), &[&topic]).expect("b");
    let (e, after) = recv_until_error(&a, FATAL_WITHIN);
    println!("fenced: A's recv failed after {after:?}: {e}");
    assert_fatal(&e, "FENCED_INSTANCE_ID", 82);
    assert_eq!(
        a.recv(Duration::ZERO).unwrap_err(),
        e,
        "every later recv says the same"
    );
    assert_eq!(a.commit().unwrap_err(), e);
    assert!(a.stats().fatal_error.is_some());
    let closing = Instant::now();
    a.close().expect("close after a fatal error");
    assert!(closing.elapsed() < Duration::from_secs(40));
    assert!(matches!(a.recv(Duration::ZERO), Err(Error::Closed)));
    wait_until("B took the partitions over", WAIT, || {
        let _ = b.recv(Duration::from_millis(100));
        b.stats().assignment.len() == 2
    });
    b.close().unwrap();
}

#[test]
fn an_unknown_remote_assignor_is_fatal() {
    let bootstrap = broker::bootstrap();
    let topic = broker::unique("bogus-assignor");
    broker::create_topic(&topic, 1);
    let group = broker::unique("bogus-assignor");
    let extra = [
        ("group.protocol", "consumer"),
        ("group.remote.assignor", "bogus"),
    ];
    let c = Consumer::new(&settings(&bootstrap, &group, &extra), &[&topic]).expect("consumer");
    let (e, after) = recv_until_error(&c, FATAL_WITHIN);
    println!("bogus assignor: recv failed after {after:?}: {e}");
    assert_fatal(&e, "UNSUPPORTED_ASSIGNOR", 112);
    c.close().unwrap();
}

#[test]
fn joining_an_eager_group_with_a_cooperative_assignor_is_fatal_and_names_the_setting() {
    let bootstrap = broker::bootstrap();
    let topic = broker::unique("inconsistent");
    broker::create_topic(&topic, 2);
    let group = broker::unique("inconsistent");
    let eager = [("partition.assignment.strategy", "range")];
    let a = Consumer::new(&settings(&bootstrap, &group, &eager), &[&topic]).expect("eager");
    wait_until("the eager member has its assignment", WAIT, || {
        let _ = a.recv(Duration::from_millis(100));
        a.stats().assignment.len() == 2
    });
    // steady's default: cooperative-sticky.
    let b = Consumer::new(&settings(&bootstrap, &group, &[]), &[&topic]).expect("default");
    let (e, after) = recv_until_error(&b, FATAL_WITHIN);
    println!("inconsistent protocol: recv failed after {after:?}: {e}");
    assert_fatal(&e, "INCONSISTENT_GROUP_PROTOCOL", 23);
    assert!(
        e.to_string().contains("partition.assignment.strategy"),
        "{e}"
    );
    b.close().unwrap();
    a.close().unwrap();
}
