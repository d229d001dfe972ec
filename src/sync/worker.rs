//! The background worker the TUI runs: drains the outbox whenever it is non-empty, backs
//! off (exponential, jittered, capped) while the target is down, wakes at once after a
//! save. The UI only touches a mutex-guarded status; it never waits for the network.

use crate::clock::now;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset};

use super::pass::{self, PassEvent, QueueEntry};
use super::target::Target;
use crate::config::SyncConfig;
use crate::i18n::{describe_store_error, Lang, Msg};
use crate::store::{Store, StoreError};

/// What the status bar shows. Cheap to get: a copy of the worker's last word.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncStatus {
    /// False when the target is `none`: nothing is ever delivered.
    pub enabled: bool,
    /// `None` until the target has been tried; then whether it answered.
    pub online: Option<bool>,
    /// When `online` last changed.
    pub since: Option<DateTime<FixedOffset>>,
    /// Versions waiting for delivery (including those waiting behind a held one).
    pub queued: usize,
    /// Versions refused by the target, held for the operator.
    pub failed: usize,
    /// The latest problem (unreachable target, refusal, store error). An outage's error
    /// is cleared by the next successful delivery, a refusal's once nothing is held. Never holds record field values of ours; a refusal message is
    /// the target's text, cleaned of control characters.
    pub last_error: Option<String>,
    /// Versions delivered since the worker started.
    pub delivered: u64,
    /// When the next attempt is due while backing off.
    pub next_attempt: Option<DateTime<FixedOffset>>,
}

/// Backoff bounds (tests shorten them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerOptions {
    pub backoff_min: Duration,
    pub backoff_max: Duration,
    /// The language of the worker's own messages (store trouble, a thread that would
    /// not start).
    pub lang: Lang,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions {
            backoff_min: Duration::from_secs(1),
            backoff_max: Duration::from_secs(300),
            lang: Lang::default(),
        }
    }
}

/// Exponential backoff with "equal jitter": each delay is uniformly random in
/// [d/2, d] where d doubles from `min` up to `max`, so terminals that lost the network
/// together do not all retry in the same second, and no delay collapses to zero.
#[derive(Debug, Clone)]
pub struct Backoff {
    min: Duration,
    max: Duration,
    level: u32,
}

impl Backoff {
    pub fn new(min: Duration, max: Duration) -> Backoff {
        Backoff {
            min,
            max: max.max(min),
            level: 0,
        }
    }

    /// The next delay; grows each call until the cap.
    pub fn next_delay(&mut self) -> Duration {
        let d = self
            .min
            .saturating_mul(1u32.checked_shl(self.level).unwrap_or(u32::MAX))
            .min(self.max);
        if d < self.max {
            self.level += 1;
        }
        let half = d / 2;
        let span = (d - half).as_millis() as u64;
        let jitter = if span == 0 {
            0
        } else {
            random_u64() % (span + 1)
        };
        half + Duration::from_millis(jitter)
    }

    pub fn reset(&mut self) {
        self.level = 0;
    }
}

/// A random number from the standard library's per-instance hash keys (seeded from the
/// OS): enough for jitter, no extra dependency.
fn random_u64() -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    h.finish()
}

/// The operator's retries, with the operator's name for the audit trail.
enum Retry {
    One(u64, String),
    All(String),
}

#[derive(Default)]
struct Inner {
    wake: bool,
    retries: Vec<Retry>,
    status: SyncStatus,
    /// Nothing to do until woken (queue drained or only held entries left).
    idle: bool,
    stopped: bool,
    /// `status.last_error` is a refusal: it stays while versions are held.
    error_is_refusal: bool,
}

struct Shared {
    inner: Mutex<Inner>,
    /// Signals the worker: wake, retry, stop.
    to_worker: Condvar,
    /// Signals waiters on the status: it changed.
    changed: Condvar,
    stop: AtomicBool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn update(&self, f: impl FnOnce(&mut Inner)) {
        let mut g = self.lock();
        f(&mut g);
        drop(g);
        self.changed.notify_all();
    }
}

/// Starts the background worker.
pub struct Worker;

impl Worker {
    /// Start draining `store`'s outbox to `target` on a background thread.
    pub fn spawn(store: Arc<Store>, target: Target) -> WorkerHandle {
        Self::spawn_with(store, target, WorkerOptions::default())
    }

    /// What the TUI calls at start: the target from `[sync]`. Never fails, because capture
    /// must work whatever the sync settings are: a configuration error (e.g. a readable
    /// token file) leaves the queue alone and shows in `status().last_error`, in `lang`.
    pub fn spawn_from_config(store: Arc<Store>, cfg: &SyncConfig, lang: Lang) -> WorkerHandle {
        Self::spawn_for_desk(store, cfg, lang, false)
    }

    /// [`Worker::spawn_from_config`] with the desk's `[claim]` 不詳 coding, which the ORCA
    /// target writes into the patient memo.
    pub fn spawn_for_desk(
        store: Arc<Store>,
        cfg: &SyncConfig,
        lang: Lang,
        valid_check_digit: bool,
    ) -> WorkerHandle {
        match Target::from_config(cfg) {
            Ok(target) => Self::spawn_with(
                store,
                target.for_desk(lang, valid_check_digit),
                WorkerOptions {
                    lang,
                    ..WorkerOptions::default()
                },
            ),
            Err(e) => {
                let handle = Self::spawn_with(
                    store,
                    Target::None,
                    WorkerOptions {
                        lang,
                        ..WorkerOptions::default()
                    },
                );
                let msg = super::describe_target_error(&e, lang);
                handle.shared.update(|i| i.status.last_error = Some(msg));
                handle
            }
        }
    }

    pub fn spawn_with(store: Arc<Store>, target: Target, opts: WorkerOptions) -> WorkerHandle {
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner {
                status: SyncStatus {
                    enabled: !target.is_none(),
                    ..SyncStatus::default()
                },
                ..Inner::default()
            }),
            to_worker: Condvar::new(),
            changed: Condvar::new(),
            stop: AtomicBool::new(false),
        });
        let thread = {
            let shared = Arc::clone(&shared);
            let store = Arc::clone(&store);
            std::thread::Builder::new()
                .name("onshi-sync".to_string())
                .spawn(move || {
                    run(&store, &target, &shared, opts);
                    shared.update(|i| {
                        i.stopped = true;
                        i.idle = false;
                    });
                })
                .ok()
        };
        if thread.is_none() {
            shared.update(|i| {
                i.stopped = true;
                i.status.last_error = Some(opts.lang.t(Msg::SyncThreadFailed).to_string());
            });
        }
        WorkerHandle {
            shared,
            thread,
            store,
        }
    }
}

/// The UI's side of the worker. Every method returns at once.
pub struct WorkerHandle {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    store: Arc<Store>,
}

impl WorkerHandle {
    /// Something was saved: deliver now (also cuts a backoff wait short).
    pub fn wake(&self) {
        self.shared.update(|i| {
            i.wake = true;
            i.idle = false;
        });
        self.shared.to_worker.notify_all();
    }

    /// A copy of the current status.
    pub fn status(&self) -> SyncStatus {
        self.shared.lock().status.clone()
    }

    /// The operator's retry of a held entry (`QueueEntry::seq`); done by the worker,
    /// audited as `operator`'s.
    pub fn retry(&self, seq: u64, operator: &str) {
        self.push_retry(Retry::One(seq, operator.to_string()));
    }

    /// Retry every held entry.
    pub fn retry_all(&self, operator: &str) {
        self.push_retry(Retry::All(operator.to_string()));
    }

    fn push_retry(&self, r: Retry) {
        self.shared.update(|i| {
            i.retries.push(r);
            i.idle = false;
        });
        self.shared.to_worker.notify_all();
    }

    /// The first `limit` queued versions with their state, for the sync screen. Reads the
    /// local store only.
    pub fn queue(&self, limit: usize) -> Result<Vec<QueueEntry>, StoreError> {
        pass::queue(&self.store, limit)
    }

    /// Block until `pred` holds for the status and the worker has nothing left to do
    /// right now, or `timeout` passes; returns whether it held. For tests and for a
    /// graceful quit ("sending the last records…").
    pub fn wait_until(&self, timeout: Duration, pred: impl Fn(&SyncStatus) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        let mut g = self.shared.lock();
        loop {
            if g.idle && pred(&g.status) {
                return true;
            }
            if g.stopped {
                return pred(&g.status);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            g = self
                .shared
                .changed
                .wait_timeout(g, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    /// Stop the worker: it finishes the delivery in flight (bounded by the request
    /// time-out) and exits. Waits at most `wait`; returns whether it stopped in time (if
    /// not, the thread is left to end on its own; anything it had delivered but not yet
    /// made durable is sent again next time, which the idempotency key absorbs).
    pub fn shutdown(mut self, wait: Duration) -> bool {
        self.signal_stop();
        let deadline = Instant::now() + wait;
        let mut g = self.shared.lock();
        while !g.stopped {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            g = self
                .shared
                .changed
                .wait_timeout(g, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        drop(g);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        true
    }

    fn signal_stop(&self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        self.shared.to_worker.notify_all();
    }
}

impl Drop for WorkerHandle {
    /// Never blocks: asks the thread to stop and lets it go.
    fn drop(&mut self) {
        self.signal_stop();
    }
}

/// The worker loop.
fn run(store: &Store, target: &Target, shared: &Shared, opts: WorkerOptions) {
    let mut backoff = Backoff::new(opts.backoff_min, opts.backoff_max);
    // Deadline of the backoff wait, when the last attempt failed.
    let mut retry_at: Option<Instant> = None;
    let mut first = true;
    loop {
        // Wait for a reason to work.
        let retries = {
            let mut g = shared.lock();
            loop {
                if shared.stop.load(Ordering::Relaxed) {
                    return;
                }
                if first || g.wake || !g.retries.is_empty() {
                    break;
                }
                match retry_at {
                    None => {
                        g.idle = true;
                        shared.changed.notify_all();
                        g = shared.to_worker.wait(g).unwrap_or_else(|p| p.into_inner());
                    }
                    Some(at) => {
                        let left = at.saturating_duration_since(Instant::now());
                        if left.is_zero() {
                            break;
                        }
                        g = shared
                            .to_worker
                            .wait_timeout(g, left)
                            .unwrap_or_else(|p| p.into_inner())
                            .0;
                    }
                }
            }
            first = false;
            g.wake = false;
            g.idle = false;
            std::mem::take(&mut g.retries)
        };

        let mut store_error = None;
        for r in retries {
            let res = match r {
                Retry::One(seq, operator) => store.outbox_retry(seq, &operator).map(|_| ()),
                Retry::All(operator) => store.outbox_retry_all(&operator).map(|_| ()),
            };
            if let Err(e) = res {
                store_error = Some(e);
            }
        }
        refresh_counts(store, shared);

        if target.is_none() {
            retry_at = None;
            continue;
        }

        let res = pass::run_pass(store, target, &shared.stop, &mut |ev| on_event(shared, ev));
        match res {
            Ok(r) if r.unreachable.is_some() => {
                let delay = backoff.next_delay();
                retry_at = Some(Instant::now() + delay);
                shared.update(|i| {
                    i.status.next_attempt =
                        chrono::Duration::from_std(delay).ok().map(|d| now() + d)
                });
            }
            Ok(r) => {
                if r.stopped {
                    return;
                }
                backoff.reset();
                retry_at = None;
                shared.update(|i| i.status.next_attempt = None);
            }
            Err(e) => store_error = Some(e),
        }
        if let Some(e) = store_error {
            // Store trouble (disk full…) is retried like an outage; nothing is dropped.
            let delay = backoff.next_delay();
            retry_at = Some(Instant::now() + delay);
            shared.update(|i| {
                i.status.last_error = Some(describe_store_error(&e, opts.lang));
                i.error_is_refusal = false;
            });
        }
        refresh_counts(store, shared);
    }
}

fn refresh_counts(store: &Store, shared: &Shared) {
    if let Ok((queued, failed)) = pass::counts(store) {
        shared.update(|i| {
            i.status.queued = queued;
            i.status.failed = failed;
            if failed == 0 && i.error_is_refusal {
                i.status.last_error = None;
                i.error_is_refusal = false;
            }
        });
    }
}

fn set_online(status: &mut SyncStatus, online: bool) {
    if status.online != Some(online) {
        status.online = Some(online);
        status.since = Some(now());
    }
}

fn on_event(shared: &Shared, ev: &PassEvent) {
    shared.update(|i| {
        let s = &mut i.status;
        match ev {
            PassEvent::Delivered { .. } => {
                set_online(s, true);
                s.queued = s.queued.saturating_sub(1);
                s.delivered += 1;
                // An outage is over once something got through; a refusal is not.
                if !i.error_is_refusal {
                    s.last_error = None;
                }
            }
            PassEvent::Failed {
                id,
                version,
                status,
                message,
                ..
            } => {
                set_online(s, true);
                s.queued = s.queued.saturating_sub(1);
                s.failed += 1;
                let code = status.map(|c| format!("HTTP {c} ")).unwrap_or_default();
                s.last_error = Some(format!("{id} v{version}: {code}{message}"));
                i.error_is_refusal = true;
            }
            PassEvent::Unreachable(why) => {
                set_online(s, false);
                s.last_error = Some(why.clone());
                i.error_is_refusal = false;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_caps() {
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(300));
        let mut prev_cap = Duration::ZERO;
        for n in 0..20 {
            let d = b.next_delay();
            let cap = Duration::from_secs(1u64 << n.min(9)).min(Duration::from_secs(300));
            assert!(
                d >= cap / 2 && d <= cap,
                "step {n}: {d:?} not in [{:?}, {cap:?}]",
                cap / 2
            );
            assert!(cap >= prev_cap);
            prev_cap = cap;
        }
        b.reset();
        assert!(b.next_delay() <= Duration::from_secs(1));
    }

    #[test]
    fn jitter_varies() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..20 {
            let mut b = Backoff::new(Duration::from_secs(10), Duration::from_secs(10));
            seen.insert(b.next_delay());
        }
        assert!(seen.len() > 1, "no jitter: {seen:?}");
    }
}
