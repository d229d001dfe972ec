//! Rendering: a pure function of `App`. Layout (80×24 and up): title, body, hint or
//! message, status bar, key bar generated from the keymap.

mod ambiguous;
mod dialog;
mod form;
mod home;
mod lists;
mod procedure;
mod review;
mod sync;
mod theme;
mod width;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

use crate::domain::procedure::needs_declaration;
use crate::i18n::{Lang, Msg};
use crate::keymap::{Action, Ctx};
use crate::tui::app::{App, Level, ListState, PinDialog, Screen, SetAsideDialog};
use crate::tui::form::Mode;

pub use ambiguous::is_ambiguous;
pub use width::{fit, safe, wrap};

pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    let [title, body, hint, status, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);

    render_title(app, frame, title);
    if app.loading {
        let text = Line::from(format!(" {}", app.lang.t(Msg::Loading)));
        frame.render_widget(Paragraph::new(text), body);
        render_keys(app, frame, keys);
        return;
    }
    let mut hint_line: Option<Line> = None;
    match &app.screen {
        Screen::Home { list } | Screen::Void { home: list, .. } => {
            home::render(app, *list, frame, body)
        }
        Screen::Operator { .. } => home::render(app, ListState::default(), frame, body),
        Screen::Form(f) | Screen::Discard { form: f } | Screen::Pin(PinDialog { form: f, .. }) => {
            hint_line = form::render(app, f, frame, body);
        }
        Screen::Review { record, form: f } => review::render(app, f, record, frame, body),
        Screen::Triage { list, .. } => procedure::triage(app, list.selected, frame, body),
        Screen::Guide(g) => procedure::guide(app, g.case, g.list.selected, &g.note, frame, body),
        Screen::Search(st) => {
            lists::search(app, &st.query, &st.results, st.list.selected, frame, body)
        }
        Screen::Followups { list } => lists::followups(app, list.selected, frame, body),
        Screen::Sync(s) | Screen::SetAside(SetAsideDialog { sync: s, .. }) => {
            sync::render(app, s, frame, body)
        }
    }
    match &app.screen {
        Screen::Void { record, reason, .. } => dialog::void(app, record, reason, frame, body),
        Screen::Discard { .. } => dialog::discard(app, frame, body),
        Screen::Operator { name, .. } => dialog::operator(app, name, frame, body),
        Screen::Pin(d) => dialog::pin(app, d, frame, body),
        Screen::SetAside(d) => dialog::set_aside(app, d, frame, body),
        _ => {}
    }
    let hint_widget = match &app.flash {
        Some(f) => {
            let style = match f.level {
                Level::Info => theme::INFO,
                Level::Error => theme::ALERT,
            };
            Line::from(Span::styled(safe(&f.text).into_owned(), style))
        }
        None => hint_line.unwrap_or_default(),
    };
    put_lines(frame, hint, &[hint_widget]);
    render_status(app, frame, status);
    render_keys(app, frame, keys);
    if app.help {
        render_help(app, frame, body);
    }
    if app.ambiguous_wide {
        ambiguous::narrow(frame.buffer_mut());
    }
}

fn screen_title(app: &App) -> Msg {
    if app.loading {
        return Msg::Loading;
    }
    match &app.screen {
        Screen::Home { .. } | Screen::Void { .. } => Msg::ScreenHome,
        Screen::Operator { .. } => Msg::ScreenOperator,
        Screen::Form(f) | Screen::Discard { form: f } | Screen::Pin(PinDialog { form: f, .. }) => {
            match f.mode {
                Mode::Edit => Msg::ScreenFormEdit,
                Mode::Recheck => Msg::ScreenRecheck,
                Mode::Intake if f.source().is_none_or(needs_declaration) => Msg::ScreenForm,
                Mode::Intake => Msg::ScreenIntake,
            }
        }
        Screen::Review { .. } => Msg::ScreenReview,
        Screen::Triage { .. } => Msg::ScreenTriage,
        Screen::Guide(_) => Msg::ScreenGuide,
        Screen::Search(_) => Msg::ScreenSearch,
        Screen::Followups { .. } => Msg::ScreenFollowups,
        Screen::Sync(_) | Screen::SetAside(_) => Msg::ScreenSync,
    }
}

fn render_title(app: &App, frame: &mut Frame, area: Rect) {
    let l = app.lang;
    let left = format!(" {} - {}", l.t(Msg::AppTitle), l.t(screen_title(app)));
    let right = format!(
        "{}:{}  {} ",
        l.t(Msg::Operator),
        safe(&app.operator),
        app.now.format("%Y-%m-%d %H:%M")
    );
    let style = theme::TITLE;
    frame.render_widget(
        Paragraph::new(two_sided(&left, &right, area.width)).style(style),
        area,
    );
}

/// `left` and `right` on one line of `width` cells, the right side kept whole.
fn two_sided(left: &str, right: &str, width: u16) -> String {
    let w = width as usize;
    let rw = unicode_width::UnicodeWidthStr::width(right);
    if rw >= w {
        return fit(right, w);
    }
    // A space always separates the two sides, however long the left one is.
    format!("{} {}", fit(left, w - rw - 1), right)
}

fn render_status(app: &App, frame: &mut Frame, area: Rect) {
    let l = app.lang;
    let s = &app.snapshot;
    // The worker's count is live; the snapshot's is as of the last save.
    let queued = app.sync.as_ref().map(|x| x.queued).unwrap_or(s.queued);
    let reader = app
        .reader
        .as_ref()
        .map(|r| format!("{}:{}  ", l.t(Msg::StatusCard), r.label(l)))
        .unwrap_or_default();
    let right = format!(
        "{reader}{} {}  {} {}  {} {} ",
        l.t(Msg::StatusRecords),
        s.total,
        l.t(Msg::StatusQueued),
        queued,
        l.t(Msg::StatusFollowups),
        s.followup_count
    );
    let room = (area.width as usize)
        .saturating_sub(unicode_width::UnicodeWidthStr::width(right.as_str()) + 2);
    let left = match &app.sync {
        Some(st) => format!(
            " {}  {}: {}",
            sync::status_brief(l, st, room),
            l.t(Msg::StatusStore),
            safe(&s.store_path)
        ),
        None => format!(" {}: {}", l.t(Msg::StatusStore), safe(&s.store_path)),
    };
    let style = theme::STATUS;
    frame.render_widget(
        Paragraph::new(two_sided(&left, &right, area.width)).style(style),
        area,
    );
}

/// The actions the key bar offers on each screen.
fn key_bar_actions(app: &App) -> &'static [(Ctx, Action)] {
    if app.loading {
        // Keys typed now are handled once the store is open; quit is the one to know.
        return &[(Ctx::Global, Action::Help), (Ctx::Global, Action::Quit)];
    }
    match &app.screen {
        Screen::Home { .. } => &[
            (Ctx::Home, Action::NewIntake),
            (Ctx::Home, Action::Search),
            (Ctx::Home, Action::Followups),
            (Ctx::Home, Action::Sync),
            (Ctx::Home, Action::Open),
            (Ctx::Home, Action::Void),
            (Ctx::Global, Action::Help),
            (Ctx::Global, Action::Quit),
        ],
        Screen::Triage { .. } => &[
            (Ctx::Triage, Action::Confirm),
            (Ctx::Triage, Action::Cancel),
            (Ctx::Global, Action::Help),
        ],
        Screen::Guide(_) => &[
            (Ctx::Guide, Action::Confirm),
            (Ctx::Guide, Action::Cancel),
            (Ctx::Global, Action::Help),
        ],
        Screen::Search(_) => &[
            (Ctx::Search, Action::Confirm),
            (Ctx::Search, Action::Cancel),
            (Ctx::Global, Action::Help),
        ],
        Screen::Sync(_) => &[
            (Ctx::List, Action::Confirm),
            (Ctx::List, Action::SetAside),
            (Ctx::List, Action::Cancel),
            (Ctx::Global, Action::Help),
        ],
        Screen::Followups { .. } => &[
            (Ctx::List, Action::Confirm),
            (Ctx::List, Action::Settle),
            (Ctx::List, Action::Cancel),
            (Ctx::Global, Action::Help),
        ],
        Screen::Form(_) => &[
            (Ctx::Form, Action::Review),
            (Ctx::Form, Action::ReadCard),
            (Ctx::Form, Action::NextField),
            (Ctx::Form, Action::PrevField),
            (Ctx::Form, Action::Cancel),
            (Ctx::Global, Action::Help),
            (Ctx::Global, Action::Quit),
        ],
        Screen::Review { .. } => &[
            (Ctx::Review, Action::Save),
            (Ctx::Review, Action::Cancel),
            (Ctx::Global, Action::Help),
            (Ctx::Global, Action::Quit),
        ],
        Screen::Operator { .. } => &[(Ctx::Dialog, Action::Confirm), (Ctx::Global, Action::Quit)],
        Screen::Void { .. } | Screen::Discard { .. } | Screen::Pin(_) | Screen::SetAside(_) => &[
            (Ctx::Dialog, Action::Confirm),
            (Ctx::Dialog, Action::Cancel),
        ],
    }
}

/// "F2 新規受付" for the key bar: first key of the action in the active keymap.
pub fn key_hint(app: &App, ctx: Ctx, action: Action) -> Option<(String, &'static str)> {
    app.key_name(ctx, action)
        .map(|k| (k, app.lang.t(action.label())))
}

fn render_keys(app: &App, frame: &mut Frame, area: Rect) {
    let items: Vec<(Ctx, String, &str)> = key_bar_actions(app)
        .iter()
        .filter_map(|(ctx, action)| key_hint(app, *ctx, *action).map(|(k, l)| (*ctx, k, l)))
        .collect();
    let width_of = |(_, k, l): &(Ctx, String, &str)| k.width() + 1 + l.width() + 2;
    // Whole items only, and help and quit first: on a narrow terminal the rest can be
    // found through help, but help itself must stay findable.
    let mut shown = vec![false; items.len()];
    let mut used = 0;
    let order = (0..items.len())
        .filter(|i| items[*i].0 == Ctx::Global)
        .chain((0..items.len()).filter(|i| items[*i].0 != Ctx::Global));
    for i in order {
        let w = width_of(&items[i]);
        if used + w <= area.width as usize + 2 {
            used += w;
            shown[i] = true;
        }
    }
    let mut spans = Vec::new();
    for (item, show) in items.iter().zip(shown) {
        if show {
            spans.push(Span::styled(item.1.clone(), theme::SELECTED));
            spans.push(Span::raw(format!(" {}  ", item.2)));
        }
    }
    put_lines(frame, area, &[Line::from(spans)]);
}

/// F1: every key of the current screen's stack, with each action's label and what it
/// does (from the action declarations).
fn render_help(app: &App, frame: &mut Frame, body: Rect) {
    let l = app.lang;
    let w = 76.min(body.width);
    // Keys, label, help: the help text gets what the popup has left.
    const KEYS: usize = 15;
    const LABEL: usize = 18;
    let help_width = (w as usize).saturating_sub(2 + KEYS + 1 + LABEL + 1);
    let mut lines = Vec::new();
    for ctx in app.key_stack().contexts() {
        for (action, chords) in app.keymap.bindings(*ctx) {
            let keys: Vec<String> = chords.iter().map(|c| c.to_string()).collect();
            lines.push(Line::from(vec![
                Span::styled(fit(&keys.join(" "), KEYS), theme::BOLD),
                Span::raw(" "),
                Span::raw(fit(l.t(action.label()), LABEL)),
                Span::raw(" "),
                Span::styled(fit(l.t(action.help()), help_width), theme::DIM),
            ]));
        }
    }
    let h = (lines.len() as u16 + 2).min(body.height);
    let area = centered(body, w, h);
    clear_popup(frame, area);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!(" {} ", l.t(Msg::ScreenHelp))),
        ),
        area,
    );
}

/// Clear `area` for a popup. A wide character just left of it would have its right
/// half covered by the border: blank it, so the terminal never shows half a character.
pub(crate) fn clear_popup(frame: &mut Frame, area: Rect) {
    frame.render_widget(Clear, area);
    if area.x == 0 {
        return;
    }
    let buf = frame.buffer_mut();
    for y in area.y..area.y.saturating_add(area.height) {
        let cell = &mut buf[(area.x - 1, y)];
        if cell.symbol().width() > 1 {
            cell.set_symbol(" ");
        }
    }
}

/// `lines` drawn top-down into `area`, each cut at the area's width: what a `Paragraph`
/// without wrap, scroll or alignment draws, at about two thirds of its cost — the form is
/// drawn on every keystroke (BENCHMARKS.md).
pub(crate) fn put_lines(frame: &mut Frame, area: Rect, lines: &[Line]) {
    let buf = frame.buffer_mut();
    for (y, line) in (area.y..area.bottom()).zip(lines) {
        buf.set_line(area.x, y, line, area.width);
    }
}

pub(crate) fn centered(outer: Rect, w: u16, h: u16) -> Rect {
    let x = outer.x + outer.width.saturating_sub(w) / 2;
    let y = outer.y + outer.height.saturating_sub(h) / 2;
    Rect::new(x, y, w.min(outer.width), h.min(outer.height))
}

/// Label for "required" after a field name.
pub(crate) fn required_mark(lang: Lang) -> &'static str {
    match lang {
        Lang::Ja => "＊",
        Lang::En => "*",
    }
}
