//! Small boxes over the current screen: void reason, discard confirmation.

use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::{centered, key_hint, safe};
use crate::domain::record::Record;
use crate::i18n::Msg;
use crate::keymap::{Action, Ctx};
use crate::tui::app::App;
use crate::tui::editor::LineEditor;

fn keys_line(app: &App) -> Line<'static> {
    let mut spans = Vec::new();
    for a in [Action::Confirm, Action::Cancel] {
        if let Some((k, label)) = key_hint(app, Ctx::Dialog, a) {
            spans.push(Span::styled(
                k,
                Style::new().add_modifier(Modifier::REVERSED),
            ));
            spans.push(Span::raw(format!(" {label}  ")));
        }
    }
    Line::from(spans)
}

pub fn void(app: &App, record: &Record, reason: &LineEditor, frame: &mut Frame, body: Rect) {
    let l = app.lang;
    let area = centered(body, 60.min(body.width), 7);
    frame.render_widget(Clear, area);
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
            Span::styled(
                view.visible.clone(),
                Style::new().add_modifier(Modifier::UNDERLINED),
            ),
        ]),
        Line::raw(""),
        keys_line(app),
    ];
    frame.render_widget(Paragraph::new(lines), inner);
    frame.set_cursor_position(Position::new(inner.x + 2 + view.cursor_col, inner.y + 2));
}

pub fn discard(app: &App, frame: &mut Frame, body: Rect) {
    let area = centered(body, 50.min(body.width), 5);
    frame.render_widget(Clear, area);
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
