//! Keys on the sync screen: what waits to be sent, and sending a refused version again.

use super::{Key, Step};
use crate::i18n::Msg;
use crate::keymap::Action;
use crate::sync::EntryState;
use crate::tui::app::{App, Effect, Screen, SyncList};

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
        Some(Action::Cancel) => return (Screen::home(), vec![]),
        other => sync.list.step(sync.entries.len(), other),
    }
    (Screen::Sync(sync), vec![])
}
