//! One delivery pass over the outbox, shared by the TUI worker and `onshi sync`.
//!
//! Order: queue order (= save order), so versions of one record go out in order. An entry
//! the target refused is held and blocks the later versions of the same record only. An
//! unreachable target ends the pass: everything after it waits for the next one.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset};

use super::target::{Outcome, Target};
use crate::i18n::Msg;
use crate::store::{OutboxItem, Store, StoreError};

/// The operator name in audit entries written by sync.
pub const SYNC_OPERATOR: &str = "sync";

/// Entries read from the store at a time.
const BATCH: usize = 256;
/// Deliveries between flushes. A crash loses at most this many removals, which only means
/// repeat deliveries that the idempotency key absorbs; flushing each one would cost an
/// fsync per record.
const FLUSH_EVERY: usize = 64;
const FLUSH_INTERVAL: Duration = Duration::from_millis(500);

/// Something that happened during a pass, for progress and status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PassEvent {
    Delivered {
        seq: u64,
        id: String,
        version: u32,
    },
    /// The target refused the version; it is now held.
    Failed {
        seq: u64,
        id: String,
        version: u32,
        status: Option<u16>,
        message: String,
    },
    /// The pass stopped: the target cannot be reached.
    Unreachable(String),
}

/// What a pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PassReport {
    pub delivered: usize,
    /// Entries the target refused during this pass.
    pub newly_failed: usize,
    /// Why the pass stopped early, if the target could not be reached.
    pub unreachable: Option<String>,
    /// The pass was asked to stop.
    pub stopped: bool,
}

/// Deliver every deliverable queued version, in order, until the queue has nothing more
/// to send, the target is unreachable, or `stop` is set (checked between entries).
pub fn run_pass(
    store: &Store,
    target: &Target,
    stop: &AtomicBool,
    on_event: &mut dyn FnMut(&PassEvent),
) -> Result<PassReport, StoreError> {
    let mut report = PassReport::default();
    if target.is_none() {
        return Ok(report);
    }
    let mut blocked: HashSet<String> = HashSet::new();
    let mut after = None;
    let mut unflushed = 0usize;
    let mut last_flush = Instant::now();
    let result = (|| loop {
        let batch = store.outbox_items(after, BATCH)?;
        if batch.is_empty() {
            return Ok(());
        }
        for item in batch {
            after = Some(item.seq);
            if stop.load(Ordering::Relaxed) {
                report.stopped = true;
                return Ok(());
            }
            if item.failure.is_some() {
                blocked.insert(item.id);
                continue;
            }
            if blocked.contains(&item.id) {
                continue;
            }
            match deliver_one(store, target, &item)? {
                Outcome::Delivered => {
                    report.delivered += 1;
                    unflushed += 1;
                    on_event(&PassEvent::Delivered {
                        seq: item.seq,
                        id: item.id,
                        version: item.version,
                    });
                }
                Outcome::Rejected { status, message } => {
                    report.newly_failed += 1;
                    on_event(&PassEvent::Failed {
                        seq: item.seq,
                        id: item.id.clone(),
                        version: item.version,
                        status,
                        message,
                    });
                    blocked.insert(item.id);
                }
                Outcome::Unreachable(why) => {
                    on_event(&PassEvent::Unreachable(why.clone()));
                    report.unreachable = Some(why);
                    return Ok(());
                }
            }
            if unflushed >= FLUSH_EVERY || last_flush.elapsed() >= FLUSH_INTERVAL {
                store.outbox_flush()?;
                unflushed = 0;
                last_flush = Instant::now();
            }
        }
    })();
    // Make the removals durable however the pass ended.
    let flushed = store.outbox_flush();
    result.and(flushed).map(|()| report)
}

/// Attempt one entry and record the result in the store.
fn deliver_one(store: &Store, target: &Target, item: &OutboxItem) -> Result<Outcome, StoreError> {
    let Some(body) = store.version_json(&item.id, item.version)? else {
        // The version the queue points at is gone: hold it so a person looks, rather than
        // skipping a version silently.
        let message = target.lang().t(Msg::SyncVersionMissing).to_string();
        store.outbox_mark_failed(item.seq, None, &message, SYNC_OPERATOR)?;
        return Ok(Outcome::Rejected {
            status: None,
            message,
        });
    };
    let outcome = target.deliver(store, &item.id, item.version, &body)?;
    match &outcome {
        Outcome::Delivered => {
            store.outbox_delivered(item.seq, SYNC_OPERATOR)?;
        }
        Outcome::Rejected { status, message } => {
            store.outbox_mark_failed(item.seq, *status, message, SYNC_OPERATOR)?;
        }
        Outcome::Unreachable(_) => {
            store.outbox_note_attempt(item.seq, SYNC_OPERATOR)?;
        }
    }
    Ok(outcome)
}

/// Where an entry stands, for the sync screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryState {
    /// Will be delivered on the next pass.
    Queued,
    /// Waits for an earlier version of the same record that is held.
    Waiting,
    /// Refused by the target; held until the operator retries it.
    Failed,
}

/// One queued version as the sync screen shows it. No personal values: the record id
/// (a ULID), the version, and the target's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueEntry {
    /// Pass this to `WorkerHandle::retry`.
    pub seq: u64,
    pub id: String,
    pub version: u32,
    pub state: EntryState,
    pub attempts: u32,
    /// HTTP status of the refusal.
    pub status: Option<u16>,
    pub error: Option<String>,
    pub failed_at: Option<DateTime<FixedOffset>>,
}

/// The first `limit` queued versions in delivery order, with their state.
pub fn queue(store: &Store, limit: usize) -> Result<Vec<QueueEntry>, StoreError> {
    let mut out = Vec::new();
    let mut blocked: HashSet<String> = HashSet::new();
    let mut after = None;
    while out.len() < limit {
        let batch = store.outbox_items(after, BATCH.min(limit - out.len()))?;
        if batch.is_empty() {
            break;
        }
        for item in batch {
            after = Some(item.seq);
            let state = if item.failure.is_some() {
                blocked.insert(item.id.clone());
                EntryState::Failed
            } else if blocked.contains(&item.id) {
                EntryState::Waiting
            } else {
                EntryState::Queued
            };
            let (status, error, failed_at) = match item.failure {
                Some(f) => (f.status, Some(f.message), Some(f.at)),
                None => (None, None, None),
            };
            out.push(QueueEntry {
                seq: item.seq,
                id: item.id,
                version: item.version,
                state,
                attempts: item.attempts,
                status,
                error,
                failed_at,
            });
        }
    }
    Ok(out)
}

/// A version that was delivered, but the target warned about it (ORCA's `K…` codes, an
/// insurance it already had, a name that differs): for the sync screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryNote {
    pub id: String,
    pub version: Option<u32>,
    /// ORCA's 患者番号.
    pub patient: String,
    /// The target's words, cleaned.
    pub warnings: Vec<String>,
    pub at: Option<DateTime<FixedOffset>>,
}

/// The latest `limit` delivered versions with warnings, newest first.
pub fn notes(store: &Store, limit: usize) -> Result<Vec<DeliveryNote>, StoreError> {
    Ok(store
        .orca_warnings(limit)?
        .into_iter()
        .map(|(id, link)| DeliveryNote {
            id,
            version: link.delivered_version,
            patient: link.patient_id,
            warnings: link.warnings,
            at: link.delivered_at,
        })
        .collect())
}

/// Counts over the whole queue: (not held, held). Their sum is `Store::outbox_len`.
pub fn counts(store: &Store) -> Result<(usize, usize), StoreError> {
    let mut queued = 0;
    let mut failed = 0;
    let mut after = None;
    loop {
        let batch = store.outbox_items(after, 1024)?;
        let Some(last) = batch.last() else {
            return Ok((queued, failed));
        };
        after = Some(last.seq);
        for item in &batch {
            if item.failure.is_some() {
                failed += 1;
            } else {
                queued += 1;
            }
        }
    }
}
