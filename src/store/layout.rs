//! Which directory is an onshi store, and where in it the database lives (docs/store.md).
//!
//! onshi creates a store only in a directory that does not exist yet or is empty, and
//! opens only a directory that is a store: one holding the marker file `onshi.store`,
//! written when the store is created. Anything else (a home folder, Documents, a folder
//! of scripts) is refused before a single file in it is created or touched, and the
//! modes/ACLs onshi sets are set only on the names it owns ([`is_ours`]).
//!
//! Stores from builds before the marker have none. They are recognised by their shape —
//! nothing but sled's files (`conf`, `db`, `blobs/`, `snap.*`) and `onshi.lock` — and,
//! once sled has opened them, by the `meta` tree's `schema_version`; then the marker is
//! written and the store is an ordinary one from then on.
//!
//! The marker also says where the sled database is: `data .` (the store directory itself,
//! as every store created so far) or `data data-<ULID>` (a subdirectory). Rewriting the
//! database — encrypting a plain store in place, compacting after a purge — builds the new
//! one in a fresh subdirectory and then replaces the marker atomically (temp file, fsync,
//! rename): until that rename the old database is the store, after it the new one. The
//! files of the other are leftovers that the next open (holding the lock) overwrites with
//! zeros and removes.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use super::error::{from_io, StoreError};
use super::lock::LOCK_FILE;
use crate::platform::{self, Sharing};

/// The marker file's name in the store directory.
pub(crate) const MARKER: &str = "onshi.store";
/// First line of the marker.
const MAGIC: &str = "onshi-store 1";
/// Prefix of a marker being replaced (`onshi.store.<ULID>.tmp`).
const MARKER_TMP_PREFIX: &str = "onshi.store.";
/// Prefix of a database subdirectory (`data-<ULID>`).
const DATA_PREFIX: &str = "data-";
/// The names sled 0.34 creates in its directory.
const SLED_FILES: [&str; 3] = ["conf", "db", "blobs"];
const SNAP_PREFIX: &str = "snap.";
/// Largest marker read: it is a few lines.
const MARKER_MAX: u64 = 4096;

/// Where the sled database of a store lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DataDir {
    /// The store directory itself.
    Top,
    /// A subdirectory `data-<ULID>`.
    Sub(String),
}

/// How the directory became (or was found to be) a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Claim {
    /// Created now: the directory did not exist or was empty.
    Created,
    /// A store with its marker.
    Marked,
    /// A store from a build before the marker; to be confirmed by its `meta` tree.
    Legacy,
}

/// Why a directory is not opened as a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotAStoreReason {
    /// It holds files and no store marker.
    NotEmpty,
    /// The path is a file (or something else that is not a directory).
    NotADirectory,
}

#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub(crate) dir: PathBuf,
    pub(crate) data: DataDir,
    pub(crate) claim: Claim,
}

impl Layout {
    /// The directory sled opens.
    pub(crate) fn data_path(&self) -> PathBuf {
        match &self.data {
            DataDir::Top => self.dir.clone(),
            DataDir::Sub(name) => self.dir.join(name),
        }
    }
}

/// Whether `name` (an entry of the store directory) is onshi's or sled's: only these are
/// ever made private, cleaned up or wiped.
pub(crate) fn is_ours(name: &str) -> bool {
    SLED_FILES.contains(&name)
        || name == MARKER
        || name == LOCK_FILE
        || name.starts_with(SNAP_PREFIX)
        || is_data_dir_name(name)
        || is_marker_tmp(name)
}

fn is_data_dir_name(name: &str) -> bool {
    name.strip_prefix(DATA_PREFIX)
        .is_some_and(|rest| rest.len() == 26 && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn is_marker_tmp(name: &str) -> bool {
    name.strip_prefix(MARKER_TMP_PREFIX)
        .and_then(|rest| rest.strip_suffix(".tmp"))
        .is_some_and(|mid| !mid.is_empty() && mid.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn is_sled_name(name: &str) -> bool {
    SLED_FILES.contains(&name) || name.starts_with(SNAP_PREFIX)
}

/// Decide whether `dir` is (or may become) a store, creating it and its marker when it
/// is missing or empty. Nothing is created or changed in a directory that is refused.
pub(crate) fn claim(dir: &Path) -> Result<Layout, StoreError> {
    let io_err = |e: io::Error| from_io(&e, dir);
    let layout = |data, claim| Layout {
        dir: dir.to_path_buf(),
        data,
        claim,
    };
    match fs::metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            platform::create_private_dir(dir).map_err(io_err)?;
            create_marker(dir)
        }
        Err(e) => Err(io_err(e)),
        Ok(m) if !m.is_dir() => Err(StoreError::NotAStore {
            path: dir.to_path_buf(),
            reason: NotAStoreReason::NotADirectory,
        }),
        Ok(_) => {
            let names = entry_names(dir)?;
            if names.iter().any(|n| n == MARKER) {
                Ok(layout(read_marker(dir)?, Claim::Marked))
            } else if names.is_empty() {
                // An empty directory handed to onshi becomes the store: private like one
                // onshi created.
                platform::make_private(dir).map_err(io_err)?;
                create_marker(dir)
            } else if is_legacy_shape(&names) {
                Ok(layout(DataDir::Top, Claim::Legacy))
            } else {
                Err(StoreError::NotAStore {
                    path: dir.to_path_buf(),
                    reason: NotAStoreReason::NotEmpty,
                })
            }
        }
    }
}

/// Whether opening `dir` would make a new store there: it does not exist yet or is an
/// empty folder ([`claim`]'s "created" cases), looked at without touching it.
pub(crate) fn is_unclaimed(dir: &Path) -> bool {
    match fs::read_dir(dir) {
        Ok(mut entries) => entries.next().is_none(),
        Err(e) => e.kind() == io::ErrorKind::NotFound,
    }
}

/// Whether `dir` is a store already (marker, or the shape of one from before it), without
/// touching it.
pub(crate) fn is_store(dir: &Path) -> bool {
    dir.join(MARKER).is_file() || entry_names(dir).is_ok_and(|n| is_legacy_shape(&n))
}

/// A store written before the marker: sled's `conf` and `db`, our lock, and nothing that
/// is not sled's or ours.
fn is_legacy_shape(names: &[String]) -> bool {
    let has = |n: &str| names.iter().any(|x| x == n);
    has("conf")
        && has("db")
        && has(LOCK_FILE)
        && names.iter().all(|n| is_sled_name(n) || n == LOCK_FILE)
}

fn entry_names(dir: &Path) -> Result<Vec<String>, StoreError> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| from_io(&e, dir))? {
        let entry = entry.map_err(|e| from_io(&e, dir))?;
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    Ok(names)
}

fn create_marker(dir: &Path) -> Result<Layout, StoreError> {
    match write_marker_new(dir) {
        Ok(()) => Ok(Layout {
            dir: dir.to_path_buf(),
            data: DataDir::Top,
            claim: Claim::Created,
        }),
        // Another onshi created it at the same moment: it is a store now.
        Err(StoreError::Io {
            kind: io::ErrorKind::AlreadyExists,
            ..
        }) => Ok(Layout {
            dir: dir.to_path_buf(),
            data: read_marker(dir)?,
            claim: Claim::Marked,
        }),
        Err(e) => Err(e),
    }
}

fn marker_text(data: &DataDir) -> String {
    let data = match data {
        DataDir::Top => ".",
        DataDir::Sub(name) => name.as_str(),
    };
    format!(
        "{MAGIC}\n# This folder is an onshi store (README, \"Store\"); onshi opens no other.\ndata {data}\n"
    )
}

/// The marker of a new store, created exclusively (never over an existing file or link).
fn write_marker_new(dir: &Path) -> Result<(), StoreError> {
    let path = dir.join(MARKER);
    let io_err = |e: io::Error| from_io(&e, &path);
    let mut f = platform::create_file(&path, Sharing::Owner, true).map_err(io_err)?;
    f.write_all(marker_text(&DataDir::Top).as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(io_err)?;
    sync_dir(dir).map_err(io_err)
}

/// The marker of a store whose database is the legacy one in the directory itself.
pub(crate) fn mark_legacy(dir: &Path) -> Result<(), StoreError> {
    match write_marker_new(dir) {
        Err(StoreError::Io {
            kind: io::ErrorKind::AlreadyExists,
            ..
        }) => Ok(()),
        other => other,
    }
}

/// Point the marker at `data`: the one atomic step that switches a store to a rewritten
/// database. Durable when this returns.
pub(crate) fn switch_marker(dir: &Path, data: &DataDir) -> Result<(), StoreError> {
    let tmp = dir.join(format!(
        "{MARKER_TMP_PREFIX}{}.tmp",
        ulid::Ulid::new().to_string()
    ));
    let io_err = |e: io::Error| from_io(&e, dir);
    let written = (|| {
        let mut f = platform::create_file(&tmp, Sharing::Owner, true)?;
        f.write_all(marker_text(data).as_bytes())?;
        f.sync_all()?;
        drop(f);
        platform::rename_durable(&tmp, &dir.join(MARKER))
    })();
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written.map_err(io_err)
}

fn read_marker(dir: &Path) -> Result<DataDir, StoreError> {
    let path = dir.join(MARKER);
    let mut text = String::new();
    File::open(&path)
        .and_then(|f| f.take(MARKER_MAX).read_to_string(&mut text))
        .map_err(|e| match e.kind() {
            io::ErrorKind::InvalidData => bad_marker(),
            _ => from_io(&e, &path),
        })?;
    parse_marker(&text).ok_or_else(bad_marker)
}

fn bad_marker() -> StoreError {
    StoreError::Corrupt {
        detail: format!("the store marker {MARKER} is not readable"),
    }
}

fn parse_marker(text: &str) -> Option<DataDir> {
    let mut lines = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'));
    if lines.next()? != MAGIC {
        return None;
    }
    let mut data = DataDir::Top;
    for line in lines {
        let (key, value) = line.split_once(' ')?;
        match (key, value.trim()) {
            ("data", ".") => data = DataDir::Top,
            ("data", name) if is_data_dir_name(name) => data = DataDir::Sub(name.to_string()),
            _ => return None,
        }
    }
    Some(data)
}

/// A fresh, empty, private subdirectory for a rewritten database.
pub(crate) fn new_data_dir(dir: &Path) -> Result<DataDir, StoreError> {
    let name = format!("{DATA_PREFIX}{}", ulid::Ulid::new());
    let path = dir.join(&name);
    // create_dir (not _all): it must not exist yet.
    fs::create_dir(&path).map_err(|e| from_io(&e, &path))?;
    platform::make_private(&path).map_err(|e| from_io(&e, &path))?;
    Ok(DataDir::Sub(name))
}

/// How long a leftover that cannot be removed yet (sled of this process still letting go
/// of the old database's files, on Windows) is retried before it is left for next time.
const LEFTOVER_RETRIES: u32 = 50;
const LEFTOVER_WAIT: std::time::Duration = std::time::Duration::from_millis(20);

/// Remove what an interrupted or finished rewrite left: databases the marker does not
/// name and half-written markers. Old databases are overwritten with zeros first (purged
/// or plain values must not stay readable in them). Called with the store lock held.
/// What cannot be removed after a short wait stays for the next open: it is never the
/// store, and opening must not fail over it.
pub(crate) fn remove_leftovers(layout: &Layout) -> Result<(), StoreError> {
    let dir = &layout.dir;
    for name in entry_names(dir)? {
        let path = dir.join(&name);
        let stale = if is_marker_tmp(&name) {
            true
        } else if is_data_dir_name(&name) {
            layout.data != DataDir::Sub(name.clone())
        } else {
            is_sled_name(&name) && layout.data != DataDir::Top
        };
        if stale {
            for _ in 0..LEFTOVER_RETRIES {
                if wipe_and_remove(&path).is_ok() {
                    break;
                }
                std::thread::sleep(LEFTOVER_WAIT);
            }
        }
    }
    Ok(())
}

/// Overwrite every regular file under `path` (or `path` itself) with zeros, flush, and
/// remove it all. Symlinks are removed, never followed.
pub(crate) fn wipe_and_remove(path: &Path) -> io::Result<()> {
    let meta = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    if meta.is_dir() {
        for entry in fs::read_dir(path)? {
            wipe_and_remove(&entry?.path())?;
        }
        match fs::remove_dir(path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    } else {
        if meta.is_file() {
            zero_fill(path, meta.len())?;
        }
        match fs::remove_file(path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

fn zero_fill(path: &Path, len: u64) -> io::Result<()> {
    let mut f = fs::OpenOptions::new().write(true).open(path)?;
    let zeros = vec![0u8; 64 * 1024];
    let mut left = len;
    while left > 0 {
        let n = usize::try_from(left.min(zeros.len() as u64)).unwrap_or(zeros.len());
        f.write_all(&zeros[..n])?;
        left -= n as u64;
    }
    f.sync_all()
}

/// Total size in bytes and number of files of the store at `dir`: onshi's and sled's
/// files only (not leftovers of a rewrite in progress elsewhere: those are counted too,
/// since they occupy the disk).
pub(crate) fn disk_usage(dir: &Path) -> io::Result<(u64, usize)> {
    fn walk(path: &Path, total: &mut (u64, usize)) -> io::Result<()> {
        let meta = fs::symlink_metadata(path)?;
        if meta.is_dir() {
            for entry in fs::read_dir(path)? {
                walk(&entry?.path(), total)?;
            }
        } else if meta.is_file() {
            total.0 += meta.len();
            total.1 += 1;
        }
        Ok(())
    }
    let mut total = (0, 0);
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if is_ours(&entry.file_name().to_string_lossy()) {
            walk(&entry.path(), &mut total)?;
        }
    }
    Ok(total)
}

/// Flush every file of a database directory and the directory itself, so that a
/// database is complete on disk before the marker points at it.
pub(crate) fn sync_tree(path: &Path) -> io::Result<()> {
    for entry in fs::read_dir(path)? {
        let entry = entry?;
        let ft = entry.file_type()?;
        if ft.is_dir() {
            sync_tree(&entry.path())?;
        } else if ft.is_file() {
            // Opened for writing: Windows flushes a file only through a handle that may.
            fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(entry.path())?
                .sync_all()?;
        }
    }
    sync_dir(path)
}

/// Make a directory's entries durable (Linux; on Windows a directory cannot be opened for
/// flushing and the rename's write-through covers it).
fn sync_dir(dir: &Path) -> io::Result<()> {
    platform::sync_dir(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_round_trip_and_refusals() {
        assert_eq!(
            parse_marker(&marker_text(&DataDir::Top)),
            Some(DataDir::Top)
        );
        let sub = DataDir::Sub("data-01JBV1F1X7AAAAAAAAAAAAAAA1".into());
        assert_eq!(parse_marker(&marker_text(&sub)), Some(sub));
        for bad in [
            "",
            "onshi-store 2\n",
            "onshi-store 1\ndata ../elsewhere\n",
            "onshi-store 1\ndata data-x\n",
            "onshi-store 1\ncolour blue\n",
            "something else\ndata .\n",
        ] {
            assert_eq!(parse_marker(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn only_onshi_and_sled_names_are_ours() {
        for n in [
            "conf",
            "db",
            "blobs",
            "snap.0000000000000444",
            "onshi.lock",
            "onshi.store",
            "onshi.store.01JBV1F1X7AAAAAAAAAAAAAAA1.tmp",
            "data-01JBV1F1X7AAAAAAAAAAAAAAA1",
        ] {
            assert!(is_ours(n), "{n}");
        }
        for n in [
            "run.sh",
            "Documents",
            ".bashrc",
            "data-",
            "data-../x",
            "onshi.store.tmp",
        ] {
            assert!(!is_ours(n), "{n}");
        }
    }

    #[test]
    fn legacy_shape_needs_sled_files_and_the_lock_only() {
        let v = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(is_legacy_shape(&v(&["conf", "db", "onshi.lock"])));
        assert!(is_legacy_shape(&v(&[
            "conf",
            "db",
            "blobs",
            "snap.01",
            "onshi.lock"
        ])));
        assert!(!is_legacy_shape(&v(&["conf", "db"])));
        assert!(!is_legacy_shape(&v(&[
            "conf",
            "db",
            "onshi.lock",
            "notes.txt"
        ])));
    }

    #[test]
    fn wipe_removes_files_dirs_and_links_without_following() {
        let tmp = tempfile::tempdir().unwrap();
        let outside = tmp.path().join("outside");
        fs::write(&outside, b"keep").unwrap();
        let d = tmp.path().join("data-x");
        fs::create_dir_all(d.join("blobs")).unwrap();
        fs::write(d.join("db"), b"secret").unwrap();
        fs::write(d.join("blobs/1"), b"secret").unwrap();
        let linked = crate::platform::test_symlink(&outside, &d.join("link"));
        wipe_and_remove(&d).unwrap();
        assert!(!d.exists());
        assert_eq!(fs::read(&outside).unwrap(), b"keep", "link made: {linked}");
    }
}
