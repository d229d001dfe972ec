//! App state, events and the update function (Elm-style): `update` changes state and
//! returns effects for the runtime to perform; it does no I/O itself.

use chrono::{DateTime, FixedOffset, NaiveDate};
use crossterm::event::{KeyEvent, KeyModifiers};

use crate::card::{CardFace, ReaderState};
use crate::domain::problem::{FieldError, Problem};
use crate::domain::procedure;
use crate::domain::record::{IncidentCase, Record, Status};
use crate::domain::text::clean_text;
use crate::domain::validate::{self, Context};
use crate::i18n::{describe_problem, Lang, Msg};
use crate::keymap::{Action, Ctx, Keymap};
use crate::sync::{DeliveryNote, EntryState, QueueEntry, SyncStatus};
use crate::tui::editor::LineEditor;
use crate::tui::fields::Kind;
use crate::tui::form::{FormState, Mode};
use crate::tui::pin::SecretPin;

/// What the screens list, gathered by the runtime from the store.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    /// Today's intakes, newest first.
    pub today: Vec<Row>,
    /// How many active records wait for their qualification to be confirmed.
    pub followup_count: usize,
    pub total: usize,
    pub queued: usize,
    pub store_path: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub record: Record,
    /// Some version of it is still in the outbox.
    pub queued: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    /// Who is at the desk: asked at start (prefilled with this terminal's last operator).
    Operator {
        name: LineEditor,
        /// An unsaved form found at start, resumed once the operator is confirmed.
        resume: Option<Box<FormState>>,
    },
    Home,
    /// "What failed?": the first step of an intake.
    Triage {
        selected: usize,
        prefill: Option<Box<Record>>,
    },
    /// The procedure for the case, and the choice of qualification source.
    Guide(Guide),
    Form(FormState),
    Review {
        form: FormState,
        record: Box<Record>,
    },
    Void {
        record: Box<Record>,
        reason: LineEditor,
    },
    Discard {
        form: FormState,
    },
    /// Find an earlier record of a repeat patient by kana or birth date.
    Search(SearchState),
    Followups {
        selected: usize,
    },
    /// Reading the card face: the PIN, typed without echo.
    Pin(PinDialog),
    /// What is waiting to be sent, and what the target refused.
    Sync(SyncList),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Guide {
    pub case: IncidentCase,
    /// Index into `procedure::sources(case)`.
    pub selected: usize,
    pub note: LineEditor,
    pub prefill: Option<Box<Record>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchState {
    pub query: LineEditor,
    pub results: Vec<Record>,
    pub selected: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PinDialog {
    pub form: FormState,
    pub pin: SecretPin,
    /// Tries left, once the card said; `None` while asking.
    pub tries: Option<u8>,
    /// At one try left the first confirm only shows the warning; the second sends.
    pub armed: bool,
    /// A card operation is running in the background.
    pub busy: bool,
}

impl PinDialog {
    fn asking(form: FormState) -> Self {
        PinDialog {
            form,
            pin: SecretPin::default(),
            tries: None,
            armed: false,
            busy: true,
        }
    }

    fn ready(form: FormState, tries: u8) -> Self {
        PinDialog {
            tries: Some(tries),
            busy: false,
            ..PinDialog::asking(form)
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SyncList {
    pub entries: Vec<QueueEntry>,
    pub selected: usize,
    /// Delivered versions the target warned about, listed below the queue.
    pub notes: Vec<DeliveryNote>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub level: Level,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveKind {
    New,
    Revision,
    Void,
    /// The online recheck of a record that needed follow-up.
    Followup,
}

/// Inputs to `update`: the terminal's and the runtime's.
#[derive(Debug, Clone)]
pub enum Event {
    Key(KeyEvent),
    Paste(String),
    /// Fresh list and counts from the store.
    Loaded(Snapshot),
    /// The store confirmed a durable save (after flush).
    Saved {
        kind: SaveKind,
    },
    /// The save failed; the message is already in the user's language.
    SaveFailed(String),
    /// An unsaved form found at start-up.
    DraftFound(Box<FormState>),
    /// Matches for the search query, newest first.
    SearchResults(Vec<Record>),
    /// The records waiting for follow-up, oldest first (read when the list opens).
    Followups(Vec<Record>),
    /// The sync worker's state changed.
    SyncStatus(SyncStatus),
    /// The outbox as the sync screen lists it.
    Queue(Vec<QueueEntry>),
    /// Delivered versions with the target's warnings, for the sync screen.
    DeliveryNotes(Vec<DeliveryNote>),
    /// The card reader's state changed (insertion, removal, pcscd gone).
    Reader(ReaderState),
    /// Tries left on the PIN, or why the card could not be asked (already in words).
    CardTries(Result<u8, String>),
    /// The result of reading the card face.
    CardRead(CardOutcome),
    /// Time passed (the clock in the title bar); nothing else changes.
    Tick,
}

/// Work for the runtime.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Save {
        record: Box<Record>,
        kind: SaveKind,
    },
    SaveDraft(Vec<u8>),
    DeleteDraft,
    Search(String),
    /// List the outbox for the sync screen.
    LoadQueue,
    /// Read the follow-up list (not kept in memory while it is not shown).
    LoadFollowups,
    /// Send a refused version again (the operator fixed the cause).
    Retry(u64),
    /// Ask the card how many PIN tries are left (in the background).
    CardTries,
    /// Read the card face with this PIN (in the background).
    ReadCard {
        pin: SecretPin,
        confirm_last_try: bool,
    },
    /// Remember the operator for this terminal.
    RememberOperator(String),
    Quit,
}

/// What the world gives each update: the clock and a fresh id.
#[derive(Debug, Clone)]
pub struct Env {
    pub now: DateTime<FixedOffset>,
    pub new_id: String,
}

#[derive(Debug, Clone)]
pub struct App {
    pub lang: Lang,
    pub keymap: Keymap,
    pub operator: String,
    pub terminal_id: String,
    /// Bill 不詳 as 77777779 (receipt software that checks the digit) instead of 77777777.
    pub claim_check_digit: bool,
    /// The terminal draws East Asian ambiguous-width characters two cells wide: the
    /// frame gets one-cell stand-ins for them (`[ui] ambiguous_width`).
    pub ambiguous_wide: bool,
    pub now: DateTime<FixedOffset>,
    pub snapshot: Snapshot,
    pub screen: Screen,
    pub selected: usize,
    pub flash: Option<Flash>,
    pub help: bool,
    /// A save is in flight: keys that would save again are ignored.
    pub saving: bool,
    /// The sync worker's last reported state; `None` when no worker runs.
    pub sync: Option<SyncStatus>,
    /// The card reader's last reported state; `None` when nothing watches it.
    pub reader: Option<ReaderState>,
    /// The follow-up list, as last read for the follow-up screen.
    pub followups: Vec<Record>,
}

/// How reading the card ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardOutcome {
    Face(CardFace),
    /// The PIN was wrong; the card has this many tries left.
    WrongPin {
        tries_left: u8,
        message: String,
    },
    /// Anything else, in words; the form stays as it was for manual entry.
    Failed(String),
}

impl App {
    pub fn new(
        lang: Lang,
        keymap: Keymap,
        operator: String,
        terminal_id: String,
        now: DateTime<FixedOffset>,
    ) -> Self {
        App {
            lang,
            keymap,
            operator,
            terminal_id,
            claim_check_digit: false,
            ambiguous_wide: false,
            now,
            snapshot: Snapshot::default(),
            screen: Screen::Home,
            selected: 0,
            flash: None,
            help: false,
            saving: false,
            sync: None,
            reader: None,
            followups: Vec::new(),
        }
    }

    /// Start on the operator prompt, prefilled with `default`.
    pub fn ask_operator(&mut self, default: &str) {
        self.screen = Screen::Operator {
            name: LineEditor::new(default),
            resume: None,
        };
    }

    pub fn today(&self) -> NaiveDate {
        self.now.date_naive()
    }

    pub fn context(&self, new_id: &str) -> Context {
        Context {
            now: self.now,
            terminal_id: self.terminal_id.clone(),
            operator: self.operator.clone(),
            new_id: new_id.to_string(),
        }
    }

    /// The context stack the current screen looks keys up in.
    pub fn key_stack(&self) -> &'static [Ctx] {
        match &self.screen {
            Screen::Home => &[Ctx::Home, Ctx::Global],
            Screen::Operator { .. } => &[Ctx::Editor, Ctx::Dialog, Ctx::Global],
            Screen::Triage { .. } => &[Ctx::Triage, Ctx::Global],
            Screen::Guide(_) => &[Ctx::Editor, Ctx::Guide, Ctx::Global],
            Screen::Form(f) => match f.focus.kind() {
                Kind::Choice(_) => &[Ctx::Choice, Ctx::Form, Ctx::Global],
                _ => &[Ctx::Editor, Ctx::Form, Ctx::Global],
            },
            Screen::Review { .. } => &[Ctx::Review, Ctx::Global],
            Screen::Void { .. } => &[Ctx::Editor, Ctx::Dialog, Ctx::Global],
            Screen::Discard { .. } => &[Ctx::Dialog, Ctx::Global],
            // Editor for Backspace; digits are typed, nothing else is edited.
            Screen::Pin(_) => &[Ctx::Editor, Ctx::Dialog, Ctx::Global],
            Screen::Search(_) => &[Ctx::Editor, Ctx::Search, Ctx::Global],
            Screen::Followups { .. } | Screen::Sync(_) => &[Ctx::List, Ctx::Global],
        }
    }

    fn info(&mut self, msg: Msg) {
        self.flash = Some(Flash {
            level: Level::Info,
            text: self.lang.t(msg).to_string(),
        });
    }

    fn error(&mut self, text: String) {
        self.flash = Some(Flash {
            level: Level::Error,
            text,
        });
    }
}

/// Serialised form for the drafts tree.
pub fn draft_bytes(form: &FormState) -> Vec<u8> {
    serde_json::to_vec(form).unwrap_or_default()
}

pub fn draft_from_bytes(bytes: &[u8]) -> Option<FormState> {
    serde_json::from_slice(bytes).ok()
}

pub fn update(app: &mut App, event: Event, env: &Env) -> Vec<Effect> {
    app.now = env.now;
    match event {
        Event::Loaded(s) => {
            app.snapshot = s;
            app.selected = app.selected.min(app.snapshot.today.len().saturating_sub(1));
            // A save may have changed who waits for follow-up.
            if matches!(app.screen, Screen::Followups { .. }) {
                return vec![Effect::LoadFollowups];
            }
            vec![]
        }
        Event::Saved { kind } => {
            app.saving = false;
            app.screen = if kind == SaveKind::Followup {
                Screen::Followups { selected: 0 }
            } else {
                Screen::Home
            };
            app.selected = 0;
            app.info(if kind == SaveKind::Void {
                Msg::SavedVoid
            } else {
                Msg::Saved
            });
            vec![]
        }
        Event::SaveFailed(text) => {
            app.saving = false;
            // The screen (and the typed values) stay exactly as they were.
            app.error(format!("{} {}", app.lang.t(Msg::SaveFailed), text));
            vec![]
        }
        Event::DraftFound(form) => {
            if let Screen::Operator { resume, .. } = &mut app.screen {
                // The operator is asked first; the form comes back right after.
                *resume = Some(form);
            } else {
                app.screen = Screen::Form(*form);
                app.info(Msg::DraftRestored);
            }
            vec![]
        }
        Event::SearchResults(found) => {
            if let Screen::Search(st) = &mut app.screen {
                st.results = found;
                st.selected = 0;
            }
            vec![]
        }
        Event::Followups(list) => {
            if let Screen::Followups { selected } = &mut app.screen {
                *selected = (*selected).min(list.len().saturating_sub(1));
            }
            app.followups = list;
            vec![]
        }
        Event::SyncStatus(s) => {
            app.sync = Some(s);
            vec![]
        }
        Event::Queue(found) => {
            if let Screen::Sync(list) = &mut app.screen {
                list.selected = list.selected.min(found.len().saturating_sub(1));
                list.entries = found;
            }
            vec![]
        }
        Event::DeliveryNotes(found) => {
            if let Screen::Sync(list) = &mut app.screen {
                list.notes = found;
            }
            vec![]
        }
        Event::Reader(r) => {
            app.reader = Some(r);
            vec![]
        }
        Event::CardTries(result) => on_card_tries(app, result),
        Event::CardRead(outcome) => on_card_read(app, outcome),
        Event::Tick => vec![],
        Event::Paste(text) => on_text(app, &text),
        Event::Key(key) => on_key(app, key, env),
    }
}

fn on_key(app: &mut App, key: KeyEvent, env: &Env) -> Vec<Effect> {
    if app.help {
        // Any key closes the help overlay.
        app.help = false;
        return vec![];
    }
    let action = app.keymap.lookup(app.key_stack(), &key);
    match action {
        Some(Action::Quit) => return vec![Effect::Quit],
        Some(Action::Help) => {
            app.help = true;
            return vec![];
        }
        _ => {}
    }
    let screen = std::mem::replace(&mut app.screen, Screen::Home);
    let (screen, effects) = match screen {
        Screen::Home => home_key(app, action),
        Screen::Operator { name, resume } => operator_key(app, name, resume, action, key),
        Screen::Triage { selected, prefill } => triage_key(app, selected, prefill, action),
        Screen::Guide(g) => guide_key(app, g, action, key),
        Screen::Form(form) => form_key(app, form, action, key, env),
        Screen::Review { form, record } => review_key(app, form, record, action),
        Screen::Void { record, reason } => void_key(app, record, reason, action, key, env),
        Screen::Discard { form } => match action {
            Some(Action::Confirm) => (leave_form(&form), vec![Effect::DeleteDraft]),
            Some(Action::Cancel) => (Screen::Form(form), vec![]),
            _ => (Screen::Discard { form }, vec![]),
        },
        Screen::Search(st) => search_key(app, st, action, key),
        Screen::Followups { selected } => followups_key(app, selected, action),
        Screen::Sync(list) => sync_key(app, list, action),
        Screen::Pin(dialog) => pin_key(app, dialog, action, key),
    };
    app.screen = screen;
    effects
}

/// Where closing a form goes back to.
fn leave_form(form: &FormState) -> Screen {
    if form.mode == Mode::Recheck {
        Screen::Followups { selected: 0 }
    } else {
        Screen::Home
    }
}

/// Move a list selection; `n` is the list length.
fn step(selected: usize, n: usize, action: Option<Action>) -> usize {
    match action {
        Some(Action::Up) => selected.saturating_sub(1),
        Some(Action::Down) => (selected + 1).min(n.saturating_sub(1)),
        Some(Action::PageUp) => selected.saturating_sub(10),
        Some(Action::PageDown) => (selected + 10).min(n.saturating_sub(1)),
        _ => selected,
    }
}

fn home_key(app: &mut App, action: Option<Action>) -> (Screen, Vec<Effect>) {
    let n = app.snapshot.today.len();
    let selected = app
        .snapshot
        .today
        .get(app.selected)
        .map(|r| r.record.clone());
    match action {
        Some(Action::NewIntake) => {
            app.flash = None;
            return (
                Screen::Triage {
                    selected: 0,
                    prefill: None,
                },
                vec![],
            );
        }
        Some(Action::Search) => {
            app.flash = None;
            return (
                Screen::Search(SearchState {
                    query: LineEditor::default(),
                    results: Vec::new(),
                    selected: 0,
                }),
                vec![],
            );
        }
        Some(Action::Followups) => {
            app.flash = None;
            return (
                Screen::Followups { selected: 0 },
                vec![Effect::LoadFollowups],
            );
        }
        Some(Action::Sync) => {
            app.flash = None;
            return (
                Screen::Sync(SyncList {
                    entries: Vec::new(),
                    selected: 0,
                    notes: Vec::new(),
                }),
                vec![Effect::LoadQueue],
            );
        }
        Some(Action::Open) | Some(Action::Void) => match selected {
            None => app.info(Msg::NothingSelected),
            Some(r) if r.status == Status::Voided => app.info(Msg::VoidAlready),
            Some(r) if action == Some(Action::Open) => {
                app.flash = None;
                return (Screen::Form(FormState::edit(&r, app.today())), vec![]);
            }
            Some(r) => {
                app.flash = None;
                return (
                    Screen::Void {
                        record: Box::new(r),
                        reason: LineEditor::default(),
                    },
                    vec![],
                );
            }
        },
        other => app.selected = step(app.selected, n, other),
    }
    (Screen::Home, vec![])
}

fn operator_key(
    app: &mut App,
    mut name: LineEditor,
    resume: Option<Box<FormState>>,
    action: Option<Action>,
    key: KeyEvent,
) -> (Screen, Vec<Effect>) {
    match action {
        Some(Action::Confirm) => match clean_text(name.text(), validate::MAX_NAME) {
            Ok(n) if !n.is_empty() => {
                app.operator = n.clone();
                let effects = vec![Effect::RememberOperator(n)];
                return match resume {
                    Some(form) => {
                        app.info(Msg::DraftRestored);
                        (Screen::Form(*form), effects)
                    }
                    None => {
                        app.flash = None;
                        (Screen::Home, effects)
                    }
                };
            }
            Ok(_) => app.error(app.lang.t(Msg::OperatorRequired).to_string()),
            Err(e) => app.error(describe_problem(&Problem::Text(e), app.lang)),
        },
        Some(a) => edit(&mut name, a),
        None => type_into(&mut name, &key),
    }
    (Screen::Operator { name, resume }, vec![])
}

fn triage_key(
    app: &mut App,
    selected: usize,
    prefill: Option<Box<Record>>,
    action: Option<Action>,
) -> (Screen, Vec<Effect>) {
    let chosen = match action {
        Some(Action::Case1) => Some(0),
        Some(Action::Case2) => Some(1),
        Some(Action::Case31) => Some(2),
        Some(Action::Case32) => Some(3),
        Some(Action::Case33) => Some(4),
        Some(Action::Case34) => Some(5),
        Some(Action::Confirm) => Some(selected),
        _ => None,
    };
    if let Some(case) = chosen.and_then(|i| IncidentCase::ALL.get(i).copied()) {
        app.flash = None;
        return (
            Screen::Guide(Guide {
                case,
                selected: 0,
                note: LineEditor::default(),
                prefill,
            }),
            vec![],
        );
    }
    if action == Some(Action::Cancel) {
        return (Screen::Home, vec![]);
    }
    let selected = step(selected, IncidentCase::ALL.len(), action);
    (Screen::Triage { selected, prefill }, vec![])
}

fn guide_key(
    app: &mut App,
    mut g: Guide,
    action: Option<Action>,
    key: KeyEvent,
) -> (Screen, Vec<Effect>) {
    let sources = procedure::sources(g.case);
    match action {
        Some(Action::Confirm) => {
            let source = sources
                .get(g.selected)
                .copied()
                .unwrap_or(crate::domain::record::VerificationSource::Declaration);
            let today = app.today();
            let note = g.note.text();
            let form = match &g.prefill {
                Some(earlier) => FormState::prefill(earlier, today, g.case, source, note),
                None => FormState::intake(today, g.case, source, note),
            };
            let effects = vec![Effect::SaveDraft(draft_bytes(&form))];
            return (Screen::Form(form), effects);
        }
        Some(Action::Cancel) => {
            let prefill = g.prefill;
            return (
                Screen::Triage {
                    selected: 0,
                    prefill,
                },
                vec![],
            );
        }
        Some(a @ (Action::Up | Action::Down)) => {
            g.selected = step(g.selected, sources.len(), Some(a))
        }
        Some(a) => edit(&mut g.note, a),
        None => type_into(&mut g.note, &key),
    }
    (Screen::Guide(g), vec![])
}

fn search_key(
    app: &mut App,
    mut st: SearchState,
    action: Option<Action>,
    key: KeyEvent,
) -> (Screen, Vec<Effect>) {
    let before = st.query.text().to_string();
    match action {
        Some(Action::Confirm) => {
            if let Some(r) = st.results.get(st.selected) {
                app.flash = None;
                return (
                    Screen::Triage {
                        selected: 0,
                        prefill: Some(Box::new(r.clone())),
                    },
                    vec![],
                );
            }
            app.info(Msg::NothingSelected);
        }
        Some(Action::Cancel) => return (Screen::Home, vec![]),
        Some(a @ (Action::Up | Action::Down)) => {
            st.selected = step(st.selected, st.results.len(), Some(a))
        }
        Some(a) => edit(&mut st.query, a),
        None => type_into(&mut st.query, &key),
    }
    let effects = if st.query.text() != before {
        vec![Effect::Search(st.query.text().to_string())]
    } else {
        vec![]
    };
    (Screen::Search(st), effects)
}

fn followups_key(app: &mut App, selected: usize, action: Option<Action>) -> (Screen, Vec<Effect>) {
    match action {
        Some(Action::Confirm) => match app.followups.get(selected) {
            Some(r) => {
                app.flash = None;
                (Screen::Form(FormState::recheck(r, app.today())), vec![])
            }
            None => {
                app.info(Msg::NothingSelected);
                (Screen::Followups { selected }, vec![])
            }
        },
        Some(Action::Cancel) => (Screen::Home, vec![]),
        other => {
            let n = app.followups.len();
            (
                Screen::Followups {
                    selected: step(selected, n, other),
                },
                vec![],
            )
        }
    }
}

fn sync_key(app: &mut App, mut list: SyncList, action: Option<Action>) -> (Screen, Vec<Effect>) {
    match action {
        Some(Action::Confirm) => match list.entries.get(list.selected) {
            Some(e) if e.state == EntryState::Failed => {
                app.info(Msg::SyncRetrying);
                let seq = e.seq;
                return (
                    Screen::Sync(list),
                    vec![Effect::Retry(seq), Effect::LoadQueue],
                );
            }
            _ => app.info(Msg::SyncNothingToRetry),
        },
        Some(Action::Cancel) => return (Screen::Home, vec![]),
        other => list.selected = step(list.selected, list.entries.len(), other),
    }
    (Screen::Sync(list), vec![])
}

fn on_card_tries(app: &mut App, result: Result<u8, String>) -> Vec<Effect> {
    let Screen::Pin(dialog) = &app.screen else {
        return vec![];
    };
    let form = dialog.form.clone();
    app.screen = match result {
        Ok(0) => {
            app.error(app.lang.t(Msg::CardPinLocked).to_string());
            Screen::Form(form)
        }
        Ok(n) => {
            if n == 1 {
                app.error(app.lang.t(Msg::CardLastTry).to_string());
            } else {
                app.flash = None;
            }
            Screen::Pin(PinDialog::ready(form, n))
        }
        Err(message) => {
            app.error(message);
            Screen::Form(form)
        }
    };
    vec![]
}

fn on_card_read(app: &mut App, outcome: CardOutcome) -> Vec<Effect> {
    let Screen::Pin(dialog) = &app.screen else {
        return vec![];
    };
    let mut form = dialog.form.clone();
    let (screen, effects) = match outcome {
        CardOutcome::Face(face) => {
            form.fill_from_card(&face);
            app.info(if face.sex.is_some() {
                Msg::CardFilled
            } else {
                Msg::CardFilledAskSex
            });
            let effects = vec![Effect::SaveDraft(draft_bytes(&form))];
            (Screen::Form(form), effects)
        }
        CardOutcome::WrongPin {
            tries_left,
            message,
        } => {
            app.error(message);
            if tries_left == 0 {
                (Screen::Form(form), vec![])
            } else {
                (Screen::Pin(PinDialog::ready(form, tries_left)), vec![])
            }
        }
        CardOutcome::Failed(message) => {
            app.error(message);
            (Screen::Form(form), vec![])
        }
    };
    app.screen = screen;
    effects
}

fn pin_key(
    app: &mut App,
    mut d: PinDialog,
    action: Option<Action>,
    key: KeyEvent,
) -> (Screen, Vec<Effect>) {
    if d.busy {
        // The card is being talked to; keys wait (Esc included: the read is short).
        return (Screen::Pin(d), vec![]);
    }
    match action {
        Some(Action::Cancel) => {
            app.info(Msg::CardCancelled);
            return (Screen::Form(d.form), vec![]);
        }
        Some(Action::Confirm) if !d.pin.is_complete() => {
            app.error(app.lang.t(Msg::CardPinFormat).to_string());
        }
        Some(Action::Confirm) if d.tries == Some(1) && !d.armed => {
            // One try left: warn once more; only a second confirm sends the PIN.
            app.error(app.lang.t(Msg::CardLastTryConfirm).to_string());
            d.armed = true;
        }
        Some(Action::Confirm) => {
            app.info(Msg::CardReading);
            let effect = Effect::ReadCard {
                pin: std::mem::take(&mut d.pin),
                confirm_last_try: d.armed,
            };
            d.busy = true;
            return (Screen::Pin(d), vec![effect]);
        }
        Some(Action::Backspace) => d.pin.pop(),
        _ => {
            if let Some(c) = typed_char(&key) {
                d.pin.push(c);
            }
        }
    }
    (Screen::Pin(d), vec![])
}

/// The first problem's text, in the user's language.
fn first_problem(app: &App, errors: &[FieldError]) -> String {
    errors
        .first()
        .map(|e| describe_problem(&e.problem, app.lang))
        .unwrap_or_default()
}

fn form_key(
    app: &mut App,
    mut form: FormState,
    action: Option<Action>,
    key: KeyEvent,
    env: &Env,
) -> (Screen, Vec<Effect>) {
    let service = form.service_date(app.today());
    let focus = form.focus;
    let before = form.clone();
    match action {
        Some(Action::NextField) => form.move_focus(true, service),
        Some(Action::PrevField) => form.move_focus(false, service),
        Some(Action::Review) | Some(Action::Save) => {
            form.commit_pending();
            form.touched.insert(focus);
            match form.validate(&app.context(&env.new_id)) {
                Ok(record) => {
                    app.flash = None;
                    return (
                        Screen::Review {
                            form,
                            record: Box::new(record),
                        },
                        vec![],
                    );
                }
                Err(errors) => {
                    form.show_all_errors = true;
                    let vis = form.visible(service);
                    if let Some(first) = vis
                        .iter()
                        .find(|f| errors.iter().any(|e| e.field == f.path()))
                    {
                        form.focus = *first;
                    }
                    let detail = first_problem(app, &errors);
                    app.error(format!("{} {}", app.lang.t(Msg::FormHasErrors), detail));
                    return (Screen::Form(form), vec![]);
                }
            }
        }
        Some(Action::Cancel) => {
            if form.dirty {
                return (Screen::Discard { form }, vec![]);
            }
            return (leave_form(&form), vec![Effect::DeleteDraft]);
        }
        Some(Action::ChoiceNext) => form.cycle(focus, true),
        Some(Action::ChoicePrev) => form.cycle(focus, false),
        Some(Action::Backspace) => form.backspace(),
        Some(Action::Romaji) => form.toggle_romaji(),
        Some(Action::ReadCard) => {
            form.commit_pending();
            app.info(Msg::CardAsking);
            return (
                Screen::Pin(PinDialog::asking(form)),
                vec![Effect::CardTries],
            );
        }
        Some(a) => {
            // Moving the cursor commits pending romaji where it was typed.
            form.commit_pending();
            if let Some(ed) = form.editor_mut(focus) {
                edit(ed, a);
            }
        }
        None => {
            if let Some(c) = typed_char(&key) {
                form.type_char(c);
            }
        }
    }
    // Only a changed value is worth a durable draft write; cursor moves are not.
    let effects = if form.same_values(&before) {
        vec![]
    } else {
        form.dirty = true;
        vec![Effect::SaveDraft(draft_bytes(&form))]
    };
    (Screen::Form(form), effects)
}

/// Editing actions on a line editor.
fn edit(ed: &mut LineEditor, action: Action) {
    match action {
        Action::Left => ed.left(),
        Action::Right => ed.right(),
        Action::LineStart => ed.home(),
        Action::LineEnd => ed.end(),
        Action::Backspace => ed.backspace(),
        Action::Delete => ed.delete(),
        Action::Clear => ed.clear(),
        _ => {}
    }
}

/// A printable character typed without Ctrl/Alt.
fn typed_char(key: &KeyEvent) -> Option<char> {
    match key.code {
        crossterm::event::KeyCode::Char(c)
            if !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
                && !c.is_control() =>
        {
            Some(c)
        }
        _ => None,
    }
}

/// A printable character typed without Ctrl/Alt goes into the editor.
fn type_into(ed: &mut LineEditor, key: &KeyEvent) {
    if let Some(c) = typed_char(key) {
        ed.insert(c.encode_utf8(&mut [0; 4]));
    }
}

fn on_text(app: &mut App, text: &str) -> Vec<Effect> {
    match &mut app.screen {
        Screen::Form(form) => {
            let before = form.clone();
            form.type_text(text);
            if form.same_values(&before) {
                return vec![];
            }
            form.dirty = true;
            vec![Effect::SaveDraft(draft_bytes(form))]
        }
        Screen::Void { reason, .. } | Screen::Operator { name: reason, .. } => {
            reason.insert(text);
            vec![]
        }
        Screen::Guide(g) => {
            g.note.insert(text);
            vec![]
        }
        Screen::Search(st) => {
            st.query.insert(text);
            vec![Effect::Search(st.query.text().to_string())]
        }
        _ => vec![],
    }
}

fn review_key(
    app: &mut App,
    form: FormState,
    record: Box<Record>,
    action: Option<Action>,
) -> (Screen, Vec<Effect>) {
    match action {
        Some(Action::Save) if !app.saving => {
            app.saving = true;
            let kind = match form.mode {
                Mode::Intake => SaveKind::New,
                Mode::Edit => SaveKind::Revision,
                Mode::Recheck => SaveKind::Followup,
            };
            let effect = Effect::Save {
                record: record.clone(),
                kind,
            };
            (Screen::Review { form, record }, vec![effect])
        }
        Some(Action::Cancel) if !app.saving => {
            app.flash = None;
            (Screen::Form(form), vec![])
        }
        _ => (Screen::Review { form, record }, vec![]),
    }
}

fn void_key(
    app: &mut App,
    record: Box<Record>,
    mut reason: LineEditor,
    action: Option<Action>,
    key: KeyEvent,
    env: &Env,
) -> (Screen, Vec<Effect>) {
    match action {
        Some(Action::Confirm) if !app.saving => {
            match validate::void(&record, reason.text(), &app.context(&env.new_id)) {
                Ok(voided) => {
                    app.saving = true;
                    let effect = Effect::Save {
                        record: Box::new(voided),
                        kind: SaveKind::Void,
                    };
                    return (Screen::Void { record, reason }, vec![effect]);
                }
                Err(errors) => {
                    let text = first_problem(app, &errors);
                    app.error(format!("{}: {}", app.lang.t(Msg::FieldVoidReason), text));
                }
            }
        }
        Some(Action::Cancel) if !app.saving => {
            app.flash = None;
            return (Screen::Home, vec![]);
        }
        Some(a) => edit(&mut reason, a),
        None => type_into(&mut reason, &key),
    }
    (Screen::Void { record, reason }, vec![])
}
