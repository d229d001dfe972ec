//! Keystroke → updated frame, and bytes written to the terminal per typed character.
//!
//! 1. Latency: `onshi::tui::update` + `onshi::tui::render` of the declaration form (80×24,
//!    Japanese text in the fields) into ratatui's TestBackend, per keystroke (typing a kanji
//!    and deleting it again, alternately). Baseline: drawing an empty ratatui frame into the
//!    same kind of backend. Also shown: the same keystroke including the draft autosave the
//!    runtime performs before it draws (`Desk::perform` of `Effect::SaveDraft` on a real
//!    store: a sled flush, i.e. an fsync).
//! 2. Bytes: the same update + render through ratatui's CrosstermBackend into a `Vec<u8>`,
//!    bytes emitted per typed character after the first frame, beside the minimum a terminal
//!    needs for that change (the changed cells' UTF-8 plus one cursor-move sequence).
//!
//! `cargo bench --bench keystroke`; under `cargo test --all-targets` it runs with tiny N.

#[path = "common/mod.rs"]
mod common;

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

use chrono::{DateTime, FixedOffset};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::{CrosstermBackend, TestBackend};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};

use common::{full_run, report, time_each, us};
use onshi::domain::record::{IncidentCase, VerificationSource};
use onshi::i18n::Lang;
use onshi::keymap::Keymap;
use onshi::tui::fields::FieldId;
use onshi::tui::form::FormState;
use onshi::tui::{render, update, App, Env, Event, Screen};

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
fn bytes_per_char(field: FieldId, text: &str, rounds: usize) -> Bytes {
    let mut app = form_app(field);
    let env = env();
    update(&mut app, key(KeyCode::Char('u')), &env); // nothing bound: harmless
    let sink = Sink::default();
    let area = Rect::new(0, 0, W, H);
    let mut term = Terminal::with_options(
        CrosstermBackend::new(sink.clone()),
        TerminalOptions {
            viewport: Viewport::Fixed(area),
        },
    )
    .expect("crossterm terminal");
    // A TestBackend in lockstep gives the full screens to compute the minimum from.
    let mut shadow = Terminal::new(TestBackend::new(W, H)).expect("test terminal");
    let draw = |app: &App,
                term: &mut Terminal<CrosstermBackend<Sink>>,
                shadow: &mut Terminal<TestBackend>| {
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

fn main() {
    let full = full_run();
    let n = if full { 20_000 } else { 200 };
    let env = env();
    println!("keystroke benchmark (80x24, Japanese text, N = {n} per loop)");

    // Baseline: an empty ratatui frame into a TestBackend.
    let mut bare = Terminal::new(TestBackend::new(W, H)).expect("terminal");
    bare.draw(|_| {}).expect("draw");
    let warm = time_each(n / 10 + 1, || {
        bare.draw(|_| {}).expect("draw");
    });
    let base = time_each(n, || {
        bare.draw(|_| {}).expect("draw");
    });
    let _ = warm;

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

    // The same keystroke as the runtime does it: update, perform the draft autosave
    // (durable: a sled flush), then draw.
    let tmp = tempfile::tempdir().expect("tempdir");
    let store = onshi::store::Store::open(&tmp.path().join("store")).expect("store");
    let mut desk = onshi::runtime::Desk::new(std::sync::Arc::new(store), Box::new(|_| None));
    let m = if full { 2_000 } else { 50 };
    let mut app = form_app(FieldId::Address);
    let mut j = 0u64;
    let with_draft = time_each(m, || {
        let ev = alternate(&mut j);
        let effects = update(&mut app, ev, &env);
        assert!(!effects.is_empty(), "a changed value asks for a draft save");
        let events = desk.perform(None, &app, effects).events;
        assert!(events.is_empty(), "draft saved: {events:?}");
        term.draw(|f| render(&app, f)).expect("draw");
    });
    report(
        "keystroke incl. draft autosave (median)",
        &format!("{:.1} us", us(with_draft.median)),
        &format!("{:.1} us", us(base.median)),
        Some(us(with_draft.median) / us(base.median).max(1e-3)),
        "< 200 us",
        with_draft.median.as_micros() < 200,
    );

    // Bytes to the terminal per typed character.
    let rounds = if full { 200 } else { 3 };
    for (label, field, text) in [
        (
            "bytes/char: kanji into 住所",
            FieldId::Address,
            "千代田区霞が関",
        ),
        ("bytes/char: ASCII into 電話", FieldId::Phone, "0312345678"),
    ] {
        let b = bytes_per_char(field, text, rounds);
        let per = b.emitted as f64 / b.typed as f64;
        let min = b.minimum as f64 / b.typed as f64;
        report(
            label,
            &format!("{per:.1} B"),
            &format!("min {min:.1} B"),
            Some(per / min),
            "<= 2x minimum",
            per <= 2.0 * min,
        );
        println!(
            "    ({} chars typed; {:.2} separate runs of changed cells per char); last one: {}",
            b.typed,
            b.runs as f64 / b.typed as f64,
            b.sample
        );
    }
    println!(
        "  peak RSS of this bench process: {} KiB",
        common::peak_rss_kib()
    );
}
