//! Requests of application threads that only the poll thread can carry out (it owns the rdkafka
//! consumer): commit now, pause, resume, seek, position, committed.
//!
//! A request waits in a queue with its reply channel; the poll thread takes the queue on its
//! next turn (a request wakes its wait). Close and a failure answer every request still queued,
//! and no request is queued after either, so no caller waits forever.

use crate::runtime::Error;
use crossbeam_channel::Sender;
use parking_lot::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// A partition named by the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Partition {
    pub topic: String,
    pub partition: i32,
}

/// What an application thread asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Request {
    /// Commit the acked prefix of every assigned partition, synchronously.
    Commit,
    Pause(Partition),
    Resume(Partition),
    /// Restart the partition at this offset.
    Seek(Partition, i64),
    /// The offset of the next record the application gets from the partition.
    Position(Partition),
    /// The group's committed offset of the partition.
    Committed(Partition),
}

/// A request's answer: an offset for the queries (`None`: none known), `None` otherwise.
pub(crate) type Reply = Result<Option<i64>, Error>;

/// The queue of requests.
#[derive(Default)]
pub(crate) struct Control {
    queue: Mutex<Queue>,
    /// Set with each request: the poll thread looks at the queue only then.
    wanted: AtomicBool,
}

#[derive(Default)]
struct Queue {
    requests: Vec<(Request, Sender<Reply>)>,
    /// Why no request is taken any more (close or a failure).
    refused: Option<Error>,
}

impl Control {
    /// Queues `request` and waits for its answer; `wake` makes the poll thread look.
    /// `poll_ended` tells whether the poll thread is gone (it answers nothing more then).
    pub fn call(
        &self,
        request: Request,
        wake: impl Fn(),
        poll_ended: impl Fn() -> Option<Error>,
    ) -> Reply {
        let (reply, answer) = crossbeam_channel::bounded(1);
        {
            let mut q = self.queue.lock();
            if let Some(refused) = &q.refused {
                return Err(refused.clone());
            }
            q.requests.push((request, reply));
            self.wanted.store(true, Ordering::Release);
        }
        wake();
        loop {
            match answer.recv_timeout(Duration::from_secs(1)) {
                Ok(result) => return result,
                Err(_) => {
                    if let Some(e) = poll_ended() {
                        return Err(e);
                    }
                }
            }
        }
    }

    /// The requests queued since the last call (poll thread), if any.
    pub fn take(&self) -> Vec<(Request, Sender<Reply>)> {
        if !self.wanted.swap(false, Ordering::AcqRel) {
            return Vec::new();
        }
        std::mem::take(&mut self.queue.lock().requests)
    }

    /// Refuses every request from now on with `why` (the first reason given stays) and
    /// answers those queued with it. Returns the reason in force.
    pub fn refuse(&self, why: Error) -> Error {
        let (queued, why) = {
            let mut q = self.queue.lock();
            let why = q.refused.get_or_insert(why).clone();
            (std::mem::take(&mut q.requests), why)
        };
        for (_, reply) in queued {
            let _ = reply.send(Err(why.clone()));
        }
        why
    }

    /// Runs `f` with no request being queued meanwhile (close sets its stop flag so).
    pub fn locked<T>(&self, f: impl FnOnce() -> T) -> T {
        let _q = self.queue.lock();
        f()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn partition() -> Partition {
        Partition {
            topic: "t".into(),
            partition: 0,
        }
    }

    #[test]
    fn a_request_is_answered_by_the_taker() {
        let control = Arc::new(Control::default());
        assert!(control.take().is_empty());
        let caller = {
            let c = control.clone();
            std::thread::spawn(move || c.call(Request::Position(partition()), || {}, || None))
        };
        let taken = loop {
            let t = control.take();
            if !t.is_empty() {
                break t;
            }
            std::thread::yield_now();
        };
        assert_eq!(taken[0].0, Request::Position(partition()));
        taken[0].1.send(Ok(Some(7))).unwrap();
        assert!(matches!(caller.join().unwrap(), Ok(Some(7))));
    }

    #[test]
    fn refusal_answers_the_queued_and_the_later_requests() {
        let control = Arc::new(Control::default());
        let caller = {
            let c = control.clone();
            std::thread::spawn(move || c.call(Request::Commit, || {}, || None))
        };
        while control.queue.lock().requests.is_empty() {
            std::thread::yield_now();
        }
        control.refuse(Error::Internal("first".into()));
        control.refuse(Error::Closed);
        assert!(matches!(caller.join().unwrap(), Err(Error::Internal(m)) if m == "first"));
        assert!(matches!(
            control.call(Request::Commit, || {}, || None),
            Err(Error::Internal(_))
        ));
    }

    #[test]
    fn a_gone_poll_thread_ends_the_wait() {
        let control = Control::default();
        let got = control.call(Request::Commit, || {}, || Some(Error::Closed));
        assert!(matches!(got, Err(Error::Closed)));
    }
}
