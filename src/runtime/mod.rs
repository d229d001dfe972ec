//! Runs the TUI: terminal set-up, the event loop, and the effects `tui::update` asks
//! for, performed against the store. The only place where screens meet I/O.

use std::collections::VecDeque;
use std::io;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use crossterm::event::{self, Event as CtEvent};

use crate::card::{self, CardError};
use crate::domain::record::Record;
use crate::domain::search::search;
use crate::i18n::{describe_store_error, Lang};
use crate::store::{AuditAction, Store, StoreError, StoreKey};
use crate::sync::WorkerHandle;
use crate::tui::app::CardOutcome;
use crate::tui::app::{draft_from_bytes, Row, SaveKind};
use crate::tui::pin::SecretPin;
use crate::tui::Screen;
use crate::tui::{render, update, App, Effect, Env, Event, Snapshot};
use std::sync::mpsc;
use std::sync::Arc;

mod drafts;
pub mod terminal;

pub use drafts::{DraftSink, DraftWriter, MAX_DELAY, PAUSE};
use terminal::Screen as Term;

/// The drafts-tree key of the form being typed.
pub const DRAFT_KEY: &str = "form";

/// How many matches the repeat-patient search shows.
const SEARCH_LIMIT: usize = 50;

/// How many outbox entries the sync screen lists.
const QUEUE_LIMIT: usize = 200;
/// Delivered versions with warnings the sync screen lists.
const NOTES_LIMIT: usize = 50;

use crate::clock::now;

pub fn env() -> Env {
    Env {
        now: now(),
        new_id: ulid::Ulid::new().to_string(),
    }
}

/// Today's intakes and the counts for the status bar. Reads only today's records and
/// indexed counts, so start-up does not decode every record (BENCHMARKS.md).
pub fn snapshot(store: &Store, now: DateTime<FixedOffset>) -> Result<Snapshot, StoreError> {
    let queue = store.outbox_peek(usize::MAX)?;
    let queued_ids: std::collections::HashSet<&str> = queue.iter().map(|e| e.id.as_str()).collect();
    let midnight = now
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(*now.offset()).single())
        .unwrap_or(now);
    let today_rows = store
        .records_created_between(midnight, midnight + chrono::Duration::days(1))?
        .into_iter()
        .map(|record| Row {
            queued: queued_ids.contains(record.id.as_str()),
            record,
        })
        .collect();
    Ok(Snapshot {
        today: today_rows,
        followup_count: store.followup_count_indexed()?,
        total: store.count_indexed()?,
        queued: queue.len(),
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
        SaveKind::Settle => store.update(record, operator, AuditAction::Settle),
    }
}

/// What carrying out a batch of effects produced.
#[derive(Debug, Default)]
pub struct Performed {
    /// Results to feed back into `update`, in order.
    pub events: Vec<Event>,
    /// The clerk asked to quit.
    pub quit: bool,
    /// sled refused a write: the open database refuses every later one until reopened.
    write_refused: bool,
}

impl Performed {
    fn quitting(effects: &[Effect]) -> Performed {
        Performed {
            quit: effects.iter().any(|e| matches!(e, Effect::Quit)),
            ..Performed::default()
        }
    }

    /// A failed write, as the clerk reads it (「保存できませんでした」 and why).
    fn write_failed(&mut self, e: &StoreError, lang: Lang) {
        if matches!(e, StoreError::DiskFull | StoreError::Io { .. }) {
            self.write_refused = true;
        }
        self.events
            .push(Event::SaveFailed(describe_store_error(e, lang)));
    }

    /// A failed read (a search, a list): said as such; nothing typed is at stake.
    fn read_failed(&mut self, e: &StoreError, lang: Lang) {
        self.events
            .push(Event::ReadFailed(describe_store_error(e, lang)));
    }
}

/// Card work runs on its own thread (a PIN check talks to the card for a while); its
/// result comes back as an event through this sender.
pub type CardSender = mpsc::Sender<Event>;

fn card_tries_event(lang: Lang) -> Event {
    Event::CardTries(card::pin_tries().map_err(|e| e.message(lang)))
}

fn card_read_event(lang: Lang, pin: &SecretPin, confirm_last_try: bool) -> Event {
    let outcome = match card::Pin::parse(pin.expose()) {
        Err(e) => CardOutcome::Failed(e.message(lang)),
        Ok(pin) => match card::read_face(&pin, confirm_last_try) {
            Ok(face) => CardOutcome::Face(face),
            Err(e @ CardError::WrongPin { tries_left }) => CardOutcome::WrongPin {
                tries_left,
                message: e.message(lang),
            },
            Err(e @ CardError::PinLocked) => CardOutcome::WrongPin {
                tries_left: 0,
                message: e.message(lang),
            },
            Err(e) => CardOutcome::Failed(e.message(lang)),
        },
    };
    Event::CardRead(outcome)
}

/// The store and its sync worker, as the desk uses them. sled keeps the first I/O error
/// it meets (a full disk): after that the open database refuses every write, however
/// much space is freed. So after a refused write the next action that needs the store
/// closes and reopens it first, and the clerk's retry works without a restart. An
/// encrypted store is reopened with its data key, kept in memory since the passphrase
/// unlocked it (wiped when the desk closes), so nobody is asked for the passphrase again.
///
/// Drafts go through a [`DraftWriter`] thread, so typing never waits for the disk; the
/// desk makes it write what is pending (and waits) before a save, a discard and quit.
pub struct Desk {
    store: Option<Arc<Store>>,
    key: Option<StoreKey>,
    dir: std::path::PathBuf,
    sync: Option<WorkerHandle>,
    spawn_sync: Box<dyn Fn(Arc<Store>) -> Option<WorkerHandle>>,
    drafts: Option<DraftWriter>,
    draft_sink: Box<dyn Fn(Arc<Store>) -> Arc<dyn DraftSink>>,
    /// A draft kept while the store could not be reopened.
    pending_draft: Option<Vec<u8>>,
    stuck: bool,
}

impl Desk {
    pub fn new(
        store: Arc<Store>,
        spawn_sync: Box<dyn Fn(Arc<Store>) -> Option<WorkerHandle>>,
    ) -> Desk {
        Desk::with_draft_sink(store, spawn_sync, Box::new(|s| s as Arc<dyn DraftSink>))
    }

    /// As [`Desk::new`], drafts written through `draft_sink(store)` instead of the store
    /// itself (a bench puts a slow disk in front of it: benches/keystroke.rs).
    pub fn with_draft_sink(
        store: Arc<Store>,
        spawn_sync: Box<dyn Fn(Arc<Store>) -> Option<WorkerHandle>>,
        draft_sink: Box<dyn Fn(Arc<Store>) -> Arc<dyn DraftSink>>,
    ) -> Desk {
        let sync = spawn_sync(store.clone());
        let drafts = Some(DraftWriter::spawn(draft_sink(store.clone())));
        Desk {
            key: store.key(),
            dir: store.dir().to_path_buf(),
            store: Some(store),
            sync,
            spawn_sync,
            drafts,
            draft_sink,
            pending_draft: None,
            stuck: false,
        }
    }

    /// Hand the newest draft to the writer thread; returns at once. After a refused write
    /// the store is reopened first, as for any other write.
    pub fn queue_draft(&mut self, app: &App, bytes: Vec<u8>) -> Vec<Event> {
        let encrypted = self.store.as_ref().is_some_and(|s| s.is_encrypted());
        if (self.stuck || self.store.is_none()) && !encrypted {
            if let Err(e) = self.reopen() {
                let mut done = Performed::default();
                done.write_failed(&e, app.lang);
                return done.events;
            }
        }
        match &self.drafts {
            Some(w) => w.submit(bytes),
            None => self.pending_draft = Some(bytes),
        }
        Vec::new()
    }

    /// Write the pending draft now and wait for it (before a screen change or quit).
    pub fn flush_drafts(&mut self, lang: Lang) -> Vec<Event> {
        let mut done = Performed::default();
        if let Some(Err(e)) = self.drafts.as_ref().map(DraftWriter::flush) {
            done.write_failed(&e, lang);
        }
        self.stuck |= done.write_refused;
        done.events
    }

    /// A draft write that failed in the background since the last look, as the clerk
    /// reads it.
    pub fn draft_failures(&mut self, lang: Lang) -> Vec<Event> {
        let mut done = Performed::default();
        if let Some(e) = self.drafts.as_ref().and_then(DraftWriter::take_failure) {
            done.write_failed(&e, lang);
        }
        self.stuck |= done.write_refused;
        done.events
    }

    pub fn store(&self) -> Option<&Arc<Store>> {
        self.store.as_ref()
    }

    pub fn sync(&self) -> Option<&WorkerHandle> {
        self.sync.as_ref()
    }

    /// Close and reopen the store (and restart the worker on it).
    fn reopen(&mut self) -> Result<(), StoreError> {
        if let Some(w) = self.sync.take() {
            w.shutdown(Duration::from_secs(2));
        }
        // The writer holds the store too; a draft it could not write goes to the next one.
        let unwritten = self.drafts.take().and_then(DraftWriter::stop);
        if let Some(old) = self.store.take() {
            // Only the last handle closes sled; if the worker still holds one, go on
            // with the old store and try again next time.
            match Arc::try_unwrap(old) {
                Ok(store) => drop(store),
                Err(shared) => {
                    self.sync = (self.spawn_sync)(shared.clone());
                    self.restart_drafts(&shared, unwritten);
                    self.store = Some(shared);
                    return Err(StoreError::Io {
                        kind: std::io::ErrorKind::WouldBlock,
                        detail: "store still in use".into(),
                    });
                }
            }
        }
        let opened = match &self.key {
            Some(key) => Store::open_with_key(&self.dir, key),
            None => Store::open(&self.dir),
        };
        let store = match opened {
            Ok(s) => Arc::new(s),
            Err(e) => {
                // Nothing to write to until the next try; keep the typing for it.
                self.pending_draft = unwritten;
                return Err(e);
            }
        };
        self.sync = (self.spawn_sync)(store.clone());
        let unwritten = unwritten.or(self.pending_draft.take());
        self.restart_drafts(&store, unwritten);
        self.store = Some(store);
        self.stuck = false;
        Ok(())
    }

    fn restart_drafts(&mut self, store: &Arc<Store>, unwritten: Option<Vec<u8>>) {
        let writer = DraftWriter::spawn((self.draft_sink)(store.clone()));
        if let Some(bytes) = unwritten {
            writer.submit(bytes);
        }
        self.drafts = Some(writer);
    }

    /// Carry out `effects` (the one place effects are performed), reopening the store
    /// first when a write was refused before. Card work runs on its own thread when
    /// `card` is given (its result comes back through it), else right here.
    pub fn perform(
        &mut self,
        card: Option<&CardSender>,
        app: &App,
        effects: Vec<Effect>,
    ) -> Performed {
        let needs_store = effects.iter().any(|e| {
            !matches!(
                e,
                Effect::Quit | Effect::CardTries | Effect::ReadCard { .. }
            )
        });
        if needs_store && (self.stuck || self.store.is_none()) {
            if let Err(e) = self.reopen() {
                let mut done = Performed::quitting(&effects);
                done.write_failed(&e, app.lang);
                return done;
            }
        }
        // The draft writer goes first: a save or quit writes the newest draft (so a
        // failed save still leaves the typing on disk) and a discard drops it, and no
        // draft written afterwards can bring back a form that was saved or discarded.
        let mut before = Vec::new();
        if effects.iter().any(|e| matches!(e, Effect::DeleteDraft)) {
            if let Some(w) = &self.drafts {
                w.discard();
            }
            self.pending_draft = None;
        } else if effects
            .iter()
            .any(|e| matches!(e, Effect::Save { .. } | Effect::Quit))
        {
            before = self.flush_drafts(app.lang);
        }
        let mut done = match &self.store {
            Some(store) => {
                let done = carry_out(store, self.sync.as_ref(), card, app, effects);
                self.stuck |= done.write_refused;
                done
            }
            None => Performed::quitting(&effects),
        };
        if !before.is_empty() {
            before.append(&mut done.events);
            done.events = before;
        }
        done
    }

    /// Stop the worker (what it delivered but did not record is sent again next time).
    pub fn close(mut self) -> usize {
        if let Some(w) = self.drafts.take() {
            w.stop();
        }
        if let Some(w) = self.sync.take() {
            w.shutdown(Duration::from_secs(2));
        }
        self.store.as_ref().map(|s| s.outbox_len()).unwrap_or(0)
    }
}

/// Run `work` off the UI thread when there is a sender, else right here.
fn card_job(
    card: Option<&CardSender>,
    events: &mut Vec<Event>,
    work: impl FnOnce() -> Event + Send + 'static,
) {
    match card {
        Some(tx) => {
            let tx = tx.clone();
            std::thread::spawn(move || {
                let _ = tx.send(work());
            });
        }
        None => events.push(work()),
    }
}

/// Carry out `effects` against the store. The worker, when there is one, is woken after
/// each save so the new version goes out at once.
fn carry_out(
    store: &Store,
    sync: Option<&WorkerHandle>,
    card: Option<&CardSender>,
    app: &App,
    effects: Vec<Effect>,
) -> Performed {
    let mut done = Performed::default();
    let lang = app.lang;
    for effect in effects {
        match effect {
            Effect::Save { record, kind } => {
                match perform_save(store, &record, kind, &app.operator) {
                    Ok(()) => {
                        if let Some(w) = sync {
                            w.wake();
                        }
                        done.events.push(Event::Saved { kind });
                        // Saved either way; only the refreshed list could not be read.
                        match snapshot(store, app.now) {
                            Ok(s) => done.events.push(Event::Loaded(s)),
                            Err(e) => done.read_failed(&e, lang),
                        }
                    }
                    Err(e) => done.write_failed(&e, lang),
                }
            }
            Effect::SaveDraft(bytes) => {
                if let Err(e) = store.save_draft(DRAFT_KEY, &bytes) {
                    done.write_failed(&e, lang);
                }
            }
            Effect::DeleteDraft => {
                if let Err(e) = store.delete_draft(DRAFT_KEY) {
                    done.write_failed(&e, lang);
                }
            }
            Effect::Search(query) => match store.list() {
                Ok(all) => {
                    done.events
                        .push(Event::SearchResults(search(&all, &query, SEARCH_LIMIT)))
                }
                Err(e) => done.read_failed(&e, lang),
            },
            Effect::LoadFollowups => match store.followups_indexed() {
                Ok(list) => done.events.push(Event::Followups(list)),
                Err(e) => done.read_failed(&e, lang),
            },
            Effect::LoadQueue => {
                let listed = match sync {
                    Some(w) => w.queue(QUEUE_LIMIT),
                    None => crate::sync::queue(store, QUEUE_LIMIT),
                };
                match listed {
                    Ok(entries) => done.events.push(Event::Queue(entries)),
                    Err(e) => done.read_failed(&e, lang),
                }
                match crate::sync::notes(store, NOTES_LIMIT) {
                    Ok(notes) => done.events.push(Event::DeliveryNotes(notes)),
                    Err(e) => done.read_failed(&e, lang),
                }
                match store.set_aside_list() {
                    Ok(list) => done.events.push(Event::SetAsideList(list)),
                    Err(e) => done.read_failed(&e, lang),
                }
            }
            Effect::SetAside { seq, reason } => {
                match store.outbox_set_aside(seq, &reason, &app.operator) {
                    Ok(outcome) => {
                        // Later versions of the record may go now.
                        if let Some(w) = sync {
                            w.wake();
                        }
                        done.events.push(Event::SetAsideDone(outcome));
                    }
                    Err(e) => done.write_failed(&e, lang),
                }
            }
            Effect::Retry(seq) => match sync {
                Some(w) => w.retry(seq, &app.operator),
                None => {
                    if let Err(e) = store.outbox_retry(seq, &app.operator) {
                        done.write_failed(&e, lang);
                    }
                }
            },
            Effect::CardTries => card_job(card, &mut done.events, move || card_tries_event(lang)),
            Effect::ReadCard {
                pin,
                confirm_last_try,
            } => card_job(card, &mut done.events, move || {
                card_read_event(lang, &pin, confirm_last_try)
            }),
            Effect::RememberOperator(name) => {
                if let Err(e) = store.set_last_operator(&name) {
                    done.write_failed(&e, lang);
                }
            }
            Effect::Quit => done.quit = true,
        }
    }
    done
}

fn to_event(ev: CtEvent) -> Option<Event> {
    match ev {
        CtEvent::Key(k) if k.kind != event::KeyEventKind::Release => Some(Event::Key(k)),
        CtEvent::Paste(s) => Some(Event::Paste(s)),
        CtEvent::Resize(..) => Some(Event::Tick),
        _ => None,
    }
}

/// Carry out a batch of events as the loop does before each frame: each through
/// `update`, drafts handed to the writer thread (typing never waits for the disk), other
/// effects performed, their results fed back. When the screen changed (a review, a
/// discard, home), or on quit, the newest draft is written before returning, so what a
/// restart restores is never older than the screen the clerk moved to. Returns true when
/// the clerk asked to quit.
pub fn handle_events(
    desk: &mut Desk,
    app: &mut App,
    pending: &mut VecDeque<Event>,
    card: Option<&CardSender>,
) -> bool {
    pending.extend(desk.draft_failures(app.lang));
    let screen_before = std::mem::discriminant(&app.screen);
    let mut quit = false;
    while let Some(ev) = pending.pop_front() {
        let (drafts, effects): (Vec<Effect>, Vec<Effect>) = update(app, ev, &env())
            .into_iter()
            .partition(|e| matches!(e, Effect::SaveDraft(_)));
        for draft in drafts {
            if let Effect::SaveDraft(bytes) = draft {
                pending.extend(desk.queue_draft(app, bytes));
            }
        }
        if effects.is_empty() {
            continue;
        }
        let done = desk.perform(card, app, effects);
        pending.extend(done.events);
        if done.quit {
            quit = true;
            break;
        }
    }
    if quit || std::mem::discriminant(&app.screen) != screen_before {
        for ev in desk.flush_drafts(app.lang) {
            update(app, ev, &env());
        }
    }
    quit
}

/// The frame shown while the store opens: title, 「読み込み中」 and the key bar. Keys typed
/// meanwhile wait in the terminal's input and are handled once the store is open.
pub fn show_loading(screen: &mut Term, app: &App) -> io::Result<()> {
    let mut loading = app.clone();
    loading.loading = true;
    screen.draw(|f| render(&loading, f))
}

/// Run the TUI until the clerk quits. Returns the number of queued versions left.
pub fn run(mut screen: Term, mut desk: Desk, mut app: App) -> io::Result<usize> {
    let mut pending = VecDeque::new();
    if let Some(store) = desk.store() {
        match snapshot(store, app.now) {
            Ok(s) => pending.push_back(Event::Loaded(s)),
            Err(e) => pending.push_back(Event::ReadFailed(describe_store_error(&e, app.lang))),
        }
        if let Ok(Some(bytes)) = store.load_draft(DRAFT_KEY) {
            if let Some(form) = draft_from_bytes(&bytes) {
                pending.push_back(Event::DraftFound(Box::new(form)));
            }
        }
    }
    let mut last_sync = None;
    let (card_tx, card_rx) = mpsc::channel();
    let monitor = card::Monitor::spawn();
    let mut reader_generation = None;
    let result = loop {
        // Results of card work, and reader insertions/removals.
        pending.extend(card_rx.try_iter());
        let generation = monitor.generation();
        if reader_generation != Some(generation) {
            reader_generation = Some(generation);
            pending.push_back(Event::Reader(monitor.state()));
        }
        // The worker's state, copied without waiting on the network.
        if let Some(w) = desk.sync() {
            let now_status = w.status();
            if last_sync.as_ref() != Some(&now_status) {
                let delivered_more = last_sync
                    .as_ref()
                    .is_some_and(|s: &crate::sync::SyncStatus| s.delivered != now_status.delivered);
                pending.push_back(Event::SyncStatus(now_status.clone()));
                if delivered_more {
                    // "送信済" in the list and the queued counts follow deliveries.
                    if let Some(Ok(s)) = desk.store().map(|st| snapshot(st, app.now)) {
                        pending.push_back(Event::Loaded(s));
                    }
                }
                last_sync = Some(now_status);
            }
        }
        // A burst of input (a paste, fast typing over SSH) is one batch and one frame.
        if handle_events(&mut desk, &mut app, &mut pending, Some(&card_tx)) {
            break Ok(());
        }
        if let Err(e) = screen.draw(|f| render(&app, f)) {
            break Err(e);
        }
        // Block until input, waking once a second for the sync worker's status and the
        // reader's state (both cheap copies): no busy loop.
        // A card operation answers within moments: look often while one runs.
        let card_busy = matches!(&app.screen, Screen::Pin(d) if d.busy);
        let wait = if card_busy {
            Duration::from_millis(50)
        } else {
            Duration::from_secs(1)
        };
        match event::poll(wait) {
            Ok(true) => {
                // Take whatever else is already waiting too (bounded, so a flood of input
                // still lets the screen update).
                let mut read = 0;
                let mut failed = None;
                loop {
                    match event::read() {
                        Ok(ev) => pending.extend(to_event(ev)),
                        Err(e) => {
                            failed = Some(e);
                            break;
                        }
                    }
                    read += 1;
                    if read >= 256 || !matches!(event::poll(Duration::ZERO), Ok(true)) {
                        break;
                    }
                }
                if let Some(e) = failed {
                    break Err(e);
                }
            }
            Ok(false) => pending.push_back(Event::Tick),
            Err(e) => break Err(e),
        }
    };
    // Quit wrote the newest draft already; on an error exit this writes what is pending.
    let queued = desk.close();
    drop(screen);
    result.map(|()| queued)
}

/// The line printed after quitting with records still queued.
pub fn quit_message(lang: Lang, queued: usize) -> Option<String> {
    (queued > 0).then(|| match lang {
        Lang::Ja => format!("{queued}{}", crate::i18n::Msg::QuitQueued.text(lang)),
        Lang::En => format!("{queued} {}", crate::i18n::Msg::QuitQueued.text(lang)),
    })
}
