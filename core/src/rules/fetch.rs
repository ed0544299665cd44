//! Fetch rules of the Java dialect: FT003, FT005.

use super::context::{Ctx, V0_10_1};
use super::{Finding, Severity};
use crate::settings::Dialect;

/// 50 MB: FT005's per-poll payload ceiling.
const HEAVY_POLL_BYTES: i64 = 50 * 1024 * 1024;

/// Runs the family.
pub(super) fn run(ctx: &Ctx, out: &mut Vec<Finding>) {
    if ctx.dialect == Dialect::Java {
        out.extend([ft003(ctx), ft005(ctx)].into_iter().flatten());
    }
}

/// FT003: Java < 0.10.1 with max.partition.fetch.bytes below the broker's message.max.bytes:
/// a larger record can never be fetched and the consumer is stuck on it.
fn ft003(ctx: &Ctx) -> Option<Finding> {
    let largest = ctx.broker?.message_max_bytes?;
    let fetch = ctx.int("max.partition.fetch.bytes")?;
    (ctx.java_below(V0_10_1) && fetch < largest).then(|| {
        Finding::new(
            "FT003",
            Severity::Error,
            "max.partition.fetch.bytes",
            format!(
                "max.partition.fetch.bytes ({}) is below the broker's message.max.bytes \
                 ({largest}): before 0.10.1 a record larger than it can never be fetched \
                 (RecordTooLargeException) and the consumer stops at it.",
                ctx.shown("max.partition.fetch.bytes")
            ),
            "ConsumerConfig 0.10.0 (max.partition.fetch.bytes)",
        )
        .recommend("max.partition.fetch.bytes", largest)
    })
}

/// FT005: max.partition.fetch.bytes × assigned partitions above 50 MB: each poll may carry that
/// much, and processing it can outlast the poll budget.
fn ft005(ctx: &Ctx) -> Option<Finding> {
    let partitions = i64::from(ctx.workload.assigned_partitions.filter(|p| *p > 0)?);
    let fetch = ctx.int("max.partition.fetch.bytes")?;
    let payload = fetch.saturating_mul(partitions);
    (payload > HEAVY_POLL_BYTES).then(|| {
        Finding::new(
            "FT005",
            Severity::Info,
            "max.partition.fetch.bytes",
            format!(
                "max.partition.fetch.bytes ({}) × {partitions} assigned partitions = {payload} \
                 bytes, over 50 MB per poll: processing that much between polls risks the \
                 session and poll budgets. Lower it.",
                ctx.shown("max.partition.fetch.bytes")
            ),
            "AWS re:Post: MSK consumer group rebalance",
        )
        .recommend("max.partition.fetch.bytes", HEAVY_POLL_BYTES / partitions)
    })
}
