//! The `"group"` object of `--format json`: the live group's members, its partitions'
//! offsets and lag (the last sample), and the lag of every sample.

use super::table::MEMBERS_NOT_SHOWN;
use serde_json::{json, Value};
use steady_core::rules::{GroupFacts, GroupOffsets};

/// The report's JSON (one object) with a top-level `"group"` added after its other fields:
/// the group's object, or `null` when no group was sampled.
pub(super) fn append(report_json: &str, group: Option<Value>) -> String {
    let group = group.unwrap_or(Value::Null);
    match report_json.trim_end().strip_suffix('}') {
        Some(open) => format!("{open},\"group\":{group}}}"),
        None => report_json.to_string(),
    }
}

/// `{"group","state","protocol","members_shown","note","members":[…],"partitions":[…],
/// "samples":[…]}` for `name`, from its probed `facts` and its `samples` (oldest first).
pub(super) fn object(name: &str, facts: Option<&GroupFacts>, samples: &[GroupOffsets]) -> Value {
    let last = samples.last().cloned().unwrap_or_default();
    let members: Vec<Value> = last
        .members
        .iter()
        .map(|m| {
            json!({"member_id": m.member_id, "client_id": m.client_id, "host": m.host,
                   "instance_id": m.instance_id, "partitions": m.partitions})
        })
        .collect();
    let partitions: Vec<Value> = last
        .partitions
        .iter()
        .map(|p| {
            let member = p.member_id.as_deref().and_then(|id| last.member(id));
            json!({"topic": p.topic, "partition": p.partition, "committed": p.committed,
                   "log_end": p.log_end, "lag": p.lag(), "member_id": p.member_id,
                   "client_id": member.map(|m| &m.client_id),
                   "host": member.map(|m| &m.host)})
        })
        .collect();
    let sampled: Vec<Value> = samples.iter().map(sample).collect();
    json!({
        "group": name,
        "state": facts.map(|f| &f.state),
        "protocol": facts.map(|f| &f.protocol).filter(|p| !p.is_empty()),
        "members_shown": last.members_shown,
        "note": (!last.members_shown).then_some(MEMBERS_NOT_SHOWN),
        "members": members,
        "partitions": partitions,
        "samples": sampled,
    })
}

/// `{"elapsed_ms","total_lag","members":[{"member_id","lag"}]}` of one sample; a member's
/// lag is the sum of the known lags of its partitions.
fn sample(s: &GroupOffsets) -> Value {
    let members: Vec<Value> = s
        .members
        .iter()
        .map(|m| {
            let lag: i64 = m
                .partitions
                .iter()
                .filter_map(|tp| s.partition(tp).and_then(|p| p.lag()))
                .sum();
            json!({"member_id": m.member_id, "lag": lag})
        })
        .collect();
    json!({"elapsed_ms": s.elapsed_ms, "total_lag": s.total_lag(), "members": members})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_goes_last_and_keeps_the_other_fields() {
        let joined = append(
            r#"{"findings":[],"summary":{}}"#,
            Some(json!({"group": "g"})),
        );
        assert_eq!(
            joined,
            r#"{"findings":[],"summary":{},"group":{"group":"g"}}"#
        );
        assert_eq!(append(r#"{"a":1}"#, None), r#"{"a":1,"group":null}"#);
    }
}
