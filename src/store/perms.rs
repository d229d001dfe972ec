//! Access to the store: its directory and files are the desk user's only (0700/0600 on
//! Linux, a protected DACL on Windows; `platform`). sled creates files itself, so files
//! are created private while it opens (`platform::PrivateCreation`) and everything is
//! narrowed again afterwards (files sled makes later are covered by the pass on close).

use std::fs;
use std::io;
use std::path::Path;

use super::error::{from_io, StoreError};
use crate::platform;

/// Create `dir` and missing parents, private to the desk's user.
pub(crate) fn create_private_dir(dir: &Path) -> Result<(), StoreError> {
    platform::create_private_dir(dir).map_err(|e| from_io(&e, dir))
}

/// Make `dir` and everything in it private, recursively. Symlinks are left alone (sled
/// makes none; following one could change something outside the store).
pub(crate) fn tighten(dir: &Path) -> Result<(), StoreError> {
    platform::make_private(dir).map_err(|e| from_io(&e, dir))?;
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
            platform::make_private(&path).map_err(|e| from_io(&e, &path))
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
