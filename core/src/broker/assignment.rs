//! The consumer protocol's member bytes (as DescribeGroups returns them): a version, then a
//! subscription (topics) or an assignment (topic → partitions).

use bytes::{Buf, Bytes};
use kafka_protocol::messages::{ConsumerProtocolAssignment, ConsumerProtocolSubscription};
use kafka_protocol::protocol::{Decodable, Message};
use std::collections::BTreeSet;

/// What a group's members consume: the topics they subscribe to or were assigned, and how
/// many partitions they were assigned in all.
#[derive(Debug, Default)]
pub(crate) struct Consumed {
    /// Subscribed or assigned topics.
    pub(crate) topics: BTreeSet<String>,
    /// Partitions assigned across members.
    pub(crate) assigned: u32,
}

impl Consumed {
    /// Adds a member's subscription.
    pub(crate) fn add_subscription(&mut self, topics: impl IntoIterator<Item = String>) {
        self.topics.extend(topics);
    }

    /// Adds `partitions` assigned partitions of `topic`.
    pub(crate) fn add_assigned(&mut self, topic: String, partitions: u32) {
        self.assigned += partitions;
        self.topics.insert(topic);
    }

    /// Adds a classic consumer-protocol member from its metadata and assignment bytes.
    pub(crate) fn add_member_bytes(&mut self, metadata: &Bytes, assignment: &Bytes) {
        self.add_subscription(subscribed_topics(metadata));
        for (topic, partitions) in assigned_topics(assignment) {
            self.add_assigned(topic, partitions);
        }
    }
}

/// Splits off the version prefix; newer versions only append fields, so they are read as the
/// newest version this crate knows.
fn versioned<M: Message>(bytes: &Bytes) -> Option<(Bytes, i16)> {
    let mut buf = bytes.clone();
    (buf.remaining() >= 2).then(|| {
        let version = buf.get_i16().clamp(M::VERSIONS.min, M::VERSIONS.max);
        (buf, version)
    })
}

/// Topics a member subscribed to (empty when the bytes are not a consumer subscription).
fn subscribed_topics(metadata: &Bytes) -> Vec<String> {
    versioned::<ConsumerProtocolSubscription>(metadata)
        .and_then(|(mut buf, v)| ConsumerProtocolSubscription::decode(&mut buf, v).ok())
        .map(|s| s.topics.iter().map(|t| t.to_string()).collect())
        .unwrap_or_default()
}

/// `(topic, partition count)` a member was assigned (empty when the bytes are not a consumer
/// assignment, e.g. while the group rebalances).
fn assigned_topics(assignment: &Bytes) -> Vec<(String, u32)> {
    assigned_partitions(assignment)
        .into_iter()
        .map(|(topic, partitions)| (topic, partitions.len() as u32))
        .collect()
}

/// `(topic, partitions)` a member was assigned (empty when the bytes are not a consumer
/// assignment).
pub(crate) fn assigned_partitions(assignment: &Bytes) -> Vec<(String, Vec<i32>)> {
    versioned::<ConsumerProtocolAssignment>(assignment)
        .and_then(|(mut buf, v)| ConsumerProtocolAssignment::decode(&mut buf, v).ok())
        .map(|a| {
            a.assigned_partitions
                .iter()
                .map(|tp| (tp.topic.0.to_string(), tp.partitions.clone()))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::BufMut;

    fn string(buf: &mut Vec<u8>, s: &str) {
        buf.put_i16(s.len() as i16);
        buf.put_slice(s.as_bytes());
    }

    #[test]
    fn reads_a_v0_subscription() {
        let mut b = Vec::new();
        b.put_i16(0); // version
        b.put_i32(2); // topics
        string(&mut b, "orders");
        string(&mut b, "payments");
        b.put_i32(-1); // null user data
        assert_eq!(subscribed_topics(&b.into()), ["orders", "payments"]);
    }

    #[test]
    fn reads_a_v1_assignment() {
        let mut b = Vec::new();
        b.put_i16(1);
        b.put_i32(1); // topics
        string(&mut b, "orders");
        b.put_i32(3); // partitions
        for p in [0, 2, 4] {
            b.put_i32(p);
        }
        b.put_i32(-1); // null user data
        let b: Bytes = b.into();
        assert_eq!(assigned_topics(&b), [("orders".to_string(), 3)]);
        assert_eq!(
            assigned_partitions(&b),
            [("orders".to_string(), vec![0, 2, 4])]
        );
    }

    #[test]
    fn garbage_and_empty_bytes_give_nothing() {
        assert!(assigned_topics(&Bytes::new()).is_empty());
        assert!(subscribed_topics(&Bytes::from_static(&[0, 0, 0x7f])).is_empty());
    }
}
