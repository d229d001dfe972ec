//! `update`: state + event → new state + effects. Events from the runtime (a save
//! confirmed, a search answered, the card's reply) are handled here; keys go to the
//! handler of the current screen, one file per screen beside its view in `tui/view/`.
//! Every key handler has the same shape: it takes the app, the screen's own state and
//! the key, and returns the next screen and the effects.

mod dialog;
mod form;
mod home;
mod lists;
mod procedure;
mod review;
mod sync;

use crossterm::event::{KeyEvent, KeyModifiers};

use crate::domain::problem::FieldError;
use crate::i18n::{describe_problem, Msg};
use crate::keymap::Action;
use crate::store::SetAsideOutcome;
use crate::tui::app::{App, Effect, Env, Event, SaveKind, Screen, SetAsideDialog};
use crate::tui::editor::LineEditor;
use crate::tui::form::{FormState, Mode};

/// What a key handler returns: the next screen and the work for the runtime.
pub(crate) type Step = (Screen, Vec<Effect>);

/// A key as a handler sees it: the action the keymap found for it (if any), the key
/// itself (for typing), and the world.
pub(crate) struct Key<'a> {
    pub action: Option<Action>,
    pub event: KeyEvent,
    pub env: &'a Env,
}

pub fn update(app: &mut App, event: Event, env: &Env) -> Vec<Effect> {
    app.now = env.now;
    let effects = dispatch(app, event, env);
    // The validator looks at a form once per change, not once per frame.
    let ctx = app.context(&env.new_id);
    if let Some(form) = app.screen.form_mut().filter(|f| f.is_stale()) {
        form.refresh(&ctx);
    }
    effects
}

fn dispatch(app: &mut App, event: Event, env: &Env) -> Vec<Effect> {
    match event {
        Event::Loaded(s) => {
            app.snapshot = s;
            match &mut app.screen {
                Screen::Home { list } => list.clamp(app.snapshot.today.len()),
                // A save may have changed who waits for follow-up.
                Screen::Followups { .. } => return vec![Effect::LoadFollowups],
                _ => {}
            }
            vec![]
        }
        Event::Saved { kind } => {
            app.saving = false;
            let back_to_list = matches!(kind, SaveKind::Followup | SaveKind::Settle);
            app.screen = if back_to_list {
                Screen::Followups {
                    list: Default::default(),
                }
            } else {
                Screen::home_on(&app.snapshot.today, app.screen.record_id())
            };
            app.info(match kind {
                SaveKind::Void => Msg::SavedVoid,
                SaveKind::Settle => Msg::SavedSettled,
                _ => Msg::Saved,
            });
            if back_to_list {
                return vec![Effect::LoadFollowups];
            }
            vec![]
        }
        Event::SaveFailed(text) => {
            app.saving = false;
            // The screen (and the typed values) stay exactly as they were.
            app.error(format!("{} {}", app.lang.t(Msg::SaveFailed), text));
            vec![]
        }
        Event::ReadFailed(text) => {
            app.error(format!("{} {}", app.lang.t(Msg::ReadFailed), text));
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
                st.list = Default::default();
            }
            vec![]
        }
        Event::Followups(list) => {
            if let Screen::Followups { list: state } = &mut app.screen {
                state.clamp(list.len());
            }
            app.followups = list;
            vec![]
        }
        Event::SyncStatus(s) => {
            app.sync = Some(s);
            vec![]
        }
        Event::Queue(found) => {
            if let Screen::Sync(sync) = &mut app.screen {
                sync.list.clamp(found.len());
                sync.entries = found;
            }
            vec![]
        }
        Event::DeliveryNotes(found) => {
            if let Screen::Sync(sync) = &mut app.screen {
                sync.notes = found;
            }
            vec![]
        }
        Event::SetAsideList(found) => {
            if let Screen::Sync(sync) = &mut app.screen {
                sync.set_aside = found;
            }
            vec![]
        }
        Event::SetAsideDone(outcome) => {
            match outcome {
                SetAsideOutcome::Done(_) => app.info(Msg::SetAsideDone),
                SetAsideOutcome::NotHeld => {
                    app.error(app.lang.t(Msg::SetAsideOnlyHeld).to_string())
                }
                SetAsideOutcome::NotQueued => app.error(app.lang.t(Msg::SetAsideGone).to_string()),
            }
            vec![]
        }
        Event::Reader(r) => {
            app.reader = Some(r);
            vec![]
        }
        Event::CardTries(result) => dialog::on_card_tries(app, result),
        Event::CardRead(outcome) => dialog::on_card_read(app, outcome),
        Event::Tick => vec![],
        Event::Paste(text) => on_text(app, &text),
        Event::Key(key) => on_key(app, key, env),
    }
}

fn on_key(app: &mut App, event: KeyEvent, env: &Env) -> Vec<Effect> {
    if app.help {
        // Any key closes the help overlay.
        app.help = false;
        return vec![];
    }
    let action = app.keymap.lookup(app.key_stack(), &event);
    match action {
        Some(Action::Quit) => return vec![Effect::Quit],
        Some(Action::Help) => {
            app.help = true;
            return vec![];
        }
        _ => {}
    }
    let key = Key { action, event, env };
    let screen = std::mem::replace(&mut app.screen, Screen::home());
    let (screen, effects) = match screen {
        Screen::Home { list } => home::key(app, list, &key),
        Screen::Operator { name, resume } => dialog::operator_key(app, (name, resume), &key),
        Screen::Triage { list, prefill } => procedure::triage_key(app, (list, prefill), &key),
        Screen::Guide(g) => procedure::guide_key(app, g, &key),
        Screen::Form(form) => form::key(app, form, &key),
        Screen::Review { form, record } => review::key(app, (form, record), &key),
        Screen::Void {
            record,
            reason,
            home,
        } => dialog::void_key(app, (record, reason, home), &key),
        Screen::Discard { form } => dialog::discard_key(app, form, &key),
        Screen::Search(st) => lists::search_key(app, st, &key),
        Screen::Followups { list } => lists::followups_key(app, list, &key),
        Screen::Sync(list) => sync::key(app, list, &key),
        Screen::SetAside(d) => sync::set_aside_key(app, d, &key),
        Screen::Pin(d) => dialog::pin_key(app, d, &key),
    };
    app.screen = screen;
    effects
}

/// Pasted or IME-committed text goes where typing goes.
fn on_text(app: &mut App, text: &str) -> Vec<Effect> {
    match &mut app.screen {
        Screen::Form(form) => form::paste(form, text),
        Screen::Void { reason, .. }
        | Screen::Operator { name: reason, .. }
        | Screen::SetAside(SetAsideDialog { reason, .. }) => {
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

/// Where closing a form goes back to.
fn leave_form(app: &App, form: &FormState) -> Screen {
    if form.mode == Mode::Recheck {
        Screen::Followups {
            list: Default::default(),
        }
    } else {
        let id = form.editing.as_ref().map(|r| r.id.as_str());
        Screen::home_on(&app.snapshot.today, id)
    }
}

/// The first problem's text, in the user's language.
fn first_problem(app: &App, errors: &[FieldError]) -> String {
    errors
        .first()
        .map(|e| describe_problem(&e.problem, app.lang))
        .unwrap_or_default()
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

/// A line being typed into: an editing action, or a printable character inserted.
fn type_line(ed: &mut LineEditor, key: &Key) {
    match key.action {
        Some(a) => edit(ed, a),
        None => {
            if let Some(c) = typed_char(&key.event) {
                ed.insert(c.encode_utf8(&mut [0; 4]));
            }
        }
    }
}
