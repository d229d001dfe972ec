//! End-to-end: the real binary in a real terminal (tmux), typed at like a clerk would.
//! tmux is a required part of the test setup (README's test command installs it): if it
//! is missing the tests fail and say so — they never pass by skipping.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_onshi");

struct Tmux {
    socket: String,
    session: String,
}

fn tmux_available() {
    let ok = Command::new("tmux")
        .arg("-V")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        ok,
        "tmux is not installed: the end-to-end tests need it (run the README's test command, which installs it)"
    );
}

impl Tmux {
    /// Start `onshi ARGS` in an 80×24 pane. A shell stays after onshi exits so its
    /// last words stay readable (tmux may drop output racing a dying pane).
    fn start(name: &str, store: &Path, args: &str) -> Tmux {
        tmux_available();
        let t = Tmux {
            socket: format!("onshi-e2e-{}-{}", std::process::id(), name),
            session: "s".into(),
        };
        let cmd = format!(
            "ONSHI_STORE='{}' LANG=C.UTF-8 '{}' {}; echo; echo ONSHI-EXIT=$?; sleep 600",
            store.display(),
            BIN,
            args
        );
        let st = Command::new("tmux")
            .args([
                "-u",
                "-L",
                &t.socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
                "80",
                "-y",
                "24",
                "-s",
                &t.session,
            ])
            .arg(cmd)
            .env("LANG", "C.UTF-8")
            .status()
            .expect("run tmux");
        assert!(st.success(), "tmux new-session failed");
        t
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("run tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "s"])
    }

    fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            if start.elapsed() > Duration::from_secs(15) {
                panic!("timed out waiting for {text:?}; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Named keys (Tab, F5, Right …), one tmux key each.
    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.tmux(&["send-keys", "-t", "s", k]);
        }
    }

    /// Literal UTF-8 text, as an IME would commit it.
    fn text(&self, s: &str) {
        self.tmux(&["send-keys", "-t", "s", "-l", s]);
    }
}

/// The PID of the onshi holding `store` (the store's lock file names it).
fn holder_pid(store: &Path) -> i32 {
    std::fs::read_to_string(store.join("onshi.lock"))
        .expect("lock file")
        .trim()
        .parse()
        .expect("pid in lock file")
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

fn export(store: &Path) -> Vec<serde_json::Value> {
    let out = Command::new(BIN)
        .args(["export", "--format", "jsonl", "--store"])
        .arg(store)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn clerk_types_a_declaration_in_japanese_saves_and_finds_it_in_export() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let t = Tmux::start("full", &store, "--operator 佐藤");
    t.wait_for("本日の受付はまだありません");
    t.keys(&["F2"]);
    t.wait_for("被保険者資格申立書");
    // 障害の状況: 3-4 (sixth option)
    t.keys(&["Right", "Right", "Right", "Right", "Right", "Right"]);
    t.wait_for("3-4 停電・ネットワーク障害");
    t.keys(&["Tab", "Right", "Tab", "Right", "Right", "Tab"]); // 交付あり, 国保
    t.text("千代田区");
    t.keys(&["Tab", "Tab", "Tab", "Tab"]); // 事業所名, 交付時期, 補足 → 氏名
    t.text("葛󠄀西　花子");
    t.keys(&["Tab"]);
    t.text("かさい　ハナコ");
    t.keys(&["Tab"]);
    t.text("昭和５６年４月１日");
    t.keys(&["Tab"]);
    t.wait_for("1981-04-01 昭和56年4月1日");
    t.keys(&["Left", "Tab"]); // 女
    t.text("東京都千代田区霞が関１－２－２");
    t.keys(&["Tab"]);
    t.text("０３－１２３４－５６７８");
    t.keys(&["F9"]);
    let review = t.wait_for("内容の確認");
    assert!(review.contains("カサイ　ハナコ"), "{review}");
    assert!(review.contains("03-1234-5678"), "{review}");
    t.keys(&["F5"]);
    let home = t.wait_for("保存しました");
    assert!(
        home.contains("葛󠄀西　花子") || home.contains("葛西　花子"),
        "{home}"
    );
    assert!(home.contains("未送信"), "{home}");
    t.keys(&["F10"]);
    let end = t.wait_for("ONSHI-EXIT=0");
    assert!(end.contains("1件の未送信があります"), "{end}");

    let records = export(&store);
    assert_eq!(records.len(), 1);
    let d = &records[0]["declaration"];
    assert_eq!(d["name"], "葛\u{E0100}西　花子");
    assert_eq!(d["name_kana"], "カサイ　ハナコ");
    assert_eq!(d["birth_date"], "1981-04-01");
    assert_eq!(d["sex"], "female");
    assert_eq!(d["phone"], "03-1234-5678");
    assert_eq!(d["insurance_kind"], "kokuho");
    assert_eq!(records[0]["incident"]["case"], "3-4");
    assert_eq!(records[0]["operator"], "佐藤");
    assert_eq!(records[0]["version"], 1);
}

#[test]
fn killed_mid_typing_the_form_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let t = Tmux::start("kill", &store, "--lang en");
    t.wait_for("No intakes today");
    t.keys(&["F2"]);
    t.wait_for("Eligibility declaration");
    for _ in 0..7 {
        t.keys(&["Tab"]);
    }
    t.text("山田　太郎");
    t.wait_for("山田　太郎");
    let pid = holder_pid(&store);
    let st = Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    drop(t);

    let t = Tmux::start("kill2", &store, "--lang en");
    let s = t.wait_for("Restored unsaved input");
    assert!(s.contains("山田　太郎"), "{s}");
    t.keys(&["F10"]);
}

#[test]
fn second_instance_on_the_same_store_is_told_who_holds_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let t = Tmux::start("lock", &store, "");
    t.wait_for("本日の受付");
    let out = Command::new(BIN)
        .arg("--store")
        .arg(&store)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("使用中"), "{err}");
    assert!(err.contains(&holder_pid(&store).to_string()), "{err}");
    t.keys(&["F10"]);
}
