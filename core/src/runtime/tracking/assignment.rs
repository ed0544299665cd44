//! The partitions assigned now, one [`Slot`] per partition and epoch, and the offsets
//! committed for them.

use crate::runtime::metrics::Metrics;
use crate::runtime::offsets::Slot;
use crate::runtime::shared::Shared;
use parking_lot::Mutex;
use rdkafka::topic_partition_list::{Offset, TopicPartitionList};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};

/// The live assignment. Changed only on the poll thread (rebalance callbacks); read anywhere.
#[derive(Default)]
pub(crate) struct Assignment {
    /// The consumer the slots belong to.
    owner: Weak<Shared>,
    /// Records are delivered in offset order (`steady.ordering=unordered`).
    in_order: bool,
    slots: Mutex<Vec<Arc<Slot>>>,
    last_epoch: AtomicU64,
    /// Backpressure is in force: every assigned partition is paused.
    paused: AtomicBool,
    /// Last committed offset per "topic/partition" (next offset to read).
    committed: Mutex<BTreeMap<String, i64>>,
}

impl Assignment {
    /// Nothing assigned yet, for the consumer `owner`; `in_order` as in [`Slot::owned_by`].
    pub fn new(owner: Weak<Shared>, in_order: bool) -> Assignment {
        Assignment {
            owner,
            in_order,
            ..Assignment::default()
        }
    }

    /// Starts a new epoch for every partition of `tpl`; returns the new slots. A slot still
    /// present for one of them (an assign without a revoke) is replaced and returned second.
    pub fn add(
        &self,
        tpl: &TopicPartitionList,
        metrics: &Arc<Metrics>,
    ) -> (Vec<Arc<Slot>>, Vec<Arc<Slot>>) {
        let mut slots = self.slots.lock();
        let mut added = Vec::new();
        let mut replaced = Vec::new();
        for e in tpl.elements() {
            if let Some(i) = position(&slots, e.topic(), e.partition()) {
                replaced.push(slots.swap_remove(i));
            }
            let epoch = self.last_epoch.fetch_add(1, Ordering::Relaxed) + 1;
            let slot = Slot::new(e.topic().into(), e.partition(), epoch, metrics.clone());
            let slot = Arc::new(slot.owned_by(self.owner.clone(), self.in_order));
            slots.push(slot.clone());
            added.push(slot);
        }
        (added, replaced)
    }

    /// Removes the partitions of `tpl` and returns their slots.
    pub fn remove(&self, tpl: &TopicPartitionList) -> Vec<Arc<Slot>> {
        let gone: Vec<(String, i32)> = tpl
            .elements()
            .iter()
            .map(|e| (e.topic().to_string(), e.partition()))
            .collect();
        let mut removed = Vec::new();
        self.slots.lock().retain(|s| {
            let hit = gone
                .iter()
                .any(|(t, p)| *p == s.partition && **t == *s.topic);
            if hit {
                removed.push(s.clone());
            }
            !hit
        });
        removed
    }

    /// Removes every partition and returns their slots.
    pub fn remove_all(&self) -> Vec<Arc<Slot>> {
        std::mem::take(&mut *self.slots.lock())
    }

    /// The slot of `topic`/`partition`, if assigned.
    pub fn find(&self, topic: &str, partition: i32) -> Option<Arc<Slot>> {
        let slots = self.slots.lock();
        position(&slots, topic, partition).map(|i| slots[i].clone())
    }

    /// Every assigned slot.
    pub fn slots(&self) -> Vec<Arc<Slot>> {
        self.slots.lock().clone()
    }

    /// `slots`' partitions as a list.
    pub fn list(slots: &[Arc<Slot>]) -> TopicPartitionList {
        let mut tpl = TopicPartitionList::new();
        for s in slots {
            tpl.add_partition(&s.topic, s.partition);
        }
        tpl
    }

    /// Whether backpressure pauses the assigned partitions.
    pub fn paused(&self) -> bool {
        self.paused.load(Ordering::Acquire)
    }

    /// Records whether backpressure pauses the assigned partitions.
    pub fn set_paused(&self, paused: bool) {
        self.paused.store(paused, Ordering::Release);
    }

    /// The watermarks of `slots` that differ from what was last committed.
    pub fn uncommitted(&self, slots: &[Arc<Slot>]) -> TopicPartitionList {
        let committed = self.committed.lock();
        let mut tpl = TopicPartitionList::new();
        for s in slots {
            if let Some(w) = s.watermark() {
                if committed.get(&s.name()) != Some(&w) {
                    let _ = tpl.add_partition_offset(&s.topic, s.partition, Offset::Offset(w));
                }
            }
        }
        tpl
    }

    /// Remembers the offsets of a successful commit.
    pub fn note_committed(&self, tpl: &TopicPartitionList) {
        let mut committed = self.committed.lock();
        for e in tpl.elements() {
            if let Offset::Offset(o) = e.offset() {
                committed.insert(format!("{}/{}", e.topic(), e.partition()), o);
            }
        }
    }

    /// Committed offsets as ("topic/partition", next offset to read).
    pub fn committed(&self) -> Vec<(String, i64)> {
        self.committed
            .lock()
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect()
    }
}

fn position(slots: &[Arc<Slot>], topic: &str, partition: i32) -> Option<usize> {
    slots
        .iter()
        .position(|s| s.partition == partition && &*s.topic == topic)
}
