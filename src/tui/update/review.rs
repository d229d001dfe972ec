//! Keys on the review: save, or go back to the form.

use super::{Key, Step};
use crate::domain::record::Record;
use crate::keymap::Action;
use crate::tui::app::{App, Effect, SaveKind, Screen};
use crate::tui::form::{FormState, Mode};

pub(super) fn key(app: &mut App, (form, record): (FormState, Box<Record>), key: &Key) -> Step {
    match key.action {
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
