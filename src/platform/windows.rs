//! Windows side of the platform seam: protected DACLs (advapi32), the console's echo
//! mode, OpenProcess for the lock holder, MoveFileEx with write-through.
//!
//! A private file or directory gets a DACL with three ACEs — the desk's user, SYSTEM and
//! Administrators, full control — marked protected so nothing is inherited from the parent
//! (docs/platforms.md). On the store directory the ACEs are inheritable,
//! so the files sled creates there are private too.

use std::ffi::c_void;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead};
use std::mem::size_of;
use std::os::windows::ffi::OsStrExt;
use std::os::windows::fs::OpenOptionsExt;
use std::os::windows::io::AsRawHandle;
use std::path::{Path, PathBuf};
use std::ptr::{null, null_mut};

use windows_sys::Win32::Foundation::{
    CloseHandle, LocalFree, ERROR_ACCESS_DENIED, ERROR_BROKEN_PIPE, ERROR_DISK_FULL,
    ERROR_HANDLE_DISK_FULL, ERROR_IO_PENDING, ERROR_LOCK_VIOLATION, ERROR_NO_DATA,
    ERROR_PIPE_NOT_CONNECTED, ERROR_SUCCESS, ERROR_WRITE_PROTECT, GENERIC_ALL, GENERIC_READ,
    HANDLE, INVALID_HANDLE_VALUE, STILL_ACTIVE,
};
use windows_sys::Win32::Security::Authorization::{
    GetSecurityInfo, SetNamedSecurityInfoW, SE_FILE_OBJECT,
};
use windows_sys::Win32::Security::{
    AddAccessAllowedAceEx, CreateWellKnownSid, EqualSid, GetAce, GetLengthSid, GetTokenInformation,
    InitializeAcl, TokenUser, WinAuthenticatedUserSid, WinBuiltinAdministratorsSid,
    WinBuiltinUsersSid, WinLocalSystemSid, WinWorldSid, ACCESS_ALLOWED_ACE, ACE_HEADER, ACL,
    ACL_REVISION, CONTAINER_INHERIT_ACE, DACL_SECURITY_INFORMATION, INHERIT_ONLY_ACE,
    OBJECT_INHERIT_ACE, PROTECTED_DACL_SECURITY_INFORMATION, PSECURITY_DESCRIPTOR, PSID,
    SECURITY_MAX_SID_SIZE, TOKEN_QUERY, TOKEN_USER, WELL_KNOWN_SID_TYPE,
};
use windows_sys::Win32::Storage::FileSystem::{
    GetFileInformationByHandle, LockFileEx, MoveFileExW, BY_HANDLE_FILE_INFORMATION,
    FILE_ALL_ACCESS, FILE_FLAG_BACKUP_SEMANTICS, FILE_READ_DATA, LOCKFILE_EXCLUSIVE_LOCK,
    LOCKFILE_FAIL_IMMEDIATELY, MOVEFILE_REPLACE_EXISTING, MOVEFILE_WRITE_THROUGH,
};
use windows_sys::Win32::System::Console::{
    FlushConsoleInputBuffer, GetConsoleMode, GetConsoleOutputCP, GetStdHandle, ReadConsoleW,
    SetConsoleMode, WriteConsoleW, CONSOLE_MODE, ENABLE_ECHO_INPUT, STD_INPUT_HANDLE,
};
use windows_sys::Win32::System::SystemServices::ACCESS_ALLOWED_ACE_TYPE;
use windows_sys::Win32::System::Threading::{
    GetCurrentProcess, GetExitCodeProcess, OpenProcess, OpenProcessToken,
    PROCESS_QUERY_LIMITED_INFORMATION,
};
use windows_sys::Win32::System::IO::OVERLAPPED;

use zeroize::{Zeroize, Zeroizing};

use super::{env_path, Exposure, IoClass, Os, SecretInput, Sharing};

pub(super) const OS: Os = Os::Windows;

/// A NUL-terminated UTF-16 absolute path. Absolute because the security and move APIs
/// resolve relative paths against a per-drive current directory, not the process's.
fn wide(path: &Path) -> io::Result<Vec<u16>> {
    let abs = std::path::absolute(path)?;
    Ok(abs.as_os_str().encode_wide().chain(Some(0)).collect())
}

fn last_error() -> io::Error {
    io::Error::last_os_error()
}

/// Closes a handle on drop.
struct Handle(HANDLE);

impl Drop for Handle {
    fn drop(&mut self) {
        if !self.0.is_null() && self.0 != INVALID_HANDLE_VALUE {
            // SAFETY: a handle this module opened and owns.
            unsafe { CloseHandle(self.0) };
        }
    }
}

/// Frees a buffer the system allocated with LocalAlloc on drop.
struct Local(*mut c_void);

impl Drop for Local {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: the pointer came from an API documented to allocate with LocalAlloc.
            unsafe { LocalFree(self.0) };
        }
    }
}

/// A SID in a 4-byte aligned buffer (SIDs hold 32-bit sub-authorities).
struct Sid(Vec<u32>);

impl Sid {
    fn ptr(&self) -> PSID {
        self.0.as_ptr() as PSID
    }

    fn len(&self) -> usize {
        // SAFETY: the buffer holds a valid SID (built by CreateWellKnownSid or copied).
        unsafe { GetLengthSid(self.ptr()) as usize }
    }

    fn well_known(kind: WELL_KNOWN_SID_TYPE) -> io::Result<Sid> {
        let mut buf = vec![0u32; (SECURITY_MAX_SID_SIZE as usize).div_ceil(4)];
        let mut len = SECURITY_MAX_SID_SIZE;
        // SAFETY: `buf` has room for the largest SID; `len` says so.
        let ok = unsafe { CreateWellKnownSid(kind, null_mut(), buf.as_mut_ptr().cast(), &mut len) };
        if ok == 0 {
            return Err(last_error());
        }
        Ok(Sid(buf))
    }

    /// The user this process runs as.
    fn current_user() -> io::Result<Sid> {
        let mut token: HANDLE = null_mut();
        // SAFETY: GetCurrentProcess is a pseudo-handle; `token` receives a real one.
        if unsafe { OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) } == 0 {
            return Err(last_error());
        }
        let token = Handle(token);
        let mut len = 0u32;
        // SAFETY: a size query with no buffer; it fails and sets `len`.
        unsafe { GetTokenInformation(token.0, TokenUser, null_mut(), 0, &mut len) };
        if len == 0 {
            return Err(last_error());
        }
        let mut buf = vec![0u64; (len as usize).div_ceil(8)];
        // SAFETY: `buf` is `len` bytes, 8-byte aligned for TOKEN_USER.
        let ok = unsafe {
            GetTokenInformation(token.0, TokenUser, buf.as_mut_ptr().cast(), len, &mut len)
        };
        if ok == 0 {
            return Err(last_error());
        }
        // SAFETY: GetTokenInformation(TokenUser) filled a TOKEN_USER whose SID points into
        // `buf`; it is copied out before `buf` goes.
        unsafe {
            let user = &*(buf.as_ptr() as *const TOKEN_USER);
            let sid = user.User.Sid;
            let n = GetLengthSid(sid) as usize;
            let mut out = vec![0u32; n.div_ceil(4)];
            std::ptr::copy_nonoverlapping(sid as *const u8, out.as_mut_ptr().cast::<u8>(), n);
            Ok(Sid(out))
        }
    }
}

/// The desk's user, SYSTEM and Administrators with full control; inheritable for a
/// directory so files created in it get the same.
fn private_acl(dir: bool) -> io::Result<Vec<u32>> {
    let flags = if dir {
        OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE
    } else {
        0
    };
    let sids = [
        Sid::current_user()?,
        Sid::well_known(WinLocalSystemSid)?,
        Sid::well_known(WinBuiltinAdministratorsSid)?,
    ];
    build_acl(
        &sids
            .iter()
            .map(|s| (s, FILE_ALL_ACCESS, flags))
            .collect::<Vec<_>>(),
    )
}

/// An ACL of access-allowed ACEs (SID, access mask, ACE flags), in a 4-byte aligned
/// buffer.
fn build_acl(aces: &[(&Sid, u32, u32)]) -> io::Result<Vec<u32>> {
    let ace_base = size_of::<ACCESS_ALLOWED_ACE>() - size_of::<u32>();
    let size = size_of::<ACL>() + aces.iter().map(|(s, ..)| ace_base + s.len()).sum::<usize>();
    let mut acl = vec![0u32; size.div_ceil(4)];
    let acl_ptr = acl.as_mut_ptr() as *mut ACL;
    // SAFETY: `acl` is at least `size` bytes and 4-byte aligned.
    if unsafe { InitializeAcl(acl_ptr, (acl.len() * 4) as u32, ACL_REVISION) } == 0 {
        return Err(last_error());
    }
    for (sid, mask, flags) in aces {
        // SAFETY: the ACL was sized for these ACEs; each SID is valid.
        if unsafe { AddAccessAllowedAceEx(acl_ptr, ACL_REVISION, *flags, *mask, sid.ptr()) } == 0 {
            return Err(last_error());
        }
    }
    Ok(acl)
}

fn set_private(path: &Path, dir: bool) -> io::Result<()> {
    let acl = private_acl(dir)?;
    let name = wide(path)?;
    // SAFETY: `name` is NUL-terminated; `acl` is a valid ACL; owner, group and SACL are
    // left as they are (null).
    let r = unsafe {
        SetNamedSecurityInfoW(
            name.as_ptr(),
            SE_FILE_OBJECT,
            DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
            null_mut(),
            null_mut(),
            acl.as_ptr() as *const ACL,
            null(),
        )
    };
    if r != ERROR_SUCCESS {
        return Err(io::Error::from_raw_os_error(r as i32));
    }
    Ok(())
}

pub(super) fn create_private_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    set_private(dir, true)
}

pub(super) fn make_private(path: &Path) -> io::Result<()> {
    let meta = fs::symlink_metadata(path)?;
    if meta.file_type().is_symlink() {
        Ok(())
    } else {
        set_private(path, meta.is_dir())
    }
}

pub(super) fn create_file(path: &Path, sharing: Sharing, exclusive: bool) -> io::Result<File> {
    let mut opts = OpenOptions::new();
    opts.write(true);
    if exclusive {
        // CREATE_NEW fails on any existing name, a planted link included.
        opts.create_new(true);
    } else {
        // CreateFile would follow a symlink or junction: refuse one instead.
        match fs::symlink_metadata(path) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "refusing to write through a symbolic link",
                ))
            }
            _ => {}
        }
        opts.create(true).truncate(true);
    }
    let f = opts.open(path)?;
    if sharing == Sharing::Owner {
        set_private(path, false)?;
    }
    Ok(f)
}

pub(super) struct PrivateCreation;

impl PrivateCreation {
    pub(super) fn begin() -> PrivateCreation {
        PrivateCreation
    }
}

/// Access bits that let an ACE's holder read a file's contents.
const READ_BITS: u32 = FILE_READ_DATA | GENERIC_READ | GENERIC_ALL;

pub(super) fn secret_file_exposure(file: &File, _strict: bool) -> io::Result<Option<Exposure>> {
    let mut dacl: *mut ACL = null_mut();
    let mut sd: PSECURITY_DESCRIPTOR = null_mut();
    // SAFETY: the handle is open (with READ_CONTROL, part of read access); the DACL
    // pointer points into `sd`, which is freed by `_sd` after its last use.
    let r = unsafe {
        GetSecurityInfo(
            file.as_raw_handle() as HANDLE,
            SE_FILE_OBJECT,
            DACL_SECURITY_INFORMATION,
            null_mut(),
            null_mut(),
            &mut dacl,
            null_mut(),
            &mut sd,
        )
    };
    if r != ERROR_SUCCESS {
        return Err(io::Error::from_raw_os_error(r as i32));
    }
    let _sd = Local(sd);
    if dacl.is_null() {
        // A NULL DACL grants everyone everything.
        return Ok(Some(Exposure {
            detail: "Everyone (no access list)".to_string(),
        }));
    }
    // SAFETY: a valid ACL from GetSecurityInfo, alive while `_sd` is.
    unsafe { acl_exposure(dacl) }
}

/// Which of Everyone, Users and Authenticated Users an ACL lets read (allow ACEs that
/// apply to the object itself and carry a read right).
///
/// # Safety
/// `dacl` must point to a valid ACL.
unsafe fn acl_exposure(dacl: *const ACL) -> io::Result<Option<Exposure>> {
    let broad = [
        ("Everyone", Sid::well_known(WinWorldSid)?),
        ("Users", Sid::well_known(WinBuiltinUsersSid)?),
        (
            "Authenticated Users",
            Sid::well_known(WinAuthenticatedUserSid)?,
        ),
    ];
    let mut names: Vec<&str> = Vec::new();
    // SAFETY: per the contract `dacl` is valid; each ACE pointer from GetAce points inside
    // it and is read only as the type its header says.
    unsafe {
        for i in 0..u32::from((*dacl).AceCount) {
            let mut ace: *mut c_void = null_mut();
            if GetAce(dacl, i, &mut ace) == 0 {
                return Err(last_error());
            }
            let header = &*(ace as *const ACE_HEADER);
            if u32::from(header.AceType) != ACCESS_ALLOWED_ACE_TYPE
                || u32::from(header.AceFlags) & INHERIT_ONLY_ACE != 0
            {
                continue;
            }
            let allowed = &*(ace as *const ACCESS_ALLOWED_ACE);
            if allowed.Mask & READ_BITS == 0 {
                continue;
            }
            let sid = &allowed.SidStart as *const u32 as PSID;
            for (name, broad_sid) in &broad {
                if EqualSid(sid, broad_sid.ptr()) != 0 && !names.contains(name) {
                    names.push(name);
                }
            }
        }
    }
    Ok((!names.is_empty()).then(|| Exposure {
        detail: names.join(", "),
    }))
}

pub(super) fn owner_only_fix(path: &Path) -> String {
    // Inherited ACEs off, the user alone granted; explicit grants to the broad groups
    // (Everyone, Authenticated Users, Users) removed by their well-known SIDs.
    format!(
        "icacls \"{}\" /inheritance:r /grant:r \"%USERNAME%:F\" /remove:g *S-1-1-0 *S-1-5-11 *S-1-5-32-545",
        path.display()
    )
}

/// Turns echo off on a console input handle for its lifetime (restored on drop).
struct EchoOff {
    handle: HANDLE,
    saved: Option<CONSOLE_MODE>,
}

impl EchoOff {
    fn new(handle: HANDLE) -> EchoOff {
        let mut mode: CONSOLE_MODE = 0;
        // SAFETY: a console input handle; failures leave the mode as it was.
        unsafe {
            if GetConsoleMode(handle, &mut mode) == 0 {
                return EchoOff {
                    handle,
                    saved: None,
                };
            }
            if SetConsoleMode(handle, mode & !ENABLE_ECHO_INPUT) == 0 {
                return EchoOff {
                    handle,
                    saved: None,
                };
            }
            // As TCSAFLUSH on Unix: keys typed before the prompt (e.g. while the desk's
            // first frame was up) are not taken as the start of the secret.
            FlushConsoleInputBuffer(handle);
        }
        EchoOff {
            handle,
            saved: Some(mode),
        }
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        if let Some(mode) = self.saved {
            // SAFETY: restores the mode read in `new` on the same handle.
            unsafe { SetConsoleMode(self.handle, mode) };
        }
    }
}

fn is_console(handle: HANDLE) -> bool {
    let mut mode: CONSOLE_MODE = 0;
    // SAFETY: GetConsoleMode only reads the handle's mode; it fails on a non-console.
    unsafe { GetConsoleMode(handle, &mut mode) != 0 }
}

/// Write to a console output handle as UTF-16, so Japanese prompts show on any code page.
fn write_console(handle: HANDLE, text: &str) -> io::Result<()> {
    let units: Vec<u16> = text.encode_utf16().collect();
    let mut written = 0u32;
    // SAFETY: `units` is valid for its length; `written` receives the count.
    let ok = unsafe {
        WriteConsoleW(
            handle,
            units.as_ptr(),
            units.len() as u32,
            &mut written,
            null(),
        )
    };
    if ok == 0 {
        return Err(last_error());
    }
    Ok(())
}

/// Read one line from a console input handle as UTF-16 (ReadFile would hand back bytes
/// in the console's code page, CP932 on a Japanese terminal).
fn read_console_line(handle: HANDLE) -> io::Result<Zeroizing<String>> {
    let mut units: Zeroizing<Vec<u16>> = Zeroizing::new(Vec::with_capacity(512));
    let mut chunk = [0u16; 256];
    loop {
        let mut got = 0u32;
        // SAFETY: `chunk` has room for the count passed; `got` receives how many came.
        let ok = unsafe {
            ReadConsoleW(
                handle,
                chunk.as_mut_ptr().cast(),
                chunk.len() as u32,
                &mut got,
                null(),
            )
        };
        if ok == 0 {
            chunk.zeroize();
            return Err(last_error());
        }
        let got = got as usize;
        if got == 0 {
            break;
        }
        if units.len() + got > units.capacity() {
            // Grow by hand so no unwiped copy is left behind by a reallocation.
            let mut bigger = Zeroizing::new(Vec::with_capacity((units.len() + got) * 2));
            bigger.extend_from_slice(&units);
            units = bigger;
        }
        units.extend_from_slice(&chunk[..got]);
        if chunk[..got].contains(&u16::from(b'\n')) {
            break;
        }
    }
    chunk.zeroize();
    if units.is_empty() {
        return Err(io::Error::from(io::ErrorKind::UnexpectedEof));
    }
    let text = String::from_utf16(&units)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not UTF-16"))?;
    Ok(Zeroizing::new(text))
}

pub(super) fn read_secret_line(prompt: &str, from: SecretInput) -> io::Result<Zeroizing<String>> {
    match from {
        SecretInput::Terminal => {
            let input = OpenOptions::new().read(true).write(true).open("CONIN$")?;
            let output = OpenOptions::new().write(true).open("CONOUT$")?;
            let in_h = input.as_raw_handle() as HANDLE;
            let out_h = output.as_raw_handle() as HANDLE;
            write_console(out_h, prompt)?;
            let line = {
                let _echo = EchoOff::new(in_h);
                read_console_line(in_h)?
            };
            write_console(out_h, "\r\n")?;
            Ok(line)
        }
        SecretInput::Stdin => {
            // SAFETY: GetStdHandle returns the process's handle without transferring it.
            let in_h = unsafe { GetStdHandle(STD_INPUT_HANDLE) };
            eprint!("{prompt}");
            if is_console(in_h) {
                let line = {
                    let _echo = EchoOff::new(in_h);
                    read_console_line(in_h)?
                };
                eprintln!();
                Ok(line)
            } else {
                let stdin = io::stdin();
                let mut line = Zeroizing::new(String::with_capacity(256));
                if stdin.lock().read_line(&mut line)? == 0 {
                    return Err(io::Error::from(io::ErrorKind::UnexpectedEof));
                }
                Ok(line)
            }
        }
    }
}

/// The locked byte: far past any content, so reading the file is never blocked.
const LOCK_OFFSET: u64 = 1 << 62;

pub(super) fn try_lock(file: &File) -> io::Result<bool> {
    // SAFETY: an all-zero OVERLAPPED is valid; the offset says which byte to lock.
    let mut ov: OVERLAPPED = unsafe { std::mem::zeroed() };
    ov.Anonymous.Anonymous.Offset = LOCK_OFFSET as u32;
    ov.Anonymous.Anonymous.OffsetHigh = (LOCK_OFFSET >> 32) as u32;
    // SAFETY: an open file handle and a valid OVERLAPPED for a synchronous call.
    let ok = unsafe {
        LockFileEx(
            file.as_raw_handle() as HANDLE,
            LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY,
            0,
            1,
            0,
            &mut ov,
        )
    };
    if ok != 0 {
        return Ok(true);
    }
    let e = last_error();
    match e.raw_os_error().and_then(|c| u32::try_from(c).ok()) {
        Some(ERROR_LOCK_VIOLATION) | Some(ERROR_IO_PENDING) => Ok(false),
        _ => Err(e),
    }
}

pub(super) fn pid_alive(pid: u32) -> bool {
    if pid == 0 {
        return false;
    }
    // SAFETY: OpenProcess with query rights only; the handle is closed by `Handle`.
    let h = unsafe { OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid) };
    if h.is_null() {
        // It exists but we may not look at it (another user's, elevated).
        return io::Error::last_os_error().raw_os_error() == Some(ERROR_ACCESS_DENIED as i32);
    }
    let h = Handle(h);
    let mut code = 0u32;
    // SAFETY: a process handle opened with query rights.
    if unsafe { GetExitCodeProcess(h.0, &mut code) } == 0 {
        return false;
    }
    code == STILL_ACTIVE as u32
}

pub(super) fn file_key(path: &Path) -> io::Result<(u64, u64)> {
    // Directories open only with backup semantics.
    let f = OpenOptions::new()
        .read(true)
        .custom_flags(FILE_FLAG_BACKUP_SEMANTICS)
        .open(path)?;
    // SAFETY: an all-zero BY_HANDLE_FILE_INFORMATION is valid; the call fills it.
    let mut info: BY_HANDLE_FILE_INFORMATION = unsafe { std::mem::zeroed() };
    // SAFETY: an open handle and a properly sized out-struct.
    if unsafe { GetFileInformationByHandle(f.as_raw_handle() as HANDLE, &mut info) } == 0 {
        return Err(last_error());
    }
    let index = (u64::from(info.nFileIndexHigh) << 32) | u64::from(info.nFileIndexLow);
    Ok((u64::from(info.dwVolumeSerialNumber), index))
}

pub(super) fn rename_durable(tmp: &Path, dest: &Path) -> io::Result<()> {
    let from = wide(tmp)?;
    let to = wide(dest)?;
    // SAFETY: both names are NUL-terminated UTF-16.
    let ok = unsafe {
        MoveFileExW(
            from.as_ptr(),
            to.as_ptr(),
            MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH,
        )
    };
    if ok == 0 {
        return Err(last_error());
    }
    Ok(())
}

pub(super) fn rename_no_replace(tmp: &Path, dest: &Path) -> io::Result<()> {
    let from = wide(tmp)?;
    let to = wide(dest)?;
    // SAFETY: both names are NUL-terminated UTF-16. Without MOVEFILE_REPLACE_EXISTING the
    // move fails on an existing destination (ERROR_ALREADY_EXISTS / ERROR_FILE_EXISTS).
    let ok = unsafe { MoveFileExW(from.as_ptr(), to.as_ptr(), MOVEFILE_WRITE_THROUGH) };
    if ok == 0 {
        return Err(last_error());
    }
    Ok(())
}

pub(super) fn sync_dir(_dir: &Path) -> io::Result<()> {
    // A directory cannot be flushed through a plain handle on Windows; the renames that
    // need it are made with MOVEFILE_WRITE_THROUGH.
    Ok(())
}

pub(super) fn closed_pipe_code(code: i32) -> bool {
    u32::try_from(code).is_ok_and(|c| {
        matches!(
            c,
            ERROR_BROKEN_PIPE | ERROR_NO_DATA | ERROR_PIPE_NOT_CONNECTED
        )
    })
}

pub(super) fn classify_os_error(code: i32) -> Option<IoClass> {
    let code = u32::try_from(code).ok()?;
    match code {
        ERROR_DISK_FULL | ERROR_HANDLE_DISK_FULL => Some(IoClass::DiskFull),
        ERROR_ACCESS_DENIED | ERROR_WRITE_PROTECT => Some(IoClass::Permission),
        _ => None,
    }
}

pub(super) fn default_data_dir() -> Option<PathBuf> {
    env_path("LOCALAPPDATA")
}

pub(super) fn default_config_dir() -> Option<PathBuf> {
    env_path("APPDATA")
}

pub(super) fn console_draws_ambiguous_wide() -> bool {
    // Windows Terminal draws ambiguous characters narrow whatever the code page.
    if std::env::var_os("WT_SESSION").is_some() {
        return false;
    }
    // SAFETY: no arguments; returns the console's output code page (0 without a console).
    let cp = unsafe { GetConsoleOutputCP() };
    // Japanese, Simplified Chinese, Korean, Traditional Chinese.
    matches!(cp, 932 | 936 | 949 | 950)
}

#[cfg(test)]
mod tests {
    //! These run under Wine in CI (docs/platforms.md). Wine keeps no DACL on disk (it
    //! derives one from the Unix mode bits), so the ACLs are checked as built and
    //! evaluated here; that they stick to files is seen only on a real Windows PC.
    use super::*;
    use windows_sys::Win32::Storage::FileSystem::{FILE_GENERIC_READ, FILE_WRITE_DATA};

    fn aces(acl: &[u32]) -> Vec<(u8, u32)> {
        let acl = acl.as_ptr() as *const ACL;
        let mut out = Vec::new();
        // SAFETY: `acl` was built by build_acl.
        unsafe {
            for i in 0..u32::from((*acl).AceCount) {
                let mut ace: *mut c_void = null_mut();
                assert_ne!(GetAce(acl, i, &mut ace), 0);
                let a = &*(ace as *const ACCESS_ALLOWED_ACE);
                out.push((a.Header.AceFlags, a.Mask));
            }
        }
        out
    }

    #[test]
    fn private_acl_grants_user_system_and_administrators_only() {
        let file = private_acl(false).unwrap();
        assert_eq!(aces(&file), vec![(0, FILE_ALL_ACCESS); 3]);
        // SAFETY: built by build_acl.
        assert_eq!(
            unsafe { acl_exposure(file.as_ptr() as *const ACL) }.unwrap(),
            None
        );
        let dir = private_acl(true).unwrap();
        let inherit = (OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE) as u8;
        assert_eq!(aces(&dir), vec![(inherit, FILE_ALL_ACCESS); 3]);
    }

    #[test]
    fn broad_read_grants_are_named() {
        let everyone = Sid::well_known(WinWorldSid).unwrap();
        let users = Sid::well_known(WinBuiltinUsersSid).unwrap();
        let auth = Sid::well_known(WinAuthenticatedUserSid).unwrap();
        let me = Sid::current_user().unwrap();
        let cases: Vec<(Vec<(&Sid, u32, u32)>, Option<&str>)> = vec![
            (vec![(&me, FILE_ALL_ACCESS, 0)], None),
            (
                vec![(&me, FILE_ALL_ACCESS, 0), (&everyone, FILE_GENERIC_READ, 0)],
                Some("Everyone"),
            ),
            (vec![(&users, GENERIC_READ, 0)], Some("Users")),
            (
                vec![(&auth, FILE_READ_DATA, 0), (&users, GENERIC_ALL, 0)],
                Some("Authenticated Users, Users"),
            ),
            // Inherit-only ACEs do not apply to the file itself.
            (
                vec![(
                    &everyone,
                    FILE_GENERIC_READ,
                    INHERIT_ONLY_ACE | OBJECT_INHERIT_ACE,
                )],
                None,
            ),
            // Writing without reading does not expose the secret.
            (vec![(&everyone, FILE_WRITE_DATA, 0)], None),
        ];
        for (entries, want) in cases {
            let acl = build_acl(&entries).unwrap();
            // SAFETY: built by build_acl.
            let got = unsafe { acl_exposure(acl.as_ptr() as *const ACL) }.unwrap();
            assert_eq!(got.map(|e| e.detail).as_deref(), want);
        }
    }

    #[test]
    fn windows_error_codes_classify() {
        use crate::platform::classify_io;
        for (code, class) in [
            (ERROR_DISK_FULL, IoClass::DiskFull),
            (ERROR_HANDLE_DISK_FULL, IoClass::DiskFull),
            (ERROR_ACCESS_DENIED, IoClass::Permission),
            (ERROR_WRITE_PROTECT, IoClass::Permission),
            // ERROR_INVALID_FUNCTION: errno 1 (EPERM) on Linux, no permission problem here.
            (1, IoClass::Other),
        ] {
            let e = io::Error::from_raw_os_error(code as i32);
            assert_eq!(classify_io(&e), class, "code {code}");
        }
    }

    #[test]
    fn fix_command_uses_icacls() {
        let fix = owner_only_fix(Path::new(r"C:\onshi\token"));
        assert!(
            fix.starts_with(r#"icacls "C:\onshi\token" /inheritance:r"#),
            "{fix}"
        );
    }
}
