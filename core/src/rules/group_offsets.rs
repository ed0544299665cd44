//! A live group's offsets at one moment, as `kafka-consumer-groups --describe` shows them:
//! per partition the committed offset, the log end offset, the lag and the owning member.
//! The broker probe takes these samples; LG001 compares them.

use serde::Serialize;

/// A topic and one of its partitions.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct TopicPartition {
    /// The topic.
    pub topic: String,
    /// The partition number.
    pub partition: i32,
}

impl TopicPartition {
    /// `topic`'s partition `partition`.
    pub fn new(topic: impl Into<String>, partition: i32) -> Self {
        TopicPartition {
            topic: topic.into(),
            partition,
        }
    }
}

impl std::fmt::Display for TopicPartition {
    /// `orders-3`, the notation of Kafka's tools.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.topic, self.partition)
    }
}

/// A member of a live group and the partitions assigned to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssignedMember {
    /// The member id the coordinator assigned.
    pub member_id: String,
    /// The client's `client.id`.
    pub client_id: String,
    /// The client's host as the broker saw it.
    pub host: String,
    /// `group.instance.id` for static members, when the describe answer carries it.
    pub instance_id: Option<String>,
    /// The partitions it owns, sorted.
    pub partitions: Vec<TopicPartition>,
}

/// One partition of the group: what it committed, how far the log goes, who owns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartitionOffsets {
    /// The topic.
    pub topic: String,
    /// The partition number.
    pub partition: i32,
    /// The group's committed offset (`None`: nothing committed yet).
    pub committed: Option<i64>,
    /// The log end offset (high watermark), when it could be read.
    pub log_end: Option<i64>,
    /// The member that owns the partition (`None`: no member does).
    pub member_id: Option<String>,
}

impl PartitionOffsets {
    /// log end − committed (never below 0), when both are known.
    pub fn lag(&self) -> Option<i64> {
        Some((self.log_end? - self.committed?).max(0))
    }

    /// The partition as a [`TopicPartition`].
    pub fn topic_partition(&self) -> TopicPartition {
        TopicPartition::new(self.topic.clone(), self.partition)
    }
}

/// A group's members and offsets at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GroupOffsets {
    /// Milliseconds since the first sample was started (0 for the first).
    pub elapsed_ms: u64,
    /// Whether the members could be listed. `false` for a KIP-848 (consumer protocol) group
    /// described through librdkafka, whose DescribeGroups does not show such members.
    pub members_shown: bool,
    /// The members and their partitions.
    pub members: Vec<AssignedMember>,
    /// Every partition with a committed offset or an owner, sorted by topic and partition.
    pub partitions: Vec<PartitionOffsets>,
}

impl GroupOffsets {
    /// The row of `tp`, if the group has one.
    pub fn partition(&self, tp: &TopicPartition) -> Option<&PartitionOffsets> {
        self.partitions
            .iter()
            .find(|p| p.partition == tp.partition && p.topic == tp.topic)
    }

    /// The member with id `member_id`.
    pub fn member(&self, member_id: &str) -> Option<&AssignedMember> {
        self.members.iter().find(|m| m.member_id == member_id)
    }

    /// The sum of the known lags.
    pub fn total_lag(&self) -> i64 {
        self.partitions
            .iter()
            .filter_map(PartitionOffsets::lag)
            .sum()
    }
}
