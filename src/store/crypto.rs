//! Encryption at rest (opt-in, `onshi init --encrypt`).
//!
//! The trees that hold personal values (`records`, `versions`, `drafts`, `orca`) keep each value
//! sealed with XChaCha20-Poly1305 under a key derived from the clinic's passphrase with
//! argon2id. Keys (record ids, version numbers), the outbox, the audit trail and `meta` stay
//! in clear: they carry no personal values, and sync and the audit need them.
//!
//! `meta.crypto` holds what is needed to derive the key again (salt, KDF parameters) and a
//! key-check value, so a wrong passphrase is told apart from damaged data before anything
//! is read or written.
//!
//! Sealed value layout: `0x01 ‖ nonce (24 bytes, random) ‖ ciphertext ‖ tag (16)`. The
//! associated data is the tree name and the value's key, so a sealed value copied to
//! another record or tree does not open. Random 192-bit nonces make reuse negligible
//! without any counter state to keep consistent across crashes.
//!
//! What this protects: the store's files copied off a stolen or discarded disk (or a
//! backup). What it does not: anyone who can run code as the desk's user while the store
//! is open, or read its memory (an admin logged in to the PC), and the record ids, counts,
//! times and operator names, which stay readable.

use std::sync::Arc;

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::rand_core::RngCore;
use chacha20poly1305::aead::{Aead, OsRng, Payload};
use chacha20poly1305::{KeyInit, XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use sled::{IVec, Tree};
use zeroize::Zeroizing;

use super::error::{from_sled, key_label};
use super::{EncryptionIssue, StoreError};

/// `meta` key of the [`CryptoMeta`] JSON.
pub(crate) const META_CRYPTO: &[u8] = b"crypto";

/// First byte of every sealed value (format version).
const SEALED_V1: u8 = 1;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
const KEY_LEN: usize = 32;
const SALT_LEN: usize = 16;

/// What the key check seals; any fixed text works, the tag is what is checked.
const CHECK_PLAIN: &[u8] = b"onshi key check";
const CHECK_AAD: &[u8] = b"meta\0key_check";

/// Argon2id cost for new stores: 64 MiB, 3 passes, 1 lane (RFC 9106's second
/// recommendation, with one lane because the crate computes lanes one after another).
/// About a quarter second on a reception PC, per start.
const M_COST_KIB: u32 = 64 * 1024;
const T_COST: u32 = 3;
const P_COST: u32 = 1;

/// Shortest passphrase `init --encrypt` accepts (characters).
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// Stored in `meta.crypto`. Parameters are kept so that later versions can raise the cost
/// for new stores and still open old ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CryptoMeta {
    format: u32,
    kdf: String,
    m_cost_kib: u32,
    t_cost: u32,
    p_cost: u32,
    /// Hex.
    salt: String,
    /// Hex of a sealed [`CHECK_PLAIN`].
    check: String,
}

/// The data key of an unlocked store. The AEAD wipes its key when dropped.
pub(crate) struct Cipher {
    aead: XChaCha20Poly1305,
}

impl Cipher {
    fn from_key(key: &[u8; KEY_LEN]) -> Cipher {
        Cipher {
            aead: XChaCha20Poly1305::new(key.into()),
        }
    }

    fn seal(&self, aad: &[u8], plain: &[u8]) -> Result<Vec<u8>, StoreError> {
        let mut nonce = [0u8; NONCE_LEN];
        OsRng
            .try_fill_bytes(&mut nonce)
            .map_err(|_| no_randomness())?;
        let ct = self
            .aead
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: plain, aad })
            .map_err(|_| StoreError::Io {
                kind: std::io::ErrorKind::InvalidData,
                detail: "value cannot be encrypted".to_string(),
            })?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + ct.len());
        out.push(SEALED_V1);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        Ok(out)
    }

    /// `None` when the value is not a sealed value this key and `aad` open.
    fn open(&self, aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
        let (&version, rest) = sealed.split_first()?;
        if version != SEALED_V1 || rest.len() < NONCE_LEN + TAG_LEN {
            return None;
        }
        let (nonce, ct) = rest.split_at(NONCE_LEN);
        self.aead
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad })
            .ok()
    }
}

fn no_randomness() -> StoreError {
    StoreError::Io {
        kind: std::io::ErrorKind::Other,
        detail: "the system random number generator is not available".to_string(),
    }
}

/// Derive the data key; the passphrase and the raw key bytes are wiped afterwards.
fn derive(passphrase: &str, meta: &CryptoMeta) -> Result<Cipher, StoreError> {
    let salt = from_hex(&meta.salt).ok_or_else(|| corrupt_meta("salt"))?;
    let params = Params::new(meta.m_cost_kib, meta.t_cost, meta.p_cost, Some(KEY_LEN))
        .map_err(|_| corrupt_meta("parameters"))?;
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), &salt, key.as_mut_slice())
        .map_err(|_| corrupt_meta("parameters"))?;
    Ok(Cipher::from_key(&key))
}

fn corrupt_meta(what: &str) -> StoreError {
    StoreError::Corrupt {
        detail: format!("encryption settings ({what}) are damaged"),
    }
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn from_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// How the caller wants the store opened.
#[derive(Clone, Copy)]
pub(crate) enum Unlock<'a> {
    /// Plain open: an encrypted store answers `Locked`.
    None,
    /// Open an encrypted store.
    Passphrase(&'a str),
    /// Turn an empty, unencrypted store into an encrypted one.
    Init(&'a str),
}

/// Decide, from `meta` and what the caller offers, whether and how the store is sealed.
/// Writes only for `Init`, and only after every check passed.
pub(crate) fn unlock(
    meta: &Tree,
    personal: [&Tree; 4],
    how: Unlock<'_>,
    dir: &std::path::Path,
) -> Result<Option<Arc<Cipher>>, StoreError> {
    let stored = meta.get(META_CRYPTO).map_err(|e| from_sled(e, dir))?;
    let stored = match stored {
        None => None,
        Some(bytes) => {
            Some(serde_json::from_slice::<CryptoMeta>(&bytes).map_err(|_| corrupt_meta("format"))?)
        }
    };
    match (stored, how) {
        (None, Unlock::None) => Ok(None),
        (Some(_), Unlock::None) => Err(StoreError::Locked),
        (None, Unlock::Passphrase(_)) => Err(StoreError::Encryption {
            issue: EncryptionIssue::NotEncrypted,
        }),
        (Some(_), Unlock::Init(_)) => Err(StoreError::Encryption {
            issue: EncryptionIssue::AlreadyEncrypted,
        }),
        (Some(m), Unlock::Passphrase(p)) => {
            if m.format != 1 || m.kdf != "argon2id" {
                return Err(StoreError::Encryption {
                    issue: EncryptionIssue::Unsupported,
                });
            }
            let cipher = derive(p, &m)?;
            let check = from_hex(&m.check).ok_or_else(|| corrupt_meta("key check"))?;
            match cipher.open(CHECK_AAD, &check) {
                Some(plain) if plain == CHECK_PLAIN => Ok(Some(Arc::new(cipher))),
                _ => Err(StoreError::WrongPassphrase),
            }
        }
        (None, Unlock::Init(p)) => {
            if p.chars().count() < MIN_PASSPHRASE_CHARS {
                return Err(StoreError::Encryption {
                    issue: EncryptionIssue::WeakPassphrase,
                });
            }
            // A store with data is not converted in place: sled keeps superseded pages in
            // its log until it compacts them, so the plaintext would stay on disk anyway.
            if personal.iter().any(|t| !t.is_empty()) {
                return Err(StoreError::Encryption {
                    issue: EncryptionIssue::NotEmpty,
                });
            }
            let mut salt = [0u8; SALT_LEN];
            OsRng
                .try_fill_bytes(&mut salt)
                .map_err(|_| no_randomness())?;
            let mut m = CryptoMeta {
                format: 1,
                kdf: "argon2id".to_string(),
                m_cost_kib: M_COST_KIB,
                t_cost: T_COST,
                p_cost: P_COST,
                salt: to_hex(&salt),
                check: String::new(),
            };
            let cipher = derive(p, &m)?;
            m.check = to_hex(&cipher.seal(CHECK_AAD, CHECK_PLAIN)?);
            let json = serde_json::to_vec(&m).map_err(|_| corrupt_meta("format"))?;
            meta.insert(META_CRYPTO, json)
                .map_err(|e| from_sled(e, dir))?;
            Ok(Some(Arc::new(cipher)))
        }
    }
}

/// A sled error, or a value that would not open: what the tree wrappers fail with. The
/// store's `sled_err` takes either, so callers written for plain trees keep compiling.
pub(crate) enum TreeError {
    Sled(sled::Error),
    Store(StoreError),
}

impl From<sled::Error> for TreeError {
    fn from(e: sled::Error) -> Self {
        TreeError::Sled(e)
    }
}

/// A tree whose values are sealed when the store is encrypted (and passed through
/// unchanged when it is not). Deliberately not `Deref<Target = Tree>`: a forgotten wrapper
/// method must not compile into a plaintext write. Transactions use [`SealedTree::raw`]
/// with [`SealedTree::seal_value`] / [`SealedTree::open_value`].
pub(crate) struct SealedTree {
    tree: Tree,
    name: &'static str,
    cipher: Option<Arc<Cipher>>,
}

impl SealedTree {
    pub(crate) fn new(tree: Tree, name: &'static str, cipher: Option<Arc<Cipher>>) -> Self {
        SealedTree { tree, name, cipher }
    }

    pub(crate) fn raw(&self) -> &Tree {
        &self.tree
    }

    fn aad(&self, key: &[u8]) -> Vec<u8> {
        let mut aad = Vec::with_capacity(self.name.len() + 1 + key.len());
        aad.extend_from_slice(self.name.as_bytes());
        aad.push(0);
        aad.extend_from_slice(key);
        aad
    }

    /// The bytes to store under `key` for the plain value `plain`.
    pub(crate) fn seal_value(&self, key: &[u8], plain: &[u8]) -> Result<Vec<u8>, StoreError> {
        match &self.cipher {
            None => Ok(plain.to_vec()),
            Some(c) => c.seal(&self.aad(key), plain),
        }
    }

    /// The plain value of stored bytes `stored` under `key`.
    pub(crate) fn open_value(&self, key: &[u8], stored: &[u8]) -> Result<Vec<u8>, StoreError> {
        match &self.cipher {
            None => Ok(stored.to_vec()),
            Some(c) => c
                .open(&self.aad(key), stored)
                .ok_or_else(|| StoreError::Corrupt {
                    detail: format!(
                        "{} value {} does not decrypt (damaged or altered)",
                        self.name,
                        key_label(key)
                    ),
                }),
        }
    }

    fn open_ivec(&self, key: &[u8], stored: IVec) -> Result<IVec, TreeError> {
        match &self.cipher {
            None => Ok(stored),
            Some(_) => self
                .open_value(key, &stored)
                .map(IVec::from)
                .map_err(TreeError::Store),
        }
    }

    pub(crate) fn get(&self, key: impl AsRef<[u8]>) -> Result<Option<IVec>, TreeError> {
        let key = key.as_ref();
        match self.tree.get(key)? {
            None => Ok(None),
            Some(v) => self.open_ivec(key, v).map(Some),
        }
    }

    pub(crate) fn insert(&self, key: impl AsRef<[u8]>, plain: &[u8]) -> Result<(), TreeError> {
        let key = key.as_ref();
        let sealed = self.seal_value(key, plain).map_err(TreeError::Store)?;
        self.tree.insert(key, sealed)?;
        Ok(())
    }

    pub(crate) fn remove(&self, key: impl AsRef<[u8]>) -> Result<(), TreeError> {
        self.tree.remove(key)?;
        Ok(())
    }

    pub(crate) fn len(&self) -> usize {
        self.tree.len()
    }

    /// Every entry, values opened.
    pub(crate) fn iter(&self) -> impl Iterator<Item = Result<(IVec, IVec), TreeError>> + '_ {
        self.tree.iter().map(move |item| {
            let (k, v) = item?;
            let v = self.open_ivec(&k, v)?;
            Ok((k, v))
        })
    }

    /// Entries whose key starts with `prefix`, values opened.
    pub(crate) fn scan_prefix(
        &self,
        prefix: impl AsRef<[u8]>,
    ) -> impl Iterator<Item = Result<(IVec, IVec), TreeError>> + '_ {
        self.tree.scan_prefix(prefix).map(move |item| {
            let (k, v) = item?;
            let v = self.open_ivec(&k, v)?;
            Ok((k, v))
        })
    }

    /// Keys only (no decryption), for deletions.
    pub(crate) fn keys_with_prefix(
        &self,
        prefix: impl AsRef<[u8]>,
    ) -> Result<Vec<IVec>, TreeError> {
        let mut out = Vec::new();
        for k in self.tree.scan_prefix(prefix).keys() {
            out.push(k?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test_cipher() -> Cipher {
        Cipher::from_key(&[7u8; KEY_LEN])
    }

    #[test]
    fn seal_open_round_trip_and_binding() {
        let c = test_cipher();
        let sealed = c.seal(b"records\0A", "山田".as_bytes()).unwrap();
        assert_eq!(sealed[0], SEALED_V1);
        assert_eq!(sealed.len(), 1 + NONCE_LEN + "山田".len() + TAG_LEN);
        assert_eq!(c.open(b"records\0A", &sealed).unwrap(), "山田".as_bytes());
        // Bound to tree and key: moved elsewhere it does not open.
        assert!(c.open(b"records\0B", &sealed).is_none());
        assert!(c.open(b"versions\0A", &sealed).is_none());
        // Tampering fails.
        let mut bad = sealed.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert!(c.open(b"records\0A", &bad).is_none());
        // Plaintext JSON and truncated values are refused, not misread.
        assert!(c.open(b"records\0A", b"{\"id\":\"x\"}").is_none());
        assert!(c.open(b"records\0A", &sealed[..10]).is_none());
        assert!(c.open(b"records\0A", &[]).is_none());
    }

    #[test]
    fn nonces_differ_per_seal() {
        let c = test_cipher();
        let a = c.seal(b"x", b"same").unwrap();
        let b = c.seal(b"x", b"same").unwrap();
        assert_ne!(a[1..1 + NONCE_LEN], b[1..1 + NONCE_LEN]);
        assert_ne!(a, b);
    }

    #[test]
    fn wrong_key_does_not_open() {
        let a = test_cipher();
        let b = Cipher::from_key(&[8u8; KEY_LEN]);
        let sealed = a.seal(CHECK_AAD, CHECK_PLAIN).unwrap();
        assert!(b.open(CHECK_AAD, &sealed).is_none());
    }

    #[test]
    fn hex_round_trip() {
        let bytes = [0u8, 1, 0xab, 0xff];
        assert_eq!(from_hex(&to_hex(&bytes)).unwrap(), bytes);
        assert!(from_hex("abc").is_none());
        assert!(from_hex("zz").is_none());
    }

    #[test]
    fn derive_is_deterministic_per_salt() {
        // Small parameters: this checks the plumbing, not the cost.
        let m = CryptoMeta {
            format: 1,
            kdf: "argon2id".into(),
            m_cost_kib: 64,
            t_cost: 1,
            p_cost: 1,
            salt: to_hex(&[1u8; SALT_LEN]),
            check: String::new(),
        };
        let a = derive("correct horse", &m).unwrap();
        let b = derive("correct horse", &m).unwrap();
        let c = derive("wrong horse", &m).unwrap();
        let sealed = a.seal(CHECK_AAD, CHECK_PLAIN).unwrap();
        assert_eq!(b.open(CHECK_AAD, &sealed).unwrap(), CHECK_PLAIN);
        assert!(c.open(CHECK_AAD, &sealed).is_none());
    }
}
