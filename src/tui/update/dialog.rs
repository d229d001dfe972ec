//! Keys in the small dialogs (who is at the desk, void reason, discard, the card's PIN)
//! and the card's replies while the PIN dialog is open.

use super::{first_problem, leave_form, type_line, typed_char, Key, Step};
use crate::domain::problem::Problem;
use crate::domain::record::Record;
use crate::domain::text::clean_text;
use crate::domain::validate;
use crate::i18n::{describe_problem, Msg};
use crate::keymap::Action;
use crate::tui::app::{
    draft_bytes, App, CardOutcome, Effect, ListState, PinDialog, SaveKind, Screen,
};
use crate::tui::editor::LineEditor;
use crate::tui::form::FormState;

pub(super) fn operator_key(
    app: &mut App,
    (mut name, resume): (LineEditor, Option<Box<FormState>>),
    key: &Key,
) -> Step {
    match key.action {
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
                        (Screen::home(), effects)
                    }
                };
            }
            Ok(_) => app.error(app.lang.t(Msg::OperatorRequired).to_string()),
            Err(e) => app.error(describe_problem(&Problem::Text(e), app.lang)),
        },
        _ => type_line(&mut name, key),
    }
    (Screen::Operator { name, resume }, vec![])
}

pub(super) fn void_key(
    app: &mut App,
    (record, mut reason, home): (Box<Record>, LineEditor, ListState),
    key: &Key,
) -> Step {
    match key.action {
        Some(Action::Confirm) if !app.saving => {
            match validate::void(&record, reason.text(), &app.context(&key.env.new_id)) {
                Ok(voided) => {
                    app.saving = true;
                    let effect = Effect::Save {
                        record: Box::new(voided),
                        kind: SaveKind::Void,
                    };
                    return (
                        Screen::Void {
                            record,
                            reason,
                            home,
                        },
                        vec![effect],
                    );
                }
                Err(errors) => {
                    let text = first_problem(app, &errors);
                    app.error(format!("{}: {}", app.lang.t(Msg::FieldVoidReason), text));
                }
            }
        }
        Some(Action::Cancel) if !app.saving => {
            app.flash = None;
            return (Screen::Home { list: home }, vec![]);
        }
        _ => type_line(&mut reason, key),
    }
    (
        Screen::Void {
            record,
            reason,
            home,
        },
        vec![],
    )
}

pub(super) fn discard_key(app: &mut App, form: FormState, key: &Key) -> Step {
    match key.action {
        Some(Action::Confirm) => (leave_form(app, &form), vec![Effect::DeleteDraft]),
        Some(Action::Cancel) => (Screen::Form(form), vec![]),
        _ => (Screen::Discard { form }, vec![]),
    }
}

pub(super) fn pin_key(app: &mut App, mut d: PinDialog, key: &Key) -> Step {
    if d.busy {
        // The card is being talked to; keys wait (Esc included: the read is short).
        return (Screen::Pin(d), vec![]);
    }
    match key.action {
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
            if let Some(c) = typed_char(&key.event) {
                d.pin.push(c);
            }
        }
    }
    (Screen::Pin(d), vec![])
}

/// How many PIN tries the card has left (or why it could not say).
pub(super) fn on_card_tries(app: &mut App, result: Result<u8, String>) -> Vec<Effect> {
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

/// The card face as read (or why not): the four fields filled, or the form left as it
/// was for manual entry.
pub(super) fn on_card_read(app: &mut App, outcome: CardOutcome) -> Vec<Effect> {
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
