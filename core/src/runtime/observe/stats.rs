//! Runtime statistics.

use crate::runtime::offsets::Slot;
use crate::runtime::shared::Shared;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::Duration;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The figures of each of `slots`.
fn partitions(shared: &Shared, slots: &[Arc<Slot>]) -> Vec<PartitionStats> {
    let committed: HashMap<String, i64> = shared.assignment.committed().into_iter().collect();
    let backpressure = shared.assignment.paused();
    let mut all: Vec<PartitionStats> = slots
        .iter()
        .map(|s| {
            let log_end = Some(s.counters.log_end.load(Relaxed)).filter(|o| *o >= 0);
            let committed = committed.get(&s.name()).copied();
            let position = s.next_delivery();
            let behind = |o: Option<i64>| Some((log_end? - o?).max(0));
            PartitionStats {
                topic: s.topic.to_string(),
                partition: s.partition,
                log_end_offset: log_end,
                committed,
                position,
                lag: behind(committed),
                lag_position: behind(position),
                delivered: s.counters.delivered.load(Relaxed),
                acked: s.counters.acked.load(Relaxed),
                paused: backpressure || s.held(),
            }
        })
        .collect();
    all.sort_by(|a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));
    all
}

/// A snapshot of the runtime's counters.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Stats {
    /// Rebalances seen (assign or revoke events).
    pub rebalances: u64,
    /// Partitions assigned now, as "topic/partition".
    pub assignment: Vec<String>,
    /// Partitions paused now: for backpressure (all of them), or for a reason of their own:
    /// the offset window is full (64 × `steady.buffer.max.records` offsets behind an unacked
    /// record), the application paused it, or its `Assigned` event is not done yet.
    pub paused_partitions: Vec<String>,
    /// Offsets tracked in the assigned partitions' windows (polled and not yet committable).
    pub offset_window_records: u64,
    /// Records waiting in the hand-off buffer.
    pub buffered_records: u64,
    /// Payload bytes waiting in the hand-off buffer.
    pub buffered_bytes: u64,
    /// Highest buffered_bytes seen.
    pub peak_buffered_bytes: u64,
    /// Records taken by the application and not yet acked.
    pub in_flight: u64,
    /// Records handed to the application.
    pub delivered: u64,
    /// Records acked.
    pub acked: u64,
    /// Committed offsets, as ("topic/partition", next offset to read).
    pub committed: Vec<(String, i64)>,
    /// Acks per second over the last interval.
    pub processing_rate: f64,
    /// Stalls detected by the watchdog.
    pub stalls: u64,
    /// The last error seen, if any.
    pub last_error: Option<String>,
    /// Errors seen since start (fatal or not; a non-fatal one never ends the consumer).
    pub errors: u64,
    /// The error that ended the consumer, if one did (every `recv` returns it).
    pub fatal_error: Option<String>,
    /// The member left the group for a stuck record and waits for its handler to return.
    pub left_group: bool,
    /// Highest buffered_records seen.
    pub peak_buffered_records: u64,
    /// Records polled while the buffer was full, kept by the poll thread until there is room
    /// (normally 0 or a few: the partitions are paused right after).
    pub held_records: u64,
    /// Acks ignored: their partition was revoked since the record was polled, or acked twice.
    pub stale_acks: u64,
    /// Median delivery → ack time since start, ms.
    pub processing_ms_p50: Option<f64>,
    /// 99th percentile delivery → ack time since start, ms.
    pub processing_ms_p99: Option<f64>,
    /// Threads that acked within the last ten seconds.
    pub ack_threads: u32,
    /// Times the poll thread paused the assigned partitions because the buffer stayed full.
    pub backpressure_pauses: u64,
    /// Commits that succeeded (background, explicit, revoke and close).
    pub commits_succeeded: u64,
    /// Commits that failed.
    pub commits_failed: u64,
    /// Revokes given up before the application was done with their `Revoked` event
    /// (`steady.revoke.drain.ms` ran out).
    pub revoke_handler_timeouts: u64,
    /// Commit results dropped from a full event queue (the application reads events too slowly).
    pub events_dropped: u64,
    /// Records handed to the application per second over the last interval.
    pub delivered_rate: f64,
    /// 90th percentile delivery → ack time since start, ms.
    pub processing_ms_p90: Option<f64>,
    /// Longest delivery → ack time since start, ms.
    pub processing_ms_max: Option<f64>,
    /// How long the last rebalance took, from the revoke (or the start) to the assignment, ms.
    pub rebalance_ms_last: Option<f64>,
    /// The longest rebalance since start, ms.
    pub rebalance_ms_max: Option<f64>,
    /// Log records dropped because the logger fell behind.
    pub log_records_dropped: u64,
    /// Every assigned partition: offsets, lag and counts.
    pub partitions: Vec<PartitionStats>,
    /// Redeliveries scheduled by nacks since start.
    pub retries: u64,
    /// Records the dead-letter topic acknowledged since start.
    pub dead_lettered: u64,
    /// Dead-letter produces that failed since start (each record stays pending and is sent
    /// again).
    pub dead_letter_failures: u64,
    /// Records out of attempts or rejected, not yet acknowledged by the dead-letter topic
    /// (without one they stay here): the committed offset stays before them.
    pub parked_records: u64,
    /// Nacked records waiting out their back-off.
    pub retrying_records: u64,
    /// Records in the hand-off waiting for an earlier record of their key or partition
    /// (`steady.ordering`).
    pub waiting_records: u64,
}

/// The figures of one assigned partition.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct PartitionStats {
    /// Topic name.
    pub topic: String,
    /// Partition number.
    pub partition: i32,
    /// The partition's log end offset (high watermark) as last fetched; `None` before a fetch.
    pub log_end_offset: Option<i64>,
    /// The offset steady last committed for it (the next to read); `None` before its first
    /// commit.
    pub committed: Option<i64>,
    /// The offset of the next record the application gets from it.
    pub position: Option<i64>,
    /// `log_end_offset − committed`: records not yet committed.
    pub lag: Option<i64>,
    /// `log_end_offset − position`: records not yet delivered.
    pub lag_position: Option<i64>,
    /// Records of it handed to the application since start.
    pub delivered: u64,
    /// Records of it acked since start.
    pub acked: u64,
    /// Paused now (by backpressure, its window, the application or its assigned event).
    pub paused: bool,
}

impl Stats {
    /// The stats as a JSON object.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("stats serialize")
    }

    pub(crate) fn collect(shared: &Shared) -> Stats {
        let m = &shared.metrics;
        let slots = shared.assignment.slots();
        let assignment: Vec<String> = slots.iter().map(|s| s.name()).collect();
        let levels = shared.handoff.levels();
        Stats {
            rebalances: m.rebalances.load(Relaxed),
            paused_partitions: if shared.assignment.paused() {
                assignment.clone()
            } else {
                let paused = slots.iter().filter(|s| s.held());
                paused.map(|s| s.name()).collect()
            },
            offset_window_records: slots.iter().map(|s| s.window_len() as u64).sum(),
            assignment,
            buffered_records: levels.records,
            buffered_bytes: levels.bytes,
            peak_buffered_bytes: levels.peak_bytes,
            in_flight: slots.iter().map(|s| s.in_flight() as u64).sum(),
            delivered: m.delivered.load(Relaxed),
            acked: m.acked.load(Relaxed),
            committed: shared.assignment.committed(),
            processing_rate: m.rate(),
            stalls: m.stalls.load(Relaxed),
            last_error: m.last_error(),
            errors: m.errors.load(Relaxed),
            fatal_error: shared.handoff.failure().map(|e| e.to_string()),
            left_group: shared.stalls.lock().out_of_group(),
            peak_buffered_records: levels.peak_records,
            held_records: levels.held,
            stale_acks: m.stale_acks.load(Relaxed),
            processing_ms_p50: m.processing_ms(0.5),
            processing_ms_p99: m.processing_ms(0.99),
            ack_threads: m.ack_threads(),
            backpressure_pauses: m.pauses.load(Relaxed),
            commits_succeeded: m.commits_succeeded.load(Relaxed),
            commits_failed: m.commits_failed.load(Relaxed),
            revoke_handler_timeouts: m.revoke_timeouts.load(Relaxed),
            events_dropped: shared.events.dropped.load(Relaxed),
            delivered_rate: m.delivered_rate(),
            processing_ms_p90: m.processing_ms(0.9),
            processing_ms_max: m.processing_ms_max(),
            rebalance_ms_last: m.rebalance_times.last().map(ms),
            rebalance_ms_max: m.rebalance_times.max().map(ms),
            log_records_dropped: shared.log.dropped.load(Relaxed),
            partitions: partitions(shared, &slots),
            retries: m.retries.load(Relaxed),
            dead_lettered: m.dead_lettered.load(Relaxed),
            dead_letter_failures: m.dead_letter_failures.load(Relaxed),
            parked_records: slots.iter().map(|s| s.parked() as u64).sum(),
            retrying_records: levels.retrying,
            waiting_records: levels.waiting,
        }
    }
}
