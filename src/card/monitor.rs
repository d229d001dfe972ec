//! Reader and card state for a status bar, kept current by a background thread.
//!
//! The thread sleeps in `SCardGetStatusChange` (wakes on insertion/removal, on reader
//! plug/unplug via the PnP pseudo-reader, or every [`POLL`] to check for stop) — no busy loop.
//! The UI only reads a mutex-protected value, so it never blocks on PC/SC.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use pcsc::{Context, Scope, State, PNP_NOTIFICATION};

use super::reader::{is_service_gone, summarize};
use super::ReaderState;

/// Longest wait inside PC/SC before looking at the stop flag (stop also cancels the wait).
const POLL: Duration = Duration::from_millis(500);
/// Pause before trying pcscd again after it was missing or failed.
const RETRY: Duration = Duration::from_secs(1);

struct Shared {
    state: Mutex<ReaderState>,
    generation: AtomicU64,
    stop: AtomicBool,
    /// The context the thread is waiting in, so `stop` can cancel the wait.
    context: Mutex<Option<Context>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding these locks cannot leave them inconsistent (plain stores).
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    fn set(&self, new: ReaderState) {
        let mut s = lock(&self.state);
        if *s != new {
            *s = new;
            self.generation.fetch_add(1, Ordering::Release);
        }
    }

    fn pause(&self, d: Duration) {
        let end = Instant::now() + d;
        while !self.stopped() {
            let now = Instant::now();
            if now >= end {
                break;
            }
            std::thread::sleep((end - now).min(Duration::from_millis(50)));
        }
    }
}

/// Starts the background watcher.
pub struct Monitor;

impl Monitor {
    /// Start watching. Returns at once; the state is [`ReaderState::Unknown`] until the first
    /// look (a few milliseconds with pcscd running).
    pub fn spawn() -> MonitorHandle {
        let shared = Arc::new(Shared {
            state: Mutex::new(ReaderState::Unknown),
            generation: AtomicU64::new(0),
            stop: AtomicBool::new(false),
            context: Mutex::new(None),
        });
        let worker = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("onshi-card-monitor".into())
            .spawn(move || run(&worker))
            .ok();
        MonitorHandle { shared, thread }
    }
}

/// Handle to the watcher; dropping it stops the thread.
pub struct MonitorHandle {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl MonitorHandle {
    /// The latest known state (cheap; never blocks on PC/SC).
    pub fn state(&self) -> ReaderState {
        lock(&self.shared.state).clone()
    }

    /// Increases by one on every state change: redraw only when it moved.
    pub fn generation(&self) -> u64 {
        self.shared.generation.load(Ordering::Acquire)
    }
}

impl Drop for MonitorHandle {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        if let Some(ctx) = lock(&self.shared.context).as_ref() {
            let _ = ctx.cancel();
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(sh: &Shared) {
    while !sh.stopped() {
        match Context::establish(Scope::User) {
            Ok(ctx) => {
                *lock(&sh.context) = Some(ctx.clone());
                watch(sh, &ctx);
                *lock(&sh.context) = None;
            }
            Err(_) => {
                sh.set(ReaderState::NoService);
                sh.pause(RETRY);
            }
        }
    }
}

/// Follow one PC/SC context until the service goes away or we are stopped.
fn watch(sh: &Shared, ctx: &Context) {
    // Entry 0 is the PnP pseudo-reader (reader plugged/unplugged); it is kept across
    // re-listings so one real change is reported once, not on every loop.
    let mut all = vec![pcsc::ReaderState::new(PNP_NOTIFICATION(), State::UNAWARE)];
    while !sh.stopped() {
        let names = match ctx.list_readers_owned() {
            Ok(n) => n,
            Err(pcsc::Error::NoReadersAvailable) => Vec::new(),
            Err(e) => {
                if is_service_gone(e) {
                    sh.set(ReaderState::NoService);
                }
                sh.pause(RETRY);
                return;
            }
        };
        all.truncate(1);
        all.extend(
            names
                .into_iter()
                .map(|n| pcsc::ReaderState::new(n, State::UNAWARE)),
        );
        if all.len() == 1 {
            sh.set(ReaderState::NoReader);
        }
        loop {
            if sh.stopped() {
                return;
            }
            match ctx.get_status_change(POLL, &mut all) {
                Ok(()) => {}
                Err(pcsc::Error::Timeout) => continue,
                Err(pcsc::Error::Cancelled) => return,
                Err(e) if is_service_gone(e) => {
                    sh.set(ReaderState::NoService);
                    sh.pause(RETRY);
                    return;
                }
                Err(_) => {
                    // e.g. a reader vanished between listing and waiting: list again,
                    // after a pause so a persistent error cannot spin.
                    sh.pause(POLL);
                    break;
                }
            }
            let readers = all.get(1..).unwrap_or(&[]);
            if !readers.is_empty() {
                sh.set(summarize(readers));
            }
            let pnp_changed = all
                .first()
                .is_some_and(|p| p.event_state().contains(State::CHANGED));
            let reader_gone = readers.iter().any(|s| {
                s.event_state()
                    .intersects(State::UNKNOWN | State::UNAVAILABLE)
            });
            for s in &mut all {
                s.sync_current_state();
            }
            if pnp_changed || reader_gone {
                break;
            }
        }
    }
}
