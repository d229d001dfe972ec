//! Keys on the lists: the repeat-patient search and the follow-up list.

use super::{type_line, Key, Step};
use crate::domain::validate;
use crate::i18n::Msg;
use crate::keymap::{Action, Ctx};
use crate::tui::app::{App, Effect, ListState, SaveKind, Screen, SearchState};
use crate::tui::form::FormState;

pub(super) fn search_key(app: &mut App, mut st: SearchState, key: &Key) -> Step {
    let before = st.query.text().to_string();
    match key.action {
        Some(Action::Confirm) => {
            if let Some(r) = st.results.get(st.list.selected) {
                app.flash = None;
                return (
                    Screen::Triage {
                        list: ListState::default(),
                        prefill: Some(Box::new(r.clone())),
                    },
                    vec![],
                );
            }
            app.info(Msg::NothingSelected);
        }
        Some(Action::Cancel) => return (Screen::home(), vec![]),
        Some(a @ (Action::Up | Action::Down)) => st.list.step(st.results.len(), Some(a)),
        _ => type_line(&mut st.query, key),
    }
    let effects = if st.query.text() != before {
        vec![Effect::Search(st.query.text().to_string())]
    } else {
        vec![]
    };
    (Screen::Search(st), effects)
}

pub(super) fn followups_key(app: &mut App, mut list: ListState, key: &Key) -> Step {
    match key.action {
        Some(Action::Confirm) => match app.followups.get(list.selected) {
            Some(r) if r.followup.needed => {
                app.flash = None;
                return (Screen::Form(FormState::recheck(r, app.today())), vec![]);
            }
            // Confirmed already: only the difference is open.
            Some(_) => {
                // The key as this keymap binds it (F5 in the default one).
                let key = app.key_name(Ctx::List, Action::Settle).unwrap_or_default();
                app.info_text(app.lang.t(Msg::SettleHint).replace("{key}", &key));
            }
            None => app.info(Msg::NothingSelected),
        },
        Some(Action::Settle) if !app.saving => {
            let settled = app
                .followups
                .get(list.selected)
                .and_then(|r| validate::settle(r, &app.context(&key.env.new_id)).ok());
            match settled {
                Some(rec) => {
                    app.saving = true;
                    let effect = Effect::Save {
                        record: Box::new(rec),
                        kind: SaveKind::Settle,
                    };
                    return (Screen::Followups { list }, vec![effect]);
                }
                None => app.info(Msg::NothingToSettle),
            }
        }
        Some(Action::Cancel) => return (Screen::home(), vec![]),
        other => list.step(app.followups.len(), other),
    }
    (Screen::Followups { list }, vec![])
}
