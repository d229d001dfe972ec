//! File modes: the store holds personal data, so its directory is 0700 and its files 0600
//! whatever the caller's umask. sled creates files with the default mode, so we set the
//! umask around its open and also chmod everything afterwards (files sled creates later,
//! after the umask is restored, are covered by the pass on close).

use std::fs;
use std::io;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use super::error::{from_io, StoreError};

/// The umask is process-wide: serialise our changes so two opens on different threads do
/// not restore each other's value.
static UMASK_LOCK: Mutex<()> = Mutex::new(());

/// Sets umask 0o077 until dropped.
pub(crate) struct UmaskGuard {
    old: libc::mode_t,
    _serial: MutexGuard<'static, ()>,
}

impl UmaskGuard {
    pub(crate) fn restrict() -> UmaskGuard {
        // A poisoned lock only means another open panicked; the umask value is still ours.
        let serial = UMASK_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        // SAFETY: umask has no memory-safety preconditions; it only swaps a process value.
        let old = unsafe { libc::umask(0o077) };
        UmaskGuard {
            old,
            _serial: serial,
        }
    }
}

impl Drop for UmaskGuard {
    fn drop(&mut self) {
        // SAFETY: as above.
        unsafe {
            libc::umask(self.old);
        }
    }
}

/// Create `dir` and missing parents as 0700, then make sure `dir` itself is 0700.
pub(crate) fn create_private_dir(dir: &Path) -> Result<(), StoreError> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| from_io(&e, dir))?;
    set_mode(dir, 0o700)
}

fn set_mode(path: &Path, mode: u32) -> Result<(), StoreError> {
    let meta = fs::symlink_metadata(path).map_err(|e| from_io(&e, path))?;
    if meta.permissions().mode() & 0o7777 != mode {
        fs::set_permissions(path, fs::Permissions::from_mode(mode))
            .map_err(|e| from_io(&e, path))?;
    }
    Ok(())
}

/// Directories 0700, regular files 0600, recursively. Symlinks are left alone (sled makes
/// none; following one could chmod something outside the store).
pub(crate) fn tighten(dir: &Path) -> Result<(), StoreError> {
    set_mode(dir, 0o700)?;
    let entries = fs::read_dir(dir).map_err(|e| from_io(&e, dir))?;
    for entry in entries {
        let entry = entry.map_err(|e| from_io(&e, dir))?;
        let path = entry.path();
        let ft = match entry.file_type() {
            Ok(ft) => ft,
            // Vanished between listing and stat (sled renames snapshots): nothing to do.
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(from_io(&e, &path)),
        };
        let res = if ft.is_dir() {
            tighten(&path)
        } else if ft.is_file() {
            set_mode(&path, 0o600)
        } else {
            Ok(())
        };
        match res {
            Err(StoreError::Io {
                kind: io::ErrorKind::NotFound,
                ..
            }) => continue,
            other => other?,
        }
    }
    Ok(())
}
