//! Real faults for the fault tests: a small tmpfs that fills up, a read-only bind mount.
//!
//! Both need root with CAP_SYS_ADMIN, which the developers' machines and CI have (the
//! README's test command runs as root there). Without it the tests FAIL with a message
//! saying so: they never pass by skipping.
#![allow(dead_code)] // each test binary uses a different subset

use std::ffi::CString;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

fn cstr(p: &Path) -> CString {
    CString::new(p.as_os_str().as_bytes()).expect("path without NUL")
}

fn mount(src: &str, target: &Path, fstype: Option<&str>, flags: libc::c_ulong, data: Option<&str>) {
    let src = CString::new(src).expect("src");
    let target_c = cstr(target);
    let fstype = fstype.map(|s| CString::new(s).expect("fstype"));
    let data = data.map(|s| CString::new(s).expect("data"));
    // SAFETY: every pointer is a valid NUL-terminated string or null.
    let rc = unsafe {
        libc::mount(
            src.as_ptr(),
            target_c.as_ptr(),
            fstype.as_ref().map_or(std::ptr::null(), |s| s.as_ptr()),
            flags,
            data.as_ref()
                .map_or(std::ptr::null(), |s| s.as_ptr().cast()),
        )
    };
    if rc != 0 {
        let e = std::io::Error::last_os_error();
        panic!(
            "mount on {} failed: {e}. The fault tests need root with CAP_SYS_ADMIN (as on the \
             developers' machines and in CI) to mount a small tmpfs or a read-only bind mount; \
             they do not skip",
            target.display()
        );
    }
}

fn umount(target: &Path) {
    let t = cstr(target);
    // SAFETY: valid path string; MNT_DETACH never blocks on busy files.
    unsafe {
        libc::umount2(t.as_ptr(), libc::MNT_DETACH);
    }
}

/// A tmpfs of `size` (e.g. "2m") mounted on a fresh directory; unmounted when dropped.
pub struct Tmpfs {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl Tmpfs {
    pub fn new(size: &str) -> Tmpfs {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("mnt");
        std::fs::create_dir(&path).expect("mount point");
        mount(
            "tmpfs",
            &path,
            Some("tmpfs"),
            0,
            Some(&format!("size={size},mode=0700")),
        );
        Tmpfs { _dir: dir, path }
    }

    /// Free bytes as statvfs sees them.
    pub fn free(&self) -> u64 {
        let p = cstr(&self.path);
        let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
        // SAFETY: valid path and out-pointer.
        let rc = unsafe { libc::statvfs(p.as_ptr(), &mut st) };
        assert_eq!(rc, 0, "statvfs: {}", std::io::Error::last_os_error());
        st.f_bavail * st.f_frsize
    }

    /// Fill the file system until a write fails with ENOSPC; returns the filler's path.
    pub fn fill(&self) -> PathBuf {
        let filler = self.path.join("filler");
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&filler)
            .expect("filler");
        for chunk in [65536usize, 4096, 512, 1] {
            let buf = vec![0u8; chunk];
            loop {
                match f.write(&buf) {
                    Ok(n) if n == chunk => continue,
                    Ok(_) => break,
                    Err(e) if e.raw_os_error() == Some(libc::ENOSPC) => break,
                    Err(e) => panic!("filling the tmpfs: {e}"),
                }
            }
        }
        assert_eq!(self.free(), 0, "the tmpfs is full");
        filler
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        umount(&self.path);
    }
}

/// `dir` bind-mounted onto itself read-only (root's writes fail with EROFS, unlike mode
/// bits, which root ignores); the mount is removed when dropped.
pub struct ReadOnly {
    path: PathBuf,
}

impl ReadOnly {
    pub fn new(dir: &Path) -> ReadOnly {
        let src = dir.to_str().expect("utf-8 path").to_string();
        mount(&src, dir, None, libc::MS_BIND, None);
        let ro = ReadOnly {
            path: dir.to_path_buf(),
        };
        mount(
            "none",
            dir,
            None,
            libc::MS_REMOUNT | libc::MS_BIND | libc::MS_RDONLY,
            None,
        );
        // Really read-only, even for root.
        let probe = dir.join(".probe");
        let err = std::fs::write(&probe, b"x").expect_err("write on a read-only mount");
        assert_eq!(err.raw_os_error(), Some(libc::EROFS), "{err}");
        ro
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        umount(&self.path);
    }
}
