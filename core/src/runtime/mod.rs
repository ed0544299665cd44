//! The heartbeat-decoupled consumer runtime: a library-owned poll thread, a bounded hand-off
//! buffer with pause/resume backpressure, contiguous-prefix offset commits, revoke draining, a
//! stuck-handler watchdog, rebalance events, and logs and metrics for operators.
//!
//! Threads: the poll thread (`poll`) owns the rdkafka consumer, runs the rebalance callbacks and
//! takes fetched records in batches from steady's own librdkafka queue; application threads
//! call `recv`/`ack` on the [`Consumer`] or `ack` on a [`Record`]. They meet in the hand-off
//! buffer (`delivery`, which also keeps `steady.ordering`), in the per-partition offset windows (`tracking`) and in the queue of
//! requests only the poll thread can carry out (`calls`). Rebalances and their events live in
//! `membership`, nacks, retries and the dead-letter topic in `failures`, the watchdog in
//! `liveness`, counters, stats, the Prometheus text and the log
//! path in `observe`. The consumer's `steady-log` and `steady-metrics` threads run the
//! application's logger and the `/metrics` endpoint, never the poll thread.

mod calls;
mod config;
mod consumer;
mod delivery;
mod error;
mod failures;
mod kafka_error;
mod liveness;
mod membership;
mod observe;
mod poll;
mod record;
mod shared;
mod topic_names;
mod tracking;

use calls::{control, requests};
use delivery::{handoff, message_view, order, pending, retries};
use failures::{dead_letters, verdicts};
use liveness::{live_check, stalls, watchdog};
use membership::{events, rebalance};
use observe::{durations, logging, metrics, metrics_http, prometheus, stats};
use poll::{background_commit, context, fetch_queue, log_end, poll_loop};
use tracking::{assignment, commits, offsets, pauses};

pub use config::{RuntimeConfig, StallPolicy};
pub use consumer::{Consumer, ConsumerOptions, Iter};
pub use error::Error;
pub use events::{CommitReason, Event, EventKind, PartitionOffset};
pub use kafka_error::KafkaError;
pub use logging::{LogLevel, LogRecord, LogSink, LIBRDKAFKA_TARGET, TARGET as LOG_TARGET};
pub use order::DeliveryOrder;
pub use record::Record;
pub use stats::{PartitionStats, Stats};
