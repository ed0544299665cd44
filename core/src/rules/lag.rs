//! LG001: a member whose lag grew in every interval between samples while it kept the same
//! partitions. It is slower than the producers, or stuck.
//!
//! The rule reads samples of a live group (see [`GroupOffsets`]), which only a probe over
//! time can take, so it is not part of [`check`](super::check)'s input: callers that sample a
//! group (`steady doctor --group`) run it and merge its findings into the report.

use super::group_offsets::{AssignedMember, GroupOffsets, TopicPartition};
use super::{Finding, Severity};

/// Partitions named one by one in a message; the rest are counted.
const NAMED_PARTITIONS: usize = 8;

/// LG001 for every member of `group` whose total lag grew strictly in every interval of
/// `samples` (oldest first) while it stayed in the group with the same partitions. Fewer
/// than two samples, or a member whose lag is unknown (nothing committed), report nothing.
pub fn lag_growth(group: &str, samples: &[GroupOffsets]) -> Vec<Finding> {
    let Some(first) = samples.first().filter(|_| samples.len() >= 2) else {
        return Vec::new();
    };
    first
        .members
        .iter()
        .filter_map(|m| growing(group, m, samples))
        .collect()
}

/// The member's partitions in a sample, sorted (`None`: not a member then).
fn partitions_in(sample: &GroupOffsets, member_id: &str) -> Option<Vec<TopicPartition>> {
    let mut partitions = sample.member(member_id)?.partitions.clone();
    partitions.sort();
    Some(partitions)
}

/// LG001 for `member` if its lag grew in every interval.
fn growing(group: &str, member: &AssignedMember, samples: &[GroupOffsets]) -> Option<Finding> {
    let partitions = partitions_in(&samples[0], &member.member_id)?;
    let stayed = samples
        .iter()
        .all(|s| partitions_in(s, &member.member_id).as_ref() == Some(&partitions));
    if partitions.is_empty() || !stayed {
        return None;
    }
    // Partition → its lag in each sample, for the partitions whose lag is always known.
    let lags: Vec<(&TopicPartition, Vec<i64>)> = partitions
        .iter()
        .filter_map(|tp| {
            let series: Option<Vec<i64>> = samples
                .iter()
                .map(|s| s.partition(tp).and_then(|p| p.lag()))
                .collect();
            series.map(|s| (tp, s))
        })
        .collect();
    if lags.is_empty() {
        return None;
    }
    let totals: Vec<i64> = (0..samples.len())
        .map(|i| lags.iter().map(|(_, s)| s[i]).sum())
        .collect();
    if !totals.windows(2).all(|w| w[1] > w[0]) {
        return None;
    }
    Some(finding(group, member, samples, &lags, &totals))
}

/// "10 → 25 → 40".
fn series(values: &[i64]) -> String {
    let shown: Vec<String> = values.iter().map(i64::to_string).collect();
    shown.join(" → ")
}

fn finding(
    group: &str,
    member: &AssignedMember,
    samples: &[GroupOffsets],
    lags: &[(&TopicPartition, Vec<i64>)],
    totals: &[i64],
) -> Finding {
    let intervals = samples.len() - 1;
    let span_ms = samples[intervals]
        .elapsed_ms
        .saturating_sub(samples[0].elapsed_ms);
    let mut per_partition: Vec<String> = lags
        .iter()
        .take(NAMED_PARTITIONS)
        .map(|(tp, s)| format!("{tp}: {}", series(s)))
        .collect();
    if lags.len() > NAMED_PARTITIONS {
        per_partition.push(format!("and {} more", lags.len() - NAMED_PARTITIONS));
    }
    Finding::new(
        "LG001",
        Severity::Warning,
        "group",
        format!(
            "Member {} (client.id={}, host {}) of group {group} fell further behind in each of \
             the {intervals} interval(s) sampled over {span_ms} ms while it kept the same {} \
             partition(s): total lag {} ({}). It consumes or commits more slowly than the \
             producers write, or it is stuck. Check its handler for slow or blocked records, \
             add members (up to the partition count) or processing threads, or run it on \
             steady's runtime, which processes on its own threads, keeps heartbeating and \
             commits only what was processed.",
            member.member_id,
            member.client_id,
            member.host,
            lags.len(),
            series(totals),
            per_partition.join("; "),
        ),
        "kafka-consumer-groups --describe (LAG = LOG-END-OFFSET − CURRENT-OFFSET)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::group_offsets::PartitionOffsets;

    /// A member `id` owning partitions `0..n` of topic "t".
    fn member(id: &str, n: i32) -> AssignedMember {
        AssignedMember {
            member_id: id.into(),
            client_id: format!("{id}-client"),
            host: "/10.0.0.1".into(),
            instance_id: None,
            partitions: (0..n).map(|p| TopicPartition::new("t", p)).collect(),
        }
    }

    /// A sample at `elapsed_ms` of `members`, partition p of "t" with (committed, log end).
    fn sample(elapsed_ms: u64, members: &[AssignedMember], rows: &[(i64, i64)]) -> GroupOffsets {
        let partitions = rows
            .iter()
            .enumerate()
            .map(|(p, &(committed, log_end))| {
                let tp = TopicPartition::new("t", p as i32);
                let owner = members.iter().find(|m| m.partitions.contains(&tp));
                PartitionOffsets {
                    topic: "t".into(),
                    partition: p as i32,
                    committed: (committed >= 0).then_some(committed),
                    log_end: Some(log_end),
                    member_id: owner.map(|m| m.member_id.clone()),
                }
            })
            .collect();
        GroupOffsets {
            elapsed_ms,
            members_shown: true,
            members: members.to_vec(),
            partitions,
        }
    }

    #[test]
    fn a_member_falling_behind_in_every_interval_is_flagged() {
        let m = [member("m1", 2)];
        let samples = [
            sample(0, &m, &[(5, 10), (0, 0)]),
            sample(1000, &m, &[(5, 20), (0, 1)]),
            sample(2000, &m, &[(6, 40), (0, 1)]),
        ];
        let found = lag_growth("orders", &samples);
        assert_eq!(found.len(), 1);
        let f = &found[0];
        assert_eq!(
            (f.rule, f.severity, f.key.as_str()),
            ("LG001", Severity::Warning, "group")
        );
        assert!(
            f.message.contains("m1 (client.id=m1-client"),
            "{}",
            f.message
        );
        assert!(f.message.contains("total lag 5 → 16 → 35"), "{}", f.message);
        assert!(
            f.message.contains("t-0: 5 → 15 → 34; t-1: 0 → 1 → 1"),
            "{}",
            f.message
        );
        assert!(
            f.message.contains("2 interval(s) sampled over 2000 ms"),
            "{}",
            f.message
        );
        assert!(f.message.contains("steady's runtime"));
    }

    #[test]
    fn a_member_keeping_up_or_catching_up_is_not() {
        let m = [member("m1", 1)];
        let flat = [sample(0, &m, &[(10, 10)]), sample(5, &m, &[(20, 20)])];
        assert!(lag_growth("g", &flat).is_empty());
        // Grew, then shrank: not every interval.
        let mixed = [
            sample(0, &m, &[(0, 10)]),
            sample(5, &m, &[(0, 20)]),
            sample(9, &m, &[(15, 25)]),
        ];
        assert!(lag_growth("g", &mixed).is_empty());
    }

    #[test]
    fn changed_assignments_unknown_lag_and_single_samples_are_silent() {
        let before = [member("m1", 1)];
        let after = [member("m1", 2)];
        let moved = [
            sample(0, &before, &[(0, 1), (0, 0)]),
            sample(5, &after, &[(0, 5), (0, 0)]),
        ];
        assert!(lag_growth("g", &moved).is_empty(), "assignment changed");
        let gone = [sample(0, &before, &[(0, 1)]), sample(5, &[], &[(0, 5)])];
        assert!(lag_growth("g", &gone).is_empty(), "member left");
        let uncommitted = [
            sample(0, &before, &[(-1, 1)]),
            sample(5, &before, &[(-1, 5)]),
        ];
        assert!(lag_growth("g", &uncommitted).is_empty(), "lag unknown");
        assert!(lag_growth("g", &[sample(0, &before, &[(0, 9)])]).is_empty());
        assert!(lag_growth("g", &[]).is_empty());
    }

    #[test]
    fn long_partition_lists_are_shortened() {
        let m = [member("m1", 10)];
        let rows0: Vec<(i64, i64)> = (0..10).map(|_| (0, 1)).collect();
        let rows1: Vec<(i64, i64)> = (0..10).map(|_| (0, 2)).collect();
        let samples = [sample(0, &m, &rows0), sample(5, &m, &rows1)];
        let f = &lag_growth("g", &samples)[0];
        assert!(
            f.message.contains("t-7: 1 → 2; and 2 more"),
            "{}",
            f.message
        );
        assert!(!f.message.contains("t-8:"));
    }
}
