//! The fields of the declaration form, one row each (in screen order): JSON path, kind,
//! label, where the value lives in a `RecordInput`, and what the form does with it. The
//! form, the review and the view read these rows; whether a field must be filled comes
//! from the domain validator (`validate::required`), except for the form's own items.

use serde::{Deserialize, Serialize};

use crate::domain::code::Code;
use crate::domain::input::RecordInput;
use crate::domain::record::*;
use crate::i18n::{Label, Msg};

crate::codes! {
    /// A yes/no choice on the form (stored as a JSON boolean where it is stored).
    pub enum YesNo {
        Yes = "true",
        No = "false",
    }
}

impl Label for YesNo {
    fn label(self) -> Msg {
        match self {
            YesNo::Yes => Msg::Yes,
            YesNo::No => Msg::No,
        }
    }
}

crate::codes! {
    /// What is collected at the counter in case 1 (or on a 不詳 claim): the normal share
    /// with a recheck later, or 10割 now refunded once the qualification is shown.
    pub enum Collect {
        Normal = "normal",
        Full = "full",
    }
}

impl Label for Collect {
    fn label(self) -> Msg {
        match self {
            Collect::Normal => Msg::CollectNormal,
            Collect::Full => Msg::CollectFull,
        }
    }
}

crate::codes! {
    /// The ratio a confirmed qualification gives (percent).
    pub enum ConfirmedRatio {
        R30 = "30",
        R20 = "20",
        R10 = "10",
    }
}

impl Label for ConfirmedRatio {
    fn label(self) -> Msg {
        match self {
            ConfirmedRatio::R30 => Msg::Ratio30,
            ConfirmedRatio::R20 => Msg::Ratio20,
            ConfirmedRatio::R10 => Msg::Ratio10,
        }
    }
}

/// The options of a choice field: one of the domain's code sets, labelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choices {
    Case,
    Source,
    YesNo,
    InsuranceKind,
    IssuedWhen,
    Ratio,
    Sex,
    Signer,
    Collect,
    ConfirmedRatio,
}

impl Choices {
    /// Code and label of the `i`-th option.
    fn nth(self, i: usize) -> Option<(&'static str, Msg)> {
        fn of<T: Code + Label>(i: usize) -> Option<(&'static str, Msg)> {
            T::all().get(i).map(|t| (t.code(), t.label()))
        }
        match self {
            Choices::Case => of::<IncidentCase>(i),
            Choices::Source => of::<VerificationSource>(i),
            Choices::YesNo => of::<YesNo>(i),
            Choices::InsuranceKind => of::<InsuranceKind>(i),
            Choices::IssuedWhen => of::<IssuedWhen>(i),
            Choices::Ratio => of::<DeclaredRatio>(i),
            Choices::Sex => of::<Sex>(i),
            Choices::Signer => of::<Signer>(i),
            Choices::Collect => of::<Collect>(i),
            Choices::ConfirmedRatio => of::<ConfirmedRatio>(i),
        }
    }

    /// How many options there are.
    pub fn count(self) -> usize {
        (0..).take_while(|i| self.nth(*i).is_some()).count()
    }

    pub fn code(self, i: usize) -> Option<&'static str> {
        self.nth(i).map(|(c, _)| c)
    }

    pub fn label(self, i: usize) -> Option<Msg> {
        self.nth(i).map(|(_, l)| l)
    }

    pub fn position(self, code: &str) -> Option<usize> {
        (0..self.count()).find(|i| self.code(*i) == Some(code))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// A date typed as text (和暦 or 西暦), previewed normalised.
    Date,
    Choice(Choices),
}

/// Where a field's value lives in a `RecordInput`.
#[derive(Debug, Clone, Copy)]
pub enum Binding {
    /// A string of the input: the text as typed, or the chosen option's code.
    Input(fn(&mut RecordInput) -> &mut Option<String>),
    /// A yes/no choice stored as a boolean.
    Flag(fn(&mut RecordInput) -> &mut Option<bool>),
    /// Yen or points typed as text, stored as a number.
    Yen(fn(&mut RecordInput) -> &mut Option<u64>),
    /// The counter's choice in case 1: 10割 pending sets the copay's ratio and reason.
    Collect,
    /// Checked by the form only, not part of the record.
    Form,
}

/// One row of the form.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The JSON path validation reports this field's problems under.
    pub path: &'static str,
    pub kind: Kind,
    pub label: Msg,
    pub binding: Binding,
    /// Digits: full-width digits typed or pasted become ASCII.
    pub numeric: bool,
    /// Required by the form itself whenever shown (the validator decides the others).
    pub form_required: bool,
}

impl Field {
    fn new(path: &'static str, kind: Kind, label: Msg, binding: Binding) -> Field {
        Field {
            path,
            kind,
            label,
            binding,
            numeric: false,
            form_required: false,
        }
    }

    fn text(
        path: &'static str,
        label: Msg,
        at: fn(&mut RecordInput) -> &mut Option<String>,
    ) -> Field {
        Field::new(path, Kind::Text, label, Binding::Input(at))
    }

    fn date(
        path: &'static str,
        label: Msg,
        at: fn(&mut RecordInput) -> &mut Option<String>,
    ) -> Field {
        Field::new(path, Kind::Date, label, Binding::Input(at))
    }

    fn choice(
        path: &'static str,
        choices: Choices,
        label: Msg,
        at: fn(&mut RecordInput) -> &mut Option<String>,
    ) -> Field {
        Field::new(path, Kind::Choice(choices), label, Binding::Input(at))
    }

    fn numeric(self) -> Field {
        Field {
            numeric: true,
            ..self
        }
    }

    fn required(self) -> Field {
        Field {
            form_required: true,
            ..self
        }
    }
}

macro_rules! fields {
    ($( $(#[$doc:meta])* $id:ident => $row:expr; )*) => {
        /// The form's fields, in screen order: what failed and how the qualification was
        /// seen, the numbers, the patient, the 申立書's own items, then the counter.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum FieldId { $( $(#[$doc])* $id ),* }

        impl FieldId {
            pub const ALL: [FieldId; [$(stringify!($id)),*].len()] = [$(FieldId::$id),*];

            /// This field's row.
            pub fn field(self) -> Field {
                match self { $(FieldId::$id => $row),* }
            }
        }
    };
}

fields! {
    Case => Field::choice("incident.case", Choices::Case, Msg::FieldCase, |i| &mut i.incident.case);
    // Chosen in the procedure guide, so always there on the form.
    Source => Field::choice("verification.source", Choices::Source, Msg::FieldSource,
        |i| &mut i.verification.source).required();
    InsurerNumber => Field::text("insurance.insurer_number", Msg::FieldInsurerNumber,
        |i| &mut i.insurance.insurer_number).numeric();
    Symbol => Field::text("insurance.symbol", Msg::FieldSymbol, |i| &mut i.insurance.symbol);
    Number => Field::text("insurance.number", Msg::FieldNumber, |i| &mut i.insurance.number);
    Branch => Field::text("insurance.branch", Msg::FieldBranch, |i| &mut i.insurance.branch)
        .numeric();
    Name => Field::text("declaration.name", Msg::FieldName, |i| &mut i.declaration.name);
    NameKana => Field::text("declaration.name_kana", Msg::FieldNameKana,
        |i| &mut i.declaration.name_kana);
    BirthDate => Field::date("declaration.birth_date", Msg::FieldBirthDate,
        |i| &mut i.declaration.birth_date);
    Sex => Field::choice("declaration.sex", Choices::Sex, Msg::FieldSex, |i| &mut i.declaration.sex);
    Address => Field::text("declaration.address", Msg::FieldAddress, |i| &mut i.declaration.address);
    Phone => Field::text("declaration.phone", Msg::FieldPhone, |i| &mut i.declaration.phone)
        .numeric();
    InsuranceKind => Field::choice("declaration.insurance_kind", Choices::InsuranceKind,
        Msg::FieldInsuranceKind, |i| &mut i.declaration.insurance_kind);
    HasValidCard => Field::new("declaration.has_valid_card", Kind::Choice(Choices::YesNo),
        Msg::FieldHasValidCard, Binding::Flag(|i| &mut i.declaration.has_valid_card));
    InsurerName => Field::text("declaration.insurer_name", Msg::FieldInsurerName,
        |i| &mut i.declaration.insurer_name);
    EmployerName => Field::text("declaration.employer_name", Msg::FieldEmployerName,
        |i| &mut i.declaration.employer_name);
    IssuedWhen => Field::choice("declaration.issued_when", Choices::IssuedWhen, Msg::FieldIssuedWhen,
        |i| &mut i.declaration.issued_when);
    IssuedNote => Field::text("declaration.issued_note", Msg::FieldIssuedNote,
        |i| &mut i.declaration.issued_note);
    CopayRatio => Field::choice("declaration.copay_ratio", Choices::Ratio, Msg::FieldCopayRatio,
        |i| &mut i.declaration.copay_ratio);
    DeclaredOn => Field::date("declaration.declared_on", Msg::FieldDeclaredOn,
        |i| &mut i.declaration.declared_on);
    Signer => Field::choice("declaration.signer", Choices::Signer, Msg::FieldSigner,
        |i| &mut i.declaration.signer);
    SignerRelationship => Field::text("declaration.signer_relationship", Msg::FieldSignerRelationship,
        |i| &mut i.declaration.signer_relationship);
    IncidentNote => Field::text("incident.note", Msg::FieldIncidentNote, |i| &mut i.incident.note);
    /// Total points at the counter (the amount to collect is computed from them).
    Points => Field::new("copay.points", Kind::Text, Msg::FieldPoints,
        Binding::Yen(|i| &mut i.copay.points)).numeric();
    /// Case 1 (or 不詳): the normal share now, or 10割 refunded once confirmed.
    Collect => Field::new("copay.ratio", Kind::Choice(Choices::Collect), Msg::FieldCollect,
        Binding::Collect);
    Received => Field::new("copay.amount_yen", Kind::Text, Msg::FieldAmount,
        Binding::Yen(|i| &mut i.copay.amount_yen)).numeric();
    /// For an intake prefilled from an earlier record: the patient confirmed nothing changed.
    Unchanged => Field::new("form.unchanged", Kind::Choice(Choices::YesNo), Msg::FieldUnchanged,
        Binding::Form).required();
    /// After recovery: the ratio the confirmed qualification gives.
    ConfirmedRatio => Field::new("followup.confirmed_ratio", Kind::Choice(Choices::ConfirmedRatio),
        Msg::FieldConfirmedRatio, Binding::Form).required();
}

impl FieldId {
    pub fn kind(self) -> Kind {
        self.field().kind
    }

    pub fn label(self) -> Msg {
        self.field().label
    }

    pub fn path(self) -> &'static str {
        self.field().path
    }

    pub fn from_path(path: &str) -> Option<FieldId> {
        FieldId::ALL.into_iter().find(|f| f.path() == path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_unique_and_bindings_write_where_the_path_says() {
        let mut seen = std::collections::BTreeSet::new();
        for id in FieldId::ALL {
            let f = id.field();
            assert!(seen.insert(f.path), "{id:?}: path {} twice", f.path);
            // A value written through the binding appears under the field's JSON path.
            let mut input = RecordInput::default();
            match f.binding {
                Binding::Input(at) => *at(&mut input) = Some("x".into()),
                Binding::Flag(at) => *at(&mut input) = Some(true),
                Binding::Yen(at) => *at(&mut input) = Some(7),
                Binding::Collect => continue,
                Binding::Form => {
                    assert!(
                        f.path.starts_with("form.") || f.path.starts_with("followup."),
                        "{id:?}"
                    );
                    continue;
                }
            }
            let json = serde_json::to_value(&input).unwrap();
            let at = f.path.split('.').fold(&json, |v, k| &v[k]);
            assert!(!at.is_null(), "{id:?}: nothing at {}", f.path);
        }
    }

    #[test]
    fn choice_lists_are_the_domain_codes_with_labels() {
        assert_eq!(Choices::Case.count(), IncidentCase::ALL.len());
        for (i, c) in IncidentCase::ALL.into_iter().enumerate() {
            assert_eq!(Choices::Case.code(i), Some(c.code()));
            assert_eq!(Choices::Case.label(i), Some(c.label()));
            assert_eq!(Choices::Case.position(c.code()), Some(i));
        }
        assert_eq!(Choices::Sex.count(), 2);
        assert_eq!(Choices::YesNo.code(0), Some("true"));
        assert_eq!(Choices::Ratio.position("nope"), None);
    }
}
