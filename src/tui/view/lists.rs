//! Lists of earlier records: the repeat-patient search and the follow-up list.

use super::theme;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::Frame;

use super::fit;
use crate::domain::record::Record;
use crate::i18n::Label;
use crate::i18n::{Lang, Msg};
use crate::tui::app::App;
use crate::tui::editor::LineEditor;

/// Widths: marker, date, name, kana, birth date, basis/source; name and kana share
/// what is left. The last column holds "declaration unknown" (English) or
/// "返金 12,340円" whole.
fn columns(width: u16) -> [usize; 5] {
    let fixed = 1 + 10 + 10 + 20 + 4;
    let rest = (width as usize).saturating_sub(fixed).max(10);
    let name = rest / 2;
    [10, name, rest - name, 10, 20]
}

fn header(lang: Lang, width: u16) -> Line<'static> {
    row_line(
        " ",
        [
            lang.t(Msg::ColDate),
            lang.t(Msg::ColName),
            lang.t(Msg::ColKana),
            lang.t(Msg::ColBirth),
            lang.t(Msg::ColSource),
        ],
        width,
        theme::HEADING,
    )
}

fn row_line(marker: &str, cells: [&str; 5], width: u16, style: Style) -> Line<'static> {
    let body: Vec<String> = cells
        .iter()
        .zip(columns(width))
        .map(|(c, w)| fit(c, w))
        .collect();
    Line::styled(format!("{marker}{}", body.join(" ")), style)
}

fn record_lines(
    app: &App,
    records: &[Record],
    selected: usize,
    width: u16,
    height: usize,
) -> Vec<Line<'static>> {
    let l = app.lang;
    let start = (selected / height.max(1)) * height.max(1);
    records
        .iter()
        .enumerate()
        .skip(start)
        .take(height)
        .map(|(i, r)| {
            let d = &r.declaration;
            // Confirmed already, a difference open: what is owed, not how it was seen.
            let how = match r.followup.difference_yen {
                Some(diff) if r.followup.unsettled() => difference_text(l, diff),
                _ => format!(
                    "{} {}",
                    l.t(r.verification.source.label()),
                    l.t(r.insurance.basis.label())
                ),
            };
            let (marker, style) = if i == selected {
                ("►", theme::SELECTED)
            } else {
                (" ", theme::PLAIN)
            };
            row_line(
                marker,
                [
                    &r.service_date.to_string(),
                    &d.name,
                    &d.name_kana,
                    &d.birth_date.to_string(),
                    &how,
                ],
                width,
                style,
            )
        })
        .collect()
}

/// "返金 1,230円" / "追加徴収 450円".
pub fn difference_text(l: Lang, diff: i64) -> String {
    let (what, yen) = if diff < 0 {
        (Msg::Refund, diff.unsigned_abs())
    } else {
        (Msg::CollectMore, diff.unsigned_abs())
    };
    let yen = super::review::grouped(yen);
    match l {
        Lang::Ja => format!("{} {yen}円", l.t(what)),
        Lang::En => format!("{} {yen} yen", l.t(what)),
    }
}

pub fn search(
    app: &App,
    query: &LineEditor,
    results: &[Record],
    selected: usize,
    frame: &mut Frame,
    area: Rect,
) {
    let l = app.lang;
    let label = format!("{}: ", l.t(Msg::ActSearch));
    let label_w = unicode_width::UnicodeWidthStr::width(label.as_str()) as u16;
    let view = query.view(area.width.saturating_sub(label_w));
    let mut lines = vec![
        Line::from(vec![
            Span::styled(label, theme::BOLD),
            Span::styled(view.visible, theme::INPUT),
        ]),
        Line::styled(l.t(Msg::SearchHint).to_string(), theme::DIM),
        header(l, area.width),
    ];
    if results.is_empty() && !query.text().trim().is_empty() {
        lines.push(Line::raw(format!("  {}", l.t(Msg::SearchNone))));
    }
    let height = (area.height as usize).saturating_sub(3);
    lines.extend(record_lines(app, results, selected, area.width, height));
    super::put_lines(frame, area, &lines);
    frame.set_cursor_position(Position::new(area.x + label_w + view.cursor_col, area.y));
}

pub fn followups(app: &App, selected: usize, frame: &mut Frame, area: Rect) {
    let l = app.lang;
    let items = &app.followups;
    let mut lines = vec![header(l, area.width)];
    if items.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::raw(format!("  {}", l.t(Msg::FollowupsEmpty))));
    }
    let height = (area.height as usize).saturating_sub(1);
    lines.extend(record_lines(app, items, selected, area.width, height));
    super::put_lines(frame, area, &lines);
}
