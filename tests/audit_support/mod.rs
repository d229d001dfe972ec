//! Helpers for the privacy, audit, paper, purge and export tests: a private desk (home,
//! store) that runs the real binary, and the personal values no log may contain.
#![allow(dead_code)] // each test binary uses a different subset

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use onshi::domain::record::Record;
use onshi::store::Store;

use crate::common::{bin, fixtures};

pub const PASSPHRASE: &str = "correct horse battery staple";

/// The personal values of the fixture record, in every spelling a log could leak them.
pub fn personal_values() -> Vec<String> {
    vec![
        fixtures::NAME.to_string(),
        "山田".to_string(),
        fixtures::KANA.to_string(),
        "ヤマダ".to_string(),
        fixtures::ADDRESS.to_string(),
        "霞が関".to_string(),
        fixtures::BIRTH_DATE.to_string(),
        "1981/04/01".to_string(),
        "昭和56年4月1日".to_string(),
        "S56.4.1".to_string(),
        fixtures::PHONE.to_string(),
    ]
}

/// Panic if `text` (what `what` produced) contains any personal value.
pub fn assert_no_personal(what: &str, text: &str) {
    for v in personal_values() {
        assert!(
            !text.contains(&v),
            "{what} contains the personal value {v:?}:\n{text}"
        );
    }
}

/// JSONL for `import` from records (as export writes them), without `operator` (the
/// importing operator signs them) and without a declared copay ratio (the form does not
/// ask it at the fixture's age).
pub fn import_jsonl(recs: &[Record]) -> String {
    recs.iter()
        .map(|r| {
            let mut v = serde_json::to_value(r).expect("json");
            v.as_object_mut().expect("object").remove("operator");
            v["declaration"]["copay_ratio"] = serde_json::Value::Null;
            v.to_string() + "\n"
        })
        .collect()
}

pub struct Desk {
    pub tmp: tempfile::TempDir,
    /// Every stderr the desk's commands produced, for the privacy checks.
    stderr_log: std::cell::RefCell<String>,
}

impl Desk {
    pub fn new() -> Desk {
        Desk {
            tmp: tempfile::tempdir().expect("tempdir"),
            stderr_log: Default::default(),
        }
    }

    pub fn home(&self) -> PathBuf {
        self.tmp.path().join("home")
    }

    pub fn store(&self) -> PathBuf {
        self.tmp.path().join("store")
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    /// Open the store with the library (plain or with [`PASSPHRASE`]).
    pub fn open(&self) -> Store {
        match Store::open(&self.store()) {
            Ok(s) => s,
            Err(onshi::store::StoreError::Locked) => {
                Store::open_with_passphrase(&self.store(), PASSPHRASE).expect("unlock")
            }
            Err(e) => panic!("open store: {e}"),
        }
    }

    /// Store `recs` as new records by `operator` through the library.
    pub fn seed(&self, recs: &[Record], operator: &str) {
        let store = self.open();
        for r in recs {
            store.insert_new(r, operator).expect("insert");
        }
    }

    /// Write the default config (`$XDG_CONFIG_HOME/onshi/config.toml`, or
    /// `%APPDATA%\onshi\config.toml`).
    pub fn config(&self, toml: &str) {
        let path = bin::default_config_file(&self.home());
        fs::create_dir_all(path.parent().expect("config dir")).expect("config dir");
        fs::write(path, toml).expect("config");
    }

    /// A passphrase file with `mode`.
    pub fn passphrase_file(&self, pass: &str, mode: u32) -> PathBuf {
        let p = self.path(&format!("pass-{mode:o}"));
        fs::write(&p, format!("{pass}\n")).expect("write passphrase");
        fs::set_permissions(&p, fs::Permissions::from_mode(mode)).expect("chmod");
        p
    }

    /// `onshi` in a clean environment: private home, no controlling terminal (so a
    /// passphrase prompt cannot hang), stdin closed.
    pub fn cmd(&self) -> Command {
        let mut c = bin::onshi();
        bin::private_home(&mut c, &self.home());
        c.env_remove("ONSHI_STORE")
            .env_remove("ONSHI_PASSPHRASE_FILE")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        // SAFETY: setsid is async-signal-safe and touches no memory of ours; it only
        // detaches the child from our controlling terminal.
        unsafe {
            c.pre_exec(|| {
                libc::setsid();
                Ok(())
            });
        }
        c
    }

    /// `onshi --store <store> ARGS…`, stderr recorded for [`Desk::all_stderr`].
    pub fn onshi(&self, args: &[&str]) -> Output {
        self.onshi_env(args, &[])
    }

    pub fn onshi_env(&self, args: &[&str], env: &[(&str, &Path)]) -> Output {
        let mut c = self.cmd();
        c.arg("--store").arg(self.store()).args(args);
        for (k, v) in env {
            c.env(k, v);
        }
        let out = c.output().expect("run onshi");
        self.stderr_log
            .borrow_mut()
            .push_str(&String::from_utf8_lossy(&out.stderr));
        out
    }

    /// Everything the commands run so far wrote to stderr.
    pub fn all_stderr(&self) -> String {
        self.stderr_log.borrow().clone()
    }
}

pub fn code(out: &Output) -> i32 {
    out.status
        .code()
        .expect("exit code (not killed by a signal)")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Assert success and return stdout as text.
pub fn ok(out: &Output) -> String {
    assert_eq!(code(out), 0, "failed: {}", text(&out.stderr));
    text(&out.stdout)
}

/// Every regular file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).expect("read dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.is_file() {
                out.push(p);
            }
        }
    }
    out
}

/// True if any file under `dir` contains `needle`'s bytes.
pub fn any_file_contains(dir: &Path, needle: &[u8]) -> bool {
    files_under(dir).iter().any(|p| {
        let data = fs::read(p).unwrap_or_default();
        data.windows(needle.len()).any(|w| w == needle)
    })
}
