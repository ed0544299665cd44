//! The session window and message size limit from the broker's own configuration
//! (DescribeConfigs on the BROKER resource). Any refusal leaves the facts unknown.

use super::infer::ApiRange;
use super::metadata::broker_ids;
use super::wire::{negotiate, Connection};
use crate::rules::BrokerFacts;
use kafka_protocol::messages::describe_configs_request::DescribeConfigsResource;
use kafka_protocol::messages::DescribeConfigsRequest;
use kafka_protocol::protocol::StrBytes;

/// The BROKER resource type of DescribeConfigs.
const BROKER_RESOURCE: i8 = 4;

/// The broker settings read, in the order of `BrokerFacts`' fields.
const KEYS: [&str; 3] = [
    "group.min.session.timeout.ms",
    "group.max.session.timeout.ms",
    "message.max.bytes",
];

/// Fills the session window and message.max.bytes of `facts` when the broker allows it.
///
/// A broker describes only its own configuration, so the request names every broker id of
/// the cluster and the one that answers without error is the one connected to.
pub(crate) fn read_limits(conn: &mut Connection, apis: &[ApiRange], facts: &mut BrokerFacts) {
    let Some(version) = negotiate::<DescribeConfigsRequest>(apis, 0) else {
        return;
    };
    let Ok(ids) = broker_ids(conn, apis) else {
        return;
    };
    let keys: Vec<StrBytes> = KEYS.iter().map(|k| StrBytes::from_static_str(k)).collect();
    let resources = ids
        .iter()
        .map(|id| {
            DescribeConfigsResource::default()
                .with_resource_type(BROKER_RESOURCE)
                .with_resource_name(StrBytes::from_string(id.to_string()))
                .with_configuration_keys(Some(keys.clone()))
        })
        .collect();
    let request = DescribeConfigsRequest::default().with_resources(resources);
    let Ok(response) = conn.call(&request, version) else {
        return;
    };
    let Some(own) = response.results.iter().find(|r| r.error_code == 0) else {
        return;
    };
    let value = |key: &str| {
        own.configs
            .iter()
            .find(|c| c.name.as_str() == key)
            .and_then(|c| c.value.as_ref())
            .and_then(|v| v.trim().parse::<i64>().ok())
    };
    facts.group_min_session_timeout_ms = value(KEYS[0]);
    facts.group_max_session_timeout_ms = value(KEYS[1]);
    facts.message_max_bytes = value(KEYS[2]);
}
