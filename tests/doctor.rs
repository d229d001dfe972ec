//! `onshi doctor` with the real binary: one line per part, NG with the reason, exit 1 if
//! any part is NG.

mod common;

use common::bin;

fn doctor(args: &[&str], home: &std::path::Path) -> (i32, Vec<String>) {
    let mut c = bin::onshi();
    bin::private_home(&mut c, home);
    let out = c
        .arg("doctor")
        .args(args)
        .env_remove("ONSHI_STORE")
        .output()
        .unwrap();
    let lines = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    (out.status.code().unwrap(), lines)
}

fn line<'a>(lines: &'a [String], part: &str) -> &'a str {
    lines
        .iter()
        .find(|l| l[3..].starts_with(part))
        .unwrap_or_else(|| panic!("no {part} line in {lines:?}"))
}

#[test]
fn healthy_parts_are_ok_and_exit_follows_the_lines() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    std::fs::write(inbox.join(".onshi-inbox"), b"").unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(
        &cfg,
        format!("[sync]\ntarget = \"dir\"\ndir = \"{}\"\n", inbox.display()),
    )
    .unwrap();
    let store = dir.path().join("store");
    let args = [
        "--lang",
        "en",
        "--store",
        store.to_str().unwrap(),
        "--config",
        cfg.to_str().unwrap(),
    ];
    let (_, lines) = doctor(&args, dir.path());
    assert_eq!(lines.len(), 6, "{lines:?}");
    // Not created yet: said so, and doctor does not create it (a check changes nothing).
    assert!(line(&lines, "store:").starts_with("OK"), "{lines:?}");
    assert!(
        line(&lines, "store:").contains("not there yet"),
        "{lines:?}"
    );
    assert!(!store.exists(), "doctor created the store");
    let mut init = bin::onshi();
    bin::private_home(&mut init, dir.path());
    let out = init
        .args(["--store", store.to_str().unwrap(), "init"])
        .env_remove("ONSHI_STORE")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let (code, lines) = doctor(&args, dir.path());
    assert_eq!(lines.len(), 6, "{lines:?}");
    assert!(line(&lines, "store:").starts_with("OK"), "{lines:?}");
    assert!(line(&lines, "store:").contains("Records 0"), "{lines:?}");
    // The store's size on disk, in bytes too.
    let size = line(&lines, "store size");
    assert!(size.starts_with("OK") && size.contains(" B, "), "{size}");
    assert!(line(&lines, "config").starts_with("OK"), "{lines:?}");
    assert!(
        line(&lines, "keymap: default").starts_with("OK"),
        "{lines:?}"
    );
    assert!(
        line(&lines, "sync target: dir").starts_with("OK"),
        "{lines:?}"
    );
    let reader = line(&lines, "card reader");
    assert!(
        reader.starts_with("OK") || reader.starts_with("NG"),
        "{reader}"
    );
    let all_ok = lines.iter().all(|l| l.starts_with("OK"));
    assert_eq!(code, if all_ok { 0 } else { 1 });
    // The probe file it wrote into the inbox is gone; the marker stays.
    let left: Vec<_> = std::fs::read_dir(&inbox)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, [".onshi-inbox"]);
}

#[test]
fn broken_parts_are_named_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, "terminal_id = \"a\"\n\nbogus = 1\n").unwrap();
    let keymap = dir.path().join("k.toml");
    std::fs::write(
        &keymap,
        "extends = \"default\"\n[home]\nnew_intake = [\"F1\"]\n",
    )
    .unwrap();
    let store = dir.path().join("store");
    let (code, lines) = doctor(
        &[
            "--lang",
            "en",
            "--store",
            store.to_str().unwrap(),
            "--config",
            cfg.to_str().unwrap(),
            "--keymap",
            keymap.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(code, 1);
    let c = line(&lines, "config");
    assert!(c.starts_with("NG") && c.contains("c.toml:3"), "{c}");
    let k = line(&lines, "keymap");
    assert!(
        k.starts_with("NG") && k.contains("k.toml:3") && k.contains("F1"),
        "{k}"
    );
    // The store is still checked.
    assert!(line(&lines, "store").starts_with("OK"), "{lines:?}");
}

#[test]
fn unreachable_http_target_and_bad_token_file_are_ng() {
    let dir = tempfile::tempdir().unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let token = dir.path().join("token");
    std::fs::write(&token, "secret\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(
        &cfg,
        format!(
            "[sync]\ntarget = \"http\"\nurl = \"http://127.0.0.1:{port}/r\"\ntoken_file = \"{}\"\n",
            token.display()
        ),
    )
    .unwrap();
    let store = dir.path().join("store");
    let args = [
        "--lang",
        "en",
        "--store",
        store.to_str().unwrap(),
        "--config",
        cfg.to_str().unwrap(),
    ];
    let (code, lines) = doctor(&args, dir.path());
    assert_eq!(code, 1);
    let s = line(&lines, "sync target");
    assert!(
        s.starts_with("NG") && s.contains("Cannot reach") && s.contains("refused the connection"),
        "{s}"
    );
    assert!(!s.contains("os error"), "no raw system text: {s}");
    // A token file others can read is refused with its name.
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (_, lines) = doctor(&args, dir.path());
    let s = line(&lines, "sync target");
    assert!(
        s.starts_with("NG") && s.contains(bin::owner_only_command()),
        "{s}"
    );
}

#[test]
fn a_store_in_use_is_reported_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let store_dir = dir.path().join("store");
    let _held = onshi::store::Store::open(&store_dir).unwrap();
    let (code, lines) = doctor(
        &["--lang", "en", "--store", store_dir.to_str().unwrap()],
        dir.path(),
    );
    assert_eq!(code, 1);
    let s = line(&lines, "store");
    assert!(s.starts_with("NG") && s.contains("in use"), "{s}");
    assert!(s.contains(&std::process::id().to_string()), "{s}");
    assert!(line(&lines, "keymap").starts_with("OK"));
}
