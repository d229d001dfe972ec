//! The store lock: `onshi.lock` with an exclusive OS lock (`platform::try_lock`) and our
//! PID inside, so a second process (or a second `Store` in this process: the lock belongs
//! to the open file, not the process) gets a clear "in use by PID" error instead of
//! sled's opaque one.
//!
//! On Linux a flock belongs to the open file description, which a forked child shares
//! until it execs, so a lock can outlive its `Store` by a moment; on Windows the system
//! releases a dead process's locks soon but not at once. So a lock whose recorded holder
//! is this process (with no `Store` registered) or a process that is gone is waited for
//! briefly and then taken over. Stores open in this process are registered by directory
//! identity to tell that apart from a second `Store` really open here.

use std::collections::BTreeSet;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use super::error::{from_io, StoreError};
use crate::platform::{self, FileKey};

pub(crate) const LOCK_FILE: &str = "onshi.lock";

/// Held for the life of a `Store`; the kernel releases it when the file closes, also when
/// the process is killed.
#[derive(Debug)]
pub(crate) struct StoreLock {
    key: FileKey,
    _file: File,
}

/// Store directories open in this process.
static OPEN_HERE: Mutex<BTreeSet<FileKey>> = Mutex::new(BTreeSet::new());

/// How long a lock whose holder is gone (or is us, with no store registered) may take to
/// be released before it is reported as in use.
const LINGER_RETRIES: u32 = 100;
const LINGER_WAIT: Duration = Duration::from_millis(20);

impl StoreLock {
    pub(crate) fn acquire(dir: &Path) -> Result<StoreLock, StoreError> {
        let key = platform::file_key(dir).map_err(|e| from_io(&e, dir))?;
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
            .open(&path)
            .map_err(|e| from_io(&e, &path))?;
        platform::make_private(&path).map_err(|e| from_io(&e, &path))?;
        let mut tries = 0;
        loop {
            match platform::try_lock(&file) {
                Ok(true) => break,
                Ok(false) => {
                    let pid = read_pid(&mut file);
                    // Our PID with no store registered is a forked child's copy about to
                    // go; a dead holder's lock is about to be released by the system.
                    let lingering = pid.is_some_and(|p| p == own_pid || !platform::pid_alive(p));
                    if lingering && tries < LINGER_RETRIES {
                        tries += 1;
                        std::thread::sleep(LINGER_WAIT);
                        continue;
                    }
                    // Name the holder only when it is known to be running.
                    let live = pid.filter(|&p| p == own_pid || platform::pid_alive(p));
                    return Err(StoreError::InUse { pid: live });
                }
                Err(e) => return Err(from_io(&e, &path)),
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
