//! Runs the TUI: terminal set-up, the event loop, and the effects `tui::update` asks
//! for, performed against the store. The only place where screens meet I/O.

use std::io::{self, Stdout};
use std::time::Duration;

use chrono::{DateTime, FixedOffset, Local, Timelike};
use crossterm::event::{self, DisableBracketedPaste, EnableBracketedPaste, Event as CtEvent};
use crossterm::execute;
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;

use crate::domain::record::{Record, Status};
use crate::domain::search::search;
use crate::i18n::{describe_store_error, Lang};
use crate::store::{AuditAction, Store, StoreError};
use crate::tui::app::{draft_from_bytes, Row, SaveKind};
use crate::tui::{render, update, App, Effect, Env, Event, Snapshot};

/// The drafts-tree key of the form being typed.
pub const DRAFT_KEY: &str = "form";

/// How many matches the repeat-patient search shows.
const SEARCH_LIMIT: usize = 50;

/// Local time to the second: records carry readable timestamps like DESIGN.md §3.
pub fn now() -> DateTime<FixedOffset> {
    let t = Local::now().fixed_offset();
    t.with_nanosecond(0).unwrap_or(t)
}

pub fn env() -> Env {
    Env {
        now: now(),
        new_id: ulid::Ulid::new().to_string(),
    }
}

/// Today's intakes and the counts for the status bar.
pub fn snapshot(store: &Store, today: chrono::NaiveDate) -> Result<Snapshot, StoreError> {
    let queued_ids: std::collections::HashSet<String> = store
        .outbox_peek(usize::MAX)?
        .into_iter()
        .map(|e| e.id)
        .collect();
    let all = store.list()?;
    let total = all.len();
    let mut followups: Vec<Record> = all
        .iter()
        .filter(|r| r.status == Status::Active && r.followup.needed)
        .cloned()
        .collect();
    followups.sort_by_key(|r| r.created_at);
    let today_rows = all
        .into_iter()
        .filter(|r| r.service_date == today || r.created_at.date_naive() == today)
        .map(|record| Row {
            queued: queued_ids.contains(&record.id),
            record,
        })
        .collect();
    Ok(Snapshot {
        today: today_rows,
        followups,
        total,
        queued: store.outbox_len(),
        store_path: store.dir().display().to_string(),
    })
}

/// Save one record as the effect asked; the UI hears "saved" only after the flush.
pub fn perform_save(
    store: &Store,
    record: &Record,
    kind: SaveKind,
    operator: &str,
) -> Result<(), StoreError> {
    match kind {
        SaveKind::New => store.insert_new_and_clear_draft(record, operator, DRAFT_KEY),
        SaveKind::Revision => {
            store.update_and_clear_draft(record, operator, AuditAction::Edit, DRAFT_KEY)
        }
        SaveKind::Void => store.update(record, operator, AuditAction::Void),
        SaveKind::Followup => {
            store.update_and_clear_draft(record, operator, AuditAction::Followup, DRAFT_KEY)
        }
    }
}

/// Perform `effects`; returns follow-up events and whether to quit.
pub fn perform(store: &Store, app: &App, effects: Vec<Effect>) -> (Vec<Event>, bool) {
    let mut events = Vec::new();
    let mut quit = false;
    let lang = app.lang;
    for effect in effects {
        match effect {
            Effect::Save { record, kind } => {
                match perform_save(store, &record, kind, &app.operator) {
                    Ok(()) => {
                        events.push(Event::Saved { kind });
                        match snapshot(store, app.today()) {
                            Ok(s) => events.push(Event::Loaded(s)),
                            Err(e) => {
                                events.push(Event::SaveFailed(describe_store_error(&e, lang)))
                            }
                        }
                    }
                    Err(e) => events.push(Event::SaveFailed(describe_store_error(&e, lang))),
                }
            }
            Effect::SaveDraft(bytes) => {
                if let Err(e) = store.save_draft(DRAFT_KEY, &bytes) {
                    events.push(Event::SaveFailed(describe_store_error(&e, lang)));
                }
            }
            Effect::DeleteDraft => {
                if let Err(e) = store.delete_draft(DRAFT_KEY) {
                    events.push(Event::SaveFailed(describe_store_error(&e, lang)));
                }
            }
            Effect::Search(query) => match store.list() {
                Ok(all) => events.push(Event::SearchResults(search(&all, &query, SEARCH_LIMIT))),
                Err(e) => events.push(Event::SaveFailed(describe_store_error(&e, lang))),
            },
            Effect::Quit => quit = true,
        }
    }
    (events, quit)
}

fn to_event(ev: CtEvent) -> Option<Event> {
    match ev {
        CtEvent::Key(k) if k.kind != event::KeyEventKind::Release => Some(Event::Key(k)),
        CtEvent::Paste(s) => Some(Event::Paste(s)),
        CtEvent::Resize(..) => Some(Event::Tick),
        _ => None,
    }
}

/// Restores the terminal even on panic or early return.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = execute!(io::stdout(), DisableBracketedPaste);
        ratatui::restore();
    }
}

/// Run the TUI until the clerk quits. Returns the number of queued versions left.
pub fn run(store: &Store, mut app: App) -> io::Result<usize> {
    let mut terminal: Terminal<CrosstermBackend<Stdout>> = ratatui::try_init()?;
    let _guard = TerminalGuard;
    execute!(io::stdout(), EnableBracketedPaste)?;

    let mut pending = Vec::new();
    match snapshot(store, app.today()) {
        Ok(s) => pending.push(Event::Loaded(s)),
        Err(e) => pending.push(Event::SaveFailed(describe_store_error(&e, app.lang))),
    }
    if let Ok(Some(bytes)) = store.load_draft(DRAFT_KEY) {
        if let Some(form) = draft_from_bytes(&bytes) {
            pending.push(Event::DraftFound(Box::new(form)));
        }
    }
    loop {
        while let Some(ev) = (!pending.is_empty()).then(|| pending.remove(0)) {
            let effects = update(&mut app, ev, &env());
            let (more, quit) = perform(store, &app, effects);
            if quit {
                return Ok(store.outbox_len());
            }
            pending.extend(more);
        }
        terminal.draw(|f| render(&app, f))?;
        // Block until input, waking once a minute for the clock: no busy loop.
        let secs_left = 60 - (now().timestamp() % 60) as u64;
        if event::poll(Duration::from_secs(secs_left))? {
            if let Some(ev) = to_event(event::read()?) {
                pending.push(ev);
            }
        } else {
            pending.push(Event::Tick);
        }
    }
}

/// The line printed after quitting with records still queued.
pub fn quit_message(lang: Lang, queued: usize) -> Option<String> {
    (queued > 0).then(|| match lang {
        Lang::Ja => format!("{queued}{}", crate::i18n::Msg::QuitQueued.text(lang)),
        Lang::En => format!("{queued} {}", crate::i18n::Msg::QuitQueued.text(lang)),
    })
}
