//! Driving the real onshi binary in a real terminal: a private tmux server per test,
//! an 80×24 pane, keys and UTF-8 text sent like a keyboard or an IME would.
//! tmux is a required part of the test setup (README's test command installs it): if it
//! is missing the tests fail and say so — they never pass by skipping.

#![allow(dead_code)] // each test binary uses the part it needs

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use super::bin;

pub struct Tmux {
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
    /// Start `onshi ARGS` in an 80×24 pane (onshi.exe under Wine for the Windows pass).
    /// A shell stays after onshi exits so its last words stay readable (tmux may drop
    /// output racing a dying pane).
    pub fn start(name: &str, store: &Path, args: &str) -> Tmux {
        let scratch = store.parent().unwrap_or(Path::new("/tmp"));
        Self::start_command(
            name,
            &format!(
                "export ONSHI_STORE='{}' LANG=C.UTF-8; {}",
                store.display(),
                bin::shell_command(args, scratch)
            ),
        )
    }

    /// Any shell `command` in an 80×24 pane. A shell line stays after it exits so its last
    /// words and exit code stay readable (tmux may drop output racing a dying pane).
    pub fn start_command(name: &str, command: &str) -> Tmux {
        tmux_available();
        let t = Tmux {
            socket: format!("onshi-e2e-{}-{}", std::process::id(), name),
            session: "s".into(),
        };
        let cmd = format!("{command}; echo; echo ONSHI-EXIT=$?; sleep 600");
        let st = Command::new("tmux")
            .args([
                "-u",
                "-L",
                &t.socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
            ])
            .args(["-x", "80", "-y", "24", "-s", &t.session])
            .arg(cmd)
            .env("LANG", "C.UTF-8")
            .status()
            .expect("run tmux");
        assert!(st.success(), "tmux new-session failed");
        t
    }

    pub fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("run tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "s"])
    }

    /// Wait until `text` is on the screen and the screen has stopped changing: a frame
    /// reaches tmux as a stream of writes, and a capture can land in the middle of one.
    pub fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(text) {
                return self.settled(s);
            }
            assert!(!s.contains("panicked"), "onshi panicked:\n{s}");
            if start.elapsed() > Duration::from_secs(15) {
                panic!("timed out waiting for {text:?}; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The screen once two captures 40 ms apart agree (at most a second more).
    fn settled(&self, mut last: String) -> String {
        let start = Instant::now();
        loop {
            std::thread::sleep(Duration::from_millis(40));
            let now = self.screen();
            if now == last || start.elapsed() > Duration::from_secs(1) {
                return now;
            }
            last = now;
        }
    }

    pub fn wait_gone(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if !s.contains(text) {
                return s;
            }
            if start.elapsed() > Duration::from_secs(15) {
                panic!("timed out waiting for {text:?} to go; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Named keys (Tab, F5, Right …), one tmux key each.
    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.tmux(&["send-keys", "-t", "s", k]);
        }
    }

    /// Literal UTF-8 text, as an IME would commit it.
    pub fn text(&self, s: &str) {
        self.tmux(&["send-keys", "-t", "s", "-l", s]);
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}
