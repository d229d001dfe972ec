//! Keys on the procedure screens: "what failed?" (triage) and the guide for the case,
//! where the clerk chooses how the qualification was seen.

use super::{type_line, Key, Step};
use crate::domain::procedure;
use crate::domain::record::{IncidentCase, Record, VerificationSource};
use crate::keymap::Action;
use crate::tui::app::draft_bytes;
use crate::tui::app::{App, Effect, Guide, ListState, Screen};
use crate::tui::form::FormState;

pub(super) fn triage_key(
    app: &mut App,
    (mut list, prefill): (ListState, Option<Box<Record>>),
    key: &Key,
) -> Step {
    let chosen = match key.action {
        Some(Action::Case1) => Some(0),
        Some(Action::Case2) => Some(1),
        Some(Action::Case31) => Some(2),
        Some(Action::Case32) => Some(3),
        Some(Action::Case33) => Some(4),
        Some(Action::Case34) => Some(5),
        Some(Action::Confirm) => Some(list.selected),
        _ => None,
    };
    if let Some(case) = chosen.and_then(|i| IncidentCase::ALL.get(i).copied()) {
        app.flash = None;
        return (
            Screen::Guide(Guide {
                case,
                list: ListState::default(),
                note: Default::default(),
                prefill,
            }),
            vec![],
        );
    }
    if key.action == Some(Action::Cancel) {
        return (Screen::home(), vec![]);
    }
    list.step(IncidentCase::ALL.len(), key.action);
    (Screen::Triage { list, prefill }, vec![])
}

pub(super) fn guide_key(app: &mut App, mut g: Guide, key: &Key) -> Step {
    let sources = procedure::sources(g.case);
    match key.action {
        Some(Action::Confirm) => {
            let source = sources
                .get(g.list.selected)
                .copied()
                .unwrap_or(VerificationSource::Declaration);
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
            return (
                Screen::Triage {
                    list: ListState::default(),
                    prefill: g.prefill,
                },
                vec![],
            );
        }
        Some(a @ (Action::Up | Action::Down)) => g.list.step(sources.len(), Some(a)),
        _ => type_line(&mut g.note, key),
    }
    (Screen::Guide(g), vec![])
}
