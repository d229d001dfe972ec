//! Keys on the declaration form: moving between fields, typing (romaji too), choices,
//! the card, and on to the review.

use super::{edit, first_problem, leave_form, typed_char, Key, Step};
use crate::i18n::Msg;
use crate::keymap::Action;
use crate::tui::app::{draft_bytes, App, Effect, PinDialog, Screen};
use crate::tui::form::FormState;

pub(super) fn key(app: &mut App, mut form: FormState, key: &Key) -> Step {
    let service = form.service_date(app.today());
    let focus = form.focus;
    let before = form.clone();
    match key.action {
        Some(Action::NextField) => form.move_focus(true, service),
        Some(Action::PrevField) => form.move_focus(false, service),
        Some(Action::Review) | Some(Action::Save) => {
            form.commit_pending();
            form.touched.insert(focus);
            match form.validate(&app.context(&key.env.new_id)) {
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
            return (leave_form(app, &form), vec![Effect::DeleteDraft]);
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
            if let Some(c) = typed_char(&key.event) {
                form.type_char(c);
            }
        }
    }
    changed(form, &before)
}

/// Pasted or IME-committed text into the focused field.
pub(super) fn paste(form: &mut FormState, text: &str) -> Vec<Effect> {
    let before = form.clone();
    form.type_text(text);
    if form.same_values(&before) {
        return vec![];
    }
    form.dirty = true;
    vec![Effect::SaveDraft(draft_bytes(form))]
}

/// Only a changed value is worth a durable draft write; cursor moves are not.
fn changed(mut form: FormState, before: &FormState) -> Step {
    let effects = if form.same_values(before) {
        vec![]
    } else {
        form.dirty = true;
        vec![Effect::SaveDraft(draft_bytes(&form))]
    };
    (Screen::Form(form), effects)
}
