//! The store lock: `onshi.lock` with an exclusive `flock` and our PID inside, so a second
//! process (or a second `Store` in this process: flock locks belong to the open file, not
//! the process) gets a clear "in use by PID" error instead of sled's opaque one.
//!
//! A flock belongs to the open file description, which a forked child shares until it
//! execs. So when this process spawns a child just as a `Store` closes, the lock can
//! outlive the `Store` by a moment. To tell that apart from a second `Store` really open
//! here, stores open in this process are also registered by directory (device, inode).

use std::collections::BTreeSet;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use super::error::{from_io, StoreError};

pub(crate) const LOCK_FILE: &str = "onshi.lock";

/// Held for the life of a `Store`; the kernel releases it when the file closes, also when
/// the process is killed.
#[derive(Debug)]
pub(crate) struct StoreLock {
    key: (u64, u64),
    _file: File,
}

/// Store directories open in this process.
static OPEN_HERE: Mutex<BTreeSet<(u64, u64)>> = Mutex::new(BTreeSet::new());

/// How long a lock held under our own PID by no registered store may take to go away.
const OWN_PID_RETRIES: u32 = 100;
const OWN_PID_WAIT: Duration = Duration::from_millis(20);

impl StoreLock {
    pub(crate) fn acquire(dir: &Path) -> Result<StoreLock, StoreError> {
        let meta = std::fs::metadata(dir).map_err(|e| from_io(&e, dir))?;
        let key = (meta.dev(), meta.ino());
        // Held throughout, so check, lock and register are one step for this process.
        let mut open_here = OPEN_HERE.lock().unwrap_or_else(|p| p.into_inner());
        let own_pid = std::process::id();
        if open_here.contains(&key) {
            return Err(StoreError::InUse { pid: Some(own_pid) });
        }

        let path = dir.join(LOCK_FILE);
        // No truncate here: the file may belong to the current holder, whose PID we report.
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&path)
            .map_err(|e| from_io(&e, &path))?;
        let mut tries = 0;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) => {
                    let pid = read_pid(&mut file);
                    // Our PID but no store registered: a forked child's copy, about to go.
                    if pid == Some(own_pid) && tries < OWN_PID_RETRIES {
                        tries += 1;
                        std::thread::sleep(OWN_PID_WAIT);
                        continue;
                    }
                    return Err(StoreError::InUse { pid });
                }
                Err(TryLockError::Error(e)) => return Err(from_io(&e, &path)),
            }
        }
        // We hold the lock: record who we are for the next opener's message.
        let write = |file: &mut File| -> std::io::Result<()> {
            file.set_len(0)?;
            file.seek(SeekFrom::Start(0))?;
            writeln!(file, "{}", std::process::id())?;
            file.sync_all()
        };
        write(&mut file).map_err(|e| from_io(&e, &path))?;
        open_here.insert(key);
        Ok(StoreLock { key, _file: file })
    }
}

impl Drop for StoreLock {
    fn drop(&mut self) {
        OPEN_HERE
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.key);
    }
}

/// The holder may be between truncating and writing: then the PID is unknown.
fn read_pid(file: &mut File) -> Option<u32> {
    let mut s = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.take(64).read_to_string(&mut s).ok()?;
    s.trim().parse().ok()
}
