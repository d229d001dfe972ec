//! Broken configuration, with the real binary: a corrupt config file or keymap stops onshi
//! before it touches the terminal or the store, with exit 2 and a message that names the
//! file and the line (README: "the app does not start half-configured").

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

mod common;

use common::bin;

struct Desk {
    tmp: tempfile::TempDir,
}

impl Desk {
    fn new() -> Desk {
        Desk {
            tmp: tempfile::tempdir().unwrap(),
        }
    }
    fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }
    fn store(&self) -> PathBuf {
        self.path("store")
    }
    fn write(&self, name: &str, text: &[u8]) -> PathBuf {
        let p = self.path(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }
    /// onshi with a private home (no real config is read), no terminal, no stdin.
    fn run(&self, args: &[&str]) -> (Option<i32>, String) {
        let mut c = bin::onshi();
        bin::private_home(&mut c, &self.path("home"));
        let Output { status, stderr, .. } = c
            .arg("--store")
            .arg(self.store())
            .args(args)
            .env_remove("ONSHI_STORE")
            .stdin(Stdio::null())
            .output()
            .expect("run onshi");
        (status.code(), String::from_utf8_lossy(&stderr).into_owned())
    }
}

/// Exit 2, the file and line named, no panic, no terminal escape codes, no store made.
fn assert_refused(d: &Desk, (code, err): (Option<i32>, String), file: &Path, line: Option<usize>) {
    assert_eq!(code, Some(2), "exit 2: {err}");
    let named = match line {
        Some(l) => format!("{}:{l}:", file.display()),
        None => format!("{}", file.display()),
    };
    assert!(err.contains(&named), "names {named}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        !err.contains('\u{1b}'),
        "the terminal was not touched: {err:?}"
    );
    assert_eq!(err.lines().count(), 1, "one clear line: {err}");
    assert!(
        !d.store().exists(),
        "nothing was created before the refusal"
    );
}

#[test]
fn corrupt_config_file_names_file_and_line() {
    let d = Desk::new();
    let cases: [(&str, &[u8], usize); 6] = [
        (
            "syntax.toml",
            b"terminal_id = \"reception-1\"\n\n[sync\ntarget = \"http\"\n",
            3,
        ),
        (
            "unknown.toml",
            b"terminal_id = \"r1\"\noperator = \"a\"\ncolour = \"blue\"\n",
            3,
        ),
        ("type.toml", b"[sync]\ntarget = \"http\"\nurl = 5\n", 3),
        ("value.toml", b"# comment\n[sync]\ntarget = \"ftp\"\n", 3),
        // A language the desk does not speak is an error, not silently Japanese.
        ("lang.toml", b"terminal_id = \"r1\"\nlang = \"fr\"\n", 2),
        // retention_days = 0 would let purge delete every delivered record at once.
        ("retention.toml", b"retention_days = 0\n", 1),
    ];
    for (name, text, line) in cases {
        let file = d.write(name, text);
        for args in [
            vec!["--lang", "en", "--config", file.to_str().unwrap()],
            vec![
                "--config",
                file.to_str().unwrap(),
                "export",
                "--format",
                "jsonl",
            ],
            vec![
                "--config",
                file.to_str().unwrap(),
                "import",
                "--dry-run",
                "-",
            ],
        ] {
            let out = d.run(&args);
            assert_refused(&d, out.clone(), &file, Some(line));
            let lang_ja = !args.contains(&"en");
            let head = if lang_ja {
                "設定ファイルに誤りがあります"
            } else {
                "The config file has an error"
            };
            assert!(out.1.contains(head), "{}", out.1);
        }
    }
}

#[test]
fn corrupt_config_at_the_default_location_is_refused_too() {
    let d = Desk::new();
    let file = bin::default_config_file(&d.path("home"));
    let rel = file.strip_prefix(d.tmp.path()).expect("in the desk");
    let rel = rel.to_str().expect("utf-8");
    d.write(rel, b"lang = \"en\"\nkeymap = [1, 2\n");
    assert_refused(&d, d.run(&[]), &file, Some(2));
    // Not UTF-8 at all: the file is named (there is no line to name).
    d.write(rel, b"\xff\xfe\x00garbage\x80\n");
    assert_refused(&d, d.run(&["--lang", "en"]), &file, None);
    // A directory where the file should be.
    std::fs::remove_file(&file).unwrap();
    std::fs::create_dir_all(&file).unwrap();
    assert_refused(&d, d.run(&["--lang", "en"]), &file, None);
}

#[test]
fn corrupt_keymap_names_file_and_line() {
    let d = Desk::new();
    let cases: [(&str, &str, usize); 4] = [
        // TOML syntax.
        (
            "syntax.toml",
            "extends = \"default\"\n[global]\nquit = [\"F10\"\nhelp = [\"F1\"]\n",
            4,
        ),
        // An unknown key name.
        (
            "key.toml",
            "extends = \"default\"\n\n[global]\nquit = [\"F99\"]\n",
            4,
        ),
        // An unknown action.
        (
            "action.toml",
            "extends = \"default\"\n[home]\nteleport = [\"F7\"]\n",
            3,
        ),
        // A plain letter bound where text is typed: it could never be typed again.
        (
            "typing.toml",
            "extends = \"default\"\n[editor]\n\nleft = [\"h\"]\n",
            4,
        ),
    ];
    for (name, text, line) in cases {
        let file = d.write(name, text.as_bytes());
        let out = d.run(&["--lang", "en", "--keymap", file.to_str().unwrap()]);
        assert!(out.1.contains("The keymap has an error"), "{}", out.1);
        assert_refused(&d, out, &file, Some(line));
        // The same file named in the config.
        let config = d.write(
            "keymap-config.toml",
            format!("keymap = {:?}\n", file.to_str().unwrap()).as_bytes(),
        );
        let out = d.run(&["--config", config.to_str().unwrap()]);
        assert!(out.1.contains("キーマップに誤りがあります"), "{}", out.1);
        assert_refused(&d, out, &file, Some(line));
    }
    // A keymap file that is not there.
    let missing = d.path("nope.toml");
    assert_refused(
        &d,
        d.run(&["--keymap", missing.to_str().unwrap()]),
        &missing,
        None,
    );
}
