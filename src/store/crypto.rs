//! Encryption at rest (opt-in, `onshi init --encrypt`; docs/store.md).
//!
//! The trees that hold personal values (`records`, `versions`, `drafts`, `orca`,
//! `set_aside`) keep each value sealed with XChaCha20-Poly1305 under a random 256-bit data
//! key; so are the target's refusal messages in the outbox. Keys (record ids, version
//! numbers), the rest of the outbox, the audit trail and `meta` stay in clear: they carry
//! no personal values, and sync and the audit need them.
//!
//! The data key is stored in `meta.crypto` wrapped (sealed) under a key derived from the
//! clinic's passphrase with argon2id. Changing the passphrase rewraps the data key and
//! re-encrypts nothing; a wrong passphrase fails to unwrap it, before anything is read or
//! written. The argon2 parameters are read from the store, so they are bounded first
//! ([`bounded_params`]): a tampered store must not make start-up take minutes or all
//! memory.
//!
//! Stores encrypted by builds before the wrapped key (format 1) used the passphrase-derived
//! key as the data key. They open with the same passphrase and are moved to format 2 at
//! once: that key becomes the data key, wrapped under a freshly salted passphrase key, so
//! no record needs re-encrypting.
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

/// The key derived from the passphrase is the data key (builds before wrapped keys).
const FORMAT_DERIVED: u32 = 1;
/// A random data key wrapped by the passphrase-derived key.
const FORMAT_WRAPPED: u32 = 2;
const KDF: &str = "argon2id";

/// First byte of every sealed value (format version).
const SEALED_V1: u8 = 1;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
const KEY_LEN: usize = 32;
const SALT_LEN: usize = 16;

/// What the key check seals; any fixed text works, the tag is what is checked.
const CHECK_PLAIN: &[u8] = b"onshi key check";
const CHECK_AAD: &[u8] = b"meta\0key_check";
/// Associated data of the wrapped data key.
const WRAP_AAD: &[u8] = b"meta\0data_key";

/// Argon2id cost for new stores: 64 MiB, 3 passes, 1 lane (RFC 9106's second
/// recommendation, with one lane because the crate computes lanes one after another).
/// About a quarter second on a reception PC, per start.
const M_COST_KIB: u32 = 64 * 1024;
const T_COST: u32 = 3;
const P_COST: u32 = 1;

/// The most a store may ask of the KDF: 256 MiB, 10 passes, 4 lanes, and no more than
/// 1 GiB·pass of work (about five times the default, a second or two). Anything beyond is
/// not a setting onshi ever wrote.
pub const MAX_M_COST_KIB: u32 = 256 * 1024;
pub const MAX_T_COST: u32 = 10;
pub const MAX_P_COST: u32 = 4;
const MAX_WORK_KIB_PASSES: u64 = 1024 * 1024;
/// Salt lengths accepted from a store.
const SALT_MIN: usize = 8;
const SALT_MAX: usize = 64;
/// Longest hex field read from `meta.crypto` (a sealed key or check is < 100 bytes).
const HEX_MAX: usize = 512;

/// Shortest passphrase `init --encrypt` and `passphrase change` accept (characters).
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
    /// Hex of the data key sealed under the passphrase key (format 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    wrapped_key: Option<String>,
    /// Hex of [`CHECK_PLAIN`] sealed under the data key.
    check: String,
}

/// The data key of an unlocked store. The AEAD and the key copy wipe themselves when
/// dropped; neither is ever printed.
pub(crate) struct Cipher {
    aead: XChaCha20Poly1305,
    key: Zeroizing<[u8; KEY_LEN]>,
}

impl std::fmt::Debug for Cipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cipher(..)")
    }
}

impl Cipher {
    fn from_key(key: &[u8; KEY_LEN]) -> Cipher {
        Cipher {
            aead: XChaCha20Poly1305::new(key.into()),
            key: Zeroizing::new(*key),
        }
    }

    /// A new random data key.
    fn random() -> Result<Cipher, StoreError> {
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        OsRng
            .try_fill_bytes(key.as_mut_slice())
            .map_err(|_| no_randomness())?;
        Ok(Cipher::from_key(&key))
    }

    pub(crate) fn seal(&self, aad: &[u8], plain: &[u8]) -> Result<Vec<u8>, StoreError> {
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
    pub(crate) fn open(&self, aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
        let (&version, rest) = sealed.split_first()?;
        if version != SEALED_V1 || rest.len() < NONCE_LEN + TAG_LEN {
            return None;
        }
        let (nonce, ct) = rest.split_at(NONCE_LEN);
        self.aead
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad })
            .ok()
    }

    fn opens_check(&self, m: &CryptoMeta) -> Result<bool, StoreError> {
        let check = hex_field(&m.check, "key check")?;
        Ok(self
            .open(CHECK_AAD, &check)
            .is_some_and(|plain| plain == CHECK_PLAIN))
    }
}

fn no_randomness() -> StoreError {
    StoreError::Io {
        kind: std::io::ErrorKind::Other,
        detail: "the system random number generator is not available".to_string(),
    }
}

/// The argon2 parameters of `m`, refused when outside what onshi ever writes (see
/// [`MAX_M_COST_KIB`]): checked before any memory is allocated or time spent.
fn bounded_params(m: &CryptoMeta) -> Result<Params, StoreError> {
    let work = u64::from(m.m_cost_kib) * u64::from(m.t_cost);
    if m.m_cost_kib > MAX_M_COST_KIB
        || m.t_cost == 0
        || m.t_cost > MAX_T_COST
        || m.p_cost == 0
        || m.p_cost > MAX_P_COST
        || work > MAX_WORK_KIB_PASSES
    {
        return Err(corrupt_meta("parameters out of bounds"));
    }
    Params::new(m.m_cost_kib, m.t_cost, m.p_cost, Some(KEY_LEN))
        .map_err(|_| corrupt_meta("parameters"))
}

/// The passphrase key (argon2id over the passphrase and salt); wiped when dropped.
fn derive(passphrase: &str, m: &CryptoMeta) -> Result<Zeroizing<[u8; KEY_LEN]>, StoreError> {
    let params = bounded_params(m)?;
    let salt = hex_field(&m.salt, "salt")?;
    if !(SALT_MIN..=SALT_MAX).contains(&salt.len()) {
        return Err(corrupt_meta("salt"));
    }
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), &salt, key.as_mut_slice())
        .map_err(|_| corrupt_meta("parameters"))?;
    Ok(key)
}

/// `meta.crypto` (format 2) for `data` under `passphrase`: fresh salt, current cost.
fn wrapped_meta(passphrase: &str, data: &Cipher) -> Result<CryptoMeta, StoreError> {
    let mut salt = [0u8; SALT_LEN];
    OsRng
        .try_fill_bytes(&mut salt)
        .map_err(|_| no_randomness())?;
    let mut m = CryptoMeta {
        format: FORMAT_WRAPPED,
        kdf: KDF.to_string(),
        m_cost_kib: M_COST_KIB,
        t_cost: T_COST,
        p_cost: P_COST,
        salt: to_hex(&salt),
        wrapped_key: None,
        check: to_hex(&data.seal(CHECK_AAD, CHECK_PLAIN)?),
    };
    let kek_bytes = derive(passphrase, &m)?;
    let kek = Cipher::from_key(&kek_bytes);
    m.wrapped_key = Some(to_hex(&kek.seal(WRAP_AAD, data.key.as_slice())?));
    Ok(m)
}

fn encode_meta(m: &CryptoMeta) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(m).map_err(|_| corrupt_meta("format"))
}

fn read_meta(meta: &Tree, dir: &std::path::Path) -> Result<Option<CryptoMeta>, StoreError> {
    match meta.get(META_CRYPTO).map_err(|e| from_sled(e, dir))? {
        None => Ok(None),
        Some(bytes) => serde_json::from_slice::<CryptoMeta>(&bytes)
            .map(Some)
            .map_err(|_| corrupt_meta("format")),
    }
}

fn corrupt_meta(what: &str) -> StoreError {
    StoreError::Corrupt {
        detail: format!("encryption settings ({what}) are damaged"),
    }
}

fn hex_field(s: &str, what: &str) -> Result<Vec<u8>, StoreError> {
    if s.len() > HEX_MAX {
        return Err(corrupt_meta(what));
    }
    from_hex(s).ok_or_else(|| corrupt_meta(what))
}

pub(crate) fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn from_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

fn weak(passphrase: &str) -> bool {
    passphrase.chars().count() < MIN_PASSPHRASE_CHARS
}

/// Whether a new passphrase is long enough.
pub(crate) fn check_new_passphrase(passphrase: &str) -> Result<(), StoreError> {
    if weak(passphrase) {
        Err(StoreError::Encryption {
            issue: EncryptionIssue::WeakPassphrase,
        })
    } else {
        Ok(())
    }
}

/// How the caller wants the store opened.
#[derive(Clone)]
pub(crate) enum Unlock<'a> {
    /// Plain open: an encrypted store answers `Locked`.
    None,
    /// Open an encrypted store.
    Passphrase(&'a str),
    /// Make a store that has never held data an encrypted one.
    Init(&'a str),
    /// Reopen an encrypted store with the data key already unlocked in this process
    /// (after a refused write, the desk reopens without asking again).
    Key(Arc<Cipher>),
}

/// Decide, from `meta` and what the caller offers, whether and how the store is sealed.
/// Writes only for `Init` and to move a format-1 store to format 2, and only after every
/// check passed.
pub(crate) fn unlock(
    meta: &Tree,
    how: Unlock<'_>,
    dir: &std::path::Path,
) -> Result<Option<Arc<Cipher>>, StoreError> {
    let stored = read_meta(meta, dir)?;
    let supported = |m: &CryptoMeta| {
        if m.kdf == KDF && (m.format == FORMAT_DERIVED || m.format == FORMAT_WRAPPED) {
            Ok(())
        } else {
            Err(StoreError::Encryption {
                issue: EncryptionIssue::Unsupported,
            })
        }
    };
    match (stored, how) {
        (None, Unlock::None) => Ok(None),
        (Some(_), Unlock::None) => Err(StoreError::Locked),
        (None, Unlock::Passphrase(_) | Unlock::Key(_)) => Err(StoreError::Encryption {
            issue: EncryptionIssue::NotEncrypted,
        }),
        (Some(_), Unlock::Init(_)) => Err(StoreError::Encryption {
            issue: EncryptionIssue::AlreadyEncrypted,
        }),
        (Some(m), Unlock::Key(cipher)) => {
            supported(&m)?;
            if cipher.opens_check(&m)? {
                Ok(Some(cipher))
            } else {
                Err(StoreError::WrongPassphrase)
            }
        }
        (Some(m), Unlock::Passphrase(p)) => {
            supported(&m)?;
            let derived = derive(p, &m)?;
            if m.format == FORMAT_DERIVED {
                let cipher = Cipher::from_key(&derived);
                if !cipher.opens_check(&m)? {
                    return Err(StoreError::WrongPassphrase);
                }
                // Move to format 2 now: the derived key becomes the data key, wrapped.
                let json = encode_meta(&wrapped_meta(p, &cipher)?)?;
                meta.insert(META_CRYPTO, json)
                    .map_err(|e| from_sled(e, dir))?;
                return Ok(Some(Arc::new(cipher)));
            }
            let wrapped = m
                .wrapped_key
                .as_deref()
                .ok_or_else(|| corrupt_meta("wrapped key"))?;
            let wrapped = hex_field(wrapped, "wrapped key")?;
            let kek = Cipher::from_key(&derived);
            let Some(key) = kek.open(WRAP_AAD, &wrapped).map(Zeroizing::new) else {
                return Err(StoreError::WrongPassphrase);
            };
            let key: [u8; KEY_LEN] = key
                .as_slice()
                .try_into()
                .map_err(|_| corrupt_meta("wrapped key"))?;
            let cipher = Cipher::from_key(&Zeroizing::new(key));
            if !cipher.opens_check(&m)? {
                return Err(corrupt_meta("key check"));
            }
            Ok(Some(Arc::new(cipher)))
        }
        (None, Unlock::Init(p)) => {
            if weak(p) {
                return Err(StoreError::Encryption {
                    issue: EncryptionIssue::WeakPassphrase,
                });
            }
            let cipher = Cipher::random()?;
            let json = encode_meta(&wrapped_meta(p, &cipher)?)?;
            meta.insert(META_CRYPTO, json)
                .map_err(|e| from_sled(e, dir))?;
            Ok(Some(Arc::new(cipher)))
        }
    }
}

/// A new random data key and its `meta.crypto` under `passphrase`, for a store being
/// encrypted by rewriting it.
pub(crate) fn new_key(passphrase: &str) -> Result<(Arc<Cipher>, Vec<u8>), StoreError> {
    if weak(passphrase) {
        return Err(StoreError::Encryption {
            issue: EncryptionIssue::WeakPassphrase,
        });
    }
    let cipher = Cipher::random()?;
    let json = encode_meta(&wrapped_meta(passphrase, &cipher)?)?;
    Ok((Arc::new(cipher), json))
}

/// `meta.crypto` with the same data key wrapped under `passphrase` instead.
pub(crate) fn rewrapped(cipher: &Cipher, passphrase: &str) -> Result<Vec<u8>, StoreError> {
    if weak(passphrase) {
        return Err(StoreError::Encryption {
            issue: EncryptionIssue::WeakPassphrase,
        });
    }
    encode_meta(&wrapped_meta(passphrase, cipher)?)
}

/// The associated data of a value sealed under `key` in tree `name`.
pub(crate) fn aad(name: &str, key: &[u8]) -> Vec<u8> {
    let mut aad = Vec::with_capacity(name.len() + 1 + key.len());
    aad.extend_from_slice(name.as_bytes());
    aad.push(0);
    aad.extend_from_slice(key);
    aad
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
        aad(self.name, key)
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

    fn small_meta(salt: &[u8]) -> CryptoMeta {
        // Small parameters: these check the plumbing, not the cost.
        CryptoMeta {
            format: FORMAT_WRAPPED,
            kdf: KDF.into(),
            m_cost_kib: 64,
            t_cost: 1,
            p_cost: 1,
            salt: to_hex(salt),
            wrapped_key: None,
            check: String::new(),
        }
    }

    #[test]
    fn derive_is_deterministic_per_salt() {
        let m = small_meta(&[1u8; SALT_LEN]);
        let a = Cipher::from_key(&derive("correct horse", &m).unwrap());
        let b = Cipher::from_key(&derive("correct horse", &m).unwrap());
        let c = Cipher::from_key(&derive("wrong horse", &m).unwrap());
        let sealed = a.seal(CHECK_AAD, CHECK_PLAIN).unwrap();
        assert_eq!(b.open(CHECK_AAD, &sealed).unwrap(), CHECK_PLAIN);
        assert!(c.open(CHECK_AAD, &sealed).is_none());
    }

    #[test]
    fn parameters_from_the_store_are_bounded_before_use() {
        let ok = |m: u32, t: u32, p: u32| {
            let mut x = small_meta(&[1u8; SALT_LEN]);
            (x.m_cost_kib, x.t_cost, x.p_cost) = (m, t, p);
            bounded_params(&x).is_ok()
        };
        assert!(ok(M_COST_KIB, T_COST, P_COST));
        assert!(ok(MAX_M_COST_KIB, 4, MAX_P_COST));
        assert!(!ok(MAX_M_COST_KIB + 1, 1, 1));
        assert!(!ok(u32::MAX, u32::MAX, u32::MAX));
        assert!(!ok(MAX_M_COST_KIB, MAX_T_COST, 1), "over the work bound");
        assert!(!ok(64, 0, 1));
        assert!(!ok(64, MAX_T_COST + 1, 1));
        assert!(!ok(64, 1, 0));
        assert!(!ok(64, 1, MAX_P_COST + 1));
        // Salts and hex fields of absurd length are refused, not decoded.
        let mut m = small_meta(&[1u8; 4]);
        assert!(derive("p", &m).is_err());
        m.salt = "ab".repeat(HEX_MAX);
        assert!(derive("p", &m).is_err());
    }

    #[test]
    fn the_wrapped_key_opens_with_its_passphrase_only() {
        let data = Cipher::random().unwrap();
        let mut m = small_meta(&[2u8; SALT_LEN]);
        m.check = to_hex(&data.seal(CHECK_AAD, CHECK_PLAIN).unwrap());
        let kek = Cipher::from_key(&derive("first passphrase", &m).unwrap());
        let wrapped = kek.seal(WRAP_AAD, data.key.as_slice()).unwrap();
        let back = kek.open(WRAP_AAD, &wrapped).unwrap();
        assert_eq!(back.as_slice(), data.key.as_slice());
        let other = Cipher::from_key(&derive("second passphrase", &m).unwrap());
        assert!(other.open(WRAP_AAD, &wrapped).is_none());
        assert!(data.opens_check(&m).unwrap());
        assert!(!other.opens_check(&m).unwrap());
    }
}
