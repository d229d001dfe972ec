//! The one validation path: `RecordInput` (form or import) → normalised `Record`.
//!
//! Every problem is collected (not just the first), keyed by JSON path, so the form can
//! show each next to its field and import can report them all on one line.

use chrono::{DateTime, FixedOffset, NaiveDate};

use crate::domain::code::Code;
use crate::domain::copay;
use crate::domain::era::parse_date;
use crate::domain::input::RecordInput;
use crate::domain::insurer::{parse_branch, parse_insurer_number, parse_symbol_or_number};
use crate::domain::kana::normalize_kana;
use crate::domain::phone::normalize_phone;
use crate::domain::problem::{FieldError, Problem};
use crate::domain::procedure;
use crate::domain::record::*;
use crate::domain::text::clean_text;

/// Longest free text we keep; generous for long addresses, short enough for the form.
pub const MAX_TEXT: usize = 200;
pub const MAX_NAME: usize = 100;

/// What the caller knows that the input may not say: the clock, who, where, a fresh id.
#[derive(Debug, Clone)]
pub struct Context {
    pub now: DateTime<FixedOffset>,
    pub terminal_id: String,
    pub operator: String,
    /// A fresh ULID the caller generated (domain code has no randomness).
    pub new_id: String,
}

impl Context {
    pub fn today(&self) -> NaiveDate {
        self.now.date_naive()
    }
}

/// Collects problems while converting fields.
struct Check {
    errors: Vec<FieldError>,
}

impl Check {
    fn push(&mut self, field: &str, problem: Problem) {
        self.errors.push(FieldError::new(field, problem));
    }

    /// Non-empty trimmed value, or None.
    fn present(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }

    fn required<'a>(&mut self, field: &str, v: &'a Option<String>) -> Option<&'a str> {
        let p = Self::present(v);
        if p.is_none() {
            self.push(field, Problem::Required);
        }
        p
    }

    fn text(
        &mut self,
        field: &str,
        v: &Option<String>,
        max: usize,
        required: bool,
    ) -> Option<String> {
        if required {
            self.required(field, v)?;
        } else {
            Self::present(v)?;
        }
        // The untrimmed value, so a reported position points at what was typed.
        match clean_text(v.as_deref().unwrap_or_default(), max) {
            Ok(s) => Some(s),
            Err(e) => {
                self.push(field, Problem::Text(e));
                None
            }
        }
    }

    fn choice<T: Code>(&mut self, field: &str, v: &Option<String>, required: bool) -> Option<T> {
        let raw = if required {
            self.required(field, v)?
        } else {
            Self::present(v)?
        };
        match T::from_code(raw) {
            Some(c) => Some(c),
            None => {
                self.push(
                    field,
                    Problem::Choice {
                        value: raw.to_string(),
                        allowed: T::all().iter().map(|c| c.code()).collect(),
                    },
                );
                None
            }
        }
    }

    fn date(&mut self, field: &str, v: &Option<String>, required: bool) -> Option<NaiveDate> {
        let raw = if required {
            self.required(field, v)?
        } else {
            Self::present(v)?
        };
        match parse_date(raw) {
            Ok(d) => Some(d),
            Err(e) => {
                self.push(field, Problem::Date(e));
                None
            }
        }
    }

    fn timestamp(&mut self, field: &str, v: &Option<String>) -> Option<DateTime<FixedOffset>> {
        let raw = Self::present(v)?;
        match DateTime::parse_from_rfc3339(raw) {
            Ok(t) => Some(t),
            Err(_) => {
                self.push(field, Problem::Timestamp);
                None
            }
        }
    }

    fn number(
        &mut self,
        field: &str,
        v: &Option<String>,
        f: fn(&str) -> Result<String, crate::domain::insurer::NumberError>,
    ) -> Option<String> {
        let raw = Self::present(v)?;
        match f(raw) {
            Ok(s) => Some(s),
            Err(e) => {
                self.push(field, Problem::Number(e));
                None
            }
        }
    }
}

/// True when the insurer is a 国民健康保険組合 (its members also declare an employer).
pub fn is_kokuho_kumiai(insurer_name: &str) -> bool {
    insurer_name.contains("国保組合") || insurer_name.contains("国民健康保険組合")
}

mod required;

pub use required::{required, Required};

/// Whether 事業所名 is required (docs/record.md).
pub fn employer_required(kind: Option<InsuranceKind>, insurer_name: Option<&str>) -> bool {
    matches!(
        kind,
        Some(InsuranceKind::Shaho | InsuranceKind::Other | InsuranceKind::Unknown)
    ) || insurer_name.is_some_and(is_kokuho_kumiai)
}

/// Validate and normalise one record. Fields the input omits that the app owns (id,
/// version, timestamps, terminal, operator) come from `ctx`.
pub fn record(input: &RecordInput, ctx: &Context) -> Result<Record, Vec<FieldError>> {
    let mut c = Check { errors: Vec::new() };
    let today = ctx.today();
    let req = required(input, today);

    let id = match Check::present(&input.id) {
        Some(raw) => match ulid::Ulid::from_string(raw) {
            Ok(u) => Some(u.to_string()),
            Err(_) => {
                c.push("id", Problem::Id);
                None
            }
        },
        None => Some(ctx.new_id.clone()),
    };
    let version = match input.version {
        Some(0) => {
            c.push("version", Problem::Version);
            None
        }
        Some(v) => Some(v),
        None => Some(1),
    };
    let terminal_id = c
        .text("terminal_id", &input.terminal_id, MAX_NAME, false)
        .unwrap_or_else(|| ctx.terminal_id.clone());
    let operator = c
        .text("operator", &input.operator, MAX_NAME, false)
        .unwrap_or_else(|| ctx.operator.clone());
    let created_at = c
        .timestamp("created_at", &input.created_at)
        .unwrap_or(ctx.now);
    let updated_at = c
        .timestamp("updated_at", &input.updated_at)
        .unwrap_or(ctx.now);

    let service_date = match c.date("service_date", &input.service_date, false) {
        Some(d) if d > today => {
            c.push("service_date", Problem::InFuture);
            None
        }
        Some(d) => Some(d),
        None if Check::present(&input.service_date).is_some() => None,
        None => Some(today),
    };

    let status = c
        .choice::<Status>("status", &input.status, false)
        .unwrap_or(Status::Active);
    let void_reason = c.text("void_reason", &input.void_reason, MAX_TEXT, false);
    if (status == Status::Voided) != void_reason.is_some() {
        c.push("void_reason", Problem::VoidReason);
    }

    // Incident and verification.
    let case = c.choice::<IncidentCase>("incident.case", &input.incident.case, true);
    let incident_note = c.text("incident.note", &input.incident.note, MAX_TEXT, false);
    let source = c
        .choice::<VerificationSource>("verification.source", &input.verification.source, false)
        .unwrap_or(VerificationSource::Declaration);
    let checked_at = c.timestamp("verification.checked_at", &input.verification.checked_at);

    // Declaration. Its own items are asked only when no document gave the
    // qualification (the 申立書 is the fallback, docs/procedure.md).
    let decl_needed = procedure::needs_declaration(source);
    let d = &input.declaration;
    let has_valid_card = d.has_valid_card;
    if req.contains("declaration.has_valid_card") && has_valid_card.is_none() {
        c.push("declaration.has_valid_card", Problem::Required);
    }
    let kind = c.choice::<InsuranceKind>("declaration.insurance_kind", &d.insurance_kind, true);
    let insurer_name = c.text("declaration.insurer_name", &d.insurer_name, MAX_NAME, false);
    let employer_name = c.text(
        "declaration.employer_name",
        &d.employer_name,
        MAX_NAME,
        req.contains("declaration.employer_name"),
    );
    let issued_when = c.choice::<IssuedWhen>("declaration.issued_when", &d.issued_when, false);
    let issued_note = c.text("declaration.issued_note", &d.issued_note, MAX_TEXT, false);
    let name = c.text("declaration.name", &d.name, MAX_NAME, true);
    let name_kana = match c.required("declaration.name_kana", &d.name_kana) {
        Some(_) => match normalize_kana(d.name_kana.as_deref().unwrap_or_default()) {
            Ok(k) if !k.is_empty() => Some(k),
            Ok(_) => {
                c.push("declaration.name_kana", Problem::Required);
                None
            }
            Err(e) => {
                c.push("declaration.name_kana", Problem::Kana(e));
                None
            }
        },
        None => None,
    };
    let birth_date = match c.date("declaration.birth_date", &d.birth_date, true) {
        Some(b) if service_date.is_some_and(|s| b > s) => {
            c.push("declaration.birth_date", Problem::BirthAfterService);
            None
        }
        other => other,
    };
    let sex = c.choice::<Sex>("declaration.sex", &d.sex, true);
    let address = c.text("declaration.address", &d.address, MAX_TEXT, true);
    let declared_on = match c.date("declaration.declared_on", &d.declared_on, false) {
        Some(x) if x > today => {
            c.push("declaration.declared_on", Problem::InFuture);
            None
        }
        Some(x) => Some(x),
        None if Check::present(&d.declared_on).is_some() => None,
        None if decl_needed => service_date,
        None => None,
    };
    let signer = c.choice::<Signer>(
        "declaration.signer",
        &d.signer,
        req.contains("declaration.signer"),
    );
    let signer_relationship = c.text(
        "declaration.signer_relationship",
        &d.signer_relationship,
        MAX_NAME,
        req.contains("declaration.signer_relationship"),
    );
    if signer == Some(Signer::Patient) && signer_relationship.is_some() {
        c.push("declaration.signer_relationship", Problem::NotApplicable);
    }
    let phone = match Check::present(&d.phone) {
        Some(raw) => match normalize_phone(raw) {
            Ok(p) => Some(p),
            Err(e) => {
                c.push("declaration.phone", Problem::Phone(e));
                None
            }
        },
        None => None,
    };
    let asks_ratio = match (birth_date, service_date, kind) {
        (Some(b), Some(s), Some(k)) => Some(copay::asks_ratio(b, s, k)),
        _ => None,
    };
    let copay_ratio = c.choice::<DeclaredRatio>(
        "declaration.copay_ratio",
        &d.copay_ratio,
        req.contains("declaration.copay_ratio"),
    );
    if asks_ratio == Some(false) && copay_ratio.is_some() {
        c.push("declaration.copay_ratio", Problem::NotApplicable);
    }

    // Insurance / claim basis.
    let ins = &input.insurance;
    let insurer_raw = Check::present(&ins.insurer_number);
    // Derived from the source and the numbers unless the input states it (import).
    let basis = c
        .choice::<ClaimBasis>("insurance.basis", &ins.basis, false)
        .unwrap_or_else(|| {
            procedure::claim_basis(source, insurer_raw.is_some(), service_date.unwrap_or(today))
        });
    // A document that shows the qualification shows its insurer number too.
    if req.contains("insurance.insurer_number") && insurer_raw.is_none() {
        c.push("insurance.insurer_number", Problem::Required);
    }
    let insurer_number = insurer_raw.and_then(|raw| match parse_insurer_number(raw, basis) {
        Ok(n) => Some(n),
        Err(e) => {
            c.push("insurance.insurer_number", Problem::Insurer(e));
            None
        }
    });
    let symbol = c.number("insurance.symbol", &ins.symbol, parse_symbol_or_number);
    let number = c.number("insurance.number", &ins.number, parse_symbol_or_number);
    let branch = c.number("insurance.branch", &ins.branch, parse_branch);

    // Copay: an explicit ratio wins; null means "suggest from age".
    let copay = match input.copay.ratio {
        Some(r) if ![10, 20, 30].contains(&r) => {
            c.push("copay.ratio", Problem::Ratio { value: r });
            None
        }
        Some(r) => {
            let reason = c
                .choice::<CopayReason>("copay.reason", &input.copay.reason, false)
                .unwrap_or(CopayReason::Declared);
            Some((r, reason))
        }
        None => match (birth_date, service_date, kind) {
            (Some(b), Some(s), Some(k)) => Some(copay::suggest(b, s, k, copay_ratio)),
            _ => None,
        },
    };
    let done_at = c.timestamp("followup.done_at", &input.followup.done_at);
    let followup_needed = input
        .followup
        .needed
        .unwrap_or(done_at.is_none() && procedure::needs_followup(basis, source));

    if !c.errors.is_empty() {
        return Err(c.errors);
    }
    // Every `None` below was reported above, so reaching here means all are present;
    // still, fall back to an error rather than unwrap.
    let built = (|| {
        Some(Record {
            id: id?,
            version: version?,
            terminal_id,
            operator,
            created_at,
            updated_at,
            service_date: service_date?,
            status,
            void_reason,
            incident: Incident {
                case: case?,
                note: incident_note,
            },
            verification: Verification {
                source,
                checked_at,
                card_read: input.verification.card_read.unwrap_or(false),
            },
            declaration: Declaration {
                has_valid_card,
                insurance_kind: kind?,
                insurer_name,
                employer_name,
                issued_when,
                issued_note,
                copay_ratio,
                name: name?,
                name_kana: name_kana?,
                birth_date: birth_date?,
                sex: sex?,
                address: address?,
                declared_on,
                signer,
                signer_relationship,
                phone,
            },
            insurance: Insurance {
                basis,
                insurer_number,
                symbol,
                number,
                branch,
            },
            copay: {
                let (ratio, reason) = copay?;
                Copay {
                    ratio,
                    reason,
                    amount_yen: input.copay.amount_yen,
                }
            },
            followup: Followup {
                needed: followup_needed,
                done_at,
            },
        })
    })();
    built.ok_or_else(|| vec![FieldError::new("", Problem::Required)])
}

/// Validate an edit of `old`: same id and creation time, next version, fresh `updated_at`.
pub fn revision(
    old: &Record,
    input: &RecordInput,
    ctx: &Context,
) -> Result<Record, Vec<FieldError>> {
    let mut input = input.clone();
    input.id = Some(old.id.clone());
    input.version = None;
    input.created_at = None;
    input.updated_at = None;
    let mut rec = record(&input, ctx)?;
    rec.version = old.version + 1;
    rec.created_at = old.created_at;
    rec.updated_at = ctx.now;
    rec.terminal_id = old.terminal_id.clone();
    Ok(rec)
}

/// The voided next version of `old`, keeping every value (a void never deletes).
pub fn void(old: &Record, reason: &str, ctx: &Context) -> Result<Record, Vec<FieldError>> {
    let reason = clean_text(reason, MAX_TEXT)
        .map_err(|e| vec![FieldError::new("void_reason", Problem::Text(e))])?;
    if reason.is_empty() {
        return Err(vec![FieldError::new("void_reason", Problem::Required)]);
    }
    let mut rec = old.clone();
    rec.version = old.version + 1;
    rec.updated_at = ctx.now;
    rec.operator = ctx.operator.clone();
    rec.status = Status::Voided;
    rec.void_reason = Some(reason);
    Ok(rec)
}

/// After recovery: the online recheck's numbers become the next version, the claim
/// basis becomes current and the follow-up is done (docs/procedure.md).
pub fn recheck(
    old: &Record,
    numbers: &crate::domain::input::InsuranceInput,
    ctx: &Context,
) -> Result<Record, Vec<FieldError>> {
    let mut c = Check { errors: Vec::new() };
    let insurer = c
        .required("insurance.insurer_number", &numbers.insurer_number)
        .and_then(|raw| match parse_insurer_number(raw, ClaimBasis::Current) {
            Ok(n) => Some(n),
            Err(e) => {
                c.push("insurance.insurer_number", Problem::Insurer(e));
                None
            }
        });
    let symbol = c.number("insurance.symbol", &numbers.symbol, parse_symbol_or_number);
    let number = c.number("insurance.number", &numbers.number, parse_symbol_or_number);
    let branch = c.number("insurance.branch", &numbers.branch, parse_branch);
    let Some(insurer) = insurer.filter(|_| c.errors.is_empty()) else {
        return Err(c.errors);
    };
    let mut rec = old.clone();
    rec.version = old.version + 1;
    rec.updated_at = ctx.now;
    rec.operator = ctx.operator.clone();
    rec.verification = Verification {
        source: VerificationSource::OnlineRecheck,
        checked_at: Some(ctx.now),
        card_read: old.verification.card_read,
    };
    rec.insurance = Insurance {
        basis: ClaimBasis::Current,
        insurer_number: Some(insurer),
        symbol,
        number,
        branch,
    };
    rec.followup = Followup {
        needed: false,
        done_at: Some(ctx.now),
    };
    Ok(rec)
}

/// The input that reproduces `rec` (for editing and for prefilling the form).
pub fn to_input(rec: &Record) -> RecordInput {
    use crate::domain::input::*;
    let d = &rec.declaration;
    RecordInput {
        id: Some(rec.id.clone()),
        version: Some(rec.version),
        terminal_id: Some(rec.terminal_id.clone()),
        operator: Some(rec.operator.clone()),
        created_at: Some(rec.created_at.to_rfc3339()),
        updated_at: Some(rec.updated_at.to_rfc3339()),
        service_date: Some(rec.service_date.to_string()),
        status: Some(rec.status.code().to_string()),
        void_reason: rec.void_reason.clone(),
        incident: IncidentInput {
            case: Some(rec.incident.case.code().to_string()),
            note: rec.incident.note.clone(),
        },
        verification: VerificationInput {
            source: Some(rec.verification.source.code().to_string()),
            checked_at: rec.verification.checked_at.map(|t| t.to_rfc3339()),
            card_read: Some(rec.verification.card_read),
        },
        declaration: DeclarationInput {
            has_valid_card: d.has_valid_card,
            insurance_kind: Some(d.insurance_kind.code().to_string()),
            insurer_name: d.insurer_name.clone(),
            employer_name: d.employer_name.clone(),
            issued_when: d.issued_when.map(|w| w.code().to_string()),
            issued_note: d.issued_note.clone(),
            copay_ratio: d.copay_ratio.map(|r| r.code().to_string()),
            name: Some(d.name.clone()),
            name_kana: Some(d.name_kana.clone()),
            birth_date: Some(d.birth_date.to_string()),
            sex: Some(d.sex.code().to_string()),
            address: Some(d.address.clone()),
            declared_on: d.declared_on.map(|x| x.to_string()),
            signer: d.signer.map(|x| x.code().to_string()),
            signer_relationship: d.signer_relationship.clone(),
            phone: d.phone.clone(),
        },
        insurance: InsuranceInput {
            basis: Some(rec.insurance.basis.code().to_string()),
            insurer_number: rec.insurance.insurer_number.clone(),
            symbol: rec.insurance.symbol.clone(),
            number: rec.insurance.number.clone(),
            branch: rec.insurance.branch.clone(),
        },
        copay: CopayInput {
            ratio: Some(rec.copay.ratio),
            reason: Some(rec.copay.reason.code().to_string()),
            amount_yen: rec.copay.amount_yen,
        },
        followup: FollowupInput {
            needed: Some(rec.followup.needed),
            done_at: rec.followup.done_at.map(|t| t.to_rfc3339()),
        },
    }
}
