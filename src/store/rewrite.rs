//! Rewriting the database (docs/store.md): encrypting a plain store in place, compacting
//! after a purge, and changing the passphrase (which rewrites nothing but `meta.crypto`).
//!
//! sled keeps superseded values in its log until it happens to reuse the space, so
//! neither encryption nor deletion can be done to the open database alone: the plain
//! values (or the purged ones) would stay in its files. A rewrite therefore copies every
//! tree into a new database in a fresh subdirectory (`data-<ULID>`), sealing the personal
//! values when encrypting, flushes it and its directory, and then switches the store
//! marker to it with one atomic rename (`layout.rs`). A kill at any point leaves either
//! the old database named by the marker (the half-built new one is removed at the next
//! open) or the new one (the old one is overwritten with zeros and removed, now or at the
//! next open). The store lock is held throughout.
//!
//! Zeroing files does not reach copies the file system or an SSD keeps elsewhere; it stops
//! the values from being read back through the files.

use std::sync::Arc;

use sled::Tree;

use super::crypto::{self, Cipher, Unlock};
use super::error::{from_io, from_sled};
use super::layout::{self, Claim, DataDir, Layout};
use super::{AuditAction, Store, StoreError, META_SEQ_BASE, SEALED_TREES};
use crate::platform::PrivateCreation;

/// What the new database gets.
enum Rewrite {
    /// The same values, freshly written (compaction).
    Same,
    /// Personal values sealed under a new data key, with its `meta.crypto`.
    Encrypted {
        cipher: Arc<Cipher>,
        crypto_meta: Vec<u8>,
    },
}

impl Store {
    /// Encrypt this plain store with a new random data key wrapped by `passphrase`, by
    /// rewriting it (module docs). Returns the encrypted store, open.
    pub(super) fn encrypt(self, passphrase: &str) -> Result<Store, StoreError> {
        if self.cipher.is_some() {
            return Err(StoreError::Encryption {
                issue: super::EncryptionIssue::AlreadyEncrypted,
            });
        }
        let (cipher, crypto_meta) = crypto::new_key(passphrase)?;
        let store = self.rewrite(Rewrite::Encrypted {
            cipher,
            crypto_meta,
        })?;
        store.append_audit("", None, None, AuditAction::Encrypt)?;
        Ok(store)
    }

    /// Rewrite the database so that deleted and superseded values (a purge, old plain
    /// values) no longer sit in its files. Returns the store, open.
    pub fn compact(self) -> Result<Store, StoreError> {
        self.rewrite(Rewrite::Same)
    }

    /// Wrap the data key under `new_passphrase` (at least
    /// [`super::MIN_PASSPHRASE_CHARS`] characters). Records are not re-encrypted; the old
    /// passphrase no longer opens the store. Audited; durable when this returns.
    pub fn change_passphrase(
        &self,
        operator: &str,
        new_passphrase: &str,
    ) -> Result<(), StoreError> {
        let Some(cipher) = &self.cipher else {
            return Err(StoreError::Encryption {
                issue: super::EncryptionIssue::NotEncrypted,
            });
        };
        let json = crypto::rewrapped(cipher, new_passphrase)?;
        self.meta
            .insert(crypto::META_CRYPTO, json)
            .map_err(|e| self.sled_err(e))?;
        self.append_audit(operator, None, None, AuditAction::PassphraseChange)
    }

    fn rewrite(mut self, into: Rewrite) -> Result<Store, StoreError> {
        let dir = self.dir.clone();
        let new_data = layout::new_data_dir(&dir)?;
        let DataDir::Sub(name) = &new_data else {
            return Err(StoreError::Corrupt {
                detail: "new database directory".to_string(),
            });
        };
        let new_path = dir.join(name);
        let built = (|| {
            let db = {
                let _private = PrivateCreation::begin();
                sled::Config::new()
                    .path(&new_path)
                    .open()
                    .map_err(|e| from_sled(e, &dir))?
            };
            self.copy_into(&db, &into)?;
            db.flush().map_err(|e| from_sled(e, &dir))?;
            drop(db);
            layout::sync_tree(&new_path).map_err(|e| from_io(&e, &new_path))
        })();
        if let Err(e) = built {
            let _ = layout::wipe_and_remove(&new_path);
            return Err(e);
        }
        // The switch: from here on the new database is the store.
        layout::switch_marker(&dir, &new_data)?;
        let lock = self.lock.take().ok_or_else(|| StoreError::Corrupt {
            detail: "store lock missing".to_string(),
        })?;
        let how = match into {
            Rewrite::Same => self.cipher.clone().map(Unlock::Key).unwrap_or(Unlock::None),
            Rewrite::Encrypted { cipher, .. } => Unlock::Key(cipher),
        };
        // Closes the old database; the lock stays held.
        drop(self);
        let layout = Layout {
            dir,
            data: new_data,
            claim: Claim::Marked,
        };
        // Opening removes (zeroes first) the old database the marker no longer names.
        Store::open_locked(layout, lock, how)
    }

    /// Copy every tree into `db`, sealing personal values for [`Rewrite::Encrypted`].
    fn copy_into(&self, db: &sled::Db, into: &Rewrite) -> Result<(), StoreError> {
        let dir = &self.dir;
        let sled_err = |e| from_sled(e, dir);
        for name in self.db.tree_names() {
            let src = self.db.open_tree(&name).map_err(sled_err)?;
            let dst = db.open_tree(&name).map_err(sled_err)?;
            let tree_name = std::str::from_utf8(&name).unwrap_or("");
            let sealing = match into {
                Rewrite::Encrypted { cipher, .. } if SEALED_TREES.contains(&tree_name) => {
                    Some(cipher)
                }
                _ => None,
            };
            let mut batch = sled::Batch::default();
            let mut pending = 0usize;
            for item in src.iter() {
                let (k, v) = item.map_err(sled_err)?;
                let value = match (sealing, tree_name, into) {
                    (Some(c), _, _) => c.seal(&super::crypto::aad(tree_name, &k), &v)?,
                    (None, "outbox", Rewrite::Encrypted { cipher, .. }) => {
                        self.outbox_value_sealed_with(&k, &v, cipher)?
                    }
                    _ => v.to_vec(),
                };
                batch.insert(k, value);
                pending += 1;
                if pending >= 1024 {
                    dst.apply_batch(std::mem::take(&mut batch))
                        .map_err(sled_err)?;
                    pending = 0;
                }
            }
            dst.apply_batch(batch).map_err(sled_err)?;
            if tree_name == "meta" {
                self.finish_meta(&dst, into)?;
            }
        }
        Ok(())
    }

    /// The new database's `meta`: the sequence base above every number used so far, and
    /// the new `crypto` settings.
    fn finish_meta(&self, meta: &Tree, into: &Rewrite) -> Result<(), StoreError> {
        let sled_err = |e| from_sled(e, &self.dir);
        // Every sequence number used so far is below the next one.
        let base = self.next_seq()?;
        meta.insert(META_SEQ_BASE, &base.to_be_bytes())
            .map_err(sled_err)?;
        if let Rewrite::Encrypted { crypto_meta, .. } = into {
            meta.insert(crypto::META_CRYPTO, crypto_meta.as_slice())
                .map_err(sled_err)?;
        }
        Ok(())
    }
}
