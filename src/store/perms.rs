//! Access to the store: its directory and files are the desk user's only (0700/0600 on
//! Linux, a protected DACL on Windows; `platform`). sled creates files itself, so files
//! are created private while it opens (`platform::PrivateCreation`) and narrowed again
//! afterwards (files sled makes later are covered by the pass on close).
//!
//! Only names onshi or sled own are touched (`layout::is_ours`): a file someone put in
//! the store directory keeps its mode.

use std::fs;
use std::io;
use std::path::Path;

use super::error::{from_io, StoreError};
use super::layout::is_ours;
use crate::platform;

/// Make the store directory and onshi's and sled's entries in it private.
pub(crate) fn tighten(dir: &Path) -> Result<(), StoreError> {
    platform::make_private(dir).map_err(|e| from_io(&e, dir))?;
    each_entry(dir, is_ours)
}

/// Make `dir` and everything in it private, recursively (a directory of sled's or ours).
/// Symlinks are left alone (sled makes none; following one could change something
/// outside the store).
fn tighten_all(dir: &Path) -> Result<(), StoreError> {
    platform::make_private(dir).map_err(|e| from_io(&e, dir))?;
    each_entry(dir, |_| true)
}

fn each_entry(dir: &Path, wanted: impl Fn(&str) -> bool) -> Result<(), StoreError> {
    let entries = fs::read_dir(dir).map_err(|e| from_io(&e, dir))?;
    for entry in entries {
        let entry = entry.map_err(|e| from_io(&e, dir))?;
        if !wanted(&entry.file_name().to_string_lossy()) {
            continue;
        }
        let path = entry.path();
        let ft = match entry.file_type() {
            Ok(ft) => ft,
            // Vanished between listing and stat (sled renames snapshots): nothing to do.
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(from_io(&e, &path)),
        };
        let res = if ft.is_dir() {
            tighten_all(&path)
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
