//! What sync needs from the outbox (docs/sync.md): the queue with each entry's delivery
//! state, marking entries delivered or failed, and the operator's retry.
//!
//! An outbox value is `{"id","version"}` as written by a save; sync adds `attempts` and,
//! for an entry the target refused, `failed`. Readers that only know the original two
//! fields (`Store::outbox_peek`) keep working because unknown fields are ignored.
//!
//! The target's refusal message may quote a record value, so in an encrypted store it is
//! kept sealed (`failed.sealed`, hex, bound to the entry's key) instead of in clear
//! (`failed.message`); messages a build before this stored in clear are sealed when the
//! store is next unlocked.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use sled::transaction::{ConflictableTransactionError, TransactionError, Transactional};

use super::crypto::{self, Cipher};
use super::error::corrupt_json;
use super::{decode_seq, encode, now, version_key, AuditAction, AuditEntry, Store, StoreError};

/// Why the target refused a version (an HTTP 4xx other than 409). Held until the
/// operator retries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxFailure {
    /// The HTTP status, when the target is HTTP.
    pub status: Option<u16>,
    /// The target's message, already shortened and free of control characters.
    pub message: String,
    pub at: DateTime<FixedOffset>,
}

/// A queued version with its delivery state, in queue order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxItem {
    pub seq: u64,
    pub id: String,
    pub version: u32,
    /// Delivery attempts that did not succeed so far.
    pub attempts: u32,
    pub failure: Option<OutboxFailure>,
}

/// The stored form; `skip_serializing_if` keeps fresh entries byte-identical to what a
/// save writes.
#[derive(Serialize, Deserialize)]
struct ItemValue {
    id: String,
    version: u32,
    #[serde(default, skip_serializing_if = "is_zero")]
    attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    failed: Option<StoredFailure>,
}

/// [`OutboxFailure`] as stored: the message in clear (plain store) or sealed.
#[derive(Serialize, Deserialize)]
struct StoredFailure {
    status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    /// Hex of the sealed message (encrypted store).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sealed: Option<String>,
    at: DateTime<FixedOffset>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

fn parse_item(key: &[u8], bytes: &[u8]) -> Result<ItemValue, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| corrupt_json("outbox entry", key, &e))
}

/// Decode an entry, opening a sealed message with `cipher`.
pub(super) fn decode_item(
    key: &[u8],
    bytes: &[u8],
    cipher: Option<&Cipher>,
) -> Result<OutboxItem, StoreError> {
    let seq = decode_seq(key, "outbox")?;
    let v = parse_item(key, bytes)?;
    let failure = match v.failed {
        None => None,
        Some(f) => {
            let message = match (f.sealed, f.message, cipher) {
                (Some(hex), _, Some(c)) => crypto::from_hex(&hex)
                    .and_then(|sealed| c.open(&crypto::aad("outbox", key), &sealed))
                    .and_then(|plain| String::from_utf8(plain).ok())
                    .ok_or_else(|| StoreError::Corrupt {
                        detail: format!(
                            "outbox entry {} message does not decrypt",
                            super::error::key_label(key)
                        ),
                    })?,
                (Some(_), _, None) => {
                    return Err(StoreError::Corrupt {
                        detail: "a sealed outbox message in a store without a key".to_string(),
                    })
                }
                (None, message, _) => message.unwrap_or_default(),
            };
            Some(OutboxFailure {
                status: f.status,
                message,
                at: f.at,
            })
        }
    };
    Ok(OutboxItem {
        seq,
        id: v.id,
        version: v.version,
        attempts: v.attempts,
        failure,
    })
}

/// Encode an entry, sealing its message with `cipher` when there is one.
fn encode_item(
    key: &[u8],
    item: &OutboxItem,
    cipher: Option<&Cipher>,
) -> Result<Vec<u8>, StoreError> {
    let failed = match &item.failure {
        None => None,
        Some(f) => Some(match cipher {
            None => StoredFailure {
                status: f.status,
                message: Some(f.message.clone()),
                sealed: None,
                at: f.at,
            },
            Some(c) => StoredFailure {
                status: f.status,
                message: None,
                sealed: Some(crypto::to_hex(
                    &c.seal(&crypto::aad("outbox", key), f.message.as_bytes())?,
                )),
                at: f.at,
            },
        }),
    };
    encode(
        &ItemValue {
            id: item.id.clone(),
            version: item.version,
            attempts: item.attempts,
            failed,
        },
        "outbox entry",
    )
}

impl Store {
    /// Up to `n` queued versions with their delivery state, in delivery order, starting
    /// after sequence `after` (from the start when `None`).
    pub fn outbox_items(
        &self,
        after: Option<u64>,
        n: usize,
    ) -> Result<Vec<OutboxItem>, StoreError> {
        let iter = match after {
            None => self.outbox.iter(),
            Some(seq) => match seq.checked_add(1) {
                Some(from) => self.outbox.range(from.to_be_bytes()..),
                None => return Ok(Vec::new()),
            },
        };
        let mut out = Vec::new();
        for item in iter.take(n) {
            let (k, v) = item.map_err(|e| self.sled_err(e))?;
            out.push(decode_item(&k, &v, self.cipher.as_deref())?);
        }
        Ok(out)
    }

    /// Every entry the target refused, in queue order.
    pub fn outbox_failed(&self) -> Result<Vec<OutboxItem>, StoreError> {
        let mut out = Vec::new();
        for item in self.outbox.iter() {
            let (k, v) = item.map_err(|e| self.sled_err(e))?;
            let item = decode_item(&k, &v, self.cipher.as_deref())?;
            if item.failure.is_some() {
                out.push(item);
            }
        }
        Ok(out)
    }

    /// The stored JSON of one version exactly as saved: what is delivered.
    pub fn version_json(&self, id: &str, version: u32) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .versions
            .get(version_key(id, version))
            .map_err(|e| self.sled_err(e))?
            .map(|v| v.to_vec()))
    }

    /// Remove a delivered entry and audit `SyncDelivered`, in one transaction. Not
    /// flushed: a batch of deliveries is made durable by [`Store::outbox_flush`]. Losing
    /// unflushed removals in a crash only means a repeat delivery, which the
    /// `Idempotency-Key` (or the file name) absorbs. Returns false if the entry was
    /// already gone.
    pub fn outbox_delivered(&self, seq: u64, operator: &str) -> Result<bool, StoreError> {
        let key = seq.to_be_bytes();
        let Some(bytes) = self.outbox.get(key).map_err(|e| self.sled_err(e))? else {
            return Ok(false);
        };
        let item = decode_item(&key, &bytes, self.cipher.as_deref())?;
        let order = self.write_order.lock().unwrap_or_else(|p| p.into_inner());
        let audit_val = audit_value(operator, &item, AuditAction::SyncDelivered)?;
        let audit_seq = self.next_seq()?;
        let res = (&self.outbox, &self.audit).transaction(|(outbox, audit)| {
            if outbox.remove(&key)?.is_none() {
                return Err(ConflictableTransactionError::Abort(()));
            }
            audit.insert(&audit_seq.to_be_bytes(), audit_val.as_slice())?;
            Ok(())
        });
        drop(order);
        match res {
            Ok(()) => Ok(true),
            Err(TransactionError::Abort(())) => Ok(false),
            Err(TransactionError::Storage(e)) => Err(self.sled_err(e)),
        }
    }

    /// Hold an entry as refused by the target, audit `SyncFailed`; durable when this
    /// returns (the operator must see it even after a crash).
    pub fn outbox_mark_failed(
        &self,
        seq: u64,
        status: Option<u16>,
        message: &str,
        operator: &str,
    ) -> Result<bool, StoreError> {
        let failure = OutboxFailure {
            status,
            message: message.to_string(),
            at: now(),
        };
        let changed = self.outbox_modify(seq, Some(AuditAction::SyncFailed), operator, |it| {
            it.attempts = it.attempts.saturating_add(1);
            it.failure = Some(failure.clone());
        })?;
        self.flush()?;
        Ok(changed)
    }

    /// Count a delivery attempt that did not reach the target and audit it as
    /// `sync_unreachable` (every attempt's outcome is in the audit trail). Not flushed
    /// here: the pass flushes when it ends, and a lost count only undercounts.
    pub fn outbox_note_attempt(&self, seq: u64, operator: &str) -> Result<bool, StoreError> {
        self.outbox_modify(seq, Some(AuditAction::SyncUnreachable), operator, |it| {
            it.attempts = it.attempts.saturating_add(1)
        })
    }

    /// The operator's retry: the entry is queued again at its place in the queue (so
    /// later versions of the record still wait for it), audited as `sync_retry` by
    /// `operator`. Returns false if it was not held.
    pub fn outbox_retry(&self, seq: u64, operator: &str) -> Result<bool, StoreError> {
        let held = self.outbox_requeue(seq, operator)?;
        self.flush()?;
        Ok(held)
    }

    /// [`Store::outbox_retry`] for every held entry; returns how many were held.
    pub fn outbox_retry_all(&self, operator: &str) -> Result<usize, StoreError> {
        let mut n = 0;
        for item in self.outbox_failed()? {
            n += usize::from(self.outbox_requeue(item.seq, operator)?);
        }
        self.flush()?;
        Ok(n)
    }

    /// Clear the failure of a held entry, auditing it; false if it was not held.
    fn outbox_requeue(&self, seq: u64, operator: &str) -> Result<bool, StoreError> {
        let key = seq.to_be_bytes();
        let Some(bytes) = self.outbox.get(key).map_err(|e| self.sled_err(e))? else {
            return Ok(false);
        };
        if parse_item(&key, &bytes)?.failed.is_none() {
            return Ok(false);
        }
        let mut held = false;
        self.outbox_modify(seq, Some(AuditAction::SyncRetry), operator, |it| {
            held = it.failure.take().is_some();
        })?;
        Ok(held)
    }

    /// The queued entry for version `version` of record `id`, if it is queued.
    pub fn outbox_find(&self, id: &str, version: u32) -> Result<Option<OutboxItem>, StoreError> {
        for item in self.outbox.iter() {
            let (k, v) = item.map_err(|e| self.sled_err(e))?;
            let parsed = parse_item(&k, &v)?;
            if parsed.id == id && parsed.version == version {
                return decode_item(&k, &v, self.cipher.as_deref()).map(Some);
            }
        }
        Ok(None)
    }

    /// Seal refusal messages that are stored in clear in an encrypted store (written by a
    /// build before they were sealed, or copied from a plain store). Durable.
    pub(super) fn seal_outbox_messages(&self) -> Result<(), StoreError> {
        if self.cipher.is_none() {
            return Ok(());
        }
        let mut plain = Vec::new();
        for item in self.outbox.iter() {
            let (k, v) = item.map_err(|e| self.sled_err(e))?;
            if parse_item(&k, &v)?
                .failed
                .is_some_and(|f| f.message.is_some())
            {
                plain.push(decode_seq(&k, "outbox")?);
            }
        }
        for seq in &plain {
            self.outbox_modify(*seq, None, "", |_| {})?;
        }
        if !plain.is_empty() {
            self.flush()?;
        }
        Ok(())
    }

    /// An outbox value as this (plain) store holds it, re-encoded for a store sealed with
    /// `cipher` (a rewrite that encrypts).
    pub(super) fn outbox_value_sealed_with(
        &self,
        key: &[u8],
        bytes: &[u8],
        cipher: &Cipher,
    ) -> Result<Vec<u8>, StoreError> {
        let item = decode_item(key, bytes, self.cipher.as_deref())?;
        encode_item(key, &item, Some(cipher))
    }

    /// Make everything written so far durable (batched deliveries).
    pub fn outbox_flush(&self) -> Result<(), StoreError> {
        self.flush()
    }

    /// Read-modify-write one entry atomically (compare-and-swap, so a concurrent
    /// delivery removing it is never undone), optionally auditing `action`. Returns false
    /// if the entry is gone.
    fn outbox_modify(
        &self,
        seq: u64,
        action: Option<AuditAction>,
        operator: &str,
        mut change: impl FnMut(&mut OutboxItem),
    ) -> Result<bool, StoreError> {
        let key = seq.to_be_bytes();
        loop {
            let Some(old) = self.outbox.get(key).map_err(|e| self.sled_err(e))? else {
                return Ok(false);
            };
            let mut item = decode_item(&key, &old, self.cipher.as_deref())?;
            change(&mut item);
            let new = encode_item(&key, &item, self.cipher.as_deref())?;
            let order = self.write_order.lock().unwrap_or_else(|p| p.into_inner());
            let audit = match action {
                Some(a) => Some((self.next_seq()?, audit_value(operator, &item, a)?)),
                None => None,
            };
            let res = (&self.outbox, &self.audit).transaction(|(outbox, audit_tree)| {
                match outbox.get(key)? {
                    Some(cur) if cur == old => {}
                    _ => return Err(ConflictableTransactionError::Abort(())),
                }
                outbox.insert(&key, new.as_slice())?;
                if let Some((aseq, aval)) = &audit {
                    audit_tree.insert(&aseq.to_be_bytes(), aval.as_slice())?;
                }
                Ok(())
            });
            drop(order);
            match res {
                Ok(()) => return Ok(true),
                // Changed under us: read again (or find it gone).
                Err(TransactionError::Abort(())) => continue,
                Err(TransactionError::Storage(e)) => return Err(self.sled_err(e)),
            }
        }
    }
}

fn audit_value(
    operator: &str,
    item: &OutboxItem,
    action: AuditAction,
) -> Result<Vec<u8>, StoreError> {
    encode(
        &AuditEntry {
            at: now(),
            operator: operator.to_string(),
            record_id: Some(item.id.clone()),
            version: Some(item.version),
            action,
            count: None,
        },
        "audit entry",
    )
}
