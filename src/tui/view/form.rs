//! The declaration form: one row per field, its problem on the row below.

use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

use super::theme;
use super::{fit, key_hint, required_mark, safe, wrap};
use crate::domain::copay::age_on;
use crate::domain::era::{format_wareki, parse_date};
use crate::domain::insurer::{major_category, parse_insurer_number};
use crate::domain::kana::normalize_kana;
use crate::domain::validate;
use crate::i18n::Label;
use crate::i18n::{describe_problem, Msg};
use crate::keymap::{Action, Ctx};
use crate::tui::app::App;
use crate::tui::fields::{FieldId, Kind};
use crate::tui::form::{FormState, Mode, Value};

const LABEL_WIDTH: usize = 22;

/// Renders the form; returns the hint line for the focused field.
pub fn render(app: &App, form: &FormState, frame: &mut Frame, area: Rect) -> Option<Line<'static>> {
    let l = app.lang;
    let today = app.today();
    let service = form.service_date(today);
    let shown = form.visible_errors();
    let value_x = area.x + LABEL_WIDTH as u16 + 2;
    let value_width = area.width.saturating_sub(LABEL_WIDTH as u16 + 2);

    let mut lines: Vec<Line> = recheck_header(app, form, value_width as usize);
    let mut focus_line = 0usize;
    let mut cursor: Option<(u16, usize)> = None;
    for id in form.shown_fields(service) {
        let focused = id == form.focus;
        if focused {
            focus_line = lines.len();
        }
        let mut label = l.t(id.label()).to_string();
        if form.is_required(id) {
            label.push_str(required_mark(l));
        }
        let label_style = if focused {
            theme::FOCUS
        } else if shown.contains_key(&id) {
            theme::ERROR
        } else {
            theme::PLAIN
        };
        let marker = if focused { "►" } else { " " };
        let mut spans = vec![
            Span::raw(marker),
            Span::styled(fit(&label, LABEL_WIDTH), label_style),
            Span::raw(" "),
        ];
        match (id.kind(), form.value(id)) {
            (Kind::Choice(list), Some(Value::Choice(sel))) => {
                let text = sel
                    .and_then(|i| list.label(i))
                    .map(|m| l.t(m))
                    .unwrap_or(l.t(Msg::Unselected));
                let shown_text = if focused {
                    format!("◄ {text} ►")
                } else {
                    text.to_string()
                };
                let style = if sel.is_none() {
                    theme::DIM
                } else {
                    theme::PLAIN
                };
                spans.push(Span::styled(shown_text, style));
            }
            (_, Some(Value::Text(ed))) => {
                if focused {
                    // Pending romaji shows where it is being typed, before conversion.
                    let pending = form.pending.pending();
                    let view = if pending.is_empty() {
                        ed.view(value_width)
                    } else {
                        let mut shown = ed.clone();
                        shown.insert(pending);
                        shown.view(value_width)
                    };
                    cursor = Some((value_x + view.cursor_col, lines.len()));
                    spans.push(Span::styled(view.visible, theme::INPUT));
                } else {
                    let text = ed.text();
                    let mut shown_text = fit(text, value_width as usize).trim_end().to_string();
                    // Show what will be stored when it differs from what was typed.
                    let preview = match id {
                        FieldId::BirthDate | FieldId::DeclaredOn => {
                            parse_date(text).ok().map(|d| {
                                if d.to_string() == text.trim() {
                                    format!("（{}）", format_wareki(d))
                                } else {
                                    format!("  → {} {}", d, format_wareki(d))
                                }
                            })
                        }
                        FieldId::NameKana => normalize_kana(text)
                            .ok()
                            .filter(|k| k != text)
                            .map(|k| format!("  → {k}")),
                        _ => None,
                    };
                    if let Some(p) = preview {
                        if shown_text.width() + p.width() <= value_width as usize {
                            shown_text.push_str(&p);
                        }
                    }
                    spans.push(Span::raw(shown_text));
                }
            }
            _ => {}
        }
        lines.push(Line::from(spans));
        if let Some(e) = shown.get(&id) {
            let msg = format!("⚠ {}", describe_problem(&e.problem, l));
            // A long message wraps under the value rather than being cut off.
            for chunk in wrap(&msg, value_width as usize) {
                lines.push(Line::from(vec![
                    Span::raw(" ".repeat(LABEL_WIDTH + 2)),
                    Span::styled(chunk, theme::ERROR),
                ]));
            }
        }
    }

    // Scroll so the focused field (and its error row) stays on screen.
    let height = area.height as usize;
    let scroll = (focus_line + 2).saturating_sub(height);
    let visible: Vec<Line> = lines.into_iter().skip(scroll).take(height).collect();
    super::put_lines(frame, area, &visible);
    if let Some((x, line)) = cursor {
        if line >= scroll && line - scroll < height {
            frame.set_cursor_position(Position::new(x, area.y + (line - scroll) as u16));
        }
    }
    Some(hint(app, form, today))
}

/// For a recheck: whose record it is (the card-face 4 items and the kana, what the
/// outage-mode lookup asks for), a warning when the insurer being confirmed is of another
/// kind than the one declared (declared 国保, confirmed 法別 01), and the difference the
/// confirmed ratio gives.
fn recheck_header(app: &App, form: &FormState, width: usize) -> Vec<Line<'static>> {
    let (Mode::Recheck, Some(rec)) = (form.mode, form.editing.as_ref()) else {
        return Vec::new();
    };
    let l = app.lang;
    let d = &rec.declaration;
    let who = format!(
        "{}: {}（{}） {}（{}） {}  {}",
        l.t(Msg::RecheckIdentity),
        safe(&d.name),
        d.name_kana,
        d.birth_date,
        format_wareki(d.birth_date),
        l.t(d.sex.label()),
        safe(&d.address)
    );
    let mut lines: Vec<Line<'static>> = wrap(&who, width + LABEL_WIDTH + 2)
        .into_iter()
        .map(|chunk| Line::styled(chunk, theme::BOLD))
        .collect();
    let typed = parse_insurer_number(form.text(FieldId::InsurerNumber)).ok();
    let declared = major_category(None, d.insurance_kind);
    let confirmed = typed
        .as_deref()
        .and_then(|n| major_category(Some(n), d.insurance_kind));
    if let (Some(a), Some(b)) = (declared, confirmed) {
        if a != b {
            lines.push(Line::styled(
                format!(
                    "⚠ {}（{} → {}）",
                    l.t(Msg::RecheckKindMismatch),
                    l.t(a.kind().label()),
                    l.t(b.kind().label())
                ),
                theme::WARN,
            ));
        }
    }
    let ratio = form
        .choice_code(FieldId::ConfirmedRatio)
        .and_then(|c| c.parse::<u8>().ok());
    let points = rec.copay.points.or_else(|| form.points());
    if let Some(diff) = validate::settle_difference(points, rec.copay.amount_yen, ratio) {
        lines.push(Line::styled(
            format!(
                "{}: {}",
                l.t(Msg::DifferenceLine),
                super::lists::difference_text(l, diff)
            ),
            theme::PREVIEW,
        ));
    }
    lines
}

fn hint(app: &App, form: &FormState, today: chrono::NaiveDate) -> Line<'static> {
    let l = app.lang;
    let dim = theme::DIM;
    let id = form.focus;
    match id.kind() {
        Kind::Choice(_) => Line::styled(l.t(Msg::HintChoice).to_string(), dim),
        Kind::Date => {
            let text = form.text(id);
            match parse_date(text) {
                Ok(d) => {
                    let mut s = format!("→ {}（{}）", d, format_wareki(d));
                    if id == FieldId::BirthDate {
                        s.push_str(&format!(
                            " {}{}",
                            age_on(d, form.service_date(today)),
                            l.t(Msg::Age)
                        ));
                    }
                    Line::styled(s, theme::PREVIEW)
                }
                Err(_) => Line::styled(l.t(Msg::HintDate).to_string(), dim),
            }
        }
        Kind::Text => {
            let mut spans = Vec::new();
            let toggle = key_hint(app, Ctx::Editor, Action::Romaji)
                .map(|(k, _)| k)
                .unwrap_or_default();
            if form.romaji_active() {
                spans.push(Span::styled(
                    format!("[{}: {}] ", l.t(Msg::RomajiOn), toggle),
                    theme::BADGE,
                ));
                if !form.pending.pending().is_empty() {
                    spans.push(Span::raw(format!(
                        "{}: {}  ",
                        l.t(Msg::RomajiPending),
                        form.pending.pending()
                    )));
                }
            }
            if id == FieldId::NameKana {
                let text = form.text(id);
                match normalize_kana(text) {
                    Ok(k) if !k.is_empty() && k != text => {
                        spans.push(Span::styled(format!("→ {}", safe(&k)), theme::PREVIEW))
                    }
                    _ => spans.push(Span::styled(l.t(Msg::HintKana).to_string(), dim)),
                }
            }
            Line::from(spans)
        }
    }
}
