//! Low-spec desk, with the real binary in a real terminal (tmux, 80×24):
//!
//! - idle means idle: the TUI waiting on the home screen, and on a form with a sync target
//!   that cannot be reached (the worker backing off), uses < 2% of one core over 5 s;
//! - TERM=vt100, xterm and linux (the console): home, triage and the form draw with the key
//!   bar on the last line, Japanese text shows, F10 quits cleanly;
//! - over `ssh -tt` to an sshd on 127.0.0.1 (started here, keys made here) with TERM=vt100
//!   and xterm: the same screens, and the exit status comes back through ssh.
//!
//! tmux and openssh-server are required parts of the test setup (README's test command
//! installs them): if one is missing the tests fail and say so.

mod common;

use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::tmux::Tmux;

const BIN: &str = env!("CARGO_BIN_EXE_onshi");

/// The command line that runs onshi on `store` with TERM set, in Japanese.
fn onshi_cmd(store: &Path, term: &str, extra: &str) -> String {
    format!(
        "TERM={term} LANG=C.UTF-8 ONSHI_STORE='{}' '{BIN}' --operator 佐藤 {extra}",
        store.display()
    )
}

/// The PID of the onshi holding `store` (its lock file names it).
fn holder_pid(store: &Path) -> u32 {
    let start = Instant::now();
    loop {
        if let Some(pid) = std::fs::read_to_string(store.join("onshi.lock"))
            .ok()
            .and_then(|s| s.trim().parse().ok())
        {
            return pid;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "no lock file");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// utime + stime of `pid`, in seconds.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("process alive");
    // The command name may hold spaces: fields are counted after its closing parenthesis.
    let rest = &stat[stat.rfind(')').expect("stat format") + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap();
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    ticks as f64 / hz
}

/// A config whose sync target cannot be reached (nothing listens on the port).
fn unreachable_target_config(dir: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let token = dir.join("token");
    std::fs::write(&token, "t\n").unwrap();
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[sync]\ntarget = \"http\"\nurl = \"http://127.0.0.1:{port}/r\"\ntoken_file = \"{}\"\n",
            token.display()
        ),
    )
    .unwrap();
    config
}

#[test]
fn idle_tui_uses_no_cpu() {
    let tmp = tempfile::tempdir().unwrap();
    let (home_store, form_store) = (tmp.path().join("a"), tmp.path().join("b"));
    let config = unreachable_target_config(tmp.path());
    let home = Tmux::start_command(
        "idle-home",
        &onshi_cmd(&home_store, "xterm", "--config /dev/null"),
    );
    let form = Tmux::start_command(
        "idle-form",
        &onshi_cmd(
            &form_store,
            "xterm",
            &format!("--config '{}'", config.display()),
        ),
    );
    home.wait_for("本日の受付");
    form.wait_for("本日の受付");
    // The second one sits on a half-typed declaration while its sync worker backs off.
    form.keys(&["F2"]);
    form.wait_for("何が起きていますか");
    form.keys(&["6", "Down", "Down", "Down", "Down", "Down", "Enter"]);
    form.wait_for("被保険者資格申立書");
    form.text("山田　花子");
    form.wait_for("山田　花子");
    // Let start-up work settle, then measure both over the same 5 seconds.
    std::thread::sleep(Duration::from_millis(500));
    let pids = [holder_pid(&home_store), holder_pid(&form_store)];
    let before: Vec<f64> = pids.iter().map(|p| cpu_seconds(*p)).collect();
    let t0 = Instant::now();
    std::thread::sleep(Duration::from_secs(5));
    let wall = t0.elapsed().as_secs_f64();
    for (i, (pid, b)) in pids.iter().zip(before).enumerate() {
        let used = cpu_seconds(*pid) - b;
        let share = used / wall;
        eprintln!(
            "{}: {used:.3} s CPU in {wall:.1} s = {:.2}% of one core",
            ["home, no sync target", "form, sync target unreachable"][i],
            share * 100.0
        );
        assert!(
            share < 0.02,
            "busy while idle: {:.2}% of one core",
            share * 100.0
        );
    }
    // Both still answer.
    form.keys(&["F10"]);
    form.wait_for("ONSHI-EXIT=0");
    home.keys(&["F10"]);
    home.wait_for("ONSHI-EXIT=0");
}

/// Home, triage and the declaration form at 80×24, then F10; the key bar is the last line.
fn walk_the_screens(t: &Tmux) {
    let s = t.wait_for("本日の受付");
    let lines: Vec<&str> = s.lines().collect();
    assert_eq!(lines.len(), 24, "24 lines:\n{s}");
    let last = lines[23];
    assert!(
        last.contains("F2") && last.contains("F10"),
        "key bar on the last line:\n{s}"
    );
    assert!(
        s.lines().all(|l| unicode_width(l) <= 80),
        "nothing wider than 80 columns:\n{s}"
    );
    t.keys(&["F2"]);
    t.wait_for("何が起きていますか");
    t.keys(&["6"]);
    t.wait_for("ヘルプデスク");
    t.keys(&["Down", "Down", "Down", "Down", "Down", "Enter"]);
    t.wait_for("被保険者資格申立書");
    t.text("葛西　花子");
    let s = t.wait_for("葛西　花子");
    let last = s.lines().nth(23).unwrap_or("");
    assert!(
        last.contains("F9") && last.contains("F10"),
        "form key bar:\n{s}"
    );
    t.keys(&["F10"]);
    t.wait_for("ONSHI-EXIT=0");
}

fn unicode_width(s: &str) -> usize {
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F
            | 0x2E80..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x20000..=0x3FFFD => 2,
            0xE0100..=0xE01EF | 0x200B | 0xFE00..=0xFE0F => 0,
            _ => 1,
        })
        .sum()
}

#[test]
fn screens_draw_at_80x24_with_vt100_xterm_and_the_linux_console() {
    for term in ["vt100", "xterm", "linux"] {
        let tmp = tempfile::tempdir().unwrap();
        let t = Tmux::start_command(
            &format!("term-{term}"),
            &onshi_cmd(&tmp.path().join("store"), term, "--config /dev/null"),
        );
        walk_the_screens(&t);
    }
}

/// An sshd on 127.0.0.1 with keys made for this test; killed when dropped.
struct Sshd {
    child: Child,
    port: u16,
    key: PathBuf,
    _dir: tempfile::TempDir,
}

impl Sshd {
    fn start() -> Sshd {
        assert!(
            ["/usr/bin/ssh-keygen", "/usr/bin/ssh"].iter().all(|p| Path::new(p).exists()),
            "ssh and ssh-keygen are missing: the ssh test needs the openssh-client package (the README's test command installs it)"
        );
        let sshd = ["/usr/sbin/sshd", "/usr/bin/sshd"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .unwrap_or_else(|| {
                panic!("sshd is missing: the ssh test needs the openssh-server package (the README's test command installs it)")
            });
        let dir = tempfile::tempdir().unwrap();
        let keygen = |name: &str| {
            let path = dir.path().join(name);
            let st = Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-f"])
                .arg(&path)
                .status()
                .expect("ssh-keygen");
            assert!(st.success(), "ssh-keygen failed");
            path
        };
        let host = keygen("host");
        let key = keygen("client");
        let authorized = dir.path().join("authorized_keys");
        std::fs::copy(key.with_extension("pub"), &authorized).unwrap();
        // sshd refuses to start without its privilege-separation directory.
        std::fs::create_dir_all("/run/sshd").expect("create /run/sshd");
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let config = dir.path().join("sshd_config");
        std::fs::write(
            &config,
            format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nAuthorizedKeysFile {}\n\
                 PermitRootLogin prohibit-password\nPasswordAuthentication no\nUsePAM no\n\
                 StrictModes no\nPidFile {}\nLogLevel ERROR\n",
                host.display(),
                authorized.display(),
                dir.path().join("sshd.pid").display()
            ),
        )
        .unwrap();
        let child = Command::new(sshd)
            .args(["-D", "-e", "-f"])
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start sshd");
        let mut s = Sshd {
            child,
            port,
            key,
            _dir: dir,
        };
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let start = Instant::now();
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            if let Some(st) = s.child.try_wait().unwrap() {
                let mut err = String::new();
                let _ = s.child.stderr.take().unwrap().read_to_string(&mut err);
                panic!("sshd exited ({st}): {err}");
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "sshd did not listen"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        s
    }

    /// `ssh -tt` to this server running `remote`, with TERM set on the client side (ssh
    /// hands it to the remote pseudo-terminal).
    fn ssh_cmd(&self, term: &str, remote: &str) -> String {
        let user = std::env::var("USER").unwrap_or_else(|_| "root".into());
        format!(
            "TERM={term} ssh -tt -i '{}' -p {} -o BatchMode=yes -o StrictHostKeyChecking=no \
             -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR {user}@127.0.0.1 \"{remote}\"",
            self.key.display(),
            self.port
        )
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn over_ssh_tt_with_vt100_and_xterm() {
    let sshd = Sshd::start();
    for term in ["vt100", "xterm"] {
        let tmp = tempfile::tempdir().unwrap();
        let store = tmp.path().join("store");
        // The remote side keeps the TERM ssh gave its pseudo-terminal.
        let remote = format!(
            "echo REMOTE-TERM=\\$TERM; LANG=C.UTF-8 ONSHI_STORE='{}' '{BIN}' --operator 佐藤 --config /dev/null",
            store.display()
        );
        let t = Tmux::start_command(&format!("ssh-{term}"), &sshd.ssh_cmd(term, &remote));
        walk_the_screens(&t);
        let s = t.screen();
        assert!(s.contains(&format!("REMOTE-TERM={term}")), "{s}");
    }
}
