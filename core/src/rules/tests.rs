//! Table-driven tests of every rule.

use super::*;
use crate::settings::{Dialect, Settings};
use crate::version::Version;

fn v(s: &str) -> Version {
    s.parse().unwrap()
}

#[test]
fn the_seed_example() {
    let input = Input {
        settings: Settings::from_pairs([
            ("session.timeout.ms", "40000"),
            ("max.poll.records", "2000"),
        ]),
        client: ClientInfo {
            dialect: Some(Dialect::Java),
            version: Some(v("0.10.0")),
            heartbeat: None,
        },
        broker: Some(BrokerFacts::from_version(v("0.10.0"))),
        workload: Workload {
            rate_per_thread: Some(10.0),
            threads: Some(2),
            ..Workload::default()
        },
        profile: Profile::Apache,
    };
    let report = check(&input);
    println!("{}", report.to_text());
    println!("{}", report.to_json());
}
