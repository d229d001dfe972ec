//! The sync screen: versions waiting to be sent, and those the target refused.

use super::theme;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::Frame;

use super::fit;
use crate::i18n::{Lang, Msg};
use crate::sync::{EntryState, QueueEntry, SyncStatus};
use crate::tui::app::{App, SyncList};

/// The status bar's sync part in at most `width` cells: the whole [`status_text`] when
/// it fits, else the state and a pointer to the sync screen, where the reason is shown
/// whole (a reason cut mid-sentence helps nobody).
pub fn status_brief(lang: Lang, s: &SyncStatus, width: usize) -> String {
    let full = status_text(lang, s);
    if unicode_width::UnicodeWidthStr::width(full.as_str()) <= width || s.last_error.is_none() {
        return full;
    }
    let state = state_text(lang, s);
    let pointed = format!("{state}  {}", lang.t(Msg::SyncSeeScreen));
    if unicode_width::UnicodeWidthStr::width(pointed.as_str()) <= width {
        pointed
    } else {
        state
    }
}

/// "接続中 09:12から" / "未接続 09:05から: <error>" / "送信先なし" for the status bar.
pub fn status_text(lang: Lang, s: &SyncStatus) -> String {
    let state = state_text(lang, s);
    match &s.last_error {
        Some(e) if !s.enabled => format!("{state}: {e}"),
        Some(e) => format!("{state}  {}: {e}", lang.t(Msg::SyncLastError)),
        None => state,
    }
}

/// "接続中 09:12から" / "送信先なし": where sending stands, without the last error.
fn state_text(lang: Lang, s: &SyncStatus) -> String {
    if !s.enabled {
        return lang.t(Msg::SyncDisabled).to_string();
    }
    let state = match s.online {
        Some(true) => lang.t(Msg::SyncOnline),
        Some(false) => lang.t(Msg::SyncOffline),
        None => lang.t(Msg::SyncNotTried),
    };
    match s.since {
        Some(t) => match lang {
            Lang::Ja => format!("{state} {}{}", t.format("%H:%M"), lang.t(Msg::SyncSince)),
            Lang::En => format!("{state} {} {}", lang.t(Msg::SyncSince), t.format("%H:%M")),
        },
        None => state.to_string(),
    }
}

fn state_label(lang: Lang, e: &QueueEntry) -> String {
    match e.state {
        EntryState::Queued => lang.t(Msg::SyncStillQueued).to_string(),
        EntryState::Waiting => lang.t(Msg::SyncWaiting).to_string(),
        EntryState::Failed => match e.status {
            Some(code) => format!("{} {code}", lang.t(Msg::SyncFailedCount)),
            None => lang.t(Msg::SyncFailedCount).to_string(),
        },
    }
}

pub fn render(app: &App, list: &SyncList, frame: &mut Frame, area: Rect) {
    let (entries, selected) = (&list.entries, list.list.selected);
    let l = app.lang;
    let mut lines = Vec::new();
    let width = area.width as usize;
    if let Some(s) = &app.sync {
        // Whole, wrapped: the reason is what a technician on the phone needs read out.
        for chunk in super::wrap(&status_text(l, s), width).into_iter().take(3) {
            lines.push(Line::styled(chunk, theme::BOLD));
        }
    }
    let widths = [26usize, 3, 18, 5];
    let rest = (area.width as usize).saturating_sub(1 + widths.iter().sum::<usize>() + 4);
    let row = |marker: &str, cells: [&str; 5]| -> String {
        let mut out = marker.to_string();
        for (c, w) in cells.iter().zip(widths.iter().copied().chain([rest])) {
            out.push_str(&fit(c, w));
            out.push(' ');
        }
        out.trim_end().to_string()
    };
    lines.push(Line::styled(
        row(
            " ",
            [
                l.t(Msg::ColRecord),
                l.t(Msg::ColVersion),
                l.t(Msg::ColState),
                l.t(Msg::SyncAttempts),
                l.t(Msg::ColError),
            ],
        ),
        theme::HEADING,
    ));
    if entries.is_empty() {
        lines.push(Line::raw(format!("  {}", l.t(Msg::SyncQueueEmpty))));
    }
    // The warnings and the versions set aside take the bottom rows (at most a third of the
    // screen), the queue the rest.
    let mut note_lines = Vec::new();
    // The selected version's refusal, whole (its column above is cut to fit).
    if let Some(why) = entries.get(selected).and_then(|e| e.error.as_deref()) {
        let head = format!("{}: ", l.t(Msg::ColError));
        for chunk in super::wrap(&format!("{head}{why}"), width)
            .into_iter()
            .take(3)
        {
            note_lines.push(Line::styled(chunk, theme::ERROR));
        }
    }
    if !list.set_aside.is_empty() {
        note_lines.push(Line::styled(
            format!(" {}", l.t(Msg::SetAsideHeading)),
            theme::BOLD,
        ));
        let srest = (area.width as usize).saturating_sub(1 + 26 + 1 + 3 + 1 + 16 + 1);
        for s in &list.set_aside {
            let mut out = " ".to_string();
            let who = format!("{} {}", s.at.format("%m-%d %H:%M"), s.operator);
            for (c, w) in [
                (s.id.as_str(), 26),
                (&s.version.to_string() as &str, 3),
                (who.as_str(), 16),
            ] {
                out.push_str(&fit(c, w));
                out.push(' ');
            }
            out.push_str(&fit(&s.reason, srest));
            note_lines.push(Line::raw(out.trim_end().to_string()));
        }
    }
    if !list.notes.is_empty() {
        note_lines.push(Line::styled(
            format!(" {}", l.t(Msg::OrcaNotes)),
            theme::BOLD,
        ));
        let nrest = (area.width as usize).saturating_sub(1 + 26 + 1 + 3 + 1 + 10 + 1);
        for n in &list.notes {
            let version = n.version.map(|v| v.to_string()).unwrap_or_default();
            let mut out = " ".to_string();
            for (c, w) in [
                (n.id.as_str(), 26),
                (version.as_str(), 3),
                (n.patient.as_str(), 10),
            ] {
                out.push_str(&fit(c, w));
                out.push(' ');
            }
            out.push_str(&fit(&n.warnings.join(" / "), nrest));
            note_lines.push(Line::styled(out.trim_end().to_string(), theme::WARN));
        }
        note_lines.truncate((area.height as usize / 3).max(2));
    }
    let height = (area.height as usize).saturating_sub(lines.len() + note_lines.len());
    let start = (selected / height.max(1)) * height.max(1);
    for (i, e) in entries.iter().enumerate().skip(start).take(height) {
        let (marker, mut style) = if i == selected {
            ("►", theme::SELECTED)
        } else {
            (" ", theme::PLAIN)
        };
        if e.state == EntryState::Failed {
            style = style.patch(theme::ERROR);
        }
        lines.push(Line::styled(
            row(
                marker,
                [
                    &e.id,
                    &e.version.to_string(),
                    &state_label(l, e),
                    &e.attempts.to_string(),
                    e.error.as_deref().unwrap_or(""),
                ],
            ),
            style,
        ));
    }
    if !note_lines.is_empty() {
        let used = lines.len();
        let pad = (area.height as usize).saturating_sub(used + note_lines.len());
        lines.extend(std::iter::repeat_n(Line::raw(""), pad));
        lines.extend(note_lines);
    }
    super::put_lines(frame, area, &lines);
}
