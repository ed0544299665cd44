//! The consumer's metrics in the Prometheus text exposition format (0.0.4), named after the
//! OpenTelemetry messaging conventions where one applies (`messaging.client.consumed.messages`
//! → `messaging_client_consumed_messages_total`, `messaging.process.duration` →
//! `messaging_process_duration_seconds`, attributes `messaging.destination.name` →
//! `messaging_destination_name`, …) and `steady_*` otherwise; the mapping is in
//! docs/metrics.md. Every sample carries `messaging_system="kafka"` and the consumer group.

use crate::runtime::metrics::PartitionCounters;
use crate::runtime::shared::Shared;
use crate::runtime::{PartitionStats, Stats};
use std::fmt::Write;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

/// OpenTelemetry's recommended buckets for `messaging.process.duration`, in seconds.
const PROCESS_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];
/// Buckets of the rebalance duration, in seconds.
const REBALANCE_BUCKETS: &[f64] = &[0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0];

/// The metrics of one consumer.
pub(crate) fn render(shared: &Shared) -> String {
    let stats = Stats::collect(shared);
    let group = shared.settings.get("group.id").unwrap_or_default();
    let mut out = Text {
        out: String::with_capacity(4096),
        common: format!(
            "messaging_system=\"kafka\",messaging_consumer_group_name=\"{}\"",
            escape(group)
        ),
    };
    partition_families(&mut out, shared, &stats.partitions);
    let m = &shared.metrics;
    out.histogram(
        "messaging_process_duration_seconds",
        "Delivery to ack of each record (OpenTelemetry messaging.process.duration).",
        &m.processing.snapshot(&bounds(PROCESS_BUCKETS), &[]),
    );
    let quantiles = m.processing.snapshot(&[], &[0.5, 0.9, 0.99]);
    out.family(
        "steady_processing_duration_quantile_seconds",
        "gauge",
        "Quantiles of delivery to ack since start.",
    );
    for (q, d) in &quantiles.quantiles {
        out.sample(
            "steady_processing_duration_quantile_seconds",
            &format!("quantile=\"{q}\""),
            d.as_secs_f64(),
        );
    }
    out.gauge(
        "steady_processing_duration_max_seconds",
        "The longest delivery to ack since start.",
        quantiles.max.as_secs_f64(),
    );
    out.histogram(
        "steady_rebalance_duration_seconds",
        "Rebalances, from the revoke (or the start) to the assignment after it.",
        &m.rebalance_times.snapshot(&bounds(REBALANCE_BUCKETS), &[]),
    );
    consumer_families(&mut out, &stats);
    out.out
}

fn partition_families(out: &mut Text, shared: &Shared, partitions: &[PartitionStats]) {
    // Counters of every partition assigned since start: a counter does not vanish with its
    // partition.
    let counted = shared.metrics.partitions();
    let counters: [(&str, &str, CountOf); 2] = [
        (
            "messaging_client_consumed_messages_total",
            "Records handed to the application (OpenTelemetry messaging.client.consumed.messages).",
            |c| c.delivered.load(Relaxed),
        ),
        (
            "steady_acked_messages_total",
            "Records the application acked.",
            |c| c.acked.load(Relaxed),
        ),
    ];
    for (name, help, count) in counters {
        out.family(name, "counter", help);
        for ((topic, partition), c) in &counted {
            out.sample(name, &partition_labels(topic, *partition), count(c) as f64);
        }
    }
    // Gauges of the partitions assigned now.
    type Figure = fn(&PartitionStats) -> Option<f64>;
    let gauges: [(&str, &str, Figure); 6] = [
        (
            "steady_consumer_lag_records",
            "Log end offset minus the committed offset.",
            |p| p.lag.map(|v| v as f64),
        ),
        (
            "steady_consumer_lag_position_records",
            "Log end offset minus the position (records not yet delivered).",
            |p| p.lag_position.map(|v| v as f64),
        ),
        (
            "steady_log_end_offset",
            "The partition's log end offset (high watermark) as last fetched.",
            |p| p.log_end_offset.map(|v| v as f64),
        ),
        (
            "steady_committed_offset",
            "The offset steady last committed (the next to read).",
            |p| p.committed.map(|v| v as f64),
        ),
        (
            "steady_position_offset",
            "The offset of the next record the application gets.",
            |p| p.position.map(|v| v as f64),
        ),
        (
            "steady_partition_paused",
            "1 while the partition is paused (backpressure, window, application, assignment).",
            |p| Some(f64::from(u8::from(p.paused))),
        ),
    ];
    for (name, help, figure) in gauges {
        out.family(name, "gauge", help);
        for p in partitions {
            if let Some(v) = figure(p) {
                out.sample(name, &partition_labels(&p.topic, p.partition), v);
            }
        }
    }
}

/// A counter of one partition's counters.
type CountOf = fn(&PartitionCounters) -> u64;

/// The labels of one partition.
fn partition_labels(topic: &str, partition: i32) -> String {
    format!(
        "messaging_destination_name=\"{}\",messaging_destination_partition_id=\"{partition}\"",
        escape(topic)
    )
}

fn consumer_families(out: &mut Text, s: &Stats) {
    let counters: [(&str, &str, u64); 12] = [
        (
            "steady_rebalances_total",
            "Rebalance callbacks (assign or revoke).",
            s.rebalances,
        ),
        (
            "steady_stalls_total",
            "Stalls the watchdog found.",
            s.stalls,
        ),
        (
            "steady_backpressure_pauses_total",
            "Times the buffer stayed full and the partitions were paused.",
            s.backpressure_pauses,
        ),
        (
            "steady_errors_total",
            "Errors seen (fatal or not).",
            s.errors,
        ),
        (
            "steady_revoke_handler_timeouts_total",
            "Revokes given up before the application's handling was done.",
            s.revoke_handler_timeouts,
        ),
        (
            "steady_stale_acks_total",
            "Acks ignored (partition revoked since, or acked twice).",
            s.stale_acks,
        ),
        (
            "steady_events_dropped_total",
            "Commit results dropped from a full event queue.",
            s.events_dropped,
        ),
        (
            "steady_log_records_dropped_total",
            "Log records dropped because the logger fell behind.",
            s.log_records_dropped,
        ),
        (
            "steady_delivered_messages_total",
            "Records handed to the application.",
            s.delivered,
        ),
        (
            "steady_retries_total",
            "Redeliveries scheduled by nacks.",
            s.retries,
        ),
        (
            "steady_dead_lettered_total",
            "Records the dead-letter topic acknowledged.",
            s.dead_lettered,
        ),
        (
            "steady_dead_letter_failures_total",
            "Dead-letter produces that failed (the record stays pending).",
            s.dead_letter_failures,
        ),
    ];
    for (name, help, value) in counters {
        out.family(name, "counter", help);
        out.sample(name, "", value as f64);
    }
    out.family("steady_commits_total", "counter", "Commits by outcome.");
    out.sample(
        "steady_commits_total",
        "outcome=\"success\"",
        s.commits_succeeded as f64,
    );
    out.sample(
        "steady_commits_total",
        "outcome=\"failure\"",
        s.commits_failed as f64,
    );
    let gauges: [(&str, &str, f64); 10] = [
        (
            "steady_assigned_partitions",
            "Partitions assigned now.",
            s.assignment.len() as f64,
        ),
        (
            "steady_paused_partitions",
            "Partitions paused now.",
            s.paused_partitions.len() as f64,
        ),
        (
            "steady_buffered_records",
            "Records waiting in the hand-off buffer.",
            s.buffered_records as f64,
        ),
        (
            "steady_buffered_bytes",
            "Payload bytes waiting in the hand-off buffer.",
            s.buffered_bytes as f64,
        ),
        (
            "steady_in_flight_records",
            "Records delivered and not yet acked.",
            s.in_flight as f64,
        ),
        (
            "steady_left_group",
            "1 while the member left the group for a stuck record.",
            f64::from(u8::from(s.left_group)),
        ),
        (
            "steady_failed",
            "1 once a fatal error ended the consumer.",
            f64::from(u8::from(s.fatal_error.is_some())),
        ),
        (
            "steady_parked_records",
            "Records out of attempts or rejected, not yet in the dead-letter topic.",
            s.parked_records as f64,
        ),
        (
            "steady_retrying_records",
            "Nacked records waiting out their back-off.",
            s.retrying_records as f64,
        ),
        (
            "steady_waiting_records",
            "Records waiting for an earlier record of their key or partition.",
            s.waiting_records as f64,
        ),
    ];
    for (name, help, value) in gauges {
        out.gauge(name, help, value);
    }
}

fn bounds(seconds: &[f64]) -> Vec<Duration> {
    seconds
        .iter()
        .map(|s| Duration::from_secs_f64(*s))
        .collect()
}

/// A label value with `\`, `"` and newlines escaped.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The text being written, and the labels every sample carries.
struct Text {
    out: String,
    common: String,
}

impl Text {
    fn family(&mut self, name: &str, kind: &str, help: &str) {
        let _ = writeln!(self.out, "# HELP {name} {help}\n# TYPE {name} {kind}");
    }

    fn sample(&mut self, name: &str, labels: &str, value: f64) {
        let sep = if labels.is_empty() { "" } else { "," };
        let _ = writeln!(self.out, "{name}{{{}{sep}{labels}}} {value}", self.common);
    }

    fn gauge(&mut self, name: &str, help: &str, value: f64) {
        self.family(name, "gauge", help);
        self.sample(name, "", value);
    }

    fn histogram(&mut self, name: &str, help: &str, s: &crate::runtime::durations::Snapshot) {
        self.family(name, "histogram", help);
        let bucket = format!("{name}_bucket");
        for (bound, count) in &s.cumulative {
            let le = format!("le=\"{}\"", bound.as_secs_f64());
            self.sample(&bucket, &le, *count as f64);
        }
        self.sample(&bucket, "le=\"+Inf\"", s.count as f64);
        self.sample(&format!("{name}_sum"), "", s.sum.as_secs_f64());
        self.sample(&format!("{name}_count"), "", s.count as f64);
    }
}
