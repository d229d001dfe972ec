//! App state, events and effects (Elm-style). `tui::update` changes the state and returns
//! effects for the runtime to perform; `tui::view` draws it. Neither does I/O.

use chrono::{DateTime, FixedOffset, NaiveDate};
use crossterm::event::KeyEvent;

use crate::card::{CardFace, ReaderState};
use crate::domain::record::{IncidentCase, Record};
use crate::domain::validate::Context;
use crate::i18n::{Lang, Msg};
use crate::keymap::{Action, Ctx, Keymap, Stack};
use crate::store::{SetAside, SetAsideOutcome};
use crate::sync::{DeliveryNote, QueueEntry, SyncStatus};
use crate::tui::editor::LineEditor;
use crate::tui::fields::Kind;
use crate::tui::form::FormState;
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
    /// Today's intakes.
    Home {
        list: ListState,
    },
    /// "What failed?": the first step of an intake.
    Triage {
        list: ListState,
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
        /// The home list underneath, as it was (Esc returns to it).
        home: ListState,
    },
    Discard {
        form: FormState,
    },
    /// Find an earlier record of a repeat patient by kana or birth date.
    Search(SearchState),
    Followups {
        list: ListState,
    },
    /// Reading the card face: the PIN, typed without echo.
    Pin(PinDialog),
    /// What is waiting to be sent, and what the target refused.
    Sync(SyncList),
    /// The reason for setting a refused version aside, over the sync screen.
    SetAside(SetAsideDialog),
}

#[derive(Debug, Clone, PartialEq)]
pub struct SetAsideDialog {
    /// The sync screen underneath, as it was.
    pub sync: SyncList,
    /// The held entry (`QueueEntry::seq`).
    pub seq: u64,
    pub id: String,
    pub version: u32,
    pub reason: LineEditor,
}

/// The selected row of a list, kept the same way on every screen that has one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListState {
    pub selected: usize,
}

impl ListState {
    /// Move for a list action over `n` rows (one, or ten for a page); other actions leave
    /// it where it is.
    pub fn step(&mut self, n: usize, action: Option<Action>) {
        let last = n.saturating_sub(1);
        self.selected = match action {
            Some(Action::Up) => self.selected.saturating_sub(1),
            Some(Action::Down) => (self.selected + 1).min(last),
            Some(Action::PageUp) => self.selected.saturating_sub(10),
            Some(Action::PageDown) => (self.selected + 10).min(last),
            _ => self.selected,
        };
    }

    /// Keep the selection on a row after the list changed to `n` rows.
    pub fn clamp(&mut self, n: usize) {
        self.selected = self.selected.min(n.saturating_sub(1));
    }
}

impl Screen {
    pub fn home() -> Screen {
        Screen::Home {
            list: ListState::default(),
        }
    }

    /// Home with the row of record `id` selected when today's list has it (back from
    /// opening or voiding that record, the clerk's place in the list is kept), else the
    /// top row (where a new intake appears).
    pub fn home_on(today: &[Row], id: Option<&str>) -> Screen {
        let selected = id
            .and_then(|id| today.iter().position(|r| r.record.id == id))
            .unwrap_or(0);
        Screen::Home {
            list: ListState { selected },
        }
    }

    /// The id of the record this screen opened (an edit, a recheck, a void), if any.
    pub fn record_id(&self) -> Option<&str> {
        match self {
            Screen::Void { record, .. } => Some(record.id.as_str()),
            Screen::Form(f)
            | Screen::Discard { form: f }
            | Screen::Review { form: f, .. }
            | Screen::Pin(PinDialog { form: f, .. }) => f.editing.as_ref().map(|r| r.id.as_str()),
            _ => None,
        }
    }

    /// The form this screen holds (the form itself, or a dialog or review over it).
    pub fn form_mut(&mut self) -> Option<&mut FormState> {
        match self {
            Screen::Form(f)
            | Screen::Discard { form: f }
            | Screen::Review { form: f, .. }
            | Screen::Pin(PinDialog { form: f, .. }) => Some(f),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Guide {
    pub case: IncidentCase,
    /// Over `procedure::sources(case)`.
    pub list: ListState,
    pub note: LineEditor,
    pub prefill: Option<Box<Record>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchState {
    pub query: LineEditor,
    pub results: Vec<Record>,
    pub list: ListState,
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
    pub(crate) fn asking(form: FormState) -> Self {
        PinDialog {
            form,
            pin: SecretPin::default(),
            tries: None,
            armed: false,
            busy: true,
        }
    }

    pub(crate) fn ready(form: FormState, tries: u8) -> Self {
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
    pub list: ListState,
    /// Delivered versions the target warned about, listed below the queue.
    pub notes: Vec<DeliveryNote>,
    /// Versions set aside, listed below the queue.
    pub set_aside: Vec<SetAside>,
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
    /// The confirmation of a record that needed follow-up.
    Followup,
    /// A difference after the confirmation was refunded or collected.
    Settle,
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
    /// Reading from the store failed (a search, a list); already in words. Nothing the
    /// clerk typed is affected.
    ReadFailed(String),
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
    /// The versions set aside, for the sync screen.
    SetAsideList(Vec<SetAside>),
    /// What setting a version aside did.
    SetAsideDone(SetAsideOutcome),
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
    /// Take a refused version out of the queue with the clerk's reason.
    SetAside {
        seq: u64,
        reason: String,
    },
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
    /// The clinic as the help desk knows it (`[desk]`): shown in the procedure.
    pub desk: Desk,
    pub now: DateTime<FixedOffset>,
    pub snapshot: Snapshot,
    pub screen: Screen,
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
    /// The store is still opening: the first frame says so (docs/architecture.md).
    pub loading: bool,
}

/// The clinic's details the procedure screens name (`[desk]` in the config).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Desk {
    pub helpdesk_phone: String,
    pub clinic_code: Option<String>,
    pub clinic_name: Option<String>,
}

impl Default for Desk {
    fn default() -> Self {
        Desk {
            helpdesk_phone: crate::config::DEFAULT_HELPDESK_PHONE.to_string(),
            clinic_code: None,
            clinic_name: None,
        }
    }
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
            desk: Desk::default(),
            now,
            snapshot: Snapshot::default(),
            screen: Screen::home(),
            flash: None,
            help: false,
            saving: false,
            sync: None,
            reader: None,
            followups: Vec::new(),
            loading: false,
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
    pub fn key_stack(&self) -> Stack {
        match &self.screen {
            Screen::Home { .. } => Stack::Home,
            Screen::Operator { .. } | Screen::Void { .. } | Screen::SetAside(_) => {
                Stack::DialogText
            }
            Screen::Triage { .. } => Stack::Triage,
            Screen::Guide(_) => Stack::Guide,
            Screen::Form(f) => match f.focus.kind() {
                Kind::Choice(_) => Stack::FormChoice,
                _ => Stack::FormText,
            },
            Screen::Review { .. } => Stack::Review,
            Screen::Discard { .. } => Stack::Dialog,
            // Editor for Backspace; digits are typed, nothing else is edited.
            Screen::Pin(_) => Stack::DialogText,
            Screen::Search(_) => Stack::Search,
            Screen::Followups { .. } | Screen::Sync(_) => Stack::List,
        }
    }

    /// The first key the active keymap binds to `action` in `ctx`, as the key bar shows
    /// it ("F5", "Ctrl+S").
    pub fn key_name(&self, ctx: Ctx, action: Action) -> Option<String> {
        self.keymap
            .keys(ctx, action)
            .first()
            .map(ToString::to_string)
    }

    pub(crate) fn info(&mut self, msg: Msg) {
        self.info_text(self.lang.t(msg).to_string());
    }

    pub(crate) fn info_text(&mut self, text: String) {
        self.flash = Some(Flash {
            level: Level::Info,
            text,
        });
    }

    pub(crate) fn error(&mut self, text: String) {
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
