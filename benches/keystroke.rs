//! Keystroke → updated frame, and bytes written to the terminal per typed character.
//!
//! 1. Latency: `onshi::tui::update` + `onshi::tui::render` of the declaration form (80×24,
//!    Japanese text in the fields) into ratatui's TestBackend, per keystroke (typing a kanji
//!    and deleting it again, alternately). Baseline: drawing an empty ratatui frame into the
//!    same kind of backend.
//! 2. The keystroke as the runtime does it (`runtime::handle_events`: update, the draft
//!    handed to the draft writer thread, then the frame), beside update + render timed in
//!    the same blocks; once on a real store on this disk, once with a draft sink that
//!    sleeps 20 ms before the store's own write (an old disk's flush: the simplest honest
//!    stand-in, since a slow block device needs privileges and modules this machine lacks).
//!    Also the old way, for comparison: the draft flushed before the frame.
//! 3. Bytes: the same update + render through ratatui's CrosstermBackend and through the
//!    desk's backend (`runtime::terminal::Tracked`) into a `Vec<u8>`, bytes emitted per
//!    typed character after the first frame, beside the minimum a terminal needs for that
//!    change (the changed cells' UTF-8 plus one cursor-move sequence).
//!
//! `cargo bench --bench keystroke` (and pinned to one core: `taskset -c 0 cargo bench
//! --bench keystroke`); under `cargo test --all-targets` it runs with tiny N.

#[path = "common/mod.rs"]
mod common;

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::Write;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::{Backend, CrosstermBackend, TestBackend};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};

use common::{full_run, report, time_each, time_interleaved, us};
use onshi::domain::record::{IncidentCase, VerificationSource};
use onshi::i18n::Lang;
use onshi::keymap::Keymap;
use onshi::runtime::terminal::Tracked;
use onshi::runtime::{handle_events, Desk, DraftSink, DRAFT_KEY};
use onshi::store::Store;
use onshi::tui::fields::FieldId;
use onshi::tui::form::FormState;
use onshi::tui::{render, update, App, Effect, Env, Event, Screen};

const W: u16 = 80;
const H: u16 = 24;

fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-11-28T09:12:00+09:00").expect("time")
}

fn env() -> Env {
    Env {
        now: now(),
        new_id: "01JF0000000000000000000000".into(),
    }
}

/// Keystroke `i` of the latency loop: a kanji typed, then deleted again.
fn alternate(i: &mut u64) -> Event {
    *i += 1;
    if i.is_multiple_of(2) {
        key(KeyCode::Backspace)
    } else {
        key(KeyCode::Char('区'))
    }
}

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// The declaration form of a 3-4 intake with name, kana and address typed in Japanese,
/// the cursor at the end of `focus`.
fn form_app(focus: FieldId) -> App {
    let mut app = App::new(
        Lang::Ja,
        Keymap::shipped_default(),
        "佐藤".into(),
        "reception-1".into(),
        now(),
    );
    let today = app.today();
    let mut form = FormState::intake(
        today,
        IncidentCase::NetworkDown,
        VerificationSource::Declaration,
        "停電 14:05 ヘルプデスクに連絡",
    );
    for (field, text) in [
        (FieldId::Name, "葛󠄀西　花子"),
        (FieldId::NameKana, "カサイ　ハナコ"),
        (FieldId::BirthDate, "昭和56年4月1日"),
        (FieldId::Address, "東京都千代田区霞が関"),
        (FieldId::Phone, "03-1234"),
    ] {
        form.focus = field;
        form.type_text(text);
    }
    form.focus = focus;
    app.screen = Screen::Form(form);
    app
}

/// A `Write` sink the test can read while the terminal owns it.
#[derive(Clone, Default)]
struct Sink(Rc<RefCell<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `ESC [ row ; col H`, 1-based: the cursor move a terminal needs at least once.
fn cup_len(x: u16, y: u16) -> usize {
    format!("\x1b[{};{}H", y + 1, x + 1).len()
}

/// The least a terminal must receive to go from `prev` to `next`: every changed cell's
/// UTF-8, and one cursor move (to the first changed cell). Also the number of separate
/// runs of changed cells (each beyond the first needs another move).
fn minimum(prev: &Buffer, next: &Buffer) -> (usize, usize) {
    let diff = prev.diff(next);
    let Some(&(x0, y0, _)) = diff.first() else {
        return (0, 0);
    };
    let mut bytes = cup_len(x0, y0);
    let mut runs = 0;
    let mut last: Option<(u16, u16, u16)> = None; // x, y, width of the previous cell
    for (x, y, cell) in &diff {
        let sym = cell.symbol();
        bytes += sym.len();
        let contiguous = matches!(last, Some((lx, ly, lw)) if ly == *y && lx + lw == *x);
        if !contiguous {
            runs += 1;
        }
        let w = unicode_width::UnicodeWidthStr::width(sym).max(1) as u16;
        last = Some((*x, *y, w));
    }
    (bytes, runs)
}

/// The screen as text, wide characters once (their continuation cells skipped).
fn screen_text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut x = 0;
        while x < buf.area.width {
            let sym = buf[(x, y)].symbol();
            out.push_str(sym);
            x += unicode_width::UnicodeWidthStr::width(sym).max(1) as u16;
        }
        out.push('\n');
    }
    out
}

struct Bytes {
    typed: usize,
    emitted: usize,
    minimum: usize,
    runs: usize,
    /// What the terminal got for the last typed character, escapes spelled out.
    sample: String,
}

/// Type `text` char by char into `field` (emptied first), `rounds` times; count what the
/// crossterm backend writes per typed character after the first frame.
fn bytes_per_char(field: FieldId, text: &str, rounds: usize, tracked: bool) -> Bytes {
    if tracked {
        let sink = Sink::default();
        let backend = Tracked::with_width(sink.clone(), W);
        bytes_through(backend, sink, field, text, rounds)
    } else {
        let sink = Sink::default();
        bytes_through(
            CrosstermBackend::new(sink.clone()),
            sink,
            field,
            text,
            rounds,
        )
    }
}

/// As [`bytes_per_char`], through `backend`, which writes into `sink`.
fn bytes_through<B: Backend>(
    backend: B,
    sink: Sink,
    field: FieldId,
    text: &str,
    rounds: usize,
) -> Bytes
where
    B::Error: std::fmt::Debug,
{
    let mut app = form_app(field);
    let env = env();
    update(&mut app, key(KeyCode::Char('u')), &env); // nothing bound: harmless
    let area = Rect::new(0, 0, W, H);
    let mut term = Terminal::with_options(
        backend,
        TerminalOptions {
            viewport: Viewport::Fixed(area),
        },
    )
    .expect("crossterm terminal");
    // A TestBackend in lockstep gives the full screens to compute the minimum from.
    let mut shadow = Terminal::new(TestBackend::new(W, H)).expect("test terminal");
    let draw = |app: &App, term: &mut Terminal<B>, shadow: &mut Terminal<TestBackend>| {
        term.draw(|f| render(app, f)).expect("draw");
        shadow.draw(|f| render(app, f)).expect("draw");
    };
    // Empty the field: select-all style clear (C-u), then the first full frame.
    update(
        &mut app,
        Event::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
        &env,
    );
    draw(&app, &mut term, &mut shadow);
    let mut out = Bytes {
        typed: 0,
        emitted: 0,
        minimum: 0,
        runs: 0,
        sample: String::new(),
    };
    for _ in 0..rounds {
        for c in text.chars() {
            let prev = shadow.backend().buffer().clone();
            sink.0.borrow_mut().clear();
            update(&mut app, key(KeyCode::Char(c)), &env);
            draw(&app, &mut term, &mut shadow);
            let (min, runs) = minimum(&prev, shadow.backend().buffer());
            out.typed += 1;
            out.emitted += sink.0.borrow().len();
            out.minimum += min;
            out.runs += runs;
            out.sample = String::from_utf8_lossy(&sink.0.borrow()).replace('\x1b', "ESC");
        }
        // Empty the field again (not counted).
        update(
            &mut app,
            Event::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
            &env,
        );
        draw(&app, &mut term, &mut shadow);
    }
    // The text really went into the field.
    if let Screen::Form(f) = &app.screen {
        assert_eq!(f.text(field), "", "field cleared after the last round");
    }
    out
}

/// A disk whose flush takes [`SLOW_FLUSH`]: the real store's draft write (insert + flush +
/// fdatasync) after a sleep of that length, standing in for an old laptop disk.
struct SlowDisk(Arc<Store>);

const SLOW_FLUSH: Duration = Duration::from_millis(20);

impl DraftSink for SlowDisk {
    fn write_draft(&self, bytes: &[u8]) -> Result<(), onshi::store::StoreError> {
        std::thread::sleep(SLOW_FLUSH);
        self.0.save_draft(DRAFT_KEY, bytes)
    }
}

/// The keystroke as `runtime::run` does it: the key event through `handle_events` (update;
/// the draft handed to the writer thread; other effects performed), then the frame drawn.
fn runtime_step(
    desk: &mut Desk,
    app: &mut App,
    term: &mut Terminal<TestBackend>,
    pending: &mut VecDeque<Event>,
    i: &mut u64,
) {
    pending.push_back(alternate(i));
    let quit = handle_events(desk, app, pending, None);
    assert!(!quit && pending.is_empty());
    term.draw(|f| render(app, f)).expect("draw");
}

fn main() {
    let full = full_run();
    let n = if full { 20_000 } else { 200 };
    let env = env();
    println!(
        "keystroke benchmark (80x24, Japanese text, N = {n} per loop, CPUs {})",
        common::cpus_allowed()
    );

    // Baseline: an empty ratatui frame into a TestBackend.
    let mut bare = Terminal::new(TestBackend::new(W, H)).expect("terminal");
    bare.draw(|_| {}).expect("draw");
    time_each(n / 10 + 1, || {
        bare.draw(|_| {}).expect("draw");
    });
    let base = time_each(n, || {
        bare.draw(|_| {}).expect("draw");
    });

    // update + render per keystroke: type a kanji at the end of 住所, then delete it.
    let mut app = form_app(FieldId::Address);
    let mut term = Terminal::new(TestBackend::new(W, H)).expect("terminal");
    term.draw(|f| render(&app, f)).expect("draw");
    let mut i = 0u64;
    let mut step = |app: &mut App, term: &mut Terminal<TestBackend>| {
        let ev = alternate(&mut i);
        let effects = update(app, ev, &env);
        std::hint::black_box(effects);
        term.draw(|f| render(app, f)).expect("draw");
    };
    time_each(n / 10 + 1, || step(&mut app, &mut term));
    let ks = time_each(n, || step(&mut app, &mut term));
    let screen = screen_text(term.backend().buffer());
    assert!(
        screen.contains("被保険者資格申立書") && screen.contains("東京都千代田区霞が関"),
        "the form with the typed address is on screen:\n{screen}"
    );

    report(
        "keystroke: update+render (median)",
        &format!("{:.1} us", us(ks.median)),
        &format!("{:.1} us", us(base.median)),
        Some(us(ks.median) / us(base.median).max(1e-3)),
        "< 200 us",
        ks.median.as_micros() < 200,
    );
    report(
        "keystroke: update+render (p99)",
        &format!("{:.1} us", us(ks.p99)),
        &format!("{:.1} us", us(base.p99)),
        Some(us(ks.p99) / us(base.p99).max(1e-3)),
        "< 200 us",
        ks.p99.as_micros() < 200,
    );

    // Where the time goes: update alone (the state change, incl. the draft's JSON) and
    // render alone (the same state drawn again).
    let mut k = 0u64;
    let upd = time_each(n, || {
        let ev = alternate(&mut k);
        std::hint::black_box(update(&mut app, ev, &env));
    });
    let rend = time_each(n, || {
        term.draw(|f| render(&app, f)).expect("draw");
    });
    println!(
        "    of which update {:.1} us, render+diff {:.1} us (medians)",
        us(upd.median),
        us(rend.median)
    );

    // The keystroke as the runtime does it, beside update + render in the same blocks:
    // once with the store on this disk, once with a flush that takes 20 ms.
    let base_dir = option_env!("CARGO_TARGET_TMPDIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    std::fs::create_dir_all(&base_dir).expect("bench dir");
    let (blocks, block) = if full { (40, 250) } else { (2, 25) };
    for slow in [false, true] {
        let tmp = tempfile::tempdir_in(&base_dir).expect("tempdir");
        let store = Arc::new(Store::open(&tmp.path().join("store")).expect("store"));
        let mut desk = if slow {
            Desk::with_draft_sink(
                store.clone(),
                Box::new(|_| None),
                Box::new(|s| Arc::new(SlowDisk(s)) as Arc<dyn DraftSink>),
            )
        } else {
            Desk::new(store.clone(), Box::new(|_| None))
        };
        let mut rt_app = form_app(FieldId::Address);
        let mut rt_term = Terminal::new(TestBackend::new(W, H)).expect("terminal");
        let mut pending = VecDeque::new();
        let (mut j, mut k) = (0u64, 0u64);
        let (rt, ur) = time_interleaved(
            blocks,
            block,
            || runtime_step(&mut desk, &mut rt_app, &mut rt_term, &mut pending, &mut j),
            || {
                let ev = alternate(&mut k);
                std::hint::black_box(update(&mut app, ev, &env));
                term.draw(|f| render(&app, f)).expect("draw");
            },
        );
        // A screen change (Esc: "discard the form?") writes the newest draft and waits.
        let t = Instant::now();
        let mut esc = VecDeque::from([key(KeyCode::Esc)]);
        let quit = handle_events(&mut desk, &mut rt_app, &mut esc, None);
        let settle = t.elapsed();
        assert!(!quit && matches!(rt_app.screen, Screen::Discard { .. }));
        let draft = store
            .load_draft(DRAFT_KEY)
            .expect("draft")
            .expect("a draft was written");
        let restored = onshi::tui::app::draft_from_bytes(&draft).expect("draft decodes");
        assert_eq!(
            restored.text(FieldId::Address),
            match &rt_app.screen {
                Screen::Discard { form } => form.text(FieldId::Address),
                _ => unreachable!(),
            },
            "the draft on disk is the form as last typed"
        );
        let label = if slow {
            "runtime keystroke, flush 20 ms (median)"
        } else {
            "runtime keystroke (median)"
        };
        report(
            label,
            &format!("{:.1} us", us(rt.median)),
            &format!("{:.1} us", us(ur.median)),
            Some(us(rt.median) / us(ur.median).max(1e-3)),
            "<= 1.2x update+render",
            us(rt.median) <= 1.2 * us(ur.median),
        );
        report(
            &format!("{} (p99)", label.trim_end_matches(" (median)")),
            &format!("{:.1} us", us(rt.p99)),
            &format!("{:.1} us", us(ur.p99)),
            Some(us(rt.p99) / us(ur.p99).max(1e-3)),
            "(reported)",
            true,
        );
        println!(
            "    then Esc (a screen change: the newest draft written and waited for) took {:.1} ms",
            settle.as_secs_f64() * 1e3
        );
        drop(desk);
    }

    // For comparison, the draft written before the frame (how the runtime did it before
    // the writer thread): update, `Store::save_draft`, draw.
    let tmp = tempfile::tempdir_in(&base_dir).expect("tempdir");
    let store = Store::open(&tmp.path().join("store")).expect("store");
    let m = if full { 2_000 } else { 50 };
    let mut app = form_app(FieldId::Address);
    let mut j = 0u64;
    let with_draft = time_each(m, || {
        let ev = alternate(&mut j);
        let effects = update(&mut app, ev, &env);
        for e in effects {
            if let Effect::SaveDraft(bytes) = e {
                store.save_draft(DRAFT_KEY, &bytes).expect("draft");
            }
        }
        term.draw(|f| render(&app, f)).expect("draw");
    });
    report(
        "draft flushed before the frame (old way)",
        &format!("{:.1} us", us(with_draft.median)),
        &format!("{:.1} us", us(ks.median)),
        Some(us(with_draft.median) / us(ks.median).max(1e-3)),
        "(comparison)",
        true,
    );

    // Bytes to the terminal per typed character.
    let rounds = if full { 200 } else { 3 };
    for (label, field, text) in [
        ("kanji into 住所", FieldId::Address, "千代田区霞が関"),
        ("ASCII into 電話", FieldId::Phone, "0312345678"),
    ] {
        for tracked in [false, true] {
            let b = bytes_per_char(field, text, rounds, tracked);
            let per = b.emitted as f64 / b.typed as f64;
            let min = b.minimum as f64 / b.typed as f64;
            let (who, target, met) = if tracked {
                ("desk backend", "<= 1.5x minimum", per <= 1.5 * min)
            } else {
                ("ratatui crossterm", "(before)", true)
            };
            report(
                &format!("bytes/char: {label}, {who}"),
                &format!("{per:.1} B"),
                &format!("min {min:.1} B"),
                Some(per / min),
                target,
                met,
            );
            println!(
                "    ({} chars typed; {:.2} separate runs of changed cells per char); last one: {}",
                b.typed,
                b.runs as f64 / b.typed as f64,
                b.sample
            );
        }
    }
    println!(
        "  peak RSS of this bench process: {} KiB",
        common::peak_rss_kib()
    );
}
