//! State of the intake form: the values as typed, focus, and which errors to show.
//!
//! One form serves three jobs: a new intake (after triage and the procedure guide), an
//! edit of a saved record, and the follow-up recheck (numbers only).

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::card::CardFace;
use crate::domain::claim::{copay_yen, parse_count};
use crate::domain::copay::asks_ratio;
use crate::domain::era::parse_date;
use crate::domain::input::RecordInput;
use crate::domain::insurer::to_halfwidth_digits;
use crate::domain::kana::normalize_kana;
use crate::domain::problem::{FieldError, Problem};
use crate::domain::procedure;
use crate::domain::record::{IncidentCase, InsuranceKind, Record, VerificationSource};
use crate::domain::validate::{self, Context};
use crate::tui::editor::LineEditor;
use crate::tui::fields::{FieldId, Kind};
use crate::tui::romaji::Romaji;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Value {
    Text(LineEditor),
    /// Index into the field's choices; `None` until the clerk picks one.
    Choice(Option<usize>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mode {
    Intake,
    Edit,
    /// Follow-up after recovery: the online recheck's numbers only.
    Recheck,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormState {
    pub mode: Mode,
    /// The record being edited or rechecked.
    pub editing: Option<Record>,
    /// Service date of the earlier record this intake was prefilled from.
    pub prefilled_from: Option<NaiveDate>,
    values: BTreeMap<FieldId, Value>,
    pub focus: FieldId,
    /// Fields the clerk has left at least once: only their errors are shown, so a new
    /// form is not a wall of red.
    pub touched: BTreeSet<FieldId>,
    pub show_all_errors: bool,
    /// Changed since opened (decides whether leaving asks first).
    pub dirty: bool,
    /// Text fields where typed romaji becomes katakana (フリガナ by default), for
    /// clerks on a terminal without an IME.
    #[serde(default = "default_romaji_fields")]
    pub romaji_fields: BTreeSet<FieldId>,
    /// Romaji typed in the focused field and not yet converted.
    #[serde(default)]
    pub pending: Romaji,
    /// Identity fields were filled from the card's chip (recorded with the record).
    #[serde(default)]
    pub card_read: bool,
}

fn default_romaji_fields() -> BTreeSet<FieldId> {
    BTreeSet::from([FieldId::NameKana])
}

/// Fields whose value is digits: full-width digits typed or pasted become ASCII.
fn is_numeric(id: FieldId) -> bool {
    matches!(
        id,
        FieldId::InsurerNumber
            | FieldId::Branch
            | FieldId::Phone
            | FieldId::Points
            | FieldId::Received
    )
}

/// Text entering field `id`, normalised as the field stores it: katakana for フリガナ
/// (hiragana and half-width converted; what cannot be converted is kept for the
/// validator to name), ASCII digits for numeric fields.
fn normalise_input(id: FieldId, s: &str) -> String {
    match id {
        FieldId::NameKana => fullwidth_kana(&hiragana_to_katakana(s)),
        _ if is_numeric(id) => to_halfwidth_digits(s),
        _ => s.to_string(),
    }
}

fn hiragana_to_katakana(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            // A fixed offset in Unicode.
            'ぁ'..='ゖ' | 'ゝ' | 'ゞ' => char::from_u32(c as u32 + 0x60).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Half-width katakana (with its voicing marks) through the domain's normaliser; text
/// it rejects is left as typed.
fn fullwidth_kana(s: &str) -> String {
    if !s.chars().any(|c| ('\u{FF65}'..='\u{FF9F}').contains(&c)) {
        return s.to_string();
    }
    match normalize_kana(s) {
        Ok(k) if !k.is_empty() => {
            // The normaliser trims; a typed leading or trailing space must stay.
            let lead = if s.starts_with([' ', '\u{3000}']) {
                "\u{3000}"
            } else {
                ""
            };
            let trail = if s.ends_with([' ', '\u{3000}']) {
                "\u{3000}"
            } else {
                ""
            };
            format!("{lead}{k}{trail}")
        }
        _ => s.to_string(),
    }
}

impl FormState {
    /// A blank intake; 申立日 defaults to today and the signer to the patient.
    pub fn new(today: NaiveDate) -> Self {
        let mut f = FormState {
            mode: Mode::Intake,
            editing: None,
            prefilled_from: None,
            values: BTreeMap::new(),
            focus: FieldId::Case,
            touched: BTreeSet::new(),
            show_all_errors: false,
            dirty: false,
            romaji_fields: default_romaji_fields(),
            pending: Romaji::default(),
            card_read: false,
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

    /// A new intake after triage and the guide: case, source and note already chosen;
    /// focus on the first thing to type.
    pub fn intake(
        today: NaiveDate,
        case: IncidentCase,
        source: VerificationSource,
        note: &str,
    ) -> Self {
        let mut f = FormState::new(today);
        f.set_procedure(case, source, note);
        f
    }

    fn set_procedure(&mut self, case: IncidentCase, source: VerificationSource, note: &str) {
        self.set_choice_code(FieldId::Case, case.code());
        self.set_choice_code(FieldId::Source, source.code());
        self.set_text(FieldId::IncidentNote, note);
        self.focus = if procedure::needs_declaration(source) {
            FieldId::Name
        } else {
            FieldId::InsurerNumber
        };
    }

    /// A new intake prefilled from an earlier record of the same patient (the guidance
    /// accepts a confirmed earlier declaration); the clerk must confirm nothing changed.
    pub fn prefill(
        earlier: &Record,
        today: NaiveDate,
        case: IncidentCase,
        source: VerificationSource,
        note: &str,
    ) -> Self {
        let mut input = validate::to_input(earlier);
        // Only the patient's facts carry over; the visit's own items start fresh.
        input.incident = Default::default();
        input.declaration.declared_on = None;
        input.copay = Default::default();
        let mut f = FormState::from_input(&input, today);
        f.set_text(FieldId::DeclaredOn, &today.to_string());
        f.set_procedure(case, source, note);
        f.prefilled_from = Some(earlier.service_date);
        f.focus = FieldId::Unchanged;
        f
    }

    /// The form filled from an input.
    pub fn from_input(input: &RecordInput, today: NaiveDate) -> Self {
        let mut f = FormState::new(today);
        let d = &input.declaration;
        let ins = &input.insurance;
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        f.set_choice_code(FieldId::Case, &text(&input.incident.case));
        f.set_choice_code(FieldId::Source, &text(&input.verification.source));
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
        if let Some(a) = input.copay.amount_yen {
            f.set_text(FieldId::Received, &a.to_string());
        }
        f
    }

    /// Edit an existing record: every field filled, saved as the next version.
    pub fn edit(rec: &Record, today: NaiveDate) -> Self {
        let mut f = FormState::from_input(&validate::to_input(rec), today);
        f.mode = Mode::Edit;
        f.editing = Some(rec.clone());
        f
    }

    /// Record the online recheck for a record that needed follow-up.
    pub fn recheck(rec: &Record, today: NaiveDate) -> Self {
        let mut f = FormState::edit(rec, today);
        f.mode = Mode::Recheck;
        f.focus = FieldId::InsurerNumber;
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

    pub fn case(&self) -> Option<IncidentCase> {
        self.choice_code(FieldId::Case)
            .and_then(IncidentCase::from_code)
    }

    pub fn source(&self) -> Option<VerificationSource> {
        VerificationSource::ALL
            .into_iter()
            .find(|s| Some(s.code()) == self.choice_code(FieldId::Source))
    }

    /// Options of a choice field that may be picked now: the sources the procedure
    /// allows for the chosen case; every option elsewhere.
    fn allowed(&self, id: FieldId) -> Vec<usize> {
        let Kind::Choice(list) = id.kind() else {
            return Vec::new();
        };
        match (id, self.case()) {
            (FieldId::Source, Some(case)) => {
                let ok = procedure::sources(case);
                (0..list.len())
                    .filter(|i| ok.iter().any(|s| s.code() == list[*i].code))
                    .collect()
            }
            _ => (0..list.len()).collect(),
        }
    }

    /// Step a choice field forward or back through the allowed options, wrapping; the
    /// first step from "unset" lands on the first (or last) option.
    pub fn cycle(&mut self, id: FieldId, forward: bool) {
        let allowed = self.allowed(id);
        let Some(Value::Choice(cur)) = self.values.get_mut(&id) else {
            return;
        };
        let n = allowed.len();
        if n == 0 {
            return;
        }
        let pos = cur.and_then(|c| allowed.iter().position(|a| *a == c));
        let next = match (pos, forward) {
            (None, true) => 0,
            (None, false) => n - 1,
            (Some(i), true) => (i + 1) % n,
            (Some(i), false) => (i + n - 1) % n,
        };
        *cur = Some(allowed[next]);
        self.dirty = true;
        // A case whose procedure does not allow the chosen source drops the source.
        if id == FieldId::Case {
            if let (Some(case), Some(src)) = (self.case(), self.source()) {
                if !procedure::sources(case).contains(&src) {
                    self.values.insert(FieldId::Source, Value::Choice(None));
                }
            }
        }
    }

    pub fn kind_value(&self) -> Option<InsuranceKind> {
        InsuranceKind::ALL
            .into_iter()
            .find(|k| Some(k.code()) == self.choice_code(FieldId::InsuranceKind))
    }

    /// Fields shown now, as on the paper form: the 申立書's own items only for a
    /// declaration, 一部負担金の割合 only when asked (70+ or 後期), 続柄 only for a guardian.
    pub fn visible(&self, service_date: NaiveDate) -> Vec<FieldId> {
        if self.mode == Mode::Recheck {
            return vec![
                FieldId::InsurerNumber,
                FieldId::Symbol,
                FieldId::Number,
                FieldId::Branch,
            ];
        }
        let kind = self.kind_value();
        let birth = parse_date(self.text(FieldId::BirthDate)).ok();
        let ratio_asked = match (birth, kind) {
            (Some(b), Some(k)) => asks_ratio(b, service_date, k),
            (None, Some(InsuranceKind::Kouki)) => true,
            _ => false,
        };
        let declaration = self.source().is_none_or(procedure::needs_declaration);
        let guardian = self.choice_code(FieldId::Signer) == Some("guardian");
        FieldId::ALL
            .into_iter()
            .filter(|f| match f {
                _ if f.declaration_only() && !declaration => false,
                FieldId::CopayRatio => ratio_asked,
                FieldId::SignerRelationship => guardian,
                FieldId::Unchanged => self.prefilled_from.is_some(),
                _ => true,
            })
            .collect()
    }

    /// Fill name, address, birth date and sex as the card holds them; フリガナ is not
    /// on the card and is still typed. Focus goes to it.
    pub fn fill_from_card(&mut self, face: &CardFace) {
        self.commit_pending();
        self.set_text(FieldId::Name, &face.name);
        self.set_text(FieldId::Address, &face.address);
        self.set_text(FieldId::BirthDate, &face.birth_date.to_string());
        match face.sex {
            Some(s) => self.set_choice_code(FieldId::Sex, s.code()),
            None => {
                self.values.insert(FieldId::Sex, Value::Choice(None));
            }
        }
        self.card_read = true;
        self.dirty = true;
        self.focus = FieldId::NameKana;
    }

    /// Whether typed romaji is converted in the focused field.
    pub fn romaji_active(&self) -> bool {
        self.romaji_fields.contains(&self.focus) && self.editor_is_focused()
    }

    fn editor_is_focused(&self) -> bool {
        matches!(self.values.get(&self.focus), Some(Value::Text(_)))
    }

    /// One character typed into the focused text field.
    pub fn type_char(&mut self, c: char) {
        let focus = self.focus;
        let text = if self.romaji_active() {
            self.pending.push(c)
        } else {
            c.to_string()
        };
        let text = normalise_input(focus, &text);
        if let Some(ed) = self.editor_mut(focus) {
            ed.insert(&text);
        }
    }

    /// Pasted or IME-committed text: whatever romaji is pending is committed first.
    pub fn type_text(&mut self, s: &str) {
        self.commit_pending();
        let focus = self.focus;
        let text = normalise_input(focus, s);
        if let Some(ed) = self.editor_mut(focus) {
            ed.insert(&text);
        }
    }

    /// Backspace takes back pending romaji first, then text.
    pub fn backspace(&mut self) {
        if !self.pending.backspace() {
            let focus = self.focus;
            if let Some(ed) = self.editor_mut(focus) {
                ed.backspace();
            }
        }
    }

    /// Convert what is pending (a trailing "n" becomes ン) into the focused field.
    pub fn commit_pending(&mut self) {
        let rest = self.pending.flush();
        if !rest.is_empty() {
            let focus = self.focus;
            let rest = normalise_input(focus, &rest);
            if let Some(ed) = self.editor_mut(focus) {
                ed.insert(&rest);
            }
        }
    }

    /// Switch romaji conversion for the focused text field.
    pub fn toggle_romaji(&mut self) {
        if !self.editor_is_focused() {
            return;
        }
        self.commit_pending();
        if !self.romaji_fields.remove(&self.focus) {
            self.romaji_fields.insert(self.focus);
        }
    }

    pub fn move_focus(&mut self, forward: bool, service_date: NaiveDate) {
        self.commit_pending();
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
        input.verification.source = code(FieldId::Source);
        let d = &mut input.declaration;
        d.has_valid_card = code(FieldId::HasValidCard).map(|c| c == "true");
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
        input.copay.amount_yen = text(FieldId::Received).and_then(|t| parse_count(&t).ok());
        input.verification.card_read = Some(
            self.card_read
                || self
                    .editing
                    .as_ref()
                    .is_some_and(|r| r.verification.card_read),
        );
        if let Some(old) = &self.editing {
            // An edit keeps the visit's date; the source and basis come from the form.
            input.service_date = Some(old.service_date.to_string());
        }
        input
    }

    /// Checks the form makes on top of the record's validation: the counter's numbers
    /// and the confirmation of a prefilled intake.
    fn form_errors(&self, service_date: NaiveDate) -> Vec<FieldError> {
        let vis = self.visible(service_date);
        let mut errors = Vec::new();
        for (id, path) in [
            (FieldId::Points, "form.points"),
            (FieldId::Received, "copay.amount_yen"),
        ] {
            let t = self.text(id).trim();
            if vis.contains(&id) && !t.is_empty() {
                if let Err(e) = parse_count(t) {
                    errors.push(FieldError::new(path, Problem::Number(e)));
                }
            }
        }
        if vis.contains(&FieldId::Unchanged) && self.choice_code(FieldId::Unchanged) != Some("true")
        {
            errors.push(FieldError::new("form.unchanged", Problem::Required));
        }
        errors
    }

    /// The points typed at the counter, if any and valid.
    pub fn points(&self) -> Option<u64> {
        parse_count(self.text(FieldId::Points)).ok()
    }

    /// Validate through the one shared path; an edit becomes the next version.
    /// Pending romaji is not part of any value: callers commit it first.
    pub fn validate(&self, ctx: &Context) -> Result<Record, Vec<FieldError>> {
        let service = self.service_date(ctx.today());
        let input = self.to_input(service);
        let mut form_errors = self.form_errors(service);
        let result = match (&self.editing, self.mode) {
            (Some(old), Mode::Recheck) => validate::recheck(old, &input.insurance, ctx),
            (Some(old), _) => validate::revision(old, &input, ctx),
            (None, _) => validate::record(&input, ctx),
        };
        match result {
            Ok(mut rec) if form_errors.is_empty() => {
                // No amount typed: the one computed from the points is what was collected.
                if rec.copay.amount_yen.is_none() {
                    rec.copay.amount_yen =
                        self.points().and_then(|p| copay_yen(p, rec.copay.ratio));
                }
                Ok(rec)
            }
            Ok(_) => Err(form_errors),
            Err(mut errors) => {
                errors.append(&mut form_errors);
                Err(errors)
            }
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
