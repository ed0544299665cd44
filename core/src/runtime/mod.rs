//! The heartbeat-decoupled consumer runtime: a library-owned poll thread, a bounded hand-off
//! buffer with pause/resume backpressure, contiguous-prefix offset commits, revoke draining and
//! a stuck-handler watchdog.
//!
//! Threads: the poll thread (`poll_loop`) owns the rdkafka consumer, runs the rebalance
//! callbacks (`context`) and takes fetched records in batches from steady's own librdkafka
//! queue (`fetch_queue`); application threads call `recv`/`ack` on the [`Consumer`] or `ack`
//! on a [`Record`]. They meet in the hand-off buffer (`handoff`), where records wait as
//! librdkafka's messages until a receiver copies them (`pending`), and in the per-partition
//! offset windows (`offsets`).

mod assignment;
mod background_commit;
mod commits;
mod config;
mod consumer;
mod context;
mod control;
mod error;
mod events;
mod fetch_queue;
mod handoff;
mod kafka_error;
mod live_check;
mod message_view;
mod metrics;
mod offsets;
mod pauses;
mod pending;
mod poll_loop;
mod rebalance;
mod record;
mod requests;
mod shared;
mod stalls;
mod stats;
mod topic_names;
mod watchdog;

pub use config::{RuntimeConfig, StallPolicy};
pub use consumer::{Consumer, Iter};
pub use error::Error;
pub use events::{CommitReason, Event, EventKind, PartitionOffset};
pub use kafka_error::KafkaError;
pub use record::Record;
pub use stats::Stats;
