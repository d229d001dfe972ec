//! What keys can do, declared once: each action's name in keymap files, the contexts it
//! belongs to, and its label and help text (catalogue keys). The `Action` enum, the checks
//! a keymap file gets, the key bar and the F1 help are generated from these tables, and so
//! are the key stacks screens look keys up in (each checked for conflicts).

use crate::i18n::Msg;

macro_rules! contexts {
    ($( $(#[$doc:meta])* $ctx:ident = $name:literal, types_text: $types:literal; )*) => {
        /// Where a set of bindings applies: a `[section]` of a keymap file.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Ctx { $( $(#[$doc])* $ctx ),* }

        impl Ctx {
            pub const ALL: [Ctx; [$($name),*].len()] = [$(Ctx::$ctx),*];

            /// The section name in keymap files.
            pub fn name(self) -> &'static str {
                match self { $(Ctx::$ctx => $name),* }
            }

            /// Plain characters are typed into a field here, so binding one would make
            /// that character impossible to type.
            pub fn types_text(self) -> bool {
                match self { $(Ctx::$ctx => $types),* }
            }
        }
    };
}

contexts! {
    /// Everywhere.
    Global = "global", types_text: false;
    /// The list of today's intakes.
    Home = "home", types_text: false;
    /// The declaration form, any field.
    Form = "form", types_text: true;
    /// Inside a text field.
    Editor = "editor", types_text: true;
    /// On a choice field.
    Choice = "choice", types_text: false;
    /// The review before saving.
    Review = "review", types_text: false;
    /// A small dialog (operator, void reason, PIN, discard).
    Dialog = "dialog", types_text: true;
    /// "What failed?": one key per case.
    Triage = "triage", types_text: false;
    /// The procedure guide (typing goes to the note).
    Guide = "guide", types_text: true;
    /// The repeat-patient search (typing goes to the query).
    Search = "search", types_text: true;
    /// The follow-up and sync lists.
    List = "list", types_text: false;
}

macro_rules! actions {
    ($( $(#[$doc:meta])* $action:ident = $name:literal in [$($ctx:ident),+], $label:ident, $help:ident; )*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Action { $( $(#[$doc])* $action ),* }

        impl Action {
            pub const ALL: [Action; [$($name),*].len()] = [$(Action::$action),*];

            /// The key in keymap files.
            pub fn name(self) -> &'static str {
                match self { $(Action::$action => $name),* }
            }

            /// The contexts (keymap sections) this action can be bound in.
            pub fn contexts(self) -> &'static [Ctx] {
                match self { $(Action::$action => &[$(Ctx::$ctx),+]),* }
            }

            /// A word or two for the key bar and the F1 help.
            pub fn label(self) -> Msg {
                match self { $(Action::$action => Msg::$label),* }
            }

            /// What it does, for the F1 help.
            pub fn help(self) -> Msg {
                match self { $(Action::$action => Msg::$help),* }
            }
        }
    };
}

actions! {
    Quit = "quit" in [Global], ActQuit, HelpQuit;
    Help = "help" in [Global], ActHelp, HelpHelp;
    NewIntake = "new_intake" in [Home], ActNewIntake, HelpNewIntake;
    Open = "open" in [Home], ActOpen, HelpOpen;
    Void = "void" in [Home], ActVoid, HelpVoid;
    Up = "up" in [Home, Triage, Guide, Search, List], ActUp, HelpUp;
    Down = "down" in [Home, Triage, Guide, Search, List], ActDown, HelpDown;
    PageUp = "page_up" in [Home], ActPageUp, HelpPageUp;
    PageDown = "page_down" in [Home], ActPageDown, HelpPageDown;
    NextField = "next_field" in [Form], ActNextField, HelpNextField;
    PrevField = "prev_field" in [Form], ActPrevField, HelpPrevField;
    Review = "review" in [Form], ActReview, HelpReview;
    Save = "save" in [Form, Review], ActSave, HelpSave;
    Cancel = "cancel" in [Form, Review, Dialog, Triage, Guide, Search, List], ActCancel, HelpCancel;
    Confirm = "confirm" in [Dialog, Triage, Guide, Search, List], ActConfirm, HelpConfirm;
    Left = "left" in [Editor], ActLeft, HelpLeft;
    Right = "right" in [Editor], ActRight, HelpRight;
    LineStart = "line_start" in [Editor], ActHome, HelpLineStart;
    LineEnd = "line_end" in [Editor], ActEnd, HelpLineEnd;
    Backspace = "backspace" in [Editor], ActBackspace, HelpBackspace;
    Delete = "delete" in [Editor], ActDelete, HelpDelete;
    Clear = "clear" in [Editor], ActClear, HelpClear;
    ChoiceNext = "choice_next" in [Choice], ActChoiceNext, HelpChoiceNext;
    ChoicePrev = "choice_prev" in [Choice], ActChoicePrev, HelpChoicePrev;
    /// Toggle romaji→katakana conversion in the focused text field.
    Romaji = "romaji" in [Editor], ActRomaji, HelpRomaji;
    /// Read name, address, birth date and sex from the card's chip.
    ReadCard = "read_card" in [Form], ActReadCard, HelpReadCard;
    Search = "search" in [Home], ActSearch, HelpSearch;
    Followups = "followups" in [Home], ActFollowups, HelpFollowups;
    /// The difference after a recheck was refunded or collected.
    Settle = "settle" in [List], ActSettle, HelpSettle;
    /// The sync screen: queued and refused versions.
    Sync = "sync" in [Home], ActSync, HelpSync;
    /// On the sync screen: take a refused version out of the queue, with a reason.
    SetAside = "set_aside" in [List], ActSetAside, HelpSetAside;
    Case1 = "case_1" in [Triage], CaseShort1, Case1;
    Case2 = "case_2" in [Triage], CaseShort2, Case2;
    Case31 = "case_3_1" in [Triage], CaseShort31, Case31;
    Case32 = "case_3_2" in [Triage], CaseShort32, Case32;
    Case33 = "case_3_3" in [Triage], CaseShort33, Case33;
    Case34 = "case_3_4" in [Triage], CaseShort34, Case34;
}

impl Ctx {
    /// The actions that belong to this context, in declaration order.
    pub fn actions(self) -> impl Iterator<Item = Action> {
        Action::ALL
            .into_iter()
            .filter(move |a| a.contexts().contains(&self))
    }
}

macro_rules! stacks {
    ($( $(#[$doc:meta])* $stack:ident = [$($ctx:ident),+]; )*) => {
        /// The context stacks screens look keys up in, first context first. A keymap is
        /// checked for conflicting keys within each of them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Stack { $( $(#[$doc])* $stack ),* }

        impl Stack {
            pub const ALL: [Stack; [$(stringify!($stack)),*].len()] = [$(Stack::$stack),*];

            pub fn contexts(self) -> &'static [Ctx] {
                match self { $(Stack::$stack => &[$(Ctx::$ctx),+]),* }
            }
        }
    };
}

stacks! {
    Home = [Home, Global];
    /// A text field of the form.
    FormText = [Editor, Form, Global];
    /// A choice field of the form.
    FormChoice = [Choice, Form, Global];
    Review = [Review, Global];
    /// A dialog with a line to type (operator, void reason; the PIN's Backspace).
    DialogText = [Editor, Dialog, Global];
    Dialog = [Dialog, Global];
    Triage = [Triage, Global];
    Guide = [Editor, Guide, Global];
    Search = [Editor, Search, Global];
    List = [List, Global];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_context_is_on_some_stack_and_every_action_in_some_context() {
        for ctx in Ctx::ALL {
            assert!(
                Stack::ALL.iter().any(|s| s.contexts().contains(&ctx)),
                "{ctx:?} is on no stack: its keys could never be used"
            );
        }
        for a in Action::ALL {
            assert!(!a.contexts().is_empty(), "{a:?}");
        }
    }

    /// The F1 help shows label and help in fixed columns (18 and 39 cells at 80 columns):
    /// every text fits, in both languages.
    #[test]
    fn labels_and_help_fit_the_help_columns() {
        use unicode_width::UnicodeWidthStr;
        for a in Action::ALL {
            for lang in [crate::i18n::Lang::Ja, crate::i18n::Lang::En] {
                let label = lang.t(a.label());
                let help = lang.t(a.help());
                assert!(label.width() <= 18, "{a:?} {lang:?}: {label}");
                assert!(help.width() <= 39, "{a:?} {lang:?}: {help}");
            }
        }
    }

    #[test]
    fn names_are_unique_within_a_context() {
        for ctx in Ctx::ALL {
            let names: Vec<_> = ctx.actions().map(Action::name).collect();
            let mut sorted = names.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted.len(), names.len(), "{ctx:?}");
        }
    }
}
