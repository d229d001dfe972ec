//! The one place where Linux and Windows differ (docs/platforms.md).
//!
//! Everything else in onshi is written once against this small API: private files and
//! directories, the check that a secret file is owner-only, typing a secret without echo,
//! "is that process alive" for the store lock, a durable rename for the `dir` target,
//! default locations, and how the console draws East Asian ambiguous-width characters.
//! `unix.rs` and `windows.rs` implement it; nothing outside this module uses `cfg` or
//! `unsafe` for platform reasons.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

#[cfg(unix)]
#[allow(unsafe_code)] // termios, umask, kill: the system calls this seam exists for
mod unix;
#[cfg(unix)]
use unix as imp;

#[cfg(windows)]
#[allow(unsafe_code)] // Win32 security, console and file calls
mod windows;
#[cfg(windows)]
use windows as imp;

/// Which operating system this build is for, for the few messages that name an OS tool
/// (`chmod` or `icacls`, pcscd or the Smart Card service).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Unix,
    Windows,
}

pub const OS: Os = imp::OS;

/// Who may read a file onshi creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sharing {
    /// The desk's user only (0600; a protected DACL for the user, SYSTEM and
    /// Administrators): the store and anything holding personal data.
    Owner,
    /// Also the owning group on Linux (0640), so a receipt system's picker in the share's
    /// group can read delivered files; on Windows the folder's inherited ACL applies.
    Group,
}

/// Create `dir` (and missing parents) and make `dir` itself private to the desk's user.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    imp::create_private_dir(dir)
}

/// Make an existing file or directory private to the desk's user (0600/0700, or the
/// protected DACL). A symlink is left alone: following it could change something outside.
pub fn make_private(path: &Path) -> io::Result<()> {
    imp::make_private(path)
}

/// Create a file for writing. `exclusive`: fail if it exists (no following a planted
/// link either); otherwise an existing file is truncated and its access narrowed first,
/// and a symlink at `path` is refused rather than followed.
pub fn create_file(path: &Path, sharing: Sharing, exclusive: bool) -> io::Result<File> {
    imp::create_file(path, sharing, exclusive)
}

/// Move `tmp` to `dest` (same directory) only if `dest` does not exist, atomically: an
/// existing `dest` (file, directory or link) is `AlreadyExists` and stays untouched.
/// Durable when this returns, like [`rename_durable`].
pub fn rename_no_replace(tmp: &Path, dest: &Path) -> io::Result<()> {
    imp::rename_no_replace(tmp, dest)
}

/// Make the entries of a directory durable (new, renamed or removed names): fsync of the
/// directory on Linux; on Windows nothing to do (renames are written through).
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    imp::sync_dir(dir)
}

/// While alive, files this process creates are private by default (umask 077 on Linux;
/// on Windows files inherit the store directory's DACL, so this does nothing). For
/// libraries such as sled that create files themselves.
pub struct PrivateCreation(#[allow(dead_code)] imp::PrivateCreation);

impl PrivateCreation {
    pub fn begin() -> PrivateCreation {
        PrivateCreation(imp::PrivateCreation::begin())
    }
}

/// Who besides the owner may read a secret file (a token or passphrase file), if anyone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exposure {
    /// What grants the access, for the message: `mode 0644`, or the Windows account names
    /// (`Everyone`, `Users`, `Authenticated Users`).
    pub detail: String,
}

/// Check an open secret file: `Ok(None)` when only its owner (and, on Windows, SYSTEM and
/// Administrators) can read it. Checks the open file, not the path, so it cannot be
/// swapped in between. `strict`: on Linux also refuse group/other write and execute bits
/// (the passphrase file), not only read bits (the token file).
pub fn secret_file_exposure(file: &File, strict: bool) -> io::Result<Option<Exposure>> {
    imp::secret_file_exposure(file, strict)
}

/// The command that makes `path` readable by its owner only, for the error message.
pub fn owner_only_fix(path: &Path) -> String {
    imp::owner_only_fix(path)
}

/// Where a secret line is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretInput {
    /// The controlling terminal or console (`/dev/tty`, `CONIN$`), so that standard input
    /// and output stay free for data (`onshi import -`, `export >`). The prompt goes there.
    Terminal,
    /// Standard input, without echo when it is a terminal or console; a plain line when it
    /// is a pipe (scripts, tests). The prompt goes to standard error.
    Stdin,
}

/// Prompt and read one line without echo; the line break is not part of the result.
/// End of input is `UnexpectedEof`. The text lives in a buffer that is wiped on drop.
pub fn read_secret_line(prompt: &str, from: SecretInput) -> io::Result<Zeroizing<String>> {
    let mut line = imp::read_secret_line(prompt, from)?;
    let keep = line.trim_end_matches(['\n', '\r']).len();
    line.truncate(keep);
    Ok(line)
}

/// Take an exclusive lock on an open file without waiting: `Ok(false)` when another
/// open file holds it. The OS drops it when the file closes or the process dies. On
/// Windows only a byte far past the end is locked, so others can still read the file
/// (the holder's PID in the store lock).
pub fn try_lock(file: &File) -> io::Result<bool> {
    imp::try_lock(file)
}

/// Whether a process with this PID is running (false when it cannot be known to be).
pub fn pid_alive(pid: u32) -> bool {
    imp::pid_alive(pid)
}

/// Identity of a directory that survives different spellings of its path (device and
/// inode; on Windows the volume serial and file index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct FileKey(u64, u64);

pub fn file_key(path: &Path) -> io::Result<FileKey> {
    imp::file_key(path).map(|(a, b)| FileKey(a, b))
}

/// Replace `dest` by `tmp` (same directory) so that the new name survives a power cut:
/// rename then flush the directory on Linux; `MoveFileEx` with write-through on Windows,
/// which also works on a UNC share (`\\server\share\inbox`).
pub fn rename_durable(tmp: &Path, dest: &Path) -> io::Result<()> {
    imp::rename_durable(tmp, dest)
}

/// What an I/O error means for the store, beyond `io::ErrorKind`: the OS codes differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IoClass {
    DiskFull,
    Permission,
    Other,
}

pub fn classify_io(e: &io::Error) -> IoClass {
    if let Some(class) = e.raw_os_error().and_then(imp::classify_os_error) {
        return class;
    }
    match e.kind() {
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => IoClass::DiskFull,
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => IoClass::Permission,
        _ => IoClass::Other,
    }
}

/// Whether a write failed because the reader of a pipe went away (`onshi export | head`):
/// `EPIPE` on Linux; on Windows `ERROR_BROKEN_PIPE`, `ERROR_NO_DATA` ("the pipe is being
/// closed") or `ERROR_PIPE_NOT_CONNECTED` (Wine), not all of which the standard library
/// reports as `BrokenPipe`.
pub fn is_closed_pipe(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe || e.raw_os_error().is_some_and(imp::closed_pipe_code)
}

/// The default store directory: `$XDG_DATA_HOME/onshi` (`~/.local/share/onshi`) on Linux,
/// `%LOCALAPPDATA%\onshi` on Windows; `./onshi-data` when neither can be found.
pub fn default_store_dir() -> PathBuf {
    imp::default_data_dir()
        .map(|d| d.join("onshi"))
        .unwrap_or_else(|| PathBuf::from("onshi-data"))
}

/// The default config file: `$XDG_CONFIG_HOME/onshi/config.toml` on Linux,
/// `%APPDATA%\onshi\config.toml` on Windows; `./onshi.toml` when neither can be found.
pub fn default_config_file() -> PathBuf {
    imp::default_config_dir()
        .map(|d| d.join("onshi").join("config.toml"))
        .unwrap_or_else(|| PathBuf::from("onshi.toml"))
}

/// Whether this console is known to draw East Asian ambiguous-width characters
/// (─ ▶ ※ ○ …) two cells wide: the classic Windows console on a Japanese (or other CJK)
/// code page. Windows Terminal and Linux terminals draw them narrow.
pub fn console_draws_ambiguous_wide() -> bool {
    imp::console_draws_ambiguous_wide()
}

fn env_path(var: &str) -> Option<PathBuf> {
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// For tests of "never follows a link": a symlink at `link` to the file `target`. `false`
/// only on Windows when the user lacks the privilege to make one; on Unix a failure
/// panics (the test would otherwise pass without checking links).
#[cfg(test)]
pub(crate) fn test_symlink(target: &Path, link: &Path) -> bool {
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(target, link).expect("symlink");
        true
    }
    #[cfg(windows)]
    {
        std::os::windows::fs::symlink_file(target, link).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclusive_creation_refuses_an_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("secret");
        create_file(&p, Sharing::Owner, true).unwrap();
        let again = create_file(&p, Sharing::Owner, true).unwrap_err();
        assert_eq!(again.kind(), io::ErrorKind::AlreadyExists);
        // Replacing is allowed when asked for.
        create_file(&p, Sharing::Owner, false).unwrap();
    }

    /// Not run under Wine, which keeps no DACLs (docs/platforms.md).
    #[test]
    fn private_file_and_dir_are_not_exposed() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("store");
        create_private_dir(&store).unwrap();
        let p = store.join("secret");
        let f = create_file(&p, Sharing::Owner, true).unwrap();
        assert_eq!(secret_file_exposure(&f, true).unwrap(), None);
        // A file the store directory's access rules apply to, made private afterwards.
        let q = store.join("later");
        std::fs::write(&q, b"x").unwrap();
        make_private(&q).unwrap();
        let f = File::open(&q).unwrap();
        assert_eq!(secret_file_exposure(&f, true).unwrap(), None);
    }

    #[test]
    fn lock_is_exclusive_between_open_files_and_leaves_the_file_readable() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("lock");
        std::fs::write(&p, b"1234\n").unwrap();
        let a = File::options().read(true).write(true).open(&p).unwrap();
        let b = File::options().read(true).write(true).open(&p).unwrap();
        assert!(try_lock(&a).unwrap());
        assert!(!try_lock(&b).unwrap());
        assert_eq!(std::fs::read(&p).unwrap(), b"1234\n");
        drop(a);
        assert!(try_lock(&b).unwrap());
    }

    #[test]
    fn own_pid_is_alive_and_a_free_pid_is_not() {
        assert!(pid_alive(std::process::id()));
        // Above Linux's pid_max (2^22) and far above what Windows hands out.
        assert!(!pid_alive(0x3FFF_FFFC));
        assert!(!pid_alive(0));
    }

    #[test]
    fn file_key_is_stable_across_spellings() {
        let dir = tempfile::tempdir().unwrap();
        let a = file_key(dir.path()).unwrap();
        let b = file_key(&dir.path().join(".")).unwrap();
        assert_eq!(a, b);
        let other = tempfile::tempdir().unwrap();
        assert_ne!(a, file_key(other.path()).unwrap());
    }

    #[test]
    fn rename_without_replacing_refuses_an_existing_name() {
        let dir = tempfile::tempdir().unwrap();
        let tmp = dir.path().join(".x.tmp");
        let dest = dir.path().join("x.txt");
        std::fs::write(&tmp, b"new").unwrap();
        rename_no_replace(&tmp, &dest).unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"new");
        assert!(!tmp.exists());
        std::fs::write(&tmp, b"newer").unwrap();
        let e = rename_no_replace(&tmp, &dest).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&dest).unwrap(), b"new");
        assert_eq!(std::fs::read(&tmp).unwrap(), b"newer");
        sync_dir(dir.path()).unwrap();
    }

    #[test]
    fn replacing_creation_does_not_follow_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        std::fs::write(&target, b"keep").unwrap();
        let link = dir.path().join("link");
        if !test_symlink(&target, &link) {
            // Creating a symlink needs a privilege a test user may lack (Windows).
            return;
        }
        assert!(create_file(&link, Sharing::Owner, false).is_err());
        assert!(create_file(&link, Sharing::Owner, true).is_err());
        assert_eq!(std::fs::read(&target).unwrap(), b"keep");
    }

    #[test]
    fn durable_rename_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let tmp = dir.path().join(".x.tmp");
        let dest = dir.path().join("x.json");
        std::fs::write(&dest, b"old").unwrap();
        std::fs::write(&tmp, b"new").unwrap();
        rename_durable(&tmp, &dest).unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"new");
        assert!(!tmp.exists());
    }

    #[test]
    fn disk_full_and_permission_are_recognised() {
        let full = io::Error::from(io::ErrorKind::StorageFull);
        assert_eq!(classify_io(&full), IoClass::DiskFull);
        let denied = io::Error::from(io::ErrorKind::PermissionDenied);
        assert_eq!(classify_io(&denied), IoClass::Permission);
        assert_eq!(
            classify_io(&io::Error::other("x")),
            IoClass::Other,
            "an error without an OS code"
        );
    }

    #[test]
    fn a_closed_pipe_is_recognised_and_other_errors_are_not() {
        assert!(is_closed_pipe(&io::Error::from(io::ErrorKind::BrokenPipe)));
        assert!(!is_closed_pipe(&io::Error::from(
            io::ErrorKind::StorageFull
        )));
        assert!(!is_closed_pipe(&io::Error::other("x")));
        #[cfg(windows)]
        for code in [109, 232, 233] {
            assert!(
                is_closed_pipe(&io::Error::from_raw_os_error(code)),
                "{code}"
            );
        }
        #[cfg(unix)]
        assert!(is_closed_pipe(&io::Error::from_raw_os_error(libc::EPIPE)));
    }

    #[test]
    fn fix_names_the_file() {
        let fix = owner_only_fix(Path::new("token"));
        assert!(fix.contains("token"), "{fix}");
    }
}
