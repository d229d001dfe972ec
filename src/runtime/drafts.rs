//! The draft writer: the form being typed is written to the store off the input path.
//!
//! A flush can take 5–30 ms on an old disk (BENCHMARKS.md); a keystroke must not wait for
//! it. The runtime hands every new draft to this thread and draws at once; the thread
//! keeps only the newest draft and writes it when input pauses (no newer draft for
//! [`PAUSE`]) or, during continuous typing, at most [`MAX_DELAY`] after the oldest
//! unwritten one. Before a save, a screen change and quit the runtime calls
//! [`DraftWriter::flush`], which waits until the newest draft is on disk. So a crash loses
//! at most the typing of the last [`MAX_DELAY`] plus one flush, never a saved record
//! (docs/store.md, "Drafts").

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::store::{Store, StoreError};

/// No newer draft for this long: the clerk paused; write now.
pub const PAUSE: Duration = Duration::from_millis(100);
/// During continuous typing the newest draft is written at least this often.
pub const MAX_DELAY: Duration = Duration::from_millis(300);

/// Where drafts go: the store in the desk; a bench can put a deliberately slow one in
/// front of it to show that typing does not wait for the disk (benches/keystroke.rs).
pub trait DraftSink: Send + Sync + 'static {
    /// Write `bytes` as the form's draft; durable when this returns.
    fn write_draft(&self, bytes: &[u8]) -> Result<(), StoreError>;
}

impl DraftSink for Store {
    fn write_draft(&self, bytes: &[u8]) -> Result<(), StoreError> {
        self.save_draft(super::DRAFT_KEY, bytes)
    }
}

/// A draft handed over and not yet written.
struct Pending {
    bytes: Vec<u8>,
    /// Its number in the order drafts were handed over.
    generation: u64,
    /// When the oldest draft not yet written arrived (a newer one keeps this time).
    since: Instant,
}

#[derive(Default)]
struct State {
    pending: Option<Pending>,
    /// The newest draft handed over, and the newest known to be on disk (or dropped).
    submitted: u64,
    written: u64,
    /// When the last draft was handed over (for the pause).
    last_submit: Option<Instant>,
    /// A write is under way (its draft no longer in `pending`).
    writing: bool,
    /// Write attempts finished so far.
    attempts: u64,
    /// Someone waits in `flush`: write without waiting for a pause.
    urgent: bool,
    /// The last write failed: try again only when asked (a newer draft, a flush, stop),
    /// so a full disk does not turn into a busy loop.
    blocked: bool,
    /// The last failure, until the runtime takes it to tell the clerk.
    failed: Option<StoreError>,
    stop: bool,
}

struct Shared {
    state: Mutex<State>,
    /// Signalled on every change of `state`.
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn wait<'a>(&self, g: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        self.changed.wait(g).unwrap_or_else(|p| p.into_inner())
    }

    fn wait_for<'a>(&self, g: MutexGuard<'a, State>, d: Duration) -> MutexGuard<'a, State> {
        match self.changed.wait_timeout(g, d) {
            Ok((g, _)) => g,
            Err(p) => p.into_inner().0,
        }
    }
}

/// Owns the writer thread; stopping (or dropping) it writes what is pending first.
pub struct DraftWriter {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    /// Used directly only when the thread could not be started.
    sink: Arc<dyn DraftSink>,
}

impl DraftWriter {
    pub fn spawn(sink: Arc<dyn DraftSink>) -> DraftWriter {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
        });
        let (worker, thread_sink) = (shared.clone(), sink.clone());
        let thread = std::thread::Builder::new()
            .name("onshi-drafts".into())
            .spawn(move || write_loop(&worker, thread_sink.as_ref()))
            .ok();
        DraftWriter {
            shared,
            thread,
            sink,
        }
    }

    /// Hand over the newest draft; returns at once. An older one still waiting is dropped:
    /// the newest holds everything typed.
    pub fn submit(&self, bytes: Vec<u8>) {
        if self.thread.is_none() {
            // No thread (the system refused one): write here, as before the writer.
            let result = self.sink.write_draft(&bytes);
            self.shared.lock().failed = result.err();
            return;
        }
        let now = Instant::now();
        let mut g = self.shared.lock();
        // A writer already holding a draft sleeps only until its deadline and then reads
        // `last_submit` again: waking it on every keystroke would cost a context switch
        // per character for nothing. Wake it only when it waits without a deadline.
        let wake = g.pending.is_none() || g.blocked;
        let since = g.pending.as_ref().map_or(now, |p| p.since);
        g.submitted += 1;
        g.pending = Some(Pending {
            bytes,
            generation: g.submitted,
            since,
        });
        g.last_submit = Some(now);
        g.blocked = false;
        drop(g);
        if wake {
            self.shared.changed.notify_all();
        }
    }

    /// Drop a draft still waiting (the form is about to be saved or discarded, which
    /// removes the draft) and wait for a write under way, so no older draft can land
    /// after what comes next.
    pub fn discard(&self) {
        let mut g = self.shared.lock();
        g.pending = None;
        g.written = g.submitted;
        g.blocked = false;
        while g.writing {
            g = self.shared.wait(g);
        }
    }

    /// Write the newest draft now and wait until it is on disk.
    pub fn flush(&self) -> Result<(), StoreError> {
        if self.thread.is_none() {
            return Ok(());
        }
        let mut g = self.shared.lock();
        let target = g.submitted;
        let start = g.attempts;
        if g.written >= target && !g.writing {
            return Ok(());
        }
        g.urgent = true;
        self.shared.changed.notify_all();
        loop {
            if g.written >= target {
                g.failed = None;
                return Ok(());
            }
            if g.attempts > start && !g.writing && g.blocked {
                g.urgent = false;
                return Err(g.failed.take().unwrap_or(StoreError::Io {
                    kind: std::io::ErrorKind::Other,
                    detail: "draft not written".into(),
                }));
            }
            g = self.shared.wait(g);
        }
    }

    /// The error of a background write that failed since the last call.
    pub fn take_failure(&self) -> Option<StoreError> {
        self.shared.lock().failed.take()
    }

    /// Stop the thread after trying to write what is pending; a draft that could not be
    /// written is returned (to hand to the next writer once the store is reopened).
    pub fn stop(mut self) -> Option<Vec<u8>> {
        self.halt()
    }

    fn halt(&mut self) -> Option<Vec<u8>> {
        let thread = self.thread.take()?;
        self.shared.lock().stop = true;
        self.shared.changed.notify_all();
        let _ = thread.join();
        self.shared.lock().pending.take().map(|p| p.bytes)
    }
}

impl Drop for DraftWriter {
    fn drop(&mut self) {
        self.halt();
    }
}

fn write_loop(shared: &Shared, sink: &dyn DraftSink) {
    let mut g = shared.lock();
    loop {
        let Some(p) = &g.pending else {
            if g.stop {
                return;
            }
            g = shared.wait(g);
            continue;
        };
        let now_or_never = g.urgent || g.stop;
        if g.blocked && !now_or_never {
            g = shared.wait(g);
            continue;
        }
        let now = Instant::now();
        let due = g
            .last_submit
            .map_or(now, |t| t + PAUSE)
            .min(p.since + MAX_DELAY);
        if !now_or_never && now < due {
            g = shared.wait_for(g, due - now);
            continue;
        }
        let Some(p) = g.pending.take() else {
            continue;
        };
        g.writing = true;
        g.urgent = false;
        drop(g);
        let result = sink.write_draft(&p.bytes);
        g = shared.lock();
        g.writing = false;
        g.attempts += 1;
        match result {
            Ok(()) => {
                g.written = g.written.max(p.generation);
                g.failed = None;
                g.blocked = false;
            }
            Err(e) => {
                g.failed = Some(e);
                g.blocked = true;
                // Kept for the next try unless a newer one came meanwhile.
                if g.pending.is_none() && g.written < p.generation {
                    g.pending = Some(p);
                }
                if g.stop {
                    shared.changed.notify_all();
                    return;
                }
            }
        }
        shared.changed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    /// The real store behind a gate the test can hold shut, counting writes, able to
    /// refuse them as a full disk does.
    struct Gated {
        store: Arc<Store>,
        gate: Mutex<()>,
        writes: AtomicUsize,
        refuse: AtomicBool,
    }

    impl DraftSink for Gated {
        fn write_draft(&self, bytes: &[u8]) -> Result<(), StoreError> {
            let _open = self.gate.lock().unwrap();
            if self.refuse.load(Ordering::SeqCst) {
                return Err(StoreError::DiskFull);
            }
            self.writes.fetch_add(1, Ordering::SeqCst);
            self.store.write_draft(bytes)
        }
    }

    fn setup() -> (tempfile::TempDir, Arc<Store>, Arc<Gated>) {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(&dir.path().join("store")).unwrap());
        let sink = Arc::new(Gated {
            store: store.clone(),
            gate: Mutex::new(()),
            writes: AtomicUsize::new(0),
            refuse: AtomicBool::new(false),
        });
        (dir, store, sink)
    }

    fn on_disk(store: &Store) -> Option<String> {
        store
            .load_draft(crate::runtime::DRAFT_KEY)
            .unwrap()
            .map(|b| String::from_utf8(b).unwrap())
    }

    #[test]
    fn typing_goes_on_while_the_disk_is_busy_and_the_newest_draft_wins() {
        let (_dir, store, sink) = setup();
        let w = DraftWriter::spawn(sink.clone());
        let shut = sink.gate.lock().unwrap();
        // The disk is stuck: every hand-over still returns.
        for c in 'a'..='z' {
            w.submit(format!("draft {c}").into_bytes());
        }
        drop(shut);
        w.flush().unwrap();
        assert_eq!(on_disk(&store).as_deref(), Some("draft z"));
        // One write that may have been under way while the gate was shut, and the newest.
        let writes = sink.writes.load(Ordering::SeqCst);
        assert!((1..=2).contains(&writes), "{writes} writes for 26 drafts");
    }

    #[test]
    fn stopping_writes_what_is_pending() {
        let (_dir, store, sink) = setup();
        let w = DraftWriter::spawn(sink);
        w.submit(b"last words".to_vec());
        assert_eq!(w.stop(), None, "nothing left unwritten");
        assert_eq!(on_disk(&store).as_deref(), Some("last words"));
    }

    #[test]
    fn a_discarded_draft_never_lands_after_the_form_is_gone() {
        let (_dir, store, sink) = setup();
        let w = DraftWriter::spawn(sink);
        for i in 0..50 {
            w.submit(format!("typing {i}").into_bytes());
        }
        w.discard();
        // What a save or a discard does next: the draft is removed from the store.
        store.delete_draft(crate::runtime::DRAFT_KEY).unwrap();
        w.stop();
        assert_eq!(on_disk(&store), None);
    }

    #[test]
    fn a_refused_write_is_reported_and_written_on_the_next_try() {
        let (_dir, store, sink) = setup();
        let w = DraftWriter::spawn(sink.clone());
        sink.refuse.store(true, Ordering::SeqCst);
        w.submit(b"typed on a full disk".to_vec());
        assert!(matches!(w.flush(), Err(StoreError::DiskFull)));
        assert_eq!(on_disk(&store), None);
        sink.refuse.store(false, Ordering::SeqCst);
        w.flush().unwrap();
        assert_eq!(on_disk(&store).as_deref(), Some("typed on a full disk"));
        assert!(w.take_failure().is_none(), "the failure was reported once");
    }
}
