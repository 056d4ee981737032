//! Running a sink on a thread of its own, so that decoding and formatting overlap the
//! source's waiting for the next event instead of adding to it.

use crate::{Event, Sink};
use std::io;
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::thread::JoinHandle;

/// Events handed over at once: one wake-up of the sink's thread per batch.
const BATCH: usize = 256;
/// Batches in flight before the source waits for the sink (bounds memory).
const QUEUE: usize = 64;

enum Msg {
    Events(Vec<Event>),
    Idle,
    Finish,
}

/// A sink that forwards events, in batches, to another sink running on its own thread.
/// Errors of the inner sink surface at the next `event`, `idle` or `finish`.
pub struct Pipelined {
    batch: Vec<Event>,
    tx: Option<SyncSender<Msg>>,
    worker: Option<JoinHandle<io::Result<()>>>,
    /// The worker thread's id, to set its CPU affinity.
    worker_tid: i32,
    /// The CPUs the worker may run on when nothing else says otherwise.
    cpus: Vec<usize>,
}

impl Pipelined {
    /// Starts `inner` on a new thread that blocks every signal, so that signals meant for
    /// the source (SIGINT, its timers) keep reaching the calling thread.
    pub fn spawn(inner: Box<dyn Sink + Send>) -> io::Result<Pipelined> {
        let (tx, rx) = mpsc::sync_channel(QUEUE);
        let (tid_tx, tid_rx) = mpsc::sync_channel(1);
        let worker = with_signals_blocked(|| {
            std::thread::Builder::new()
                .name("sink".into())
                .spawn(move || {
                    // SAFETY: gettid has no arguments and cannot fail.
                    let _ = tid_tx.send(unsafe { libc::gettid() });
                    serve(inner, rx)
                })
        })?;
        Ok(Pipelined {
            batch: Vec::with_capacity(BATCH),
            tx: Some(tx),
            worker: Some(worker),
            worker_tid: tid_rx.recv().unwrap_or(0),
            cpus: crate::cpus::allowed(0),
        })
    }

    fn send(&mut self, msg: Msg) -> io::Result<()> {
        let sent = match &self.tx {
            Some(tx) => tx.send(msg).is_ok(),
            None => false,
        };
        if sent {
            return Ok(());
        }
        // The sink's thread stopped: it failed; report why.
        self.tx = None;
        match self.join() {
            Err(e) => Err(e),
            Ok(()) => Err(io::Error::other("the output thread ended early")),
        }
    }

    fn flush_batch(&mut self) -> io::Result<()> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        self.send(Msg::Events(batch))
    }

    fn join(&mut self) -> io::Result<()> {
        match self.worker.take().map(JoinHandle::join) {
            None => Ok(()),
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other("the output thread panicked")),
        }
    }
}

fn serve(mut sink: Box<dyn Sink + Send>, rx: Receiver<Msg>) -> io::Result<()> {
    for msg in rx {
        match msg {
            Msg::Events(batch) => batch.iter().try_for_each(|ev| sink.event(ev))?,
            Msg::Idle => sink.idle()?,
            Msg::Finish => return sink.finish(),
        }
    }
    // The source went away without finishing (an error on its side): still flush.
    sink.finish()
}

/// Runs `f` with every signal blocked in the calling thread, restoring the mask after,
/// so that a thread `f` creates starts with all signals blocked.
fn with_signals_blocked<T>(f: impl FnOnce() -> T) -> T {
    // SAFETY: sigset_t is plain data; sigfillset and pthread_sigmask only write to the
    // live locals passed to them.
    let old = unsafe {
        let mut all: libc::sigset_t = std::mem::zeroed();
        let mut old: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut all);
        libc::pthread_sigmask(libc::SIG_BLOCK, &all, &mut old);
        old
    };
    let out = f();
    // SAFETY: restores the mask saved above.
    unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut()) };
    out
}

impl Sink for Pipelined {
    fn event(&mut self, event: &Event) -> io::Result<()> {
        self.take(event.clone())
    }

    fn take(&mut self, event: Event) -> io::Result<()> {
        self.batch.push(event);
        if self.batch.len() >= BATCH {
            self.flush_batch()?;
        }
        Ok(())
    }

    fn idle(&mut self) -> io::Result<()> {
        self.flush_batch()?;
        self.send(Msg::Idle)
    }

    fn source_cpu(&mut self, cpu: usize) {
        // The worker wakes for each batch: placed on the source's CPU, it would delay
        // the source and its tracees there while a CPU next to them idles.
        let others: Vec<usize> = self.cpus.iter().copied().filter(|&c| c != cpu).collect();
        if self.worker_tid > 0 && !others.is_empty() {
            let _ = crate::cpus::restrict(self.worker_tid, &others);
        }
    }

    fn finish(&mut self) -> io::Result<()> {
        self.flush_batch()?;
        if self.tx.is_some() {
            self.send(Msg::Finish)?;
        }
        self.tx = None;
        self.join()
    }
}

impl Drop for Pipelined {
    fn drop(&mut self) {
        // Whatever happened, nothing already traced is lost.
        let _ = self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EventKind, Timestamp};
    use std::sync::{Arc, Mutex};

    /// Records what it is given; fails on the event with tid `fail_at`.
    struct Recorder {
        seen: Arc<Mutex<Vec<String>>>,
        fail_at: i32,
    }

    impl Sink for Recorder {
        fn event(&mut self, ev: &Event) -> io::Result<()> {
            if ev.tid == self.fail_at {
                return Err(io::Error::other(format!("cannot write event {}", ev.tid)));
            }
            self.seen.lock().unwrap().push(format!("event {}", ev.tid));
            Ok(())
        }
        fn idle(&mut self) -> io::Result<()> {
            self.seen.lock().unwrap().push("idle".into());
            Ok(())
        }
        fn finish(&mut self) -> io::Result<()> {
            self.seen.lock().unwrap().push("finish".into());
            Ok(())
        }
    }

    fn ev(tid: i32) -> Event {
        Event {
            ts: Timestamp::default(),
            pid: tid,
            tid,
            kind: EventKind::Started,
        }
    }

    #[test]
    fn the_worker_keeps_off_the_sources_cpu_when_another_is_allowed() {
        let inner = Recorder {
            seen: Arc::new(Mutex::new(Vec::new())),
            fail_at: -1,
        };
        let mut sink = Pipelined::spawn(Box::new(inner)).unwrap();
        let all = crate::cpus::allowed(0);
        let source = all[0];
        sink.source_cpu(source);
        let worker = crate::cpus::allowed(sink.worker_tid);
        if all.len() > 1 {
            let others: Vec<usize> = all[1..].to_vec();
            assert_eq!(worker, others);
        } else {
            // One CPU: nowhere else to go, the worker keeps it.
            assert_eq!(worker, all);
        }
        sink.finish().unwrap();
    }

    #[test]
    fn events_arrive_in_order_across_batches_then_idle_and_finish() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let inner = Recorder {
            seen: seen.clone(),
            fail_at: -1,
        };
        let mut sink = Pipelined::spawn(Box::new(inner)).unwrap();
        let n = BATCH as i32 * 3 + 7;
        for tid in 0..n {
            sink.event(&ev(tid)).unwrap();
        }
        sink.idle().unwrap();
        sink.finish().unwrap();
        let mut want: Vec<String> = (0..n).map(|t| format!("event {t}")).collect();
        want.push("idle".into());
        want.push("finish".into());
        assert_eq!(*seen.lock().unwrap(), want);
    }

    #[test]
    fn an_inner_error_comes_back_to_the_source() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let inner = Recorder {
            seen: seen.clone(),
            fail_at: 3,
        };
        let mut sink = Pipelined::spawn(Box::new(inner)).unwrap();
        for tid in 0..5 {
            sink.event(&ev(tid)).unwrap();
        }
        let err = sink.finish().unwrap_err();
        assert_eq!(err.to_string(), "cannot write event 3");
        assert_eq!(*seen.lock().unwrap(), ["event 0", "event 1", "event 2"]);
    }

    #[test]
    fn dropping_the_pipeline_still_delivers_everything() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let inner = Recorder {
            seen: seen.clone(),
            fail_at: -1,
        };
        let mut sink = Pipelined::spawn(Box::new(inner)).unwrap();
        sink.event(&ev(1)).unwrap();
        drop(sink);
        assert_eq!(*seen.lock().unwrap(), ["event 1", "finish"]);
    }
}
