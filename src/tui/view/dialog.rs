//! Small boxes over the current screen: void reason, discard confirmation.

use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

use super::theme;
use super::{centered, clear_popup, key_hint, safe};
use crate::domain::record::Record;
use crate::i18n::Msg;
use crate::keymap::{Action, Ctx};
use crate::tui::app::{App, PinDialog, SetAsideDialog};
use crate::tui::editor::LineEditor;

fn keys_line(app: &App) -> Line<'static> {
    keys_for(app, &[Action::Confirm, Action::Cancel])
}

fn keys_for(app: &App, actions: &[Action]) -> Line<'static> {
    let mut spans = Vec::new();
    for a in actions.iter().copied() {
        if let Some((k, label)) = key_hint(app, Ctx::Dialog, a) {
            spans.push(Span::styled(k, theme::SELECTED));
            spans.push(Span::raw(format!(" {label}  ")));
        }
    }
    Line::from(spans)
}

pub fn void(app: &App, record: &Record, reason: &LineEditor, frame: &mut Frame, body: Rect) {
    let l = app.lang;
    let area = centered(body, 60.min(body.width), 7);
    clear_popup(frame, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {} ", l.t(Msg::FieldVoidReason)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let input_width = inner.width.saturating_sub(2);
    let view = reason.view(input_width);
    let lines = vec![
        Line::raw(format!(
            "{}  {}",
            safe(&record.declaration.name),
            safe(&record.declaration.name_kana)
        )),
        Line::raw(l.t(Msg::VoidPrompt)),
        Line::from(vec![
            Span::raw("> "),
            Span::styled(view.visible.clone(), theme::INPUT),
        ]),
        Line::raw(""),
        keys_line(app),
    ];
    frame.render_widget(Paragraph::new(lines), inner);
    frame.set_cursor_position(Position::new(inner.x + 2 + view.cursor_col, inner.y + 2));
}

/// The reason for setting a refused version aside. Names the record by id and version
/// only (the sync screen shows no personal values).
pub fn set_aside(app: &App, d: &SetAsideDialog, frame: &mut Frame, body: Rect) {
    let l = app.lang;
    let area = centered(body, 64.min(body.width), 8);
    clear_popup(frame, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {} ", l.t(Msg::SetAsideTitle)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let view = d.reason.view(inner.width.saturating_sub(2));
    let lines = vec![
        Line::raw(format!("{} v{}", d.id, d.version)),
        Line::raw(l.t(Msg::SetAsidePrompt)),
        Line::from(vec![
            Span::raw("> "),
            Span::styled(view.visible.clone(), theme::INPUT),
        ]),
        Line::raw(""),
        keys_line(app),
    ];
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    // The prompt may wrap onto a second line; the input line follows it.
    let prompt_rows = {
        let w = usize::from(inner.width.max(1));
        unicode_width::UnicodeWidthStr::width(l.t(Msg::SetAsidePrompt))
            .div_ceil(w)
            .max(1)
    };
    let row = inner.y + 1 + u16::try_from(prompt_rows).unwrap_or(1);
    frame.set_cursor_position(Position::new(inner.x + 2 + view.cursor_col, row));
}

pub fn discard(app: &App, frame: &mut Frame, body: Rect) {
    let area = centered(body, 50.min(body.width), 5);
    clear_popup(frame, area);
    let lines = vec![
        Line::raw(app.lang.t(Msg::DiscardPrompt)),
        Line::raw(""),
        keys_line(app),
    ];
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::default().borders(Borders::ALL)),
        area,
    );
}

pub fn pin(app: &App, d: &PinDialog, frame: &mut Frame, body: Rect) {
    let l = app.lang;
    let (digits, tries, armed, busy) = (d.pin.len(), d.tries, d.armed, d.busy);
    let area = centered(body, 64.min(body.width), 9);
    clear_popup(frame, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {} ", l.t(Msg::CardDialogTitle)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    // Never the digits: one mark per digit typed.
    let masked: String = "＊".repeat(digits) + &"＿".repeat(4 - digits.min(4));
    let mut lines = vec![
        Line::raw(l.t(Msg::CardPinPrompt)),
        Line::from(vec![Span::raw("  "), Span::styled(masked, theme::BOLD)]),
        Line::raw(match tries {
            Some(n) => format!("{}: {n}", l.t(Msg::CardTriesLeft)),
            None => l.t(Msg::CardAsking).to_string(),
        }),
    ];
    if tries == Some(1) {
        let msg = if armed {
            Msg::CardLastTryConfirm
        } else {
            Msg::CardLastTry
        };
        lines.push(Line::styled(l.t(msg).to_string(), theme::ERROR));
    } else if busy {
        lines.push(Line::raw(l.t(Msg::CardReading)));
    } else {
        lines.push(Line::raw(l.t(Msg::CardPinHint)));
    }
    lines.push(Line::raw(""));
    lines.push(keys_line(app));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

pub fn operator(app: &App, name: &LineEditor, frame: &mut Frame, body: Rect) {
    let l = app.lang;
    let area = centered(body, 60.min(body.width), 6);
    // One line of prompt, so the input row (and the cursor) is always the second.
    clear_popup(frame, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {} ", l.t(Msg::ScreenOperator)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let view = name.view(inner.width.saturating_sub(2));
    let lines = vec![
        Line::raw(l.t(Msg::OperatorPrompt)),
        Line::from(vec![
            Span::raw("> "),
            Span::styled(view.visible, theme::INPUT),
        ]),
        Line::raw(""),
        keys_for(app, &[Action::Confirm]),
    ];
    frame.render_widget(Paragraph::new(lines), inner);
    frame.set_cursor_position(Position::new(inner.x + 2 + view.cursor_col, inner.y + 1));
}
