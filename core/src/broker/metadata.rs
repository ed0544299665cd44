//! Metadata requests: the cluster's broker ids and the partition counts of topics.

use super::infer::ApiRange;
use super::wire::{negotiate, Connection, WireError};
use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::{MetadataRequest, MetadataResponse, TopicName};
use kafka_protocol::protocol::StrBytes;

/// Asks for the brokers and the named topics (none: brokers only).
fn metadata(
    conn: &mut Connection,
    apis: &[ApiRange],
    topics: &[String],
) -> Result<MetadataResponse, WireError> {
    // v0 reads an empty topic list as "all topics"; v1 is in every broker with ApiVersions.
    let version = negotiate::<MetadataRequest>(apis, 1)
        .ok_or_else(|| WireError::Codec("no common Metadata version".into()))?;
    let topics = topics
        .iter()
        .map(|t| {
            MetadataRequestTopic::default()
                .with_name(Some(TopicName(StrBytes::from_string(t.clone()))))
        })
        .collect();
    let request = MetadataRequest::default()
        .with_topics(Some(topics))
        // The field exists from v4 on; older versions always allow auto-creation.
        .with_allow_auto_topic_creation(version < 4);
    conn.call(&request, version)
}

/// Whether the server answers Metadata v0, which every Kafka broker does (0.8 and later).
pub(crate) fn answers_v0(conn: &mut Connection) -> Result<(), WireError> {
    // v0 takes an empty topic list as "all topics".
    conn.call(&MetadataRequest::default(), 0).map(drop)
}

/// The node ids of the cluster's brokers.
pub(crate) fn broker_ids(conn: &mut Connection, apis: &[ApiRange]) -> Result<Vec<i32>, WireError> {
    let response = metadata(conn, apis, &[])?;
    Ok(response.brokers.iter().map(|b| b.node_id.0).collect())
}

/// The total partition count of `topics`; topics the broker does not know count 0.
pub(crate) fn partition_count(
    conn: &mut Connection,
    apis: &[ApiRange],
    topics: &[String],
) -> Result<u32, WireError> {
    let response = metadata(conn, apis, topics)?;
    Ok(response
        .topics
        .iter()
        .filter(|t| t.error_code == 0)
        .map(|t| t.partitions.len() as u32)
        .sum())
}
