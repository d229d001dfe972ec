//! State of the declaration form: the values as typed, focus, and which errors to show.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::copay::asks_ratio;
use crate::domain::era::parse_date;
use crate::domain::input::RecordInput;
use crate::domain::problem::FieldError;
use crate::domain::record::{InsuranceKind, Record};
use crate::domain::validate::{self, Context};
use crate::tui::editor::LineEditor;
use crate::tui::fields::{FieldId, Kind};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Value {
    Text(LineEditor),
    /// Index into the field's choices; `None` until the clerk picks one.
    Choice(Option<usize>),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormState {
    /// The record being edited; `None` for a new intake.
    pub editing: Option<Record>,
    values: BTreeMap<FieldId, Value>,
    pub focus: FieldId,
    /// Fields the clerk has left at least once: only their errors are shown, so a new
    /// form is not a wall of red.
    pub touched: BTreeSet<FieldId>,
    pub show_all_errors: bool,
    /// Changed since opened (decides whether leaving asks first).
    pub dirty: bool,
}

impl FormState {
    /// A blank intake; 申立日 defaults to today and the signer to the patient.
    pub fn new(today: NaiveDate) -> Self {
        let mut f = FormState {
            editing: None,
            values: BTreeMap::new(),
            focus: FieldId::Case,
            touched: BTreeSet::new(),
            show_all_errors: false,
            dirty: false,
        };
        for id in FieldId::ALL {
            let v = match id.kind() {
                Kind::Choice(_) => Value::Choice(None),
                Kind::Text | Kind::Date => Value::Text(LineEditor::default()),
            };
            f.values.insert(id, v);
        }
        f.set_text(FieldId::DeclaredOn, &today.to_string());
        f.set_choice_code(FieldId::Signer, "patient");
        f
    }

    /// The form filled from an input (prefill from an earlier record, or edit).
    pub fn from_input(input: &RecordInput, today: NaiveDate) -> Self {
        let mut f = FormState::new(today);
        let d = &input.declaration;
        let ins = &input.insurance;
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        f.set_choice_code(FieldId::Case, &text(&input.incident.case));
        if let Some(b) = d.has_valid_card {
            f.set_choice_code(FieldId::HasValidCard, if b { "true" } else { "false" });
        }
        f.set_choice_code(FieldId::InsuranceKind, &text(&d.insurance_kind));
        f.set_text(FieldId::InsurerName, &text(&d.insurer_name));
        f.set_text(FieldId::EmployerName, &text(&d.employer_name));
        f.set_choice_code(FieldId::IssuedWhen, &text(&d.issued_when));
        f.set_text(FieldId::IssuedNote, &text(&d.issued_note));
        f.set_text(FieldId::Name, &text(&d.name));
        f.set_text(FieldId::NameKana, &text(&d.name_kana));
        f.set_text(FieldId::BirthDate, &text(&d.birth_date));
        f.set_choice_code(FieldId::Sex, &text(&d.sex));
        f.set_text(FieldId::Address, &text(&d.address));
        f.set_text(FieldId::Phone, &text(&d.phone));
        f.set_choice_code(FieldId::CopayRatio, &text(&d.copay_ratio));
        f.set_text(FieldId::InsurerNumber, &text(&ins.insurer_number));
        f.set_text(FieldId::Symbol, &text(&ins.symbol));
        f.set_text(FieldId::Number, &text(&ins.number));
        f.set_text(FieldId::Branch, &text(&ins.branch));
        if d.declared_on.is_some() {
            f.set_text(FieldId::DeclaredOn, &text(&d.declared_on));
        }
        if d.signer.is_some() {
            f.set_choice_code(FieldId::Signer, &text(&d.signer));
        }
        f.set_text(FieldId::SignerRelationship, &text(&d.signer_relationship));
        f.set_text(FieldId::IncidentNote, &text(&input.incident.note));
        f
    }

    /// Edit an existing record: every field filled, saved as the next version.
    pub fn edit(rec: &Record, today: NaiveDate) -> Self {
        let mut f = FormState::from_input(&validate::to_input(rec), today);
        f.editing = Some(rec.clone());
        f
    }

    /// Same typed values (ignoring cursor positions, focus and error display).
    pub fn same_values(&self, other: &FormState) -> bool {
        FieldId::ALL
            .iter()
            .all(|f| match (self.values.get(f), other.values.get(f)) {
                (Some(Value::Text(a)), Some(Value::Text(b))) => a.text() == b.text(),
                (a, b) => a == b,
            })
    }

    pub fn value(&self, id: FieldId) -> Option<&Value> {
        self.values.get(&id)
    }

    pub fn text(&self, id: FieldId) -> &str {
        match self.values.get(&id) {
            Some(Value::Text(e)) => e.text(),
            _ => "",
        }
    }

    pub fn editor_mut(&mut self, id: FieldId) -> Option<&mut LineEditor> {
        match self.values.get_mut(&id) {
            Some(Value::Text(e)) => Some(e),
            _ => None,
        }
    }

    fn set_text(&mut self, id: FieldId, s: &str) {
        if let Some(e) = self.editor_mut(id) {
            e.set(s);
        }
    }

    pub fn choice_code(&self, id: FieldId) -> Option<&'static str> {
        match (id.kind(), self.values.get(&id)) {
            (Kind::Choice(list), Some(Value::Choice(Some(i)))) => list.get(*i).map(|c| c.code),
            _ => None,
        }
    }

    fn set_choice_code(&mut self, id: FieldId, code: &str) {
        if let Kind::Choice(list) = id.kind() {
            let idx = list.iter().position(|c| c.code == code);
            self.values.insert(id, Value::Choice(idx));
        }
    }

    /// Step a choice field forward or back, wrapping; the first step from "unset"
    /// lands on the first (or last) option.
    pub fn cycle(&mut self, id: FieldId, forward: bool) {
        if let (Kind::Choice(list), Some(Value::Choice(cur))) =
            (id.kind(), self.values.get_mut(&id))
        {
            let n = list.len();
            if n == 0 {
                return;
            }
            *cur = Some(match (*cur, forward) {
                (None, true) => 0,
                (None, false) => n - 1,
                (Some(i), true) => (i + 1) % n,
                (Some(i), false) => (i + n - 1) % n,
            });
            self.dirty = true;
        }
    }

    fn kind_value(&self) -> Option<InsuranceKind> {
        InsuranceKind::ALL
            .into_iter()
            .find(|k| Some(k.code()) == self.choice_code(FieldId::InsuranceKind))
    }

    /// Fields shown now: 一部負担金の割合 only when asked (70+ or 後期), 続柄 only for a
    /// guardian — as on the paper form.
    pub fn visible(&self, service_date: NaiveDate) -> Vec<FieldId> {
        let kind = self.kind_value();
        let birth = parse_date(self.text(FieldId::BirthDate)).ok();
        let ratio_asked = match (birth, kind) {
            (Some(b), Some(k)) => asks_ratio(b, service_date, k),
            (None, Some(InsuranceKind::Kouki)) => true,
            _ => false,
        };
        let guardian = self.choice_code(FieldId::Signer) == Some("guardian");
        FieldId::ALL
            .into_iter()
            .filter(|f| match f {
                FieldId::CopayRatio => ratio_asked,
                FieldId::SignerRelationship => guardian,
                _ => true,
            })
            .collect()
    }

    pub fn move_focus(&mut self, forward: bool, service_date: NaiveDate) {
        let vis = self.visible(service_date);
        self.touched.insert(self.focus);
        let pos = vis.iter().position(|f| *f == self.focus).unwrap_or(0);
        let n = vis.len();
        let next = if forward {
            (pos + 1) % n
        } else {
            (pos + n - 1) % n
        };
        self.focus = vis[next];
    }

    /// The raw input the form holds; hidden fields are left out.
    pub fn to_input(&self, service_date: NaiveDate) -> RecordInput {
        let vis = self.visible(service_date);
        let text = |id: FieldId| -> Option<String> {
            let t = self.text(id).trim();
            (vis.contains(&id) && !t.is_empty()).then(|| t.to_string())
        };
        let code = |id: FieldId| -> Option<String> {
            if vis.contains(&id) {
                self.choice_code(id).map(str::to_string)
            } else {
                None
            }
        };
        let mut input = RecordInput::default();
        input.incident.case = code(FieldId::Case);
        input.incident.note = text(FieldId::IncidentNote);
        let d = &mut input.declaration;
        d.has_valid_card = self.choice_code(FieldId::HasValidCard).map(|c| c == "true");
        d.insurance_kind = code(FieldId::InsuranceKind);
        d.insurer_name = text(FieldId::InsurerName);
        d.employer_name = text(FieldId::EmployerName);
        d.issued_when = code(FieldId::IssuedWhen);
        d.issued_note = text(FieldId::IssuedNote);
        d.copay_ratio = code(FieldId::CopayRatio);
        d.name = text(FieldId::Name);
        d.name_kana = text(FieldId::NameKana);
        d.birth_date = text(FieldId::BirthDate);
        d.sex = code(FieldId::Sex);
        d.address = text(FieldId::Address);
        d.phone = text(FieldId::Phone);
        d.declared_on = text(FieldId::DeclaredOn);
        d.signer = code(FieldId::Signer);
        d.signer_relationship = text(FieldId::SignerRelationship);
        let ins = &mut input.insurance;
        ins.insurer_number = text(FieldId::InsurerNumber);
        ins.symbol = text(FieldId::Symbol);
        ins.number = text(FieldId::Number);
        ins.branch = text(FieldId::Branch);
        if let Some(old) = &self.editing {
            // An edit keeps what the form does not show (service date, source, basis).
            input.service_date = Some(old.service_date.to_string());
            input.verification.source = Some(old.verification.source.code().to_string());
            input.insurance.basis = Some(old.insurance.basis.code().to_string());
            input.copay.amount_yen = old.copay.amount_yen;
        }
        input
    }

    /// Validate through the one shared path; an edit becomes the next version.
    pub fn validate(&self, ctx: &Context) -> Result<Record, Vec<FieldError>> {
        let service = self
            .editing
            .as_ref()
            .map(|r| r.service_date)
            .unwrap_or(ctx.today());
        let input = self.to_input(service);
        match &self.editing {
            Some(old) => validate::revision(old, &input, ctx),
            None => validate::record(&input, ctx),
        }
    }

    /// The service date this form is for.
    pub fn service_date(&self, today: NaiveDate) -> NaiveDate {
        self.editing
            .as_ref()
            .map(|r| r.service_date)
            .unwrap_or(today)
    }

    /// Errors to show next to each field now.
    pub fn visible_errors(&self, errors: &[FieldError]) -> BTreeMap<FieldId, FieldError> {
        let mut out = BTreeMap::new();
        for e in errors {
            if let Some(id) = FieldId::from_path(&e.field) {
                if self.show_all_errors || self.touched.contains(&id) {
                    out.entry(id).or_insert_with(|| e.clone());
                }
            }
        }
        out
    }
}
