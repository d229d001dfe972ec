//! Home: today's intakes, newest first.

use super::theme;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::Frame;

use super::fit;
use crate::domain::record::Status;
use crate::i18n::Msg;
use crate::i18n::{case_short, Label};
use crate::tui::app::{App, ListState};

/// Column widths for a body `width` wide: name and kana take what is left.
fn columns(width: u16) -> [usize; 6] {
    let fixed = 1 + 5 + 12 + 10 + 6 + 5; // marker, time, case, basis, sync, gaps
    let rest = (width as usize).saturating_sub(fixed).max(10);
    let name = rest * 45 / 100;
    [5, name, rest - name, 12, 10, 6]
}

pub fn render(app: &App, list: ListState, frame: &mut Frame, area: Rect) {
    let l = app.lang;
    let cols = columns(area.width);
    // A visible marker as well as reverse video: a vt100 over SSH may show no colours.
    let row = |marker: &str, cells: [&str; 6]| -> String {
        let body = cells
            .iter()
            .zip(cols)
            .map(|(c, w)| fit(c, w))
            .collect::<Vec<_>>()
            .join(" ");
        format!("{marker}{body}")
    };
    let mut lines = vec![Line::styled(
        row(
            " ",
            [
                l.t(Msg::ColTime),
                l.t(Msg::ColName),
                l.t(Msg::ColKana),
                l.t(Msg::ColCase),
                l.t(Msg::ColBasis),
                l.t(Msg::ColSync),
            ],
        ),
        theme::HEADING,
    )];
    let rows = &app.snapshot.today;
    if rows.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::raw(format!("  {}", l.t(Msg::HomeEmpty))));
    }
    // Keep the selection in view: scroll by whole pages of the body height.
    let visible = (area.height as usize).saturating_sub(1).max(1);
    let start = (list.selected / visible) * visible;
    for (i, r) in rows.iter().enumerate().skip(start).take(visible) {
        let rec = &r.record;
        let time = rec.created_at.format("%H:%M").to_string();
        let sync = if r.queued {
            l.t(Msg::SyncQueued)
        } else {
            l.t(Msg::SyncDone)
        };
        let basis = if rec.status == Status::Voided {
            l.t(Msg::Voided)
        } else {
            l.t(rec.insurance.basis.label())
        };
        let marker = if i == list.selected { "►" } else { " " };
        let text = row(
            marker,
            [
                &time,
                &rec.declaration.name,
                &rec.declaration.name_kana,
                l.t(case_short(rec.incident.case)),
                basis,
                sync,
            ],
        );
        let mut style = theme::PLAIN;
        if rec.status == Status::Voided {
            style = style.patch(theme::VOIDED);
        }
        if i == list.selected {
            style = style.patch(theme::SELECTED);
        }
        lines.push(Line::styled(text, style));
    }
    super::put_lines(frame, area, &lines);
}
