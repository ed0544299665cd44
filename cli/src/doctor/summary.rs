//! What a probe found, for people: session window, message size and the live group.

use std::fmt::Write;
use steady_core::rules::BrokerFacts;

/// A few lines on the probed broker and group (the version is in the report itself).
pub(super) fn probed(servers: &str, facts: &BrokerFacts) -> String {
    let mut out = String::new();
    let known = |v: Option<i64>| v.map_or("unknown".to_string(), |v| v.to_string());
    let _ = writeln!(
        out,
        "probed {servers}: session window {}–{} ms, message.max.bytes {}",
        known(facts.group_min_session_timeout_ms),
        known(facts.group_max_session_timeout_ms),
        known(facts.message_max_bytes),
    );
    if let Some(g) = &facts.group {
        let partitions = g
            .partitions
            .map_or("unknown".to_string(), |p| p.to_string());
        let _ = writeln!(
            out,
            "group {}: {}, protocol {}, {} member(s), {partitions} partition(s)",
            g.group,
            g.state,
            if g.protocol.is_empty() {
                "-"
            } else {
                &g.protocol
            },
            g.members.len(),
        );
        for m in &g.members {
            let instance = m.instance_id.as_deref().unwrap_or("-");
            let _ = writeln!(
                out,
                "  {} client.id={} host={} group.instance.id={instance}",
                m.member_id, m.client_id, m.client_host
            );
        }
    }
    out.push('\n');
    out
}
