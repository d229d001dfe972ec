//! State of the intake form: the values as typed, focus, and which errors to show.
//!
//! One form serves three jobs: a new intake (after triage and the procedure guide), an
//! edit of a saved record, and the follow-up recheck (numbers only).

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::card::CardFace;
use crate::domain::claim::parse_count;
use crate::domain::input::RecordInput;
use crate::domain::problem::{FieldError, Problem};
use crate::domain::procedure;
use crate::domain::record::{
    CopayReason, IncidentCase, InsuranceKind, Record, Signer, VerificationSource,
};
use crate::domain::validate::{self, Context};
use crate::tui::editor::LineEditor;
use crate::tui::fields::{Binding, Collect, FieldId, Kind, YesNo};
use crate::tui::romaji::Romaji;

mod normalise;

use normalise::normalise_input;

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
    /// A copay ratio (and reason) an input stated and the form has no field for: kept
    /// so the input validates as given (`onshi import` and the form agree). An edit or a
    /// prefill drops it: the ratio then follows from the age as the clerk types.
    #[serde(default)]
    stated_copay: Option<(u8, Option<String>)>,
    /// What the validator said about the values as they are now; recomputed after a
    /// change (`refresh`), not on every frame. Not part of a draft.
    #[serde(skip)]
    checked: Option<Checked>,
}

/// The validator's view of the current values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Checked {
    errors: Vec<FieldError>,
    required: BTreeSet<FieldId>,
    /// The fields shown when this was computed (a field that leaves the screen because
    /// of the clerk's change loses its value).
    visible: Vec<FieldId>,
}

fn default_romaji_fields() -> BTreeSet<FieldId> {
    BTreeSet::from([FieldId::NameKana])
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
            stated_copay: None,
            checked: None,
        };
        for id in FieldId::ALL {
            let v = match id.kind() {
                Kind::Choice(_) => Value::Choice(None),
                Kind::Text | Kind::Date => Value::Text(LineEditor::default()),
            };
            f.values.insert(id, v);
        }
        f.set_text(FieldId::DeclaredOn, &today.to_string());
        f.set_choice_code(FieldId::Signer, Signer::Patient.code());
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
        // The 申立書's defaults (申立日, 本人) only where the 申立書 is taken.
        let visible = f.visible(today);
        f.clear_except(&visible);
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
        f.stated_copay = None;
        f.set_text(FieldId::DeclaredOn, &today.to_string());
        f.set_procedure(case, source, note);
        f.prefilled_from = Some(earlier.service_date);
        f.focus = FieldId::Unchanged;
        // Items the earlier record had that this visit's source does not ask (a
        // declaration's signer when a certificate is shown now) do not come along.
        let visible = f.visible(today);
        f.clear_except(&visible);
        f
    }

    /// The form filled from an input; a field the input leaves out keeps its default.
    pub fn from_input(input: &RecordInput, today: NaiveDate) -> Self {
        let mut f = FormState::new(today);
        // The bindings take the input mutably (one accessor per field, both ways).
        let mut input = input.clone();
        for id in FieldId::ALL {
            match id.field().binding {
                Binding::Input(at) => {
                    if let Some(v) = at(&mut input).clone() {
                        match id.kind() {
                            Kind::Choice(_) => f.set_choice_code(id, &v),
                            Kind::Text | Kind::Date => f.set_text(id, &v),
                        }
                    }
                }
                Binding::Flag(at) => {
                    if let Some(b) = *at(&mut input) {
                        let yes_no = if b { YesNo::Yes } else { YesNo::No };
                        f.set_choice_code(id, yes_no.code());
                    }
                }
                Binding::Yen(at) => {
                    if let Some(a) = *at(&mut input) {
                        f.set_text(id, &a.to_string());
                    }
                }
                Binding::Collect => {
                    let full = input.copay.ratio == Some(100);
                    let collect = if full { Collect::Full } else { Collect::Normal };
                    if full || input.copay.ratio.is_some() {
                        f.set_choice_code(id, collect.code());
                    }
                }
                Binding::Form => {}
            }
        }
        f.stated_copay = input
            .copay
            .ratio
            .filter(|r| *r != 100)
            .map(|r| (r, input.copay.reason.clone()));
        // The blank form's defaults (申立日, 署名者) only where those items are asked.
        let visible = f.visible(today);
        let d = &input.declaration;
        if d.declared_on.is_none() && !visible.contains(&FieldId::DeclaredOn) {
            f.set_text(FieldId::DeclaredOn, "");
        }
        if d.signer.is_none() && !visible.contains(&FieldId::Signer) {
            f.set_choice_code(FieldId::Signer, "");
        }
        f
    }

    /// Edit an existing record: every field filled, saved as the next version.
    pub fn edit(rec: &Record, today: NaiveDate) -> Self {
        let mut f = FormState::from_input(&validate::to_input(rec), today);
        f.stated_copay = None;
        f.mode = Mode::Edit;
        f.editing = Some(rec.clone());
        f
    }

    /// Record how the qualification was confirmed after recovery (the online recheck,
    /// システム障害時モード, a document brought later), its numbers and ratio.
    pub fn recheck(rec: &Record, today: NaiveDate) -> Self {
        let mut f = FormState::edit(rec, today);
        f.mode = Mode::Recheck;
        f.set_choice_code(FieldId::Source, VerificationSource::OnlineRecheck.code());
        f.focus = FieldId::InsurerNumber;
        f
    }

    /// Empty every field but `keep` (values of fields that are not asked).
    fn clear_except(&mut self, keep: &[FieldId]) {
        for id in FieldId::ALL {
            if keep.contains(&id) {
                continue;
            }
            match self.values.get(&id) {
                Some(Value::Text(e)) if !e.text().is_empty() => self.set_text(id, ""),
                Some(Value::Choice(Some(_))) => self.set_choice_code(id, ""),
                _ => {}
            }
        }
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
        self.checked = None;
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
            (Kind::Choice(list), Some(Value::Choice(Some(i)))) => list.code(*i),
            _ => None,
        }
    }

    fn set_choice_code(&mut self, id: FieldId, code: &str) {
        if let Kind::Choice(list) = id.kind() {
            self.checked = None;
            self.values.insert(id, Value::Choice(list.position(code)));
        }
    }

    pub fn case(&self) -> Option<IncidentCase> {
        self.choice_code(FieldId::Case)
            .and_then(IncidentCase::from_code)
    }

    pub fn source(&self) -> Option<VerificationSource> {
        self.choice_code(FieldId::Source)
            .and_then(VerificationSource::from_code)
    }

    /// Options of a choice field that may be picked now: the sources the procedure
    /// allows for the chosen case; every option elsewhere.
    fn allowed(&self, id: FieldId) -> Vec<usize> {
        let Kind::Choice(list) = id.kind() else {
            return Vec::new();
        };
        match (id, self.case()) {
            (FieldId::Source, _) if self.mode == Mode::Recheck => (0..list.count())
                .filter(|i| {
                    list.code(*i)
                        .and_then(VerificationSource::from_code)
                        .is_some_and(validate::confirms)
                })
                .collect(),
            (FieldId::Source, Some(case)) => {
                let ok = procedure::sources(case);
                (0..list.count())
                    .filter(|i| ok.iter().any(|s| Some(s.code()) == list.code(*i)))
                    .collect()
            }
            _ => (0..list.count()).collect(),
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
        self.checked = None;
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
        self.choice_code(FieldId::InsuranceKind)
            .and_then(InsuranceKind::from_code)
    }

    /// Fields shown now, as on the paper form: what the rules ask for the case and source
    /// (the 申立書's own items only for a declaration, 一部負担金の割合 only from 70 or for
    /// 後期, 続柄 only for a guardian), the counter's 10割 choice where it may be made, and
    /// for a recheck only what confirms the qualification.
    pub fn visible(&self, service_date: NaiveDate) -> Vec<FieldId> {
        if self.mode == Mode::Recheck {
            let mut v = vec![
                FieldId::Source,
                FieldId::InsurerNumber,
                FieldId::Symbol,
                FieldId::Number,
                FieldId::Branch,
                FieldId::ConfirmedRatio,
            ];
            if self
                .editing
                .as_ref()
                .is_some_and(|r| r.copay.points.is_none())
            {
                v.push(FieldId::Points);
            }
            return v;
        }
        let input = self.raw_input(service_date);
        let rules = validate::rules(&input, service_date);
        FieldId::ALL
            .into_iter()
            .filter(|f| match f {
                FieldId::Unchanged => self.prefilled_from.is_some(),
                FieldId::ConfirmedRatio => false,
                FieldId::Collect => self
                    .case()
                    .zip(self.source())
                    .is_some_and(|(case, source)| procedure::may_collect_full(case, source)),
                _ => rules.applies(f.path()),
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
            None => self.set_choice_code(FieldId::Sex, ""),
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

    /// The input the form holds: every value typed (fields that leave the screen lose
    /// theirs as the clerk changes what they depend on, see `refresh`), the record's own
    /// facts for an edit, and the counter's choice.
    pub fn to_input(&self, service_date: NaiveDate) -> RecordInput {
        let mut input = self.raw_input(service_date);
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

    /// Every value through its binding.
    fn raw_input(&self, _service_date: NaiveDate) -> RecordInput {
        let mut input = RecordInput::default();
        if let Some((ratio, reason)) = &self.stated_copay {
            input.copay.ratio = Some(*ratio);
            input.copay.reason = reason.clone();
        }
        for id in FieldId::ALL {
            let text = Some(self.text(id).trim())
                .filter(|t| !t.is_empty())
                .map(str::to_string);
            match id.field().binding {
                Binding::Input(at) => {
                    *at(&mut input) = match id.kind() {
                        Kind::Choice(_) => self.choice_code(id).map(str::to_string),
                        Kind::Text | Kind::Date => text,
                    }
                }
                Binding::Flag(at) => {
                    *at(&mut input) = self.choice_code(id).map(|c| c == YesNo::Yes.code())
                }
                Binding::Yen(at) => *at(&mut input) = text.and_then(|t| parse_count(&t).ok()),
                Binding::Collect => {
                    if self.choice_code(id) == Some(Collect::Full.code()) {
                        input.copay.ratio = Some(100);
                        input.copay.reason = Some(CopayReason::Pending.code().to_string());
                    }
                }
                Binding::Form => {}
            }
        }
        input
    }

    /// Checks the form makes on top of the record's validation: the counter's numbers
    /// and the confirmation of a prefilled intake.
    fn form_errors(&self, service_date: NaiveDate) -> Vec<FieldError> {
        let vis = self.visible(service_date);
        let mut errors = Vec::new();
        for id in [FieldId::Points, FieldId::Received] {
            // A number that does not parse is not in the input: name it here.
            let t = self.text(id).trim();
            if vis.contains(&id) && !t.is_empty() {
                if let Err(e) = parse_count(t) {
                    errors.push(FieldError::new(id.path(), Problem::Number(e)));
                }
            }
        }
        if vis.contains(&FieldId::Unchanged)
            && self.choice_code(FieldId::Unchanged) != Some(YesNo::Yes.code())
        {
            errors.push(FieldError::new(
                FieldId::Unchanged.path(),
                Problem::Required,
            ));
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
            (Some(old), Mode::Recheck) => {
                let confirmed = validate::RecheckInput {
                    source: self.choice_code(FieldId::Source).map(str::to_string),
                    insurance: input.insurance.clone(),
                    confirmed_ratio: self
                        .choice_code(FieldId::ConfirmedRatio)
                        .map(str::to_string),
                    points: input.copay.points,
                };
                validate::recheck(old, &confirmed, ctx)
            }
            (Some(old), _) => validate::revision(old, &input, ctx),
            (None, _) => validate::record(&input, ctx),
        };
        match result {
            Ok(rec) if form_errors.is_empty() => Ok(rec),
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

    /// Whether the validator's view is out of date (values changed since `refresh`).
    pub fn is_stale(&self) -> bool {
        self.checked.is_none()
    }

    /// Ask the validator about the values as they are now: the problems to show and the
    /// fields that must be filled. Called after a change, so frames only read the result.
    pub fn refresh(&mut self, ctx: &Context) {
        let service = self.service_date(ctx.today());
        let mut visible = self.visible(service);
        // A field the clerk's change took off the screen loses its value: it is no longer
        // asked, and an invisible value must not decide the record.
        if let Some(before) = self.checked.take().map(|c| c.visible) {
            // A field that comes onto the screen starts from its default (申立日 today,
            // 署名者 本人) when it is empty.
            for id in visible.iter().filter(|f| !before.contains(f)) {
                match id {
                    FieldId::DeclaredOn if self.text(*id).is_empty() => {
                        self.set_text(*id, &service.to_string())
                    }
                    FieldId::Signer if self.choice_code(*id).is_none() => {
                        self.set_choice_code(*id, Signer::Patient.code())
                    }
                    _ => {}
                }
            }
            if before.iter().any(|f| !visible.contains(f)) {
                let gone: Vec<FieldId> = before
                    .iter()
                    .copied()
                    .filter(|f| !visible.contains(f))
                    .collect();
                let keep: Vec<FieldId> = FieldId::ALL
                    .into_iter()
                    .filter(|f| !gone.contains(f))
                    .collect();
                self.clear_except(&keep);
                visible = self.visible(service);
            }
        }
        let errors = match self.validate(ctx) {
            Ok(_) => Vec::new(),
            Err(e) => e,
        };
        let rules = validate::rules(&self.to_input(service), service);
        let required = visible
            .iter()
            .copied()
            .filter(|id| id.field().form_required || rules.requires(id.path()))
            .collect();
        self.checked = Some(Checked {
            errors,
            required,
            visible,
        });
    }

    /// The fields on screen: as of the last `refresh` (drawing reads this every frame, so
    /// it does not ask the rules again), or asked now when the values changed since.
    pub fn shown_fields(&self, service_date: NaiveDate) -> Vec<FieldId> {
        match &self.checked {
            Some(c) => c.visible.clone(),
            None => self.visible(service_date),
        }
    }

    /// Whether `id` must be filled (as of the last `refresh`).
    pub fn is_required(&self, id: FieldId) -> bool {
        self.checked
            .as_ref()
            .is_some_and(|c| c.required.contains(&id))
    }

    /// Errors to show next to each field now (as of the last `refresh`).
    pub fn visible_errors(&self) -> BTreeMap<FieldId, FieldError> {
        let errors = self
            .checked
            .as_ref()
            .map(|c| c.errors.as_slice())
            .unwrap_or(&[]);
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
