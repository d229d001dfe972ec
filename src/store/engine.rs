//! Opening sled safely: after a crash it may have left a half-written snapshot, and
//! after a drop in this process its own file lock may linger for a moment.

use std::path::Path;
use std::time::Duration;

use super::error::{self, from_sled, StoreError};

/// sled releases its own file lock on `db` only once its background work has let go of the
/// file, which can lag a dropped `Store` in this process by a moment. We already hold
/// `onshi.lock`, so a sled lock failure can only be that lag: retry briefly.
pub(super) fn open_sled(dir: &Path) -> Result<sled::Db, StoreError> {
    remove_interrupted_snapshots(dir)?;
    let mut tries = 0;
    loop {
        match sled::Config::new().path(dir).open() {
            Ok(db) => return Ok(db),
            Err(sled::Error::Io(e))
                if tries < 100 && e.to_string().contains("could not acquire lock") =>
            {
                tries += 1;
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => return Err(from_sled(e, dir)),
        }
    }
}

/// sled writes a new snapshot at open as `snap.<lsn>.generating` and renames it only after
/// an fsync. A process killed (or a power cut) before the rename leaves the file behind,
/// and sled 0.34 would then read that partial file as the newest snapshot and report the
/// store corrupt. It is never complete, and sled recovers from the previous snapshot plus
/// its log, so it is removed before opening (spacejam/sled issues 1527, 1533).
fn remove_interrupted_snapshots(dir: &Path) -> Result<(), StoreError> {
    let io = |e: std::io::Error| error::from_io(&e, dir);
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("snap.") && name.ends_with(".generating") {
            std::fs::remove_file(entry.path()).map_err(io)?;
        }
    }
    Ok(())
}
