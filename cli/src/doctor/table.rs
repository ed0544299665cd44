//! The group's offsets for people: one row per partition, with the columns of
//! `kafka-consumer-groups --describe`, and the total lag of each sample.

use std::fmt::Write;
use steady_core::rules::GroupOffsets;

/// Column titles, as Kafka's tool prints them.
const TITLES: [&str; 8] = [
    "TOPIC",
    "PARTITION",
    "CURRENT-OFFSET",
    "LOG-END-OFFSET",
    "LAG",
    "CONSUMER-ID",
    "HOST",
    "CLIENT-ID",
];

/// What a missing value prints as.
const NONE: &str = "-";

/// The note printed when the members could not be listed.
pub(super) const MEMBERS_NOT_SHOWN: &str = "members of a KIP-848 (group.protocol=consumer) \
    group are not shown through librdkafka (TLS/SASL listeners); offsets and lag are";

/// The table of the last sample, then the total lag of every sample.
pub(super) fn render(group: &str, samples: &[GroupOffsets]) -> String {
    let mut out = String::new();
    let Some(last) = samples.last() else {
        return out;
    };
    let _ = writeln!(out, "group {group} offsets:");
    if !last.members_shown {
        let _ = writeln!(out, "  note: {MEMBERS_NOT_SHOWN}");
    }
    if last.partitions.is_empty() {
        let _ = writeln!(out, "  no committed offsets and no assigned partitions");
    } else {
        let opt = |v: Option<i64>| v.map_or(NONE.to_string(), |v| v.to_string());
        let rows: Vec<[String; 8]> = last
            .partitions
            .iter()
            .map(|p| {
                let member = p.member_id.as_deref().and_then(|id| last.member(id));
                let field = |f: fn(&steady_core::rules::AssignedMember) -> &str| {
                    member.map_or(NONE.to_string(), |m| f(m).to_string())
                };
                [
                    p.topic.clone(),
                    p.partition.to_string(),
                    opt(p.committed),
                    opt(p.log_end),
                    opt(p.lag()),
                    p.member_id.clone().unwrap_or_else(|| NONE.to_string()),
                    field(|m| &m.host),
                    field(|m| &m.client_id),
                ]
            })
            .collect();
        let mut widths = TITLES.map(str::len);
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let titles = TITLES.map(str::to_string);
        for row in std::iter::once(&titles).chain(&rows) {
            let cells: Vec<String> = row
                .iter()
                .zip(widths)
                .map(|(cell, w)| format!("{cell:<w$}"))
                .collect();
            let _ = writeln!(out, "  {}", cells.join("  ").trim_end());
        }
    }
    let totals: Vec<String> = samples.iter().map(|s| s.total_lag().to_string()).collect();
    let span = last.elapsed_ms.saturating_sub(samples[0].elapsed_ms);
    let _ = writeln!(
        out,
        "  total lag: {} ({} sample(s) over {span} ms)\n",
        totals.join(" → "),
        samples.len(),
    );
    out
}
