//! Delivery order across receiving threads (`steady.ordering`): which records may be in the
//! application's hands at the same time.
//!
//! Every record belongs to a *lane*: its partition (`partition`), its key within its partition
//! (`key`), or none (`unordered`, and records without a key under `key`). A lane has at most
//! one record out at a time — delivered, waiting out a retry's back-off, or on its way to the
//! dead-letter topic — and its records go out in offset order: a record is deliverable only
//! when its lane is free, and the hand-off takes the first deliverable record in poll order.
//! The lane is freed when the record is settled (acked, or dead-lettered and acknowledged by
//! the broker), or when its partition is revoked.

use crate::runtime::offsets::Slot;
use std::collections::HashSet;
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};

/// `steady.ordering`: what may run at the same time on the application's threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeliveryOrder {
    /// Any record may run beside any other (the default: the highest throughput, and with one
    /// receiving thread records still come in partition order). The commit rule is the same
    /// in every mode: only the contiguous acked prefix is committed.
    #[default]
    Unordered,
    /// At most one record of a partition at a time, in offset order.
    Partition,
    /// At most one record per key (per partition) at a time, each key in offset order;
    /// different keys run side by side. Records without a key have no order to keep and run
    /// as in `Unordered`.
    Key,
}

impl DeliveryOrder {
    /// The lane of a record with `key` (within its slot); `None`: no lane.
    pub(crate) fn lane_of(self, key: Option<&[u8]>) -> Option<u64> {
        match self {
            DeliveryOrder::Unordered => None,
            DeliveryOrder::Partition => Some(0),
            DeliveryOrder::Key => {
                key.map(|k| BuildHasherDefault::<DefaultHasher>::default().hash_one(k))
            }
        }
    }

    /// The setting's word: `unordered`, `partition`, `key`.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryOrder::Unordered => "unordered",
            DeliveryOrder::Partition => "partition",
            DeliveryOrder::Key => "key",
        }
    }
}

/// A lane's identity: the slot's epoch and partition (one epoch per assignment of a
/// partition) and the key's hash (0 for a whole partition). Two keys with one hash share a
/// lane: they are ordered together, which is safe.
type LaneId = (u64, i32, u64);

/// The lanes with a record out.
#[derive(Default)]
pub(crate) struct Lanes {
    order: DeliveryOrder,
    busy: HashSet<LaneId>,
}

impl Lanes {
    /// No lane busy, for `order`.
    pub fn new(order: DeliveryOrder) -> Lanes {
        Lanes {
            order,
            busy: HashSet::new(),
        }
    }

    /// Whether records wait for their lane at all.
    pub fn ordered(&self) -> bool {
        self.order != DeliveryOrder::Unordered
    }

    /// Whether a record of `slot` in `lane` may go out now.
    pub fn free(&self, slot: &Slot, lane: Option<u64>) -> bool {
        lane.is_none_or(|l| !self.busy.contains(&id(slot, l)))
    }

    /// Takes `lane` of `slot` for a record going out.
    pub fn claim(&mut self, slot: &Slot, lane: Option<u64>) {
        if let Some(l) = lane {
            self.busy.insert(id(slot, l));
        }
    }

    /// Frees `lane` of `slot`; false when it was not busy (its partition was revoked).
    pub fn release(&mut self, slot: &Slot, lane: u64) -> bool {
        self.busy.remove(&id(slot, lane))
    }

    /// Frees every lane of `slots` (revoked: their records never go out again).
    pub fn forget(&mut self, slots: &[std::sync::Arc<Slot>]) {
        if !self.busy.is_empty() {
            self.busy.retain(|&(epoch, partition, _)| {
                !slots
                    .iter()
                    .any(|s| s.epoch == epoch && s.partition == partition)
            });
        }
    }

    /// Frees every lane (close).
    pub fn clear(&mut self) {
        self.busy.clear();
    }
}

fn id(slot: &Slot, lane: u64) -> LaneId {
    (slot.epoch, slot.partition, lane)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::metrics::Metrics;
    use std::sync::Arc;

    fn slot(partition: i32, epoch: u64) -> Arc<Slot> {
        Arc::new(Slot::new(
            "t".into(),
            partition,
            epoch,
            Arc::new(Metrics::default()),
        ))
    }

    #[test]
    fn lanes_per_mode() {
        let (a, b) = (Some(&b"a"[..]), Some(&b"b"[..]));
        assert_eq!(DeliveryOrder::Unordered.lane_of(a), None);
        let p = DeliveryOrder::Partition;
        assert_eq!(p.lane_of(a), p.lane_of(None));
        let k = DeliveryOrder::Key;
        assert_ne!(k.lane_of(a), k.lane_of(b));
        assert_eq!(k.lane_of(a), k.lane_of(Some(b"a")));
        assert_eq!(k.lane_of(None), None, "records without a key keep no order");
    }

    #[test]
    fn a_lane_is_busy_until_released_or_forgotten() {
        let mut lanes = Lanes::new(DeliveryOrder::Key);
        let (s0, s1) = (slot(0, 1), slot(1, 2));
        let l = DeliveryOrder::Key.lane_of(Some(b"k"));
        lanes.claim(&s0, l);
        assert!(!lanes.free(&s0, l));
        assert!(lanes.free(&s1, l), "keys are per partition");
        assert!(lanes.free(&s0, None));
        assert!(lanes.release(&s0, l.unwrap()));
        assert!(!lanes.release(&s0, l.unwrap()));
        lanes.claim(&s0, l);
        lanes.forget(std::slice::from_ref(&s0));
        assert!(lanes.free(&s0, l));
    }
}
