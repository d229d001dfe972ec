//! Cold start to the first frame with 100,000 records in the store, and peak memory.
//!
//! Two measurements, each beside a bare ratatui app measured in the same run:
//!
//! - in-process (a fresh child process each time, so memory and caches start cold for the
//!   process): `Store::open` + `runtime::snapshot` (what the TUI loads before its first
//!   frame) + `App` + `update(Loaded)` + the first frame rendered into ratatui's
//!   TestBackend. Baseline: a child that only renders a bare ratatui frame into TestBackend.
//! - whole process: the real `onshi` binary started on a pseudo-terminal (80×24), timed from
//!   spawn until its first frame has been written (the key bar's `F10`, the last row drawn);
//!   peak RSS read from `/proc/<pid>/status` (VmHWM) at that moment; then F10 quits it.
//!   Baseline: a bare ratatui app (this binary, re-executed) that draws one line with `F10`
//!   on the same pseudo-terminal.
//!
//! The store is built once and kept under the cargo target dir (`onshi-startup-<N>`), since
//! 100,000 durable saves take a while. Records span the last 1,000 days (100 a day), ids
//! minted at their creation time; 2% wait for follow-up; 1% are still queued for delivery.
//!
//! The whole-process figures time two moments: the first frame (drawn before the store
//! opens: title, 「読み込み中」, key bar) and the home screen once the store is open.
//!
//! `cargo bench --bench startup` (N = 100,000), also `taskset -c 0 cargo bench --bench
//! startup`; under `cargo test --all-targets`, N = 300.

#[path = "common/mod.rs"]
mod common;

use std::collections::HashSet;
use std::io::Read;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, FixedOffset, Local};
use ratatui::backend::TestBackend;
use ratatui::widgets::Paragraph;
use ratatui::Terminal;

use common::{full_run, ms, report};
use onshi::i18n::Lang;
use onshi::keymap::Keymap;
use onshi::store::Store;
use onshi::tui::app::Row;
use onshi::tui::{render, update, App, Env, Event, Snapshot};

const CHILD: &str = "ONSHI_BENCH_STARTUP_CHILD";
const ONSHI: &str = env!("CARGO_BIN_EXE_onshi");
const DAYS: i64 = 1000;

fn main() {
    match std::env::var(CHILD).ok().as_deref() {
        Some("inproc") => return child_inproc(Snap::Runtime),
        Some("inproc-indexed") => return child_inproc(Snap::Indexed),
        Some("inproc-lazy") => return child_inproc(Snap::IndexedLazy),
        Some("bare-inproc") => return child_bare_inproc(),
        Some("bare-tui") => return child_bare_tui(),
        _ => {}
    }
    let full = full_run();
    let n = if full { 100_000 } else { 300 };
    let reps = if full { 7 } else { 1 };
    let store = prepared_store(n);
    println!(
        "cold start benchmark, {n} records, median of {reps} runs, CPUs {}",
        common::cpus_allowed()
    );

    // In-process, each run in a fresh child.
    let mut inproc = Vec::new();
    let mut indexed = Vec::new();
    let mut lazy = Vec::new();
    let mut bare = Vec::new();
    for _ in 0..reps {
        inproc.push(run_child("inproc", &store));
        indexed.push(run_child("inproc-indexed", &store));
        lazy.push(run_child("inproc-lazy", &store));
        bare.push(run_child("bare-inproc", &store));
    }
    let mid = |v: &mut Vec<Vec<f64>>, i: usize| {
        let mut col: Vec<f64> = v.iter().map(|r| r[i]).collect();
        col.sort_by(f64::total_cmp);
        col[col.len() / 2]
    };
    let (open, snap, frame, total, hwm) = (
        mid(&mut inproc, 0),
        mid(&mut inproc, 1),
        mid(&mut inproc, 2),
        mid(&mut inproc, 3),
        mid(&mut inproc, 4),
    );
    let (bare_total, bare_hwm) = (mid(&mut bare, 3), mid(&mut bare, 4));
    report(
        "in-process: open+snapshot+first frame",
        &format!("{total:.2} ms"),
        &format!("{bare_total:.3} ms"),
        Some(total / bare_total.max(1e-6)),
        "< 100 ms and < 2x bare",
        total < 100.0 && total < 2.0 * bare_total,
    );
    println!("    of which Store::open {open:.2} ms, runtime::snapshot {snap:.2} ms, first frame {frame:.2} ms");
    report(
        "in-process: peak RSS (VmHWM)",
        &format!("{:.1} MiB", hwm / 1024.0),
        &format!("{:.1} MiB", bare_hwm / 1024.0),
        Some(hwm / bare_hwm.max(1.0)),
        "< 30 MiB",
        hwm < 30.0 * 1024.0,
    );

    let (i_snap, i_total, i_hwm) = (
        mid(&mut indexed, 1),
        mid(&mut indexed, 3),
        mid(&mut indexed, 4),
    );
    report(
        "in-process, indexed snapshot (proposed)",
        &format!("{i_total:.2} ms"),
        &format!("{bare_total:.3} ms"),
        Some(i_total / bare_total.max(1e-6)),
        "< 100 ms and < 2x bare",
        i_total < 100.0 && i_total < 2.0 * bare_total,
    );
    println!(
        "    of which snapshot {i_snap:.2} ms (today by id range, follow-ups and count from src/store/index.rs)"
    );
    report(
        "in-process, indexed: peak RSS (VmHWM)",
        &format!("{:.1} MiB", i_hwm / 1024.0),
        &format!("{:.1} MiB", bare_hwm / 1024.0),
        Some(i_hwm / bare_hwm.max(1.0)),
        "< 30 MiB",
        i_hwm < 30.0 * 1024.0,
    );

    let (l_snap, l_total, l_hwm) = (mid(&mut lazy, 1), mid(&mut lazy, 3), mid(&mut lazy, 4));
    report(
        "in-process, indexed + follow-ups lazily",
        &format!("{l_total:.2} ms"),
        &format!("{bare_total:.3} ms"),
        Some(l_total / bare_total.max(1e-6)),
        "< 100 ms and < 2x bare",
        l_total < 100.0 && l_total < 2.0 * bare_total,
    );
    println!(
        "    of which snapshot {l_snap:.2} ms (the follow-up list is read when F4 opens it; only its count at start)"
    );
    report(
        "in-process, indexed + lazy: peak RSS",
        &format!("{:.1} MiB", l_hwm / 1024.0),
        &format!("{:.1} MiB", bare_hwm / 1024.0),
        Some(l_hwm / bare_hwm.max(1.0)),
        "< 30 MiB",
        l_hwm < 30.0 * 1024.0,
    );
    println!(
        "    peak RSS right after Store::open: {:.1} MiB",
        mid(&mut lazy, 5) / 1024.0
    );

    // Whole process on a pseudo-terminal.
    let mut onshi = Vec::new();
    let mut home = Vec::new();
    let mut bare_tui = Vec::new();
    let exe = std::env::current_exe().expect("current exe");
    for _ in 0..reps {
        let mut c = Command::new(ONSHI);
        c.arg("--store").arg(&store).args([
            "--config",
            "/dev/null",
            "--lang",
            "ja",
            "--operator",
            "佐藤",
        ]);
        // The first frame (drawn before the store opens: its key bar ends in F10), then
        // the home screen once the store is open (its title).
        let (t, m) = frames_on_pty(c, &["F10", "本日の受付"]);
        onshi.push((t[0], m[0]));
        home.push((t[1], m[1]));
        let mut c = Command::new(&exe);
        c.env(CHILD, "bare-tui");
        bare_tui.push(first_frame_on_pty(c));
    }
    let median = |v: &mut Vec<(Duration, u64)>| {
        v.sort();
        let t = v[v.len() / 2].0;
        let mut mem: Vec<u64> = v.iter().map(|x| x.1).collect();
        mem.sort();
        (ms(t), mem[mem.len() / 2])
    };
    let (t_onshi, m_onshi) = median(&mut onshi);
    let (t_home, m_home) = median(&mut home);
    let (t_bare, m_bare) = median(&mut bare_tui);
    report(
        "whole process: spawn to first frame (pty)",
        &format!("{t_onshi:.1} ms"),
        &format!("{t_bare:.1} ms"),
        Some(t_onshi / t_bare),
        "< 100 ms and < 2x bare",
        t_onshi < 100.0 && t_onshi < 2.0 * t_bare,
    );
    report(
        "whole process: spawn to home screen (pty)",
        &format!("{t_home:.1} ms"),
        &format!("{t_bare:.1} ms"),
        Some(t_home / t_bare),
        "< 100 ms",
        t_home < 100.0,
    );
    report(
        "whole process: peak RSS at home screen",
        &format!("{:.1} MiB", m_home as f64 / 1024.0),
        &format!("{:.1} MiB", m_bare as f64 / 1024.0),
        Some(m_home as f64 / m_bare as f64),
        "< 30 MiB",
        m_home < 30 * 1024,
    );
    report(
        "whole process: peak RSS at first frame",
        &format!("{:.1} MiB", m_onshi as f64 / 1024.0),
        &format!("{:.1} MiB", m_bare as f64 / 1024.0),
        Some(m_onshi as f64 / m_bare as f64),
        "< 30 MiB",
        m_onshi < 30 * 1024,
    );

    let size = std::fs::metadata(ONSHI).expect("onshi binary").len();
    println!(
        "  release binary size: {:.2} MiB ({size} bytes, {}){}",
        size as f64 / (1024.0 * 1024.0),
        if is_stripped(Path::new(ONSHI)) {
            "stripped"
        } else {
            "NOT stripped"
        },
        if full {
            ""
        } else {
            " [test build: not the release figure]"
        }
    );
}

/// `n` records in a store kept under the target dir; rebuilt when missing or incomplete.
fn prepared_store(n: usize) -> PathBuf {
    let base = option_env!("CARGO_TARGET_TMPDIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let dir = base.join(format!("onshi-startup-{n}"));
    if let Ok(store) = Store::open(&dir) {
        // Built on an earlier day? "Today" must still hold its share of records.
        let fresh = store.count() == n && built_today(&dir);
        // The derived index is built once per store, as it would be on a desk.
        let _ = store.count_indexed();
        drop(store);
        if fresh {
            return dir;
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!("building a store of {n} records in {} …", dir.display());
    let t = Instant::now();
    let store = Store::open(&dir).expect("store");
    let now = Local::now().fixed_offset();
    let per_day = (n as i64 / DAYS).max(1);
    for i in 0..n {
        // The newest records are today's; a few seconds apart within a day.
        let back = (n - 1 - i) as i64 / per_day;
        let created = now
            - chrono::Duration::days(back)
            - chrono::Duration::seconds((n - 1 - i) as i64 % per_day);
        let rec = record_at(i, created);
        store.insert_new(&rec, "bench").expect("save");
    }
    // Most versions were delivered long ago: leave 1% queued.
    let queued = store.outbox_peek(usize::MAX).expect("outbox");
    let keep = n / 100;
    for e in &queued[..queued.len() - keep] {
        store.outbox_remove(e.seq).expect("deliver");
    }
    assert_eq!(store.count(), n);
    assert_eq!(store.count_indexed().expect("index"), n);
    drop(store);
    std::fs::write(dir.join("built-on"), Local::now().date_naive().to_string()).expect("stamp");
    eprintln!("built in {:.1} s", t.elapsed().as_secs_f64());
    dir
}

fn built_today(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("built-on"))
        .is_ok_and(|d| d.trim() == Local::now().date_naive().to_string())
}

/// A valid record created at `at` with an id minted then, varied a little by `i`.
fn record_at(i: usize, at: DateTime<FixedOffset>) -> onshi::domain::record::Record {
    let id = ulid::Ulid::from_datetime(SystemTime::from(at)).to_string();
    common::record(
        &id,
        at,
        &format!("山田　太郎{}", i % 97),
        i.is_multiple_of(50),
    )
}

fn today_now() -> DateTime<FixedOffset> {
    Local::now().fixed_offset()
}

/// Run this binary as child `mode`; it prints one line of numbers.
fn run_child(mode: &str, store: &Path) -> Vec<f64> {
    let out = Command::new(std::env::current_exe().expect("exe"))
        .env(CHILD, mode)
        .env("ONSHI_BENCH_STORE", store)
        .stdin(Stdio::null())
        .output()
        .expect("run child");
    assert!(
        out.status.success(),
        "child {mode} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .unwrap_or_else(|| panic!("child {mode} printed no result: {text}"));
    line.split_whitespace()
        .map(|v| v.parse().expect("number"))
        .collect()
}

/// How the child builds the home screen's snapshot.
#[derive(Clone, Copy, PartialEq)]
enum Snap {
    /// `runtime::snapshot`, as the TUI does today.
    Runtime,
    /// The index queries of `src/store/index.rs`.
    Indexed,
    /// As `Indexed`, the follow-up list left for when its screen opens.
    IndexedLazy,
}

/// Child: what the TUI does before its first frame, timed in phases.
fn child_inproc(how: Snap) {
    let dir = PathBuf::from(std::env::var_os("ONSHI_BENCH_STORE").expect("store"));
    let t0 = Instant::now();
    let store = Store::open(&dir).expect("open");
    let t1 = Instant::now();
    let hwm_open = common::peak_rss_kib();
    let now = today_now();
    let snap = match how {
        Snap::Runtime => onshi::runtime::snapshot(&store, now).expect("snapshot"),
        Snap::Indexed | Snap::IndexedLazy => {
            indexed_snapshot(&store, now, how == Snap::IndexedLazy)
        }
    };
    let t2 = Instant::now();
    let today_rows = snap.today.len();
    let mut app = App::new(
        Lang::Ja,
        Keymap::shipped_default(),
        "佐藤".into(),
        store.terminal_id(),
        now,
    );
    let env = Env {
        now,
        new_id: ulid::Ulid::new().to_string(),
    };
    update(&mut app, Event::Loaded(snap), &env);
    let mut term = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    term.draw(|f| render(&app, f)).expect("draw");
    let t3 = Instant::now();
    let hwm = common::peak_rss_kib();
    assert!(today_rows > 0, "today's rows are listed");
    println!(
        "RESULT {} {} {} {} {} {}",
        ms(t1 - t0),
        ms(t2 - t1),
        ms(t3 - t2),
        ms(t3 - t0),
        hwm,
        hwm_open
    );
}

/// What `runtime::snapshot` could do with the queries of `src/store/index.rs`: today's
/// intakes by id range, follow-ups and the count from the derived index. (Records created
/// on another day with today's service date are not listed: the one difference.) With
/// `lazy`, only the follow-up count is read, as `runtime::snapshot` now does (the TUI loads
/// the list when its screen opens); without it the whole list is read, for comparison.
fn indexed_snapshot(store: &Store, now: DateTime<FixedOffset>, lazy: bool) -> Snapshot {
    let day = now.date_naive();
    let from = day
        .and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(Local).earliest())
        .expect("local midnight")
        .fixed_offset();
    let queued: HashSet<String> = store
        .outbox_peek(usize::MAX)
        .expect("outbox")
        .into_iter()
        .map(|e| e.id)
        .collect();
    let today = store
        .records_created_between(from, from + chrono::Duration::days(1))
        .expect("today")
        .into_iter()
        .map(|record| Row {
            queued: queued.contains(&record.id),
            record,
        })
        .collect();
    Snapshot {
        today,
        followup_count: if lazy {
            store.followup_count_indexed().expect("follow-up count")
        } else {
            store.followups_indexed().expect("follow-ups").len()
        },
        total: store.count_indexed().expect("count"),
        queued: store.outbox_len(),
        store_path: store.dir().display().to_string(),
    }
}

/// Child: a bare ratatui first frame into TestBackend.
fn child_bare_inproc() {
    let t0 = Instant::now();
    let mut term = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    term.draw(|f| f.render_widget(Paragraph::new("bare ratatui  F10 quit"), f.area()))
        .expect("draw");
    let t = ms(t0.elapsed());
    let hwm = common::peak_rss_kib();
    println!("RESULT 0 0 {t} {t} {hwm} {hwm}");
}

/// Child: a bare ratatui app on the real terminal: one line, then wait for a key.
fn child_bare_tui() {
    let mut term = ratatui::init();
    term.draw(|f| {
        let area = f.area();
        let last = ratatui::layout::Rect::new(0, area.height.saturating_sub(1), area.width, 1);
        f.render_widget(Paragraph::new("bare ratatui"), area);
        f.render_widget(Paragraph::new("F10 quit"), last);
    })
    .expect("draw");
    let _ = crossterm::event::read();
    ratatui::restore();
}

/// Start `cmd` on a fresh 80×24 pseudo-terminal; time from spawn until `F10` has been
/// written (the key bar is the last row of the first frame); read its VmHWM then; quit it
/// with F10. Returns (time to first frame, peak RSS in KiB).
fn first_frame_on_pty(cmd: Command) -> (Duration, u64) {
    let (times, hwm) = frames_on_pty(cmd, &["F10"]);
    (times[0], hwm[0])
}

/// As [`first_frame_on_pty`], timing each of `markers` in turn (each looked for in the
/// output after the previous one), with the VmHWM read at each.
fn frames_on_pty(mut cmd: Command, markers: &[&str]) -> (Vec<Duration>, Vec<u64>) {
    let (master, slave) = open_pty(80, 24);
    let io = |fd: &OwnedFd| Stdio::from(fd.try_clone().expect("dup pty"));
    cmd.stdin(io(&slave))
        .stdout(io(&slave))
        .stderr(io(&slave))
        .env("TERM", "xterm-256color")
        .env("LANG", "C.UTF-8")
        .env_remove("ONSHI_STORE");
    let slave_fd = slave.as_raw_fd();
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut cmd, move || {
            libc::setsid();
            libc::ioctl(slave_fd, libc::TIOCSCTTY as _, 0);
            Ok(())
        });
    }
    let t0 = Instant::now();
    let mut child = cmd.spawn().expect("spawn on pty");
    drop(slave);
    let mut reader = std::fs::File::from(master.try_clone().expect("dup master"));
    let mut seen = Vec::new();
    let mut buf = [0u8; 8192];
    let (mut times, mut hwms) = (Vec::new(), Vec::new());
    let mut from = 0;
    for marker in markers {
        let m = marker.as_bytes();
        let elapsed = loop {
            assert!(
                t0.elapsed() < Duration::from_secs(30),
                "no {marker} within 30 s; output: {}",
                String::from_utf8_lossy(&seen)
            );
            if let Some(at) = seen[from..].windows(m.len()).position(|w| w == m) {
                from += at + m.len();
                break t0.elapsed();
            }
            let n = reader.read(&mut buf).expect("read pty");
            assert!(
                n > 0,
                "pty closed before {marker}: {}",
                String::from_utf8_lossy(&seen)
            );
            seen.extend_from_slice(&buf[..n]);
        };
        times.push(elapsed);
        hwms.push(common::proc_status_kib(&child.id().to_string(), "VmHWM:"));
    }
    // F10 quits both; a child that does not is killed.
    let mut writer = std::fs::File::from(master.try_clone().expect("dup master"));
    std::io::Write::write_all(&mut writer, b"\x1b[21~").expect("send F10");
    let quit_by = Instant::now() + Duration::from_secs(10);
    // Keep draining so the child never blocks on a full pty.
    set_nonblocking(&master);
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if Instant::now() > quit_by {
            let _ = child.kill();
            let _ = child.wait();
            panic!("child did not quit on F10");
        }
        let _ = reader.read(&mut buf);
        std::thread::sleep(Duration::from_millis(5));
    }
    (times, hwms)
}

fn open_pty(cols: u16, rows: u16) -> (OwnedFd, OwnedFd) {
    let (mut master, mut slave) = (-1, -1);
    let ws = libc::winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: out-pointers to locals; name and termios may be null.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &ws,
        )
    };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: openpty returned two fresh descriptors that we now own.
    unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) }
}

fn set_nonblocking(fd: &OwnedFd) {
    // SAFETY: plain fcntl on a descriptor we own.
    unsafe {
        let flags = libc::fcntl(fd.as_raw_fd(), libc::F_GETFL);
        libc::fcntl(fd.as_raw_fd(), libc::F_SETFL, flags | libc::O_NONBLOCK);
    }
}

/// True when the ELF has no `.symtab` (what `strip` removes).
fn is_stripped(path: &Path) -> bool {
    let bytes = std::fs::read(path).expect("read binary");
    !bytes.windows(8).any(|w| w == b".symtab\0")
}
