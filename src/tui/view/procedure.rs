//! Triage ("what failed?") and the procedure guide for the chosen case.

use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::theme;
use super::{key_hint, wrap};
use crate::domain::procedure;
use crate::domain::record::{IncidentCase, VerificationSource};
use crate::i18n::Label;
use crate::i18n::Msg;
use crate::keymap::{Action, Ctx};
use crate::tui::app::App;
use crate::tui::editor::LineEditor;

const CASE_KEYS: [Action; 6] = [
    Action::Case1,
    Action::Case2,
    Action::Case31,
    Action::Case32,
    Action::Case33,
    Action::Case34,
];

pub fn triage(app: &App, selected: usize, frame: &mut Frame, area: Rect) {
    let l = app.lang;
    let mut lines = vec![
        Line::styled(l.t(Msg::TriageIntro).to_string(), theme::BOLD),
        Line::raw(""),
    ];
    for (i, (case, action)) in IncidentCase::ALL.iter().zip(CASE_KEYS).enumerate() {
        let key = key_hint(app, Ctx::Triage, action)
            .map(|(k, _)| k)
            .unwrap_or_default();
        let marker = if i == selected { "►" } else { " " };
        let style = if i == selected {
            theme::SELECTED
        } else {
            theme::PLAIN
        };
        lines.push(Line::from(vec![
            Span::raw(format!("{marker} ")),
            Span::styled(format!("[{key}]"), theme::BOLD),
            Span::raw(" "),
            Span::styled(l.t(case.label()).to_string(), style),
        ]));
    }
    super::put_lines(frame, area, &lines);
}

pub fn guide_text(case: IncidentCase) -> (Msg, Msg) {
    match case {
        IncidentCase::NotIssued => (Msg::GuideDo1, Msg::GuideTell1),
        IncidentCase::NotRegistered => (Msg::GuideDo2, Msg::GuideTell2),
        IncidentCase::ReaderBroken => (Msg::GuideDo31, Msg::GuideTell31),
        IncidentCase::CardDefect => (Msg::GuideDo32, Msg::GuideTell32),
        IncidentCase::TerminalBroken => (Msg::GuideDo33, Msg::GuideTell33),
        IncidentCase::NetworkDown => (Msg::GuideDo34, Msg::GuideTell34),
    }
}

pub fn source_help(s: VerificationSource) -> Msg {
    match s {
        VerificationSource::Mynaportal => Msg::SourceHelpMynaportal,
        VerificationSource::Certificate => Msg::SourceHelpCertificate,
        VerificationSource::Notice => Msg::SourceHelpNotice,
        VerificationSource::InsuranceCard => Msg::SourceHelpInsuranceCard,
        VerificationSource::OutageMode => Msg::SourceHelpOutageMode,
        VerificationSource::OnlineRecheck => Msg::SourceHelpOnlineRecheck,
        VerificationSource::Declaration => Msg::SourceHelpDeclaration,
        VerificationSource::Statement => Msg::SourceHelpStatement,
    }
}

pub fn guide(
    app: &App,
    case: IncidentCase,
    selected: usize,
    note: &LineEditor,
    frame: &mut Frame,
    area: Rect,
) {
    let l = app.lang;
    let width = area.width as usize;
    let bold = theme::BOLD;
    let (todo, tell) = guide_text(case);
    let mut lines = vec![Line::styled(
        l.t(case.label()).to_string(),
        theme::PREVIEW.patch(theme::BOLD),
    )];
    let para = |title: Msg, body: &str, lines: &mut Vec<Line>| {
        let text = format!("{}: {}", l.t(title), body);
        for chunk in wrap(&text, width) {
            lines.push(Line::raw(chunk));
        }
    };
    para(Msg::GuideDo, l.t(todo), &mut lines);
    if procedure::outage_mode_applies(case) {
        let clinic = match &app.desk.clinic_code {
            Some(code) => l
                .t(Msg::ClinicIdentity)
                .replace("{code}", code)
                .replace("{name}", app.desk.clinic_name.as_deref().unwrap_or("")),
            None => l.t(Msg::ClinicIdentityUnset).to_string(),
        };
        let text = l
            .t(Msg::GuideOutageMode)
            .replace("{phone}", &app.desk.helpdesk_phone)
            .replace("{clinic}", &clinic);
        // "TEL", not ☎: ☎ is East Asian ambiguous width, two cells on a Japanese console
        // (src/tui/view/ambiguous.rs), and its one-cell stand-in would be a bare "?".
        for chunk in wrap(&format!("TEL {text}"), width) {
            lines.push(Line::styled(chunk, theme::WARN));
        }
    }
    para(
        Msg::GuideTell,
        &format!("{} {}", l.t(tell), l.t(Msg::GuideWhy)),
        &mut lines,
    );
    lines.push(Line::styled(l.t(Msg::GuideSources).to_string(), bold));
    for (i, s) in procedure::sources(case).iter().enumerate() {
        let (marker, style) = if i == selected {
            ("► ", theme::SELECTED)
        } else {
            ("  ", theme::PLAIN)
        };
        lines.push(Line::from(vec![
            Span::raw(marker),
            Span::styled(l.t(source_help(*s)).to_string(), style),
        ]));
    }
    let label = format!("{}: ", l.t(Msg::GuideNote));
    let label_w = unicode_width::UnicodeWidthStr::width(label.as_str()) as u16;
    let view = note.view(area.width.saturating_sub(label_w));
    let note_row = lines.len() as u16;
    lines.push(Line::from(vec![
        Span::styled(label, bold),
        Span::styled(view.visible, theme::INPUT),
    ]));
    let hint = if procedure::outage_mode_applies(case) {
        Msg::GuideNoteHintOutage
    } else {
        Msg::GuideNoteHint
    };
    lines.push(Line::styled(l.t(hint).to_string(), theme::DIM));
    // Keep the note row (and the cursor) visible on a short terminal.
    let scroll = (note_row + 2).saturating_sub(area.height);
    frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), area);
    let y = area.y + note_row - scroll;
    if y < area.y + area.height {
        frame.set_cursor_position(Position::new(area.x + label_w + view.cursor_col, y));
    }
}
