//! Broker version and features from the API versions a broker advertises (pure, no I/O).
//!
//! The table behind it (broker-versions in the docs): JoinGroup's max version tells the
//! release line; CreateTopics / OffsetFetch split 0.10.1 from 0.10.2; JoinGroup min 2 is
//! exactly 4.0; ConsumerGroupHeartbeat (key 68) marks 3.7+, and its v1 marks 4.0+.
//!
//! Upper bounds are the last possible release of a line: "2.5–3.1" has max `3.1.∞.∞`, so
//! `max < 3.2` holds and `max ≥ 3.1.5` does too.

use crate::rules::{BrokerFacts, BrokerVersion};
use crate::version::Version;

/// API keys the inference looks at.
mod key {
    /// OffsetFetch.
    pub const OFFSET_FETCH: i16 = 9;
    /// JoinGroup.
    pub const JOIN_GROUP: i16 = 11;
    /// CreateTopics.
    pub const CREATE_TOPICS: i16 = 19;
    /// ConsumerGroupHeartbeat (KIP-848).
    pub const CONSUMER_GROUP_HEARTBEAT: i16 = 68;
}

/// One entry of an ApiVersions answer: the versions a broker accepts for one API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiRange {
    /// The API key (11 = JoinGroup, …).
    pub key: i16,
    /// Lowest version accepted.
    pub min: i16,
    /// Highest version accepted.
    pub max: i16,
}

/// Looks up `key` in an ApiVersions answer.
pub fn find(apis: &[ApiRange], key: i16) -> Option<ApiRange> {
    apis.iter().copied().find(|a| a.key == key)
}

/// The broker facts an ApiVersions answer implies: version range, KIP-62, static membership,
/// KIP-848 support (the broker offers ConsumerGroupHeartbeat v1) and Apache Kafka's default
/// session window for that range ([`BrokerFacts::from_version`]); message size and group stay
/// unknown. Without JoinGroup in the answer nothing can be said and the facts stay empty.
pub fn infer(apis: &[ApiRange]) -> BrokerFacts {
    let Some(join) = find(apis, key::JOIN_GROUP) else {
        return BrokerFacts::default();
    };
    let heartbeat = find(apis, key::CONSUMER_GROUP_HEARTBEAT);
    let max_of = |k| find(apis, k).map_or(-1, |a| a.max);
    let version = match join.max {
        0 => exact(0, 10, 0),
        1 if max_of(key::CREATE_TOPICS) >= 1 || max_of(key::OFFSET_FETCH) >= 2 => exact(0, 10, 2),
        1 => exact(0, 10, 1),
        2 => lines((0, 11), (1, 1)),
        3 => lines((2, 0), (2, 1)),
        4 => exact(2, 2, 0),
        5 => exact(2, 3, 0),
        6 => exact(2, 4, 0),
        7 | 8 => lines((2, 5), (3, 1)),
        _ if join.min >= 2 => exact(4, 0, 0),
        _ => match heartbeat {
            Some(h) if h.max >= 1 => open(4, 0),
            Some(_) => lines((3, 7), (3, 9)),
            None => open(3, 2),
        },
    };
    with_kip848(version, heartbeat.is_some_and(|h| h.max >= 1))
}

/// The facts for a broker that gave no ApiVersions answer: older than 0.10.0.
pub fn before_api_versions() -> BrokerFacts {
    let version = BrokerVersion {
        min: Version::new(0, 8, 0),
        max: Some(last_of(0, 9)),
        label: "< 0.10.0".to_string(),
    };
    with_kip848(version, false)
}

/// The facts of `version`, with KIP-848 support as the broker advertised it (a 4.x broker that
/// disabled the consumer protocol does not offer it).
fn with_kip848(version: BrokerVersion, kip848: bool) -> BrokerFacts {
    BrokerFacts {
        kip848: Some(kip848),
        ..BrokerFacts::from_version(version)
    }
}

/// One release line `a.b.c` (any fix release of it).
fn exact(a: u32, b: u32, c: u32) -> BrokerVersion {
    let min = Version::new(a, b, c);
    BrokerVersion {
        min,
        max: Some(Version([a, b, c, u32::MAX])),
        label: min.to_string(),
    }
}

/// Release lines `from.0` through `to.∞`.
fn lines(from: (u32, u32), to: (u32, u32)) -> BrokerVersion {
    BrokerVersion {
        min: Version::new(from.0, from.1, 0),
        max: Some(last_of(to.0, to.1)),
        label: format!("{}.{}–{}.{}", from.0, from.1, to.0, to.1),
    }
}

/// `a.b` or anything newer.
fn open(a: u32, b: u32) -> BrokerVersion {
    BrokerVersion {
        min: Version::new(a, b, 0),
        max: None,
        label: format!("{a}.{b}+"),
    }
}

/// The last possible release of line `a.b`.
fn last_of(a: u32, b: u32) -> Version {
    Version([a, b, u32::MAX, u32::MAX])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(key, min, max)` triples as a broker would advertise them.
    fn apis(entries: &[(i16, i16, i16)]) -> Vec<ApiRange> {
        entries
            .iter()
            .map(|&(key, min, max)| ApiRange { key, min, max })
            .collect()
    }

    /// Keys 9, 11, 19 and 68 for one column of the version table (-1: absent).
    fn broker(offset_fetch: i16, join: (i16, i16), create: i16, heartbeat: i16) -> Vec<ApiRange> {
        let mut v = vec![(9, 0, offset_fetch), (11, join.0, join.1)];
        if create >= 0 {
            v.push((19, 0, create));
        }
        if heartbeat >= 0 {
            v.push((68, 0, heartbeat));
        }
        apis(&v)
    }

    fn label(facts: &BrokerFacts) -> &str {
        &facts.version.as_ref().unwrap().label
    }

    #[test]
    fn every_row_of_the_table() {
        let rows: &[(Vec<ApiRange>, &str)] = &[
            (broker(1, (0, 0), -1, -1), "0.10.0"),
            (broker(1, (0, 1), 0, -1), "0.10.1"),
            (broker(2, (0, 1), 1, -1), "0.10.2"),
            (broker(3, (0, 2), 2, -1), "0.11–1.1"),
            (broker(4, (0, 3), 3, -1), "2.0–2.1"),
            (broker(5, (0, 4), 3, -1), "2.2"),
            (broker(5, (0, 5), 3, -1), "2.3"),
            (broker(6, (0, 6), 5, -1), "2.4"),
            (broker(8, (0, 7), 7, -1), "2.5–3.1"),
            (broker(8, (0, 9), 7, -1), "3.2+"),
            (broker(9, (0, 9), 7, 0), "3.7–3.9"),
            (broker(9, (2, 9), 7, 1), "4.0"),
            (broker(9, (0, 9), 7, 1), "4.0+"),
        ];
        for (apis, want) in rows {
            assert_eq!(label(&infer(apis)), *want, "{apis:?}");
        }
    }

    #[test]
    fn offset_fetch_alone_splits_0_10_1_from_0_10_2() {
        // librdkafka's mock cluster has no CreateTopics; OffsetFetch v2 came with 0.10.2.
        assert_eq!(label(&infer(&apis(&[(9, 0, 2), (11, 0, 1)]))), "0.10.2");
        assert_eq!(label(&infer(&apis(&[(9, 0, 1), (11, 0, 1)]))), "0.10.1");
    }

    #[test]
    fn features_follow_the_version() {
        let f = infer(&broker(1, (0, 0), -1, -1));
        assert_eq!(
            (f.kip62, f.static_membership, f.kip848),
            (Some(false), Some(false), Some(false))
        );
        let f = infer(&broker(1, (0, 1), 0, -1));
        assert_eq!(
            (f.kip62, f.static_membership, f.kip848),
            (Some(true), Some(false), Some(false))
        );
        let f = infer(&broker(5, (0, 5), 3, -1));
        assert_eq!(
            (f.kip62, f.static_membership, f.kip848),
            (Some(true), Some(true), Some(false))
        );
        let f = infer(&broker(9, (0, 9), 7, 0));
        assert_eq!(f.kip848, Some(false), "3.7–3.9 only preview KIP-848");
        let f = infer(&broker(9, (0, 9), 7, 1));
        assert_eq!(
            (f.kip62, f.static_membership, f.kip848),
            (Some(true), Some(true), Some(true))
        );
    }

    #[test]
    fn the_session_window_defaults_by_version() {
        let window = |f: BrokerFacts| {
            (
                f.group_min_session_timeout_ms,
                f.group_max_session_timeout_ms,
            )
        };
        let old = window(infer(&broker(1, (0, 0), -1, -1)));
        assert_eq!(old, (Some(6000), Some(300_000)));
        let new = window(infer(&broker(5, (0, 5), 3, -1)));
        assert_eq!(new, (Some(6000), Some(1_800_000)));
        assert_eq!(window(before_api_versions()).1, Some(30_000));
        assert_eq!(infer(&broker(9, (0, 9), 7, 1)).message_max_bytes, None);
    }

    #[test]
    fn ranges_bound_every_release_of_their_lines() {
        let v = infer(&broker(1, (0, 0), -1, -1)).version.unwrap();
        let patch: Version = "0.10.0.1".parse().unwrap();
        assert!(v.min <= patch && patch <= v.max.unwrap());
        assert!(v.max.unwrap() < Version::new(0, 10, 1));

        let v = infer(&broker(8, (0, 7), 7, -1)).version.unwrap();
        assert!(v.max.unwrap() >= Version::new(3, 1, 2));
        assert!(v.max.unwrap() < Version::new(3, 2, 0));

        let v = infer(&broker(9, (0, 9), 7, 1)).version.unwrap();
        assert_eq!((v.min, v.max), (Version::new(4, 0, 0), None));
    }

    #[test]
    fn no_answer_means_older_than_0_10() {
        let f = before_api_versions();
        assert_eq!(label(&f), "< 0.10.0");
        assert!(f.version.unwrap().max.unwrap() < Version::new(0, 10, 0));
        assert_eq!(f.kip62, Some(false));
    }

    #[test]
    fn without_join_group_nothing_is_inferred() {
        assert_eq!(infer(&apis(&[(18, 0, 3)])), BrokerFacts::default());
    }
}
