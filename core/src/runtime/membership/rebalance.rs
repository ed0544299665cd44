//! What the runtime does when partitions come and go (poll thread, inside librdkafka's
//! rebalance callback), and the events the application gets for it.
//!
//! Revoke, within `steady.revoke.drain.ms` in all: fence the partitions (their buffered
//! records are dropped, none is delivered from now on), wait for their in-flight records to be
//! acked (events on: for at most half the budget), then — events on — queue `Revoked` and wait
//! for the application to be done with it, then commit the acked prefix and forget the
//! partitions. Past the budget the wait ends: what
//! was acked is committed, later acks of those partitions are ignored (the records go to the
//! partitions' next owner). A lost assignment (session expired, member fenced, KIP-848 lost)
//! queues `Lost` instead, waits for nothing and commits nothing.
//!
//! Assign: a new epoch per partition; events on, the partitions stay paused until the
//! application is done with `Assigned` (which carries the committed offsets they start from),
//! at most `steady.processing.timeout.ms`.

use crate::runtime::commits;
use crate::runtime::context::Kafka;
use crate::runtime::events::{CommitReason, Completion, Event, EventKind, PartitionOffset};
use crate::runtime::kafka_error::KafkaError;
use crate::runtime::logging::LogLevel;
use crate::runtime::offsets::{self, names, Slot};
use crate::runtime::pauses::{self, Hold};
use crate::runtime::requests;
use crate::runtime::shared::Shared;
use parking_lot::Mutex;
use rdkafka::consumer::Consumer;
use rdkafka::topic_partition_list::{Offset, TopicPartitionList};
use rdkafka::util::Timeout;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often a revoke waiting for its handler answers the application's requests.
const REQUESTS_EVERY: Duration = Duration::from_millis(20);

/// Partitions held paused until their `Assigned` event is done.
pub(crate) struct Gate {
    slots: Vec<Arc<Slot>>,
    done: Arc<Completion>,
    deadline: Instant,
}

/// The open gates (poll thread).
#[derive(Default)]
pub(crate) struct Gates(Mutex<Vec<Gate>>);

/// Revokes the partitions of `tpl` (see the module's text).
pub(crate) fn revoke(consumer: &Kafka, shared: &Shared, tpl: &TopicPartitionList) {
    let slots = shared.assignment.remove(tpl);
    if slots.is_empty() {
        return;
    }
    shared.metrics.rebalance_began(Instant::now());
    let lost = consumer.assignment_lost();
    let deadline = Instant::now() + shared.config.revoke_drain;
    give_up(
        consumer,
        shared,
        &slots,
        lost,
        deadline,
        CommitReason::Revoke,
    );
    shared.metrics.rebalances.fetch_add(1, Ordering::Relaxed);
}

/// Gives `slots` up: fence, drain, `Revoked` (or `Lost`) handled by `deadline`, commit with
/// `reason` unless `lost`, forget. Also the end of the assignment on close.
pub(crate) fn give_up(
    consumer: &Kafka,
    shared: &Shared,
    slots: &[Arc<Slot>],
    lost: bool,
    deadline: Instant,
    reason: CommitReason,
) {
    if !slots.is_empty() {
        let what = match (lost, reason) {
            (true, _) => "lost",
            (false, CommitReason::Close) => "revoked on close",
            (false, _) => "revoked",
        };
        let text = format!("{what} {}", names(slots));
        shared.log.steady(LogLevel::Info, "rebalance", text);
    }
    shared.handoff.fence(slots);
    if lost && !slots.is_empty() {
        shared
            .events
            .push(Event::rebalance(EventKind::Lost, partitions(slots)));
    } else if !slots.is_empty() {
        offsets::drain_until(slots, drain_deadline(shared, deadline));
        handle(consumer, shared, EventKind::Revoked, slots, deadline);
        // Acks of the handler are in: a closing consumer refuses acks only from here on.
        if reason == CommitReason::Close {
            shared.metrics.closed.store(true, Ordering::Release);
        }
        let offsets = shared.assignment.uncommitted(slots);
        let _ = commits::commit_sync(consumer, shared, &offsets, reason);
    }
    for slot in slots {
        slot.revoke();
    }
}

/// When the drain ends at the latest: at `deadline`, or — events on — halfway to it, so the
/// `Revoked` handler keeps half the budget even when it holds records unacked itself (a batch
/// it flushes and acks on revoke).
fn drain_deadline(shared: &Shared, deadline: Instant) -> Instant {
    if shared.events.enabled() {
        deadline - shared.config.revoke_drain / 2
    } else {
        deadline
    }
}

/// Queues a `kind` event for `slots` and waits until the application is done with it or
/// `deadline`, answering the application's requests meanwhile (a handler may commit, pause or
/// seek); counts a handler cut off.
fn handle(
    consumer: &Kafka,
    shared: &Shared,
    kind: EventKind,
    slots: &[Arc<Slot>],
    deadline: Instant,
) {
    if !shared.events.enabled() {
        return;
    }
    let done = Completion::new();
    shared
        .events
        .push(Event::rebalance(kind, partitions(slots)).handled_by(done.clone()));
    loop {
        if done.wait_until(deadline.min(Instant::now() + REQUESTS_EVERY)) {
            return;
        }
        if Instant::now() >= deadline {
            break;
        }
        requests::serve(consumer, shared, shared.control.take());
    }
    shared
        .metrics
        .revoke_timeouts
        .fetch_add(1, Ordering::Relaxed);
    shared.error(
        "rebalance",
        format!(
            "the application's revoke handling took longer than steady.revoke.drain.ms={}; \
         the partitions were given up without it",
            shared.config.revoke_drain.as_millis()
        ),
    );
}

/// Starts new epochs for the partitions of `tpl` and sets their pause state; events on, holds
/// them paused behind an `Assigned` event.
pub(crate) fn assign(consumer: &Kafka, shared: &Shared, tpl: &TopicPartitionList) {
    let (added, replaced) = shared.assignment.add(tpl, &shared.metrics);
    if !added.is_empty() {
        let text = format!("assigned {}", names(&added));
        shared.log.steady(LogLevel::Info, "rebalance", text);
    }
    shared.handoff.fence(&replaced);
    for slot in &replaced {
        slot.revoke();
    }
    if !added.is_empty() && shared.events.enabled() {
        let committed = committed_offsets(consumer, shared, tpl);
        let parts = added
            .iter()
            .map(|s| PartitionOffset {
                topic: s.topic.to_string(),
                partition: s.partition,
                offset: committed.get(&(s.topic.to_string(), s.partition)).copied(),
            })
            .collect();
        for slot in &added {
            slot.set_hold(Hold::Assigned, true);
        }
        let done = Completion::new();
        shared.gates.0.lock().push(Gate {
            slots: added.clone(),
            done: done.clone(),
            deadline: Instant::now() + shared.config.processing_timeout,
        });
        shared
            .events
            .push(Event::rebalance(EventKind::Assigned, parts).handled_by(done));
    }
    // A new epoch's state is unknown to `apply`: it tells librdkafka either way.
    pauses::apply(consumer, shared, &added);
    shared
        .metrics
        .rebalance_ended(shared.started, Instant::now());
    shared.metrics.rebalances.fetch_add(1, Ordering::Relaxed);
}

/// Resumes the partitions whose `Assigned` event is done, or waited too long (poll thread,
/// every turn: within a poll slice of the event's end).
pub(crate) fn open_gates(consumer: &Kafka, shared: &Shared, now: Instant) {
    let ready: Vec<Gate> = {
        let mut gates = shared.gates.0.lock();
        if gates.is_empty() {
            return;
        }
        let (ready, waiting) = std::mem::take(&mut *gates)
            .into_iter()
            .partition(|g| g.done.is_done() || now >= g.deadline);
        *gates = waiting;
        ready
    };
    for gate in ready {
        pauses::hold(consumer, shared, &gate.slots, Hold::Assigned, false);
    }
}

/// The committed offsets of `tpl`'s partitions, asked of the coordinator (bounded by the
/// revoke budget, at least a second); none on error, which is reported.
fn committed_offsets(
    consumer: &Kafka,
    shared: &Shared,
    tpl: &TopicPartitionList,
) -> std::collections::HashMap<(String, i32), i64> {
    let wait = shared.config.revoke_drain.max(Duration::from_secs(1));
    match consumer.committed_offsets(tpl.clone(), Timeout::After(wait)) {
        Ok(list) => list
            .elements()
            .iter()
            .filter_map(|e| match e.offset() {
                Offset::Offset(o) => Some(((e.topic().to_string(), e.partition()), o)),
                _ => None,
            })
            .collect(),
        Err(e) => {
            crate::runtime::context::report(
                shared,
                KafkaError::from_rdkafka("committed offsets", &e),
            );
            Default::default()
        }
    }
}

/// `slots` as event partitions without offsets.
fn partitions(slots: &[Arc<Slot>]) -> Vec<PartitionOffset> {
    slots
        .iter()
        .map(|s| PartitionOffset {
            topic: s.topic.to_string(),
            partition: s.partition,
            offset: None,
        })
        .collect()
}
