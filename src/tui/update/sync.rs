//! Keys on the sync screen: what waits to be sent, sending a refused version again, and
//! setting aside one the target refuses for good (with a reason, docs/sync.md).

use super::{type_line, Key, Step};
use crate::i18n::Msg;
use crate::keymap::Action;
use crate::store::clean_reason;
use crate::sync::EntryState;
use crate::tui::app::{App, Effect, Screen, SetAsideDialog, SyncList};
use crate::tui::editor::LineEditor;

pub(super) fn key(app: &mut App, mut sync: SyncList, key: &Key) -> Step {
    match key.action {
        Some(Action::Confirm) => match sync.entries.get(sync.list.selected) {
            Some(e) if e.state == EntryState::Failed => {
                app.info(Msg::SyncRetrying);
                let seq = e.seq;
                return (
                    Screen::Sync(sync),
                    vec![Effect::Retry(seq), Effect::LoadQueue],
                );
            }
            _ => app.info(Msg::SyncNothingToRetry),
        },
        Some(Action::SetAside) => match sync.entries.get(sync.list.selected) {
            Some(e) if e.state == EntryState::Failed => {
                app.flash = None;
                let (seq, id, version) = (e.seq, e.id.clone(), e.version);
                return (
                    Screen::SetAside(SetAsideDialog {
                        sync,
                        seq,
                        id,
                        version,
                        reason: LineEditor::new(""),
                    }),
                    vec![],
                );
            }
            _ => app.error(app.lang.t(Msg::SetAsideOnlyHeld).to_string()),
        },
        Some(Action::Cancel) => return (Screen::home(), vec![]),
        other => sync.list.step(sync.entries.len(), other),
    }
    (Screen::Sync(sync), vec![])
}

/// The reason dialog: Enter sets the version aside (the queue is read again), Esc goes
/// back to the sync screen unchanged.
pub(super) fn set_aside_key(app: &mut App, mut d: SetAsideDialog, key: &Key) -> Step {
    match key.action {
        Some(Action::Confirm) => {
            let reason = clean_reason(d.reason.text());
            if reason.is_empty() {
                app.error(app.lang.t(Msg::SetAsideNeedsReason).to_string());
            } else {
                let effects = vec![Effect::SetAside { seq: d.seq, reason }, Effect::LoadQueue];
                return (Screen::Sync(d.sync), effects);
            }
        }
        Some(Action::Cancel) => {
            app.flash = None;
            return (Screen::Sync(d.sync), vec![]);
        }
        _ => type_line(&mut d.reason, key),
    }
    (Screen::SetAside(d), vec![])
}
