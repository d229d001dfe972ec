//! Linux (and other Unix) side of the platform seam: file modes, umask, termios, kill(0).

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, IsTerminal, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use zeroize::Zeroizing;

use super::{env_path, Exposure, IoClass, Os, SecretInput, Sharing};

pub(super) const OS: Os = Os::Unix;

const DIR_MODE: u32 = 0o700;
const FILE_MODE: u32 = 0o600;
const GROUP_FILE_MODE: u32 = 0o640;

pub(super) fn create_private_dir(dir: &Path) -> io::Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)?;
    set_mode(dir, DIR_MODE)
}

pub(super) fn make_private(path: &Path) -> io::Result<()> {
    let meta = fs::symlink_metadata(path)?;
    if meta.is_dir() {
        set_mode(path, DIR_MODE)
    } else if meta.is_file() {
        set_mode(path, FILE_MODE)
    } else {
        Ok(())
    }
}

fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    let meta = fs::symlink_metadata(path)?;
    if meta.permissions().mode() & 0o7777 != mode {
        fs::set_permissions(path, fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}

pub(super) fn create_file(path: &Path, sharing: Sharing, exclusive: bool) -> io::Result<File> {
    let mode = match sharing {
        Sharing::Owner => FILE_MODE,
        Sharing::Group => GROUP_FILE_MODE,
    };
    let mut opts = OpenOptions::new();
    opts.write(true).mode(mode);
    if exclusive {
        // O_CREAT|O_EXCL never follows a symlink at the final component.
        opts.create_new(true);
    } else {
        // O_NOFOLLOW: a planted link fails (ELOOP) instead of redirecting the write.
        opts.create(true)
            .truncate(true)
            .custom_flags(libc::O_NOFOLLOW);
    }
    let f = opts.open(path)?;
    // An existing file keeps its mode on open: narrow it before anything is written.
    if f.metadata()?.permissions().mode() & 0o7777 != mode {
        f.set_permissions(fs::Permissions::from_mode(mode))?;
    }
    Ok(f)
}

/// The umask is process-wide: serialise our changes so two opens on different threads do
/// not restore each other's value.
static UMASK_LOCK: Mutex<()> = Mutex::new(());

pub(super) struct PrivateCreation {
    old: libc::mode_t,
    _serial: MutexGuard<'static, ()>,
}

impl PrivateCreation {
    pub(super) fn begin() -> PrivateCreation {
        // A poisoned lock only means another open panicked; the umask value is still ours.
        let serial = UMASK_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        // SAFETY: umask has no memory-safety preconditions; it only swaps a process value.
        let old = unsafe { libc::umask(0o077) };
        PrivateCreation {
            old,
            _serial: serial,
        }
    }
}

impl Drop for PrivateCreation {
    fn drop(&mut self) {
        // SAFETY: as above.
        unsafe {
            libc::umask(self.old);
        }
    }
}

pub(super) fn secret_file_exposure(file: &File, strict: bool) -> io::Result<Option<Exposure>> {
    let mode = file.metadata()?.mode();
    let forbidden = if strict { 0o077 } else { 0o044 };
    Ok((mode & forbidden != 0).then(|| Exposure {
        detail: format!("mode {:04o}", mode & 0o7777),
    }))
}

pub(super) fn owner_only_fix(path: &Path) -> String {
    format!("chmod 600 {}", path.display())
}

pub(super) fn read_secret_line(prompt: &str, from: SecretInput) -> io::Result<Zeroizing<String>> {
    // Capacity up front so reading does not reallocate and leave copies behind.
    let mut line = Zeroizing::new(String::with_capacity(256));
    match from {
        SecretInput::Terminal => {
            let mut tty = OpenOptions::new().read(true).write(true).open("/dev/tty")?;
            write!(tty, "{prompt}")?;
            tty.flush()?;
            let n = {
                let _echo = EchoOff::new(tty.as_raw_fd());
                BufReader::new(&tty).read_line(&mut line)?
            };
            writeln!(tty)?;
            eof_if_empty(n)?;
        }
        SecretInput::Stdin => {
            let stdin = io::stdin();
            eprint!("{prompt}");
            io::stderr().flush()?;
            let n = if stdin.is_terminal() {
                let _echo = EchoOff::new(stdin.as_raw_fd());
                let n = stdin.lock().read_line(&mut line)?;
                eprintln!();
                n
            } else {
                stdin.lock().read_line(&mut line)?
            };
            eof_if_empty(n)?;
        }
    }
    Ok(line)
}

fn eof_if_empty(n: usize) -> io::Result<()> {
    if n == 0 {
        Err(io::Error::from(io::ErrorKind::UnexpectedEof))
    } else {
        Ok(())
    }
}

/// Turns echo off on a terminal for its lifetime (restored on drop, also on panic).
struct EchoOff {
    fd: RawFd,
    saved: Option<libc::termios>,
}

impl EchoOff {
    fn new(fd: RawFd) -> EchoOff {
        // SAFETY: tcgetattr/tcsetattr on an open fd with a zeroed, properly sized termios;
        // a failure leaves echo as it was.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(fd, &mut t) != 0 {
                return EchoOff { fd, saved: None };
            }
            let saved = t;
            t.c_lflag &= !(libc::ECHO | libc::ECHOE | libc::ECHOK | libc::ECHONL);
            if libc::tcsetattr(fd, libc::TCSAFLUSH, &t) != 0 {
                return EchoOff { fd, saved: None };
            }
            EchoOff {
                fd,
                saved: Some(saved),
            }
        }
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        if let Some(saved) = self.saved.as_ref() {
            // SAFETY: restores the attributes read in `new` on the same fd.
            unsafe {
                libc::tcsetattr(self.fd, libc::TCSAFLUSH, saved);
            }
        }
    }
}

pub(super) fn try_lock(file: &File) -> io::Result<bool> {
    // flock: the lock belongs to the open file description.
    match file.try_lock() {
        Ok(()) => Ok(true),
        Err(fs::TryLockError::WouldBlock) => Ok(false),
        Err(fs::TryLockError::Error(e)) => Err(e),
    }
}

pub(super) fn pid_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    // SAFETY: signal 0 only checks that the process exists and may be signalled.
    let r = unsafe { libc::kill(pid, 0) };
    // EPERM: it exists but belongs to another user.
    r == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

pub(super) fn file_key(path: &Path) -> io::Result<(u64, u64)> {
    let meta = fs::metadata(path)?;
    Ok((meta.dev(), meta.ino()))
}

pub(super) fn rename_durable(tmp: &Path, dest: &Path) -> io::Result<()> {
    fs::rename(tmp, dest)?;
    // The rename is durable only once the directory is.
    let dir = dest.parent().filter(|p| !p.as_os_str().is_empty());
    File::open(dir.unwrap_or(Path::new(".")))?.sync_all()
}

pub(super) fn rename_no_replace(tmp: &Path, dest: &Path) -> io::Result<()> {
    // A hard link fails with EEXIST on any existing name and never replaces; then the
    // temporary name goes. Filesystems without hard links (FAT on a USB stick, some
    // shares) get renameat2(RENAME_NOREPLACE) where Linux has it for them.
    match fs::hard_link(tmp, dest) {
        Ok(()) => {
            fs::remove_file(tmp)?;
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Err(e),
        Err(link_err) => rename_noreplace_fallback(tmp, dest, link_err)?,
    }
    sync_dir(
        dest.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new(".")),
    )
}

#[cfg(target_os = "linux")]
fn rename_noreplace_fallback(tmp: &Path, dest: &Path, _link_err: io::Error) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))
    };
    let (from, to) = (c(tmp)?, c(dest)?);
    // SAFETY: two NUL-terminated paths relative to the current directory; no memory is
    // handed over.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            from.as_ptr(),
            libc::AT_FDCWD,
            to.as_ptr(),
            libc::RENAME_NOREPLACE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn rename_noreplace_fallback(_tmp: &Path, _dest: &Path, link_err: io::Error) -> io::Result<()> {
    Err(link_err)
}

pub(super) fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

pub(super) fn closed_pipe_code(code: i32) -> bool {
    code == libc::EPIPE
}

pub(super) fn classify_os_error(code: i32) -> Option<IoClass> {
    match code {
        libc::ENOSPC | libc::EDQUOT => Some(IoClass::DiskFull),
        libc::EACCES | libc::EPERM | libc::EROFS => Some(IoClass::Permission),
        _ => None,
    }
}

pub(super) fn default_data_dir() -> Option<PathBuf> {
    env_path("XDG_DATA_HOME").or_else(|| env_path("HOME").map(|h| h.join(".local/share")))
}

pub(super) fn default_config_dir() -> Option<PathBuf> {
    env_path("XDG_CONFIG_HOME").or_else(|| env_path("HOME").map(|h| h.join(".config")))
}

pub(super) fn console_draws_ambiguous_wide() -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::classify_io;

    #[test]
    fn errno_codes_classify() {
        for (code, class) in [
            (libc::ENOSPC, IoClass::DiskFull),
            (libc::EDQUOT, IoClass::DiskFull),
            (libc::EACCES, IoClass::Permission),
            (libc::EPERM, IoClass::Permission),
            (libc::EROFS, IoClass::Permission),
            (libc::EIO, IoClass::Other),
        ] {
            assert_eq!(
                classify_io(&io::Error::from_raw_os_error(code)),
                class,
                "errno {code}"
            );
        }
    }

    #[test]
    fn group_readable_secret_is_exposed_and_strict_also_refuses_write_bits() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t");
        fs::write(&p, b"x").unwrap();
        for (mode, lax, strict) in [
            (0o600, false, false),
            (0o640, true, true),
            (0o604, true, true),
            (0o620, false, true),
        ] {
            fs::set_permissions(&p, fs::Permissions::from_mode(mode)).unwrap();
            let f = File::open(&p).unwrap();
            let e = secret_file_exposure(&f, false).unwrap();
            assert_eq!(e.is_some(), lax, "{mode:o}");
            assert_eq!(
                secret_file_exposure(&f, true).unwrap().is_some(),
                strict,
                "{mode:o}"
            );
            if let Some(e) = e {
                assert_eq!(e.detail, format!("mode {mode:04o}"));
            }
        }
    }

    #[test]
    fn private_creation_masks_group_and_others() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        {
            let _g = PrivateCreation::begin();
            File::create(&p).unwrap();
        }
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}
