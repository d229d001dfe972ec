//! The desk's terminal backend (`runtime::terminal::Tracked`) sends less than ratatui's
//! crossterm backend and draws the same screens (docs/architecture.md, "The terminal"). Both are fed the same frames of a real
//! intake (update + render: home with rows, help, triage, the procedure, the declaration
//! typed in Japanese with a variation selector and romaji, the review, a dialog, an erase);
//! what each sends goes into a terminal emulator (the vt100 crate). After every frame the
//! two emulators must agree on every cell — character, colours, bold, dim, italic,
//! underline, reverse, width — and on the cursor: the same screen in effect.

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

use chrono::{DateTime, FixedOffset};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::{Backend, CrosstermBackend};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};

use onshi::domain::input::RecordInput;
use onshi::domain::validate::{self, Context};
use onshi::i18n::Lang;
use onshi::keymap::Keymap;
use onshi::runtime::terminal::Tracked;
use onshi::tui::app::Row;
use onshi::tui::{render, update, App, Env, Event, Snapshot};

const W: u16 = 80;
const H: u16 = 24;

fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-11-28T09:12:00+09:00").unwrap()
}

fn env() -> Env {
    Env {
        now: now(),
        new_id: "01JF0000000000000000000000".into(),
    }
}

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

impl Sink {
    /// What was written since the last call.
    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.borrow_mut())
    }
}

fn fixed() -> TerminalOptions {
    TerminalOptions {
        viewport: Viewport::Fixed(Rect::new(0, 0, W, H)),
    }
}

/// Two emulators show exactly the same: every cell's contents and attributes.
fn same_cells(step: &str, a: &vt100::Screen, b: &vt100::Screen) {
    for y in 0..H {
        for x in 0..W {
            let (p, q) = (a.cell(y, x).expect("cell"), b.cell(y, x).expect("cell"));
            let look = |c: &vt100::Cell| {
                (
                    c.contents().to_string(),
                    c.fgcolor(),
                    c.bgcolor(),
                    c.bold(),
                    c.dim(),
                    c.italic(),
                    c.underline(),
                    c.inverse(),
                    c.is_wide(),
                )
            };
            assert_eq!(look(p), look(q), "after {step}: cell ({x},{y})");
        }
    }
}

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// One step of the walk: named keys or typed text.
enum Step {
    Keys(&'static [KeyCode]),
    Text(&'static str),
}

fn record(name: &str, id: &str) -> onshi::domain::record::Record {
    let line = format!(
        r#"{{"id":"{id}","created_at":"2026-11-28T09:05:00+09:00","incident":{{"case":"3-4","note":"停電"}},
        "declaration":{{"has_valid_card":true,"insurance_kind":"kokuho","insurer_name":"千代田区","name":"{name}",
        "name_kana":"ヤマダ　タロウ","birth_date":"昭和56年4月1日","sex":"female","address":"東京都千代田区霞が関1-2-2",
        "signer":"patient","phone":"03-1234-5678"}}}}"#
    );
    let input: RecordInput = serde_json::from_str(&line).unwrap();
    let ctx = Context {
        now: now(),
        terminal_id: "reception-1".into(),
        operator: "佐藤".into(),
        new_id: id.into(),
    };
    validate::record(&input, &ctx).unwrap()
}

#[test]
fn tracked_backend_draws_the_same_screens_with_fewer_bytes() {
    let mut app = App::new(
        Lang::Ja,
        Keymap::shipped_default(),
        "佐藤".into(),
        "reception-1".into(),
        now(),
    );
    let mut voided = record("鈴木　一郎", "01JF0000000000000000000002");
    voided.status = onshi::domain::record::Status::Voided;
    update(
        &mut app,
        Event::Loaded(Snapshot {
            today: vec![
                Row {
                    record: record("山田　花子", "01JF0000000000000000000001"),
                    queued: true,
                },
                Row {
                    record: voided,
                    queued: false,
                },
            ],
            followup_count: 1,
            total: 2,
            queued: 1,
            store_path: "/var/lib/onshi".into(),
        }),
        &env(),
    );
    let (tracked_out, plain_out) = (Sink::default(), Sink::default());
    let mut tracked =
        Terminal::with_options(Tracked::with_width(tracked_out.clone(), W), fixed()).unwrap();
    let mut plain =
        Terminal::with_options(CrosstermBackend::new(plain_out.clone()), fixed()).unwrap();
    let size = |n: u16| std::num::NonZeroU16::new(n).unwrap();
    let mut seen_tracked = vt100::Parser::new(size(H), size(W), 0);
    let mut seen_plain = vt100::Parser::new(size(H), size(W), 0);
    let (mut bytes_tracked, mut bytes_plain) = (0usize, 0usize);

    use KeyCode::*;
    let walk: Vec<(&str, Step)> = vec![
        ("home", Step::Keys(&[])),
        ("down the list", Step::Keys(&[Down])),
        ("help", Step::Keys(&[F(1)])),
        ("help closed", Step::Keys(&[Esc])),
        ("triage", Step::Keys(&[F(2)])),
        ("case 3-4", Step::Keys(&[Char('6')])),
        (
            "the note",
            Step::Text("14:05 ヘルプデスクに障害時モード依頼"),
        ),
        (
            "declaration source",
            Step::Keys(&[Down, Down, Down, Down, Down, Enter]),
        ),
        ("name with IVS", Step::Text("葛\u{E0100}西　花子")),
        ("kana by romaji", Step::Keys(&[Tab])),
        ("romaji", Step::Text("kasai hanako")),
        ("birth date", Step::Keys(&[Tab])),
        ("date typed", Step::Text("昭和５６年４月１日")),
        ("sex", Step::Keys(&[Tab, Left, Tab])),
        ("address", Step::Text("東京都千代田区霞が関１－２－２")),
        ("deleting", Step::Keys(&[Backspace, Backspace, Backspace])),
        ("retyped", Step::Text("２－２")),
        ("bad phone", Step::Keys(&[Tab])),
        ("phone", Step::Text("abc")),
        ("left with an error", Step::Keys(&[Tab, BackTab])),
        (
            "phone fixed",
            Step::Keys(&[Backspace, Backspace, Backspace]),
        ),
        ("phone typed", Step::Text("０３－１２３４－５６７８")),
        ("choices", Step::Keys(&[Tab, Right, Right, Tab, Right, Tab])),
        ("insurer", Step::Text("千代田区")),
        ("review", Step::Keys(&[F(9)])),
        ("back to the form", Step::Keys(&[Esc])),
        ("discard dialog", Step::Keys(&[Esc])),
        ("kept", Step::Keys(&[Esc])),
    ];
    let mut steps = 0;
    for (i, (what, step)) in walk.iter().enumerate() {
        let events: Vec<Event> = match step {
            Step::Keys(keys) => keys.iter().map(|k| key(*k)).collect(),
            Step::Text(t) => t.chars().map(|c| key(Char(c))).collect(),
        };
        // Typed text is drawn a character at a time, as a clerk types.
        let frames: Vec<Vec<Event>> = match step {
            Step::Text(_) => events.into_iter().map(|e| vec![e]).collect(),
            Step::Keys(_) => vec![events],
        };
        for batch in frames {
            for e in batch {
                update(&mut app, e, &env());
            }
            if i == 20 {
                // The screen erased (as on a resize), in the middle of the attributes of
                // the last frame: both must erase to plain blanks.
                tracked.backend_mut().clear().unwrap();
                plain.backend_mut().clear().unwrap();
            }
            tracked.draw(|f| render(&app, f)).unwrap();
            plain.draw(|f| render(&app, f)).unwrap();
            let (t, p) = (tracked_out.take(), plain_out.take());
            bytes_tracked += t.len();
            bytes_plain += p.len();
            seen_tracked.process(&t);
            seen_plain.process(&p);
            same_cells(what, seen_tracked.screen(), seen_plain.screen());
            assert_eq!(
                seen_tracked.screen().hide_cursor(),
                seen_plain.screen().hide_cursor(),
                "cursor shown alike after {what}"
            );
            if !seen_plain.screen().hide_cursor() {
                assert_eq!(
                    seen_tracked.screen().cursor_position(),
                    seen_plain.screen().cursor_position(),
                    "cursor at the same place after {what}"
                );
            }
            steps += 1;
        }
    }
    let screen = seen_tracked.screen().contents();
    assert!(
        screen.contains("千代田区") && screen.contains("２－２"),
        "the walk ended on the typed form:\n{screen}"
    );
    assert!(steps > 100, "{steps} frames");
    assert!(
        bytes_tracked * 10 < bytes_plain * 9,
        "tracked {bytes_tracked} B vs crossterm {bytes_plain} B"
    );
    // Handing the terminal back leaves plain attributes.
    tracked.backend_mut().reset().unwrap();
    seen_tracked.process(&tracked_out.take());
    let after = seen_tracked.screen();
    assert_eq!(after.fgcolor(), vt100::Color::Default);
    assert_eq!(after.bgcolor(), vt100::Color::Default);
    assert!(!after.bold() && !after.underline() && !after.inverse());
}
