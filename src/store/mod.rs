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
//! - `set_aside`: outbox seq (u64 BE) → [`SetAside`] JSON, versions the clerk took out of
//!   the queue after the target refused them for good (`set_aside.rs`)
//! - `meta` also holds `seq_base` (u64 BE) once the database was rewritten: added to
//!   sled's `generate_id`, so sequence numbers stay above those copied from the old one.
//!
//! In an encrypted store the values of `records`, `versions`, `drafts`, `orca` and
//! `set_aside`, and the target's refusal messages in `outbox`, are sealed (`crypto.rs`);
//! everything above them sees plain JSON.
//!
//! The directory is an onshi store only with its marker `onshi.store`, and the database
//! may live in a subdirectory the marker names (`layout.rs`); rewriting it (encryption in
//! place, compaction after a purge) is `rewrite.rs`.
//!
//! Every save is one transaction over the trees followed by `Db::flush`, and returns `Ok`
//! only after the flush: that is what makes 「保存しました」 true.

mod crypto;
mod engine;
mod error;
mod index;
mod layout;
mod lock;
mod orca;
mod outbox;
mod perms;
mod retention;
mod rewrite;
mod set_aside;

use crate::clock::now;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use sled::transaction::{ConflictableTransactionError, TransactionError, Transactional};
use sled::Tree;

use crate::domain::record::Record;

use crypto::{Cipher, SealedTree, TreeError, Unlock};
pub use crypto::{MAX_M_COST_KIB, MAX_P_COST, MAX_T_COST, MIN_PASSPHRASE_CHARS};
use engine::open_sled;
use error::{corrupt_json, from_sled, key_label};
pub use error::{EncryptionIssue, StoreError};
pub use layout::NotAStoreReason;
use layout::{Claim, Layout};
use lock::StoreLock;
pub use orca::{OrcaLink, OrcaLinkKind};
pub use outbox::{OutboxFailure, OutboxItem};
pub use retention::{purge_cutoff, purge_decision, PurgeDecision, PurgePlan, PurgeReport};
pub use set_aside::{clean_reason, SetAside, SetAsideOutcome, REASON_MAX_CHARS};

/// The schema this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

const META_SCHEMA: &[u8] = b"schema_version";
const META_TERMINAL: &[u8] = b"terminal_id";
const META_LAST_OPERATOR: &[u8] = b"last_operator";
const META_SEQ_BASE: &[u8] = b"seq_base";

/// The trees whose values are sealed in an encrypted store.
const SEALED_TREES: [&str; 5] = ["records", "versions", "drafts", "orca", "set_aside"];

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
        /// A delivery attempt that did not reach the target (queued again).
        SyncUnreachable = "sync_unreachable",
        /// The operator queued a refused version again.
        SyncRetry = "sync_retry",
        /// The operator took a refused version out of the queue, with a reason.
        SetAside = "set_aside",
        Purge = "purge",
        /// A declaration printed (to a file or standard output).
        Print = "print",
        /// Records exported; `count` says how many.
        Export = "export",
        /// Set-aside versions exported; `count` says how many.
        ExportSetAside = "export_set_aside",
        /// The store was encrypted (created so, or an existing one rewritten).
        Encrypt = "encrypt",
        PassphraseChange = "passphrase_change",
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
    /// How many records an export wrote (never which values).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
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
    /// Version 1 of an unused id.
    New,
    /// Any version of an unused id: a record created in another store (an export).
    Absent,
    /// The stored version + 1.
    Next,
}

/// A store directory checked (or created) as onshi's and locked by this process, its
/// database not yet open.
#[derive(Debug)]
pub struct ClaimedDir {
    layout: Layout,
    lock: StoreLock,
}

impl ClaimedDir {
    /// Open the database (see [`Store::open`]). An encrypted store answers
    /// [`StoreError::Locked`] and lets the directory go again.
    pub fn open(self) -> Result<Store, StoreError> {
        Store::open_locked(self.layout, self.lock, Unlock::None)
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
    set_aside: SealedTree,
    audit: Tree,
    meta: Tree,
    /// The data key of an encrypted store (also seals the outbox's refusal messages).
    cipher: Option<Arc<Cipher>>,
    /// Added to sled's `generate_id` (see the module docs).
    seq_base: u64,
    terminal_id: Mutex<String>,
    /// Held from taking sequence numbers to commit, so queue and audit order are commit
    /// order even when threads save concurrently.
    write_order: Mutex<()>,
    dir: PathBuf,
    /// Always held; taken out only by a rewrite, which keeps the store locked across
    /// closing the old database and opening the new one.
    lock: Option<StoreLock>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("dir", &self.dir).finish()
    }
}

/// The data key of an unlocked encrypted store, kept in memory (wiped when the last copy
/// is dropped) so the desk can reopen the store after a refused write without asking for
/// the passphrase again. Never printed.
#[derive(Clone)]
pub struct StoreKey(Arc<Cipher>);

impl std::fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreKey(..)")
    }
}

impl Store {
    /// Open the store at `dir`, creating it when `dir` does not exist or is empty. Any other
    /// directory without the store marker is [`StoreError::NotAStore`] and is left exactly
    /// as it was. An encrypted store answers [`StoreError::Locked`]: open it with
    /// [`Store::open_with_passphrase`].
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        Self::open_with(dir, Unlock::None)
    }

    /// Open an encrypted store. A wrong passphrase is [`StoreError::WrongPassphrase`] and
    /// changes nothing; a store that is not encrypted is
    /// [`EncryptionIssue::NotEncrypted`].
    pub fn open_with_passphrase(dir: &Path, passphrase: &str) -> Result<Store, StoreError> {
        Self::open_with(dir, Unlock::Passphrase(passphrase))
    }

    /// Reopen an encrypted store with a key unlocked earlier in this process
    /// ([`Store::key`]); a key that does not fit is [`StoreError::WrongPassphrase`].
    pub fn open_with_key(dir: &Path, key: &StoreKey) -> Result<Store, StoreError> {
        Self::open_with(dir, Unlock::Key(key.0.clone()))
    }

    /// The unlocked data key of an encrypted store, for [`Store::open_with_key`].
    pub fn key(&self) -> Option<StoreKey> {
        self.cipher.clone().map(StoreKey)
    }

    /// Encrypt the store at `dir` with a new random data key wrapped by `passphrase` (at
    /// least [`MIN_PASSPHRASE_CHARS`] characters). A store created by this call is
    /// encrypted before anything is written to it; an existing plain store is rewritten
    /// into a new, encrypted database and the plain one is overwritten and removed
    /// (crash-safe: until the marker switches, the plain store is the store; see
    /// `rewrite.rs`). An encrypted store is [`EncryptionIssue::AlreadyEncrypted`].
    pub fn init_encrypted(dir: &Path, passphrase: &str) -> Result<Store, StoreError> {
        if let Err(weak) = crypto::check_new_passphrase(passphrase) {
            // An encrypted store says so first; anything else is refused untouched.
            if layout::is_store(dir) && matches!(Self::open(dir), Err(StoreError::Locked)) {
                return Err(StoreError::Encryption {
                    issue: EncryptionIssue::AlreadyEncrypted,
                });
            }
            return Err(weak);
        }
        let layout = layout::claim(dir)?;
        let lock = StoreLock::acquire(dir)?;
        if layout.claim == Claim::Created {
            return Self::open_locked(layout, lock, Unlock::Init(passphrase));
        }
        let plain = match Self::open_locked(layout, lock, Unlock::None) {
            Err(StoreError::Locked) => {
                return Err(StoreError::Encryption {
                    issue: EncryptionIssue::AlreadyEncrypted,
                })
            }
            other => other?,
        };
        plain.encrypt(passphrase)
    }

    /// Take the store directory (check or create it as onshi's, lock it) without opening
    /// the database yet: the desk does this before it touches the terminal, so "not a
    /// store", "in use" and "cannot write" are said on the shell's own screen, and opens
    /// the database (the slow part, with many records) after its first frame
    /// (docs/architecture.md, "Start-up").
    pub fn claim(dir: &Path) -> Result<ClaimedDir, StoreError> {
        let layout = layout::claim(dir)?;
        // Lock before sled: sled's own lock failure is an opaque I/O error without a PID.
        let lock = StoreLock::acquire(dir)?;
        Ok(ClaimedDir { layout, lock })
    }

    fn open_with(dir: &Path, how: Unlock<'_>) -> Result<Store, StoreError> {
        let ClaimedDir { layout, lock } = Self::claim(dir)?;
        Self::open_locked(layout, lock, how)
    }
    /// Open the database `layout` names, holding `lock`.
    fn open_locked(layout: Layout, lock: StoreLock, how: Unlock<'_>) -> Result<Store, StoreError> {
        let dir = layout.dir.clone();
        let sled_err = |e| from_sled(e, &dir);
        layout::remove_leftovers(&layout)?;
        let data = layout.data_path();
        // A rewritten database is complete before the marker names it: one that is gone
        // is damage, not a new store to create silently in its place.
        if layout.data != layout::DataDir::Top && !data.join("db").is_file() {
            return Err(StoreError::Corrupt {
                detail: "the database the store marker names is missing".to_string(),
            });
        }
        let db = {
            let _private = crate::platform::PrivateCreation::begin();
            open_sled(&data)?
        };

        if layout.claim == Claim::Legacy {
            // The shape looked like an onshi store from before the marker; only its
            // schema entry makes it one.
            let has_meta = db.tree_names().iter().any(|n| n.as_ref() == b"meta");
            let schema = if has_meta {
                db.open_tree("meta")
                    .and_then(|m| m.get(META_SCHEMA))
                    .map_err(sled_err)?
            } else {
                None
            };
            if schema.is_none() {
                return Err(StoreError::NotAStore {
                    path: dir.clone(),
                    reason: NotAStoreReason::NotEmpty,
                });
            }
            layout::mark_legacy(&dir)?;
        }
        perms::tighten(&dir)?;

        let tree = |name: &str| db.open_tree(name).map_err(|e| from_sled(e, &dir));
        let records_raw = tree("records")?;
        let versions_raw = tree("versions")?;
        let outbox = tree("outbox")?;
        let drafts_raw = tree("drafts")?;
        let audit = tree("audit")?;
        let meta = tree("meta")?;
        let orca_raw = tree("orca")?;
        let set_aside_raw = tree("set_aside")?;

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
        let seq_base = match meta.get(META_SEQ_BASE).map_err(sled_err)? {
            None => 0,
            Some(v) => <[u8; 8]>::try_from(v.as_ref())
                .map(u64::from_be_bytes)
                .map_err(|_| StoreError::Corrupt {
                    detail: "sequence base is not 8 bytes".to_string(),
                })?,
        };

        let encrypting = matches!(how, Unlock::Init(_));
        let cipher = crypto::unlock(&meta, how, &dir)?;
        let sealed = |raw, name| SealedTree::new(raw, name, cipher.clone());
        let records = sealed(records_raw, "records");
        let versions = sealed(versions_raw, "versions");
        let drafts = sealed(drafts_raw, "drafts");
        let orca = sealed(orca_raw, "orca");
        let set_aside = sealed(set_aside_raw, "set_aside");

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
            .open(data.join("db"))
            .map_err(|e| error::from_io(&e, &dir))?;

        let store = Store {
            db,
            db_file,
            records,
            versions,
            outbox,
            drafts,
            orca,
            set_aside,
            audit,
            meta,
            cipher,
            seq_base,
            terminal_id: Mutex::new(terminal_id),
            write_order: Mutex::new(()),
            dir,
            lock: Some(lock),
        };
        // Refusal messages stored in clear by a build before they were sealed.
        store.seal_outbox_messages()?;
        if encrypting {
            store.append_audit("", None, None, AuditAction::Encrypt)?;
        }
        Ok(store)
    }

    /// Whether opening `dir` would create a new store there (it is missing or an empty
    /// folder), without touching it.
    pub fn would_create(dir: &Path) -> bool {
        layout::is_unclaimed(dir)
    }

    /// Bytes and files the store at `dir` occupies (for `onshi doctor`), without opening
    /// it: works on an encrypted store and while the desk has it open.
    pub fn disk_usage(dir: &Path) -> std::io::Result<(u64, usize)> {
        layout::disk_usage(dir)
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

    /// Store the latest version of a record made in another store (an export read back by
    /// `onshi import`): the id must be unused here, and the versions before it are not
    /// known. Audited "create", as it creates the record in this store.
    pub fn insert_adopted(&self, rec: &Record, operator: &str) -> Result<(), StoreError> {
        self.save(rec, operator, AuditAction::Create, Expect::Absent, None)
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
                count: None,
            },
            "audit entry",
        )?;
        let outbox_seq = self.next_seq()?;
        let audit_seq = self.next_seq()?;

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
                    Expect::Absent => stored == 0 && rec.version >= 1,
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
        self.append_audit_counted(operator, record_id, version, action, None)
    }

    /// [`Store::append_audit`] with a count (how many records an export wrote).
    pub fn append_audit_counted(
        &self,
        operator: &str,
        record_id: Option<&str>,
        version: Option<u32>,
        action: AuditAction,
        count: Option<u64>,
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
                    count,
                },
                "audit entry",
            )?;
            let seq = self.next_seq()?;
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

    /// The next sequence number for the outbox and the audit trail: monotonic, above
    /// every one used so far in this store, also across a rewrite of its database.
    fn next_seq(&self) -> Result<u64, StoreError> {
        let id = self.db.generate_id().map_err(|e| self.sled_err(e))?;
        id.checked_add(self.seq_base)
            .ok_or_else(|| StoreError::Corrupt {
                detail: "sequence numbers exhausted".to_string(),
            })
    }

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
