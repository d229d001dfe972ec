//! Keys on the home screen: today's intakes.

use super::{Key, Step};
use crate::domain::record::Status;
use crate::i18n::Msg;
use crate::keymap::Action;
use crate::tui::app::{App, Effect, ListState, Screen, SearchState, SyncList};
use crate::tui::form::FormState;

pub(super) fn key(app: &mut App, mut list: ListState, key: &Key) -> Step {
    let selected = app
        .snapshot
        .today
        .get(list.selected)
        .map(|r| r.record.clone());
    match key.action {
        Some(Action::NewIntake) => {
            app.flash = None;
            return (
                Screen::Triage {
                    list: ListState::default(),
                    prefill: None,
                },
                vec![],
            );
        }
        Some(Action::Search) => {
            app.flash = None;
            return (
                Screen::Search(SearchState {
                    query: Default::default(),
                    results: Vec::new(),
                    list: ListState::default(),
                }),
                vec![],
            );
        }
        Some(Action::Followups) => {
            app.flash = None;
            return (
                Screen::Followups {
                    list: ListState::default(),
                },
                vec![Effect::LoadFollowups],
            );
        }
        Some(Action::Sync) => {
            app.flash = None;
            return (
                Screen::Sync(SyncList {
                    entries: Vec::new(),
                    list: ListState::default(),
                    notes: Vec::new(),
                    set_aside: Vec::new(),
                }),
                vec![Effect::LoadQueue],
            );
        }
        Some(a @ (Action::Open | Action::Void)) => match selected {
            None => app.info(Msg::NothingSelected),
            Some(r) if r.status == Status::Voided => app.info(Msg::VoidAlready),
            Some(r) if a == Action::Open => {
                app.flash = None;
                return (Screen::Form(FormState::edit(&r, app.today())), vec![]);
            }
            Some(r) => {
                app.flash = None;
                return (
                    Screen::Void {
                        record: Box::new(r),
                        reason: Default::default(),
                        home: list,
                    },
                    vec![],
                );
            }
        },
        other => list.step(app.snapshot.today.len(), other),
    }
    (Screen::Home { list }, vec![])
}
