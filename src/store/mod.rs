//! The store (docs/store.md): one sled database per terminal.
//!
//! Trees:
//! - `records`: id → latest version JSON
//! - `versions`: id ++ version (u32 BE) → JSON of that version
//! - `outbox`: seq (u64 BE, from `generate_id`) → `{"id","version"}`, delivery order
//! - `drafts`: key → bytes (autosaved form state)
//! - `audit`: seq (u64 BE) → [`AuditEntry`] JSON (no personal field values)
//! - `meta`: `schema_version` (u32 BE), `terminal_id` (UTF-8), `last_operator` (UTF-8),
//!   `crypto` (encryption settings, see `crypto.rs`; absent for a plain store)
//! - `index`: derived counts and follow-ups, kept up to date from the audit trail (`index.rs`)
//! - `orca`: record id → [`OrcaLink`] JSON, the ORCA 患者番号 a record was delivered to
//!   (`orca.rs`)
//!
//! In an encrypted store the values of `records`, `versions`, `drafts` and `orca` are sealed
//! (`crypto.rs`); everything above them sees plain JSON.
//!
//! Every save is one transaction over the trees followed by `Db::flush`, and returns `Ok`
//! only after the flush: that is what makes 「保存しました」 true.

mod crypto;
mod engine;
mod error;
mod index;
mod lock;
mod orca;
mod outbox;
mod perms;
mod retention;

use crate::clock::now;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use sled::transaction::{ConflictableTransactionError, TransactionError, Transactional};
use sled::Tree;

use crate::domain::record::Record;

pub use crypto::MIN_PASSPHRASE_CHARS;
use crypto::{SealedTree, TreeError, Unlock};
use engine::open_sled;
use error::{corrupt_json, from_sled, key_label};
pub use error::{EncryptionIssue, StoreError};
use lock::StoreLock;
pub use orca::{OrcaLink, OrcaLinkKind};
pub use outbox::{OutboxFailure, OutboxItem};
pub use retention::{purge_cutoff, purge_decision, PurgeDecision, PurgePlan, PurgeReport};

/// The schema this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

const META_SCHEMA: &[u8] = b"schema_version";
const META_TERMINAL: &[u8] = b"terminal_id";
const META_LAST_OPERATOR: &[u8] = b"last_operator";

crate::codes! {
    /// What happened, for the audit trail.
    pub enum AuditAction {
        Create = "create",
        Edit = "edit",
        Void = "void",
        Followup = "followup",
        /// The difference after the recheck was refunded or collected.
        Settle = "settle",
        Import = "import",
        SyncDelivered = "sync_delivered",
        SyncFailed = "sync_failed",
        Purge = "purge",
    }
}

/// One audit line: who did what to which record, when. Deliberately has no room for
/// field values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: DateTime<FixedOffset>,
    pub operator: String,
    pub record_id: Option<String>,
    pub version: Option<u32>,
    pub action: AuditAction,
}

/// A queued version to deliver, in queue order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub seq: u64,
    pub id: String,
    pub version: u32,
}

#[derive(Serialize, Deserialize)]
struct OutboxValue {
    id: String,
    version: u32,
}

/// Only the version of a stored record: the concurrency check must not depend on the rest
/// of the record decoding.
#[derive(Deserialize)]
struct StoredVersion {
    version: u32,
}

#[derive(Clone, Copy)]
enum Expect {
    New,
    Next,
}

/// A store directory created and locked by this process, its database not yet open.
#[derive(Debug)]
pub struct Claim {
    dir: PathBuf,
    lock: StoreLock,
}

impl Claim {
    /// Open the database (see [`Store::open`]). An encrypted store answers
    /// [`StoreError::Locked`] and lets the directory go again.
    pub fn open(self) -> Result<Store, StoreError> {
        Store::open_claimed(self, Unlock::None)
    }
}

/// The open store. `Send + Sync`; share it with `Arc`.
pub struct Store {
    // Field order is drop order: sled must be closed before the lock is released.
    db: sled::Db,
    /// sled's data file, for `sync_data` after each flush.
    db_file: std::fs::File,
    records: SealedTree,
    versions: SealedTree,
    outbox: Tree,
    drafts: SealedTree,
    orca: SealedTree,
    audit: Tree,
    meta: Tree,
    terminal_id: Mutex<String>,
    /// Held from taking sequence numbers to commit, so queue and audit order are commit
    /// order even when threads save concurrently.
    write_order: Mutex<()>,
    dir: PathBuf,
    _lock: StoreLock,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("dir", &self.dir).finish()
    }
}

impl Store {
    /// Open (creating if needed) the store at `dir`. An encrypted store answers
    /// [`StoreError::Locked`]: open it with [`Store::open_with_passphrase`].
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        Self::open_with(dir, Unlock::None)
    }

    /// Open an encrypted store. A wrong passphrase is [`StoreError::WrongPassphrase`] and
    /// changes nothing; a store that is not encrypted is
    /// [`EncryptionIssue::NotEncrypted`].
    pub fn open_with_passphrase(dir: &Path, passphrase: &str) -> Result<Store, StoreError> {
        Self::open_with(dir, Unlock::Passphrase(passphrase))
    }

    /// Create an encrypted store at `dir`, or encrypt the empty store there (no records,
    /// versions or drafts; a store with data is [`EncryptionIssue::NotEmpty`]). The
    /// passphrase needs at least [`MIN_PASSPHRASE_CHARS`] characters.
    pub fn init_encrypted(dir: &Path, passphrase: &str) -> Result<Store, StoreError> {
        Self::open_with(dir, Unlock::Init(passphrase))
    }

    /// Take the store directory (create it, lock it) without opening the database yet:
    /// the desk does this before it touches the terminal, so "in use" and "cannot write"
    /// are said on the shell's own screen, and opens the database (the slow part, with
    /// many records) after its first frame (docs/architecture.md).
    pub fn claim(dir: &Path) -> Result<Claim, StoreError> {
        perms::create_private_dir(dir)?;
        // Lock before sled: sled's own lock failure is an opaque I/O error without a PID.
        let lock = StoreLock::acquire(dir)?;
        Ok(Claim {
            dir: dir.to_path_buf(),
            lock,
        })
    }

    fn open_with(dir: &Path, how: Unlock<'_>) -> Result<Store, StoreError> {
        Self::open_claimed(Self::claim(dir)?, how)
    }

    fn open_claimed(claim: Claim, how: Unlock<'_>) -> Result<Store, StoreError> {
        let Claim { dir, lock } = claim;
        let dir = dir.as_path();
        let db = {
            let _private = crate::platform::PrivateCreation::begin();
            open_sled(dir)?
        };
        perms::tighten(dir)?;

        let tree = |name: &str| db.open_tree(name).map_err(|e| from_sled(e, dir));
        let records_raw = tree("records")?;
        let versions_raw = tree("versions")?;
        let outbox = tree("outbox")?;
        let drafts_raw = tree("drafts")?;
        let audit = tree("audit")?;
        let meta = tree("meta")?;
        let orca_raw = tree("orca")?;

        let sled_err = |e| from_sled(e, dir);
        match meta.get(META_SCHEMA).map_err(sled_err)? {
            None => {
                meta.insert(META_SCHEMA, &SCHEMA_VERSION.to_be_bytes())
                    .map_err(sled_err)?;
            }
            Some(v) => {
                let found = <[u8; 4]>::try_from(v.as_ref())
                    .map(u32::from_be_bytes)
                    .map_err(|_| StoreError::Corrupt {
                        detail: "schema version is not 4 bytes".to_string(),
                    })?;
                if found > SCHEMA_VERSION {
                    return Err(StoreError::Schema {
                        found,
                        supported: SCHEMA_VERSION,
                    });
                }
            }
        }

        let cipher = crypto::unlock(
            &meta,
            [&records_raw, &versions_raw, &drafts_raw, &orca_raw],
            how,
            dir,
        )?;
        let records = SealedTree::new(records_raw, "records", cipher.clone());
        let versions = SealedTree::new(versions_raw, "versions", cipher.clone());
        let drafts = SealedTree::new(drafts_raw, "drafts", cipher.clone());
        let orca = SealedTree::new(orca_raw, "orca", cipher);

        let terminal_id = match meta.get(META_TERMINAL).map_err(sled_err)? {
            Some(v) => String::from_utf8(v.to_vec()).map_err(|_| StoreError::Corrupt {
                detail: "terminal id is not UTF-8".to_string(),
            })?,
            None => {
                let id = new_terminal_id();
                meta.insert(META_TERMINAL, id.as_bytes())
                    .map_err(sled_err)?;
                id
            }
        };
        db.flush().map_err(sled_err)?;
        // Opened for writing: Windows flushes a file only through a handle that may write.
        let db_file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(dir.join("db"))
            .map_err(|e| error::from_io(&e, dir))?;

        Ok(Store {
            db,
            db_file,
            records,
            versions,
            outbox,
            drafts,
            orca,
            audit,
            meta,
            terminal_id: Mutex::new(terminal_id),
            write_order: Mutex::new(()),
            dir: dir.to_path_buf(),
            _lock: lock,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// True when record values are encrypted at rest.
    pub fn is_encrypted(&self) -> bool {
        self.meta.contains_key(crypto::META_CRYPTO).unwrap_or(false)
    }

    /// The operator who last worked on this terminal (`None` if nobody yet): the default
    /// when no `--operator` is given.
    pub fn last_operator(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .meta
            .get(META_LAST_OPERATOR)
            .map_err(|e| self.sled_err(e))?
            .and_then(|v| String::from_utf8(v.to_vec()).ok())
            .filter(|s| !s.is_empty()))
    }

    /// Remember `name` as this terminal's operator; durable when this returns.
    pub fn set_last_operator(&self, name: &str) -> Result<(), StoreError> {
        self.meta
            .insert(META_LAST_OPERATOR, name.as_bytes())
            .map_err(|e| self.sled_err(e))?;
        self.flush()
    }

    pub fn terminal_id(&self) -> String {
        self.terminal_id
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Persist a terminal id (from config); durable when this returns.
    pub fn set_terminal_id(&self, id: &str) -> Result<(), StoreError> {
        self.meta
            .insert(META_TERMINAL, id.as_bytes())
            .map_err(|e| self.sled_err(e))?;
        self.flush()?;
        *self.terminal_id.lock().unwrap_or_else(|p| p.into_inner()) = id.to_string();
        Ok(())
    }

    // ---- saves ----

    /// Store a new record (`version` must be 1, id unused), queue it and audit "create".
    pub fn insert_new(&self, rec: &Record, operator: &str) -> Result<(), StoreError> {
        self.save(rec, operator, AuditAction::Create, Expect::New, None)
    }

    /// As [`Store::insert_new`], removing draft `draft_key` in the same transaction.
    pub fn insert_new_and_clear_draft(
        &self,
        rec: &Record,
        operator: &str,
        draft_key: &str,
    ) -> Result<(), StoreError> {
        self.save(
            rec,
            operator,
            AuditAction::Create,
            Expect::New,
            Some(draft_key),
        )
    }

    /// Store a new version of an existing record: `rec.version` must be the stored
    /// version + 1 (checked inside the transaction), else `Conflict`.
    pub fn update(
        &self,
        rec: &Record,
        operator: &str,
        action: AuditAction,
    ) -> Result<(), StoreError> {
        self.save(rec, operator, action, Expect::Next, None)
    }

    /// As [`Store::update`], removing draft `draft_key` in the same transaction.
    pub fn update_and_clear_draft(
        &self,
        rec: &Record,
        operator: &str,
        action: AuditAction,
        draft_key: &str,
    ) -> Result<(), StoreError> {
        self.save(rec, operator, action, Expect::Next, Some(draft_key))
    }

    fn save(
        &self,
        rec: &Record,
        operator: &str,
        action: AuditAction,
        expect: Expect,
        draft_key: Option<&str>,
    ) -> Result<(), StoreError> {
        let id = rec.id.as_str();
        let json = encode(rec, "record")?;
        let vkey = version_key(id, rec.version);
        // Sealed once, outside the transaction: a retried closure reuses the same bytes.
        let record_val = self.records.seal_value(id.as_bytes(), &json)?;
        let version_val = self.versions.seal_value(&vkey, &json)?;
        let outbox_val = encode(
            &OutboxValue {
                id: rec.id.clone(),
                version: rec.version,
            },
            "outbox entry",
        )?;
        // Sequences are taken outside the transaction: sled's generate_id may persist its
        // counter, which must not happen under the transaction's global write lock. A gap
        // after a rejected save is harmless; `write_order` keeps seq order = commit order
        // (and audit times in order).
        let order = self.write_order.lock().unwrap_or_else(|p| p.into_inner());
        let audit_val = encode(
            &AuditEntry {
                at: now(),
                operator: operator.to_string(),
                record_id: Some(rec.id.clone()),
                version: Some(rec.version),
                action,
            },
            "audit entry",
        )?;
        let outbox_seq = self.db.generate_id().map_err(|e| self.sled_err(e))?;
        let audit_seq = self.db.generate_id().map_err(|e| self.sled_err(e))?;

        let res = (
            self.records.raw(),
            self.versions.raw(),
            &self.outbox,
            &self.audit,
            self.drafts.raw(),
        )
            .transaction(|(records, versions, outbox, audit, drafts)| {
                let stored = match records.get(id.as_bytes())? {
                    None => 0,
                    Some(bytes) => self
                        .records
                        .open_value(id.as_bytes(), &bytes)
                        .and_then(|plain| stored_version(id.as_bytes(), &plain))
                        .map_err(ConflictableTransactionError::Abort)?,
                };
                let ok = match expect {
                    Expect::New => stored == 0 && rec.version == 1,
                    Expect::Next => stored >= 1 && Some(rec.version) == stored.checked_add(1),
                };
                if !ok {
                    return Err(ConflictableTransactionError::Abort(StoreError::Conflict {
                        id: id.to_string(),
                        expected: rec.version.saturating_sub(1),
                        found: stored,
                    }));
                }
                records.insert(id.as_bytes(), record_val.as_slice())?;
                versions.insert(vkey.as_slice(), version_val.as_slice())?;
                outbox.insert(&outbox_seq.to_be_bytes(), outbox_val.as_slice())?;
                audit.insert(&audit_seq.to_be_bytes(), audit_val.as_slice())?;
                if let Some(k) = draft_key {
                    drafts.remove(k.as_bytes())?;
                }
                Ok(())
            });
        drop(order);
        match res {
            Ok(()) => {}
            Err(TransactionError::Abort(e)) => return Err(e),
            Err(TransactionError::Storage(e)) => return Err(self.sled_err(e)),
        }
        self.flush()
    }

    /// Audit an action that does not change a record (sync result, purge, …).
    pub fn append_audit(
        &self,
        operator: &str,
        record_id: Option<&str>,
        version: Option<u32>,
        action: AuditAction,
    ) -> Result<(), StoreError> {
        {
            let _order = self.write_order.lock().unwrap_or_else(|p| p.into_inner());
            let val = encode(
                &AuditEntry {
                    at: now(),
                    operator: operator.to_string(),
                    record_id: record_id.map(str::to_string),
                    version,
                    action,
                },
                "audit entry",
            )?;
            let seq = self.db.generate_id().map_err(|e| self.sled_err(e))?;
            self.audit
                .insert(seq.to_be_bytes(), val)
                .map_err(|e| self.sled_err(e))?;
        }
        self.flush()
    }

    // ---- reads ----

    /// The latest version of record `id`.
    pub fn get(&self, id: &str) -> Result<Option<Record>, StoreError> {
        match self.records.get(id).map_err(|e| self.sled_err(e))? {
            None => Ok(None),
            Some(bytes) => decode_record(id.as_bytes(), &bytes).map(Some),
        }
    }

    /// Every stored version of `id`, oldest first.
    pub fn versions(&self, id: &str) -> Result<Vec<Record>, StoreError> {
        let mut out = Vec::new();
        for item in self.versions.scan_prefix(id) {
            let (k, v) = item.map_err(|e| self.sled_err(e))?;
            // The prefix also matches longer ids that start with `id`.
            if k.len() != id.len() + 4 {
                continue;
            }
            out.push(decode_record(&k, &v)?);
        }
        Ok(out)
    }

    /// Latest versions of all records, newest `created_at` first.
    pub fn list(&self) -> Result<Vec<Record>, StoreError> {
        let mut out = Vec::new();
        for item in self.records.iter() {
            let (k, v) = item.map_err(|e| self.sled_err(e))?;
            out.push(decode_record(&k, &v)?);
        }
        out.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then_with(|| b.id.cmp(&a.id))
        });
        Ok(out)
    }

    /// Number of records (not versions).
    pub fn count(&self) -> usize {
        self.records.len()
    }

    /// Number of versions waiting for delivery.
    pub fn outbox_len(&self) -> usize {
        self.outbox.len()
    }

    /// The first `n` queued versions, in delivery order.
    pub fn outbox_peek(&self, n: usize) -> Result<Vec<OutboxEntry>, StoreError> {
        let mut out = Vec::new();
        for item in self.outbox.iter().take(n) {
            let (k, v) = item.map_err(|e| self.sled_err(e))?;
            let seq = decode_seq(&k, "outbox")?;
            let val: OutboxValue =
                serde_json::from_slice(&v).map_err(|e| corrupt_json("outbox entry", &k, &e))?;
            out.push(OutboxEntry {
                seq,
                id: val.id,
                version: val.version,
            });
        }
        Ok(out)
    }

    /// Drop a delivered entry from the queue; durable when this returns.
    pub fn outbox_remove(&self, seq: u64) -> Result<(), StoreError> {
        self.outbox
            .remove(seq.to_be_bytes())
            .map_err(|e| self.sled_err(e))?;
        self.flush()
    }

    /// The audit trail, oldest first.
    pub fn audit(&self) -> Result<Vec<AuditEntry>, StoreError> {
        let mut out = Vec::new();
        for item in self.audit.iter() {
            let (k, v) = item.map_err(|e| self.sled_err(e))?;
            decode_seq(&k, "audit")?;
            out.push(serde_json::from_slice(&v).map_err(|e| corrupt_json("audit entry", &k, &e))?);
        }
        Ok(out)
    }

    // ---- drafts ----

    /// Autosave form state; durable when this returns.
    pub fn save_draft(&self, key: &str, bytes: &[u8]) -> Result<(), StoreError> {
        self.drafts
            .insert(key, bytes)
            .map_err(|e| self.sled_err(e))?;
        self.flush()
    }

    pub fn load_draft(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .drafts
            .get(key)
            .map_err(|e| self.sled_err(e))?
            .map(|v| v.to_vec()))
    }

    pub fn delete_draft(&self, key: &str) -> Result<(), StoreError> {
        self.drafts.remove(key).map_err(|e| self.sled_err(e))?;
        self.flush()
    }

    // ---- helpers ----

    /// sled's flush ends in `sync_file_range`, which does not flush the disk's write cache
    /// or commit file metadata; 「保存しました」 must survive a power cut (case 3-4), so the
    /// log file is also `fdatasync`ed.
    fn flush(&self) -> Result<(), StoreError> {
        self.db.flush().map(|_| ()).map_err(|e| self.sled_err(e))?;
        self.db_file
            .sync_data()
            .map_err(|e| error::from_io(&e, &self.dir))
    }

    /// A sled error, or (from a sealed tree) a value that does not open.
    fn sled_err(&self, e: impl Into<TreeError>) -> StoreError {
        match e.into() {
            TreeError::Sled(e) => from_sled(e, &self.dir),
            TreeError::Store(e) => e,
        }
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        // Best effort: saves already flushed; this catches files sled made after the
        // umask was restored.
        let _ = self.db.flush();
        let _ = perms::tighten(&self.dir);
    }
}

fn new_terminal_id() -> String {
    let random = ulid::Ulid::new().random();
    format!("terminal-{:06x}", random & 0xff_ffff)
}

fn version_key(id: &str, version: u32) -> Vec<u8> {
    let mut k = Vec::with_capacity(id.len() + 4);
    k.extend_from_slice(id.as_bytes());
    k.extend_from_slice(&version.to_be_bytes());
    k
}

fn encode<T: Serialize>(value: &T, what: &str) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(value).map_err(|_| StoreError::Io {
        kind: std::io::ErrorKind::InvalidData,
        detail: format!("{what} cannot be encoded"),
    })
}

fn decode_record(key: &[u8], bytes: &[u8]) -> Result<Record, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| corrupt_json("record", key, &e))
}

fn stored_version(key: &[u8], bytes: &[u8]) -> Result<u32, StoreError> {
    serde_json::from_slice::<StoredVersion>(bytes)
        .map(|s| s.version)
        .map_err(|e| corrupt_json("record", key, &e))
}

fn decode_seq(key: &[u8], tree: &str) -> Result<u64, StoreError> {
    <[u8; 8]>::try_from(key)
        .map(u64::from_be_bytes)
        .map_err(|_| StoreError::Corrupt {
            detail: format!("{tree} key {} is not 8 bytes", key_label(key)),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Store>();
    }

    #[test]
    fn terminal_id_shape() {
        let id = new_terminal_id();
        assert!(id.starts_with("terminal-"));
        let hex = &id["terminal-".len()..];
        assert_eq!(hex.len(), 6);
        assert!(hex.chars().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn garbage_record_is_corrupt_not_panic() {
        let err = decode_record(b"01ABC", b"{\"id\":\"x\"").unwrap_err();
        assert!(matches!(err, StoreError::Corrupt { .. }));
        let err = stored_version(b"01ABC", b"\xff\xfe").unwrap_err();
        assert!(matches!(err, StoreError::Corrupt { .. }));
        assert!(decode_seq(b"abc", "outbox").is_err());
        assert_eq!(decode_seq(&7u64.to_be_bytes(), "outbox").unwrap(), 7);
    }
}
