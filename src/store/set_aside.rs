//! Versions set aside (docs/sync.md): a version the target refuses for good (a record it
//! will never accept as it is) holds every later version of its record. The clerk (F6) or
//! `onshi sync --set-aside ID:VERSION --reason …` takes it out of the queue, with a
//! reason; later versions then flow. What was set aside stays listed on the sync screen
//! and can be exported (`onshi export --set-aside`) to be handed over by other means.
//!
//! The tree `set_aside`: outbox seq (u64 BE) → [`SetAside`] JSON, sealed in an encrypted
//! store (the reason is free text and the refusal may quote a value). Moving an entry from
//! the outbox to this tree and auditing it is one transaction, durable when it returns.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use sled::transaction::{ConflictableTransactionError, TransactionError, Transactional};

use super::error::corrupt_json;
use super::outbox::decode_item;
use super::{encode, now, AuditAction, AuditEntry, OutboxFailure, Store, StoreError};

/// Longest reason kept (characters).
pub const REASON_MAX_CHARS: usize = 200;

/// One version taken out of the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetAside {
    /// Its place in the queue when it was set aside.
    pub seq: u64,
    pub id: String,
    pub version: u32,
    /// Why, in the clerk's words.
    pub reason: String,
    /// The target's refusal it was held with.
    pub failure: Option<OutboxFailure>,
    pub operator: String,
    pub at: DateTime<FixedOffset>,
}

/// What [`Store::outbox_set_aside`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetAsideOutcome {
    Done(SetAside),
    /// The entry waits normally (or for an earlier version): only a version the target
    /// refused can be set aside.
    NotHeld,
    /// No such entry in the queue (delivered, set aside already, or never queued).
    NotQueued,
}

impl Store {
    /// Take the held entry `seq` out of the queue with `reason` (cleaned of control
    /// characters, at most [`REASON_MAX_CHARS`]), auditing `set_aside` by `operator`.
    pub fn outbox_set_aside(
        &self,
        seq: u64,
        reason: &str,
        operator: &str,
    ) -> Result<SetAsideOutcome, StoreError> {
        let key = seq.to_be_bytes();
        let Some(old) = self.outbox.get(key).map_err(|e| self.sled_err(e))? else {
            return Ok(SetAsideOutcome::NotQueued);
        };
        let item = decode_item(&key, &old, self.cipher.as_deref())?;
        if item.failure.is_none() {
            return Ok(SetAsideOutcome::NotHeld);
        }
        let entry = SetAside {
            seq,
            id: item.id.clone(),
            version: item.version,
            reason: clean_reason(reason),
            failure: item.failure.clone(),
            operator: operator.to_string(),
            at: now(),
        };
        let value = self
            .set_aside
            .seal_value(&key, &encode(&entry, "set-aside entry")?)?;
        let order = self.write_order.lock().unwrap_or_else(|p| p.into_inner());
        let audit_val = encode(
            &AuditEntry {
                at: entry.at,
                operator: operator.to_string(),
                record_id: Some(entry.id.clone()),
                version: Some(entry.version),
                action: AuditAction::SetAside,
                count: None,
            },
            "audit entry",
        )?;
        let audit_seq = self.next_seq()?;
        let res = (&self.outbox, self.set_aside.raw(), &self.audit).transaction(
            |(outbox, set_aside, audit)| {
                // Only the entry as it was judged: a concurrent retry or delivery wins.
                match outbox.get(key)? {
                    Some(cur) if cur == old => {}
                    _ => return Err(ConflictableTransactionError::Abort(())),
                }
                outbox.remove(&key)?;
                set_aside.insert(&key, value.as_slice())?;
                audit.insert(&audit_seq.to_be_bytes(), audit_val.as_slice())?;
                Ok(())
            },
        );
        drop(order);
        match res {
            Ok(()) => {}
            Err(TransactionError::Abort(())) => return Ok(SetAsideOutcome::NotHeld),
            Err(TransactionError::Storage(e)) => return Err(self.sled_err(e)),
        }
        self.flush()?;
        Ok(SetAsideOutcome::Done(entry))
    }

    /// Every version set aside, in queue order.
    pub fn set_aside_list(&self) -> Result<Vec<SetAside>, StoreError> {
        let mut out = Vec::new();
        for item in self.set_aside.iter() {
            let (k, v) = item.map_err(|e| self.sled_err(e))?;
            out.push(
                serde_json::from_slice(&v).map_err(|e| corrupt_json("set-aside entry", &k, &e))?,
            );
        }
        Ok(out)
    }

    /// Keys of the set-aside entries of record `id` (for purge).
    pub(super) fn set_aside_keys_of(&self, id: &str) -> Result<Vec<Vec<u8>>, StoreError> {
        Ok(self
            .set_aside_list()?
            .into_iter()
            .filter(|s| s.id == id)
            .map(|s| s.seq.to_be_bytes().to_vec())
            .collect())
    }
}

/// One line, no control or bidi characters, whitespace collapsed, at most
/// [`REASON_MAX_CHARS`].
pub fn clean_reason(reason: &str) -> String {
    reason
        .split(|c: char| c.is_whitespace() || crate::domain::text::is_unsafe_char(c))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(REASON_MAX_CHARS)
        .collect()
}
