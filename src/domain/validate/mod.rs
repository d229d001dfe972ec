//! The one validation path: `RecordInput` (form or import) → normalised `Record`.
//!
//! Every problem is collected (not just the first), keyed by JSON path, so the form can
//! show each next to its field and import can report them all on one line.

use chrono::{DateTime, FixedOffset, NaiveDate};

use crate::domain::claim;
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

mod rules;

pub use rules::{employer_required, rules, Rules, CONDITIONAL};

/// Validate and normalise one record. Fields the input omits that the app owns (id,
/// version, timestamps, terminal, operator) come from `ctx`. The form and `onshi import`
/// both come through here, so they accept and refuse exactly the same records.
pub fn record(input: &RecordInput, ctx: &Context) -> Result<Record, Vec<FieldError>> {
    let mut c = Check { errors: Vec::new() };
    let today = ctx.today();
    let rules = rules(input, today);

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

    // A value in a field the situation does not ask is refused, never silently dropped.
    let d = &input.declaration;
    for (path, given) in [
        ("declaration.has_valid_card", d.has_valid_card.is_some()),
        (
            "declaration.insurer_name",
            Check::present(&d.insurer_name).is_some(),
        ),
        (
            "declaration.employer_name",
            Check::present(&d.employer_name).is_some(),
        ),
        (
            "declaration.issued_when",
            Check::present(&d.issued_when).is_some(),
        ),
        (
            "declaration.issued_note",
            Check::present(&d.issued_note).is_some(),
        ),
        (
            "declaration.copay_ratio",
            Check::present(&d.copay_ratio).is_some(),
        ),
        (
            "declaration.declared_on",
            Check::present(&d.declared_on).is_some(),
        ),
        ("declaration.signer", Check::present(&d.signer).is_some()),
        (
            "declaration.signer_relationship",
            Check::present(&d.signer_relationship).is_some(),
        ),
    ] {
        if given && !rules.applies(path) {
            c.push(path, Problem::NotApplicable);
        }
    }
    let ask = |path: &str| rules.applies(path);

    // Incident and verification: the source must be one the case offers (after recovery,
    // one that confirmed the qualification).
    let case = c.choice::<IncidentCase>("incident.case", &input.incident.case, true);
    let incident_note = c.text("incident.note", &input.incident.note, MAX_TEXT, false);
    let source = c
        .choice::<VerificationSource>("verification.source", &input.verification.source, false)
        .unwrap_or(VerificationSource::Declaration);
    let checked_at = c.timestamp("verification.checked_at", &input.verification.checked_at);
    let done_at = c.timestamp("followup.done_at", &input.followup.done_at);
    if let Some(case) = case {
        let offered = match done_at {
            Some(_) => confirms(source),
            None => procedure::sources(case).contains(&source),
        };
        if !offered {
            c.push(
                "verification.source",
                Problem::SourceNotOffered { case: case.code() },
            );
        }
    }

    // The patient: always. The 申立書's and the statement's own items: when they apply.
    let has_valid_card = d
        .has_valid_card
        .filter(|_| ask("declaration.has_valid_card"));
    if rules.requires("declaration.has_valid_card") && has_valid_card.is_none() {
        c.push("declaration.has_valid_card", Problem::Required);
    }
    // The form's premise: 「有効な保険証の交付を受けており」 (seed l.134). A patient whose card
    // is not issued yet gives a statement instead (case 1).
    if has_valid_card == Some(false) {
        c.push("declaration.has_valid_card", Problem::DeclarationPremise);
    }
    let kind = c.choice::<InsuranceKind>("declaration.insurance_kind", &d.insurance_kind, true);
    let only_if = |path: &str, v: &Option<String>| -> Option<String> {
        if ask(path) {
            v.clone()
        } else {
            None
        }
    };
    let insurer_name = c.text(
        "declaration.insurer_name",
        &only_if("declaration.insurer_name", &d.insurer_name),
        MAX_NAME,
        rules.requires("declaration.insurer_name"),
    );
    let employer_name = c.text(
        "declaration.employer_name",
        &only_if("declaration.employer_name", &d.employer_name),
        MAX_NAME,
        rules.requires("declaration.employer_name"),
    );
    let issued_when = c.choice::<IssuedWhen>(
        "declaration.issued_when",
        &only_if("declaration.issued_when", &d.issued_when),
        false,
    );
    let issued_note = c.text(
        "declaration.issued_note",
        &only_if("declaration.issued_note", &d.issued_note),
        MAX_TEXT,
        false,
    );
    let name = c.text("declaration.name", &d.name, MAX_NAME, true);
    let name_kana = match c.required("declaration.name_kana", &d.name_kana) {
        Some(_) => match normalize_kana(d.name_kana.as_deref().unwrap_or_default()) {
            Ok(k) if k.chars().count() > MAX_NAME => {
                c.push(
                    "declaration.name_kana",
                    Problem::Text(crate::domain::text::TextError::TooLong { max: MAX_NAME }),
                );
                None
            }
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
    let declared_on = match c.date(
        "declaration.declared_on",
        &only_if("declaration.declared_on", &d.declared_on),
        false,
    ) {
        Some(x) if x > today => {
            c.push("declaration.declared_on", Problem::InFuture);
            None
        }
        Some(x) => Some(x),
        None if ask("declaration.declared_on") && Check::present(&d.declared_on).is_some() => None,
        // The 申立書 is dated the day it is taken; nothing else is dated for it.
        None if source == VerificationSource::Declaration => service_date,
        None => None,
    };
    let signer = c.choice::<Signer>(
        "declaration.signer",
        &only_if("declaration.signer", &d.signer),
        rules.requires("declaration.signer"),
    );
    let signer_relationship = c.text(
        "declaration.signer_relationship",
        &only_if("declaration.signer_relationship", &d.signer_relationship),
        MAX_NAME,
        rules.requires("declaration.signer_relationship"),
    );
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
    let copay_ratio = c.choice::<DeclaredRatio>(
        "declaration.copay_ratio",
        &only_if("declaration.copay_ratio", &d.copay_ratio),
        rules.requires("declaration.copay_ratio"),
    );

    // Insurance and the claim basis, derived from the source and the numbers.
    let ins = &input.insurance;
    for path in ["insurance.insurer_number", "insurance.number"] {
        let given = if path == "insurance.number" {
            &ins.number
        } else {
            &ins.insurer_number
        };
        if rules.requires(path) && Check::present(given).is_none() {
            c.push(path, Problem::Required);
        }
    }
    let insurer_number =
        Check::present(&ins.insurer_number).and_then(|raw| match parse_insurer_number(raw) {
            Ok(n) => Some(n),
            Err(e) => {
                c.push("insurance.insurer_number", Problem::Insurer(e));
                None
            }
        });
    let symbol = c.number("insurance.symbol", &ins.symbol, parse_symbol_or_number);
    let number = c.number("insurance.number", &ins.number, parse_symbol_or_number);
    let branch = c.number("insurance.branch", &ins.branch, parse_branch);
    let derived = procedure::claim_basis(
        source,
        insurer_number.is_some() && number.is_some(),
        service_date.unwrap_or(today),
    );
    // A stated basis the sources and numbers do not support is refused; 不詳 may always
    // be claimed (seed l.100).
    let basis = match c.choice::<ClaimBasis>("insurance.basis", &ins.basis, false) {
        Some(b) if b == derived || b == ClaimBasis::Unknown => b,
        Some(_) => {
            c.push(
                "insurance.basis",
                Problem::BasisContradicts { supported: derived },
            );
            derived
        }
        None => derived,
    };

    // Copay: the ratio for the age (or as declared, 70+/後期), or 10割 pending where that
    // may be collected; what was received follows from the points.
    let suggested = match (birth_date, service_date, kind) {
        (Some(b), Some(s), Some(k)) => Some(copay::suggest(b, s, k, copay_ratio)),
        _ => None,
    };
    let stated_reason = c.choice::<CopayReason>("copay.reason", &input.copay.reason, false);
    let copay = match input.copay.ratio {
        Some(100) => {
            // A confirmed case-1 record keeps the 10割 it was collected with (the
            // difference is refunded at the settlement).
            let allowed = case.is_some_and(|k| {
                procedure::may_collect_full(k, source)
                    || (done_at.is_some() && k == IncidentCase::NotIssued)
            });
            if !allowed {
                c.push("copay.ratio", Problem::FullCopayNotAllowed);
                None
            } else if stated_reason.is_some_and(|r| r != CopayReason::Pending) {
                c.push(
                    "copay.reason",
                    Problem::CopayContradicts {
                        ratio: 100,
                        reason: CopayReason::Pending.code(),
                    },
                );
                None
            } else {
                Some((100, CopayReason::Pending))
            }
        }
        Some(r) if ![10, 20, 30].contains(&r) => {
            c.push("copay.ratio", Problem::Ratio { value: r });
            None
        }
        Some(r) => match suggested {
            Some((ratio, reason)) if r == ratio && stated_reason.is_none_or(|s| s == reason) => {
                Some((ratio, reason))
            }
            Some((ratio, reason)) => {
                // Name what is wrong: the ratio, or (the ratio right) its reason.
                let field = if r == ratio {
                    "copay.reason"
                } else {
                    "copay.ratio"
                };
                c.push(
                    field,
                    Problem::CopayContradicts {
                        ratio,
                        reason: reason.code(),
                    },
                );
                None
            }
            None => None,
        },
        None if stated_reason == Some(CopayReason::Pending) => {
            c.push("copay.ratio", Problem::Required);
            None
        }
        None => suggested,
    };
    let points = input.copay.points;
    let amount_yen = match (copay, points) {
        (Some((ratio, _)), Some(p)) => {
            let due = claim::copay_yen(p, ratio);
            match input.copay.amount_yen {
                Some(a) if Some(a) != due => {
                    c.push(
                        "copay.amount_yen",
                        Problem::AmountMismatch {
                            expected: due.unwrap_or(0),
                        },
                    );
                    None
                }
                Some(a) => Some(a),
                None => due,
            }
        }
        _ => input.copay.amount_yen,
    };

    // After recovery: the confirmed ratio and what is owed either way.
    let f = &input.followup;
    let confirmed_ratio = match f.confirmed_ratio {
        Some(r) if ![10, 20, 30].contains(&r) => {
            c.push("followup.confirmed_ratio", Problem::Ratio { value: r });
            None
        }
        other => other,
    };
    if confirmed_ratio.is_some() && done_at.is_none() {
        c.push("followup.confirmed_ratio", Problem::NotApplicable);
    }
    let difference = settle_difference(points, amount_yen, confirmed_ratio);
    if f.difference_yen.is_some() && f.difference_yen != difference {
        c.push(
            "followup.difference_yen",
            Problem::DifferenceContradicts {
                expected: difference,
            },
        );
    }
    let settled_at = c.timestamp("followup.settled_at", &f.settled_at);
    if settled_at.is_some() && difference.is_none() {
        c.push("followup.settled_at", Problem::NotApplicable);
    }
    let pending = copay.is_some_and(|(_, r)| r == CopayReason::Pending);
    let followup_needed = f
        .needed
        .unwrap_or(done_at.is_none() && procedure::needs_followup(basis, source, pending));

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
                    amount_yen,
                    points,
                }
            },
            followup: Followup {
                needed: followup_needed,
                done_at,
                confirmed_ratio,
                difference_yen: difference,
                settled_at,
            },
        })
    })();
    built.ok_or_else(|| vec![FieldError::new("", Problem::Required)])
}

/// Sources that confirm a qualification after recovery: a document or a lookup, not the
/// patient's word and not an expired card.
pub fn confirms(source: VerificationSource) -> bool {
    procedure::is_document(source) && source != VerificationSource::InsuranceCard
}

/// What is owed once the real ratio is known: the copay for the points at that ratio
/// minus what was received (positive: collect; negative: refund).
pub fn settle_difference(
    points: Option<u64>,
    received: Option<u64>,
    confirmed_ratio: Option<u8>,
) -> Option<i64> {
    let due = claim::copay_yen(points?, confirmed_ratio?)?;
    let due = i64::try_from(due).ok()?;
    let received = i64::try_from(received?).ok()?;
    due.checked_sub(received)
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

/// What the clerk confirms after recovery.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecheckInput {
    /// How the qualification was confirmed: the online recheck, システム障害時モード,
    /// or a document the patient brought later.
    pub source: Option<String>,
    pub insurance: crate::domain::input::InsuranceInput,
    /// The ratio the confirmed qualification gives: `30`, `20` or `10`.
    pub confirmed_ratio: Option<String>,
    /// The visit's total points, when the record does not have them yet.
    pub points: Option<u64>,
}

/// After recovery: the confirmed qualification becomes the next version — current claim
/// basis, the confirmed ratio, and the difference to refund or collect (from the points
/// and what was received); the follow-up is done (docs/procedure.md).
pub fn recheck(
    old: &Record,
    input: &RecheckInput,
    ctx: &Context,
) -> Result<Record, Vec<FieldError>> {
    let mut c = Check { errors: Vec::new() };
    let source = c.choice::<VerificationSource>("verification.source", &input.source, true);
    if source.is_some_and(|s| !confirms(s)) {
        c.push(
            "verification.source",
            Problem::SourceNotOffered { case: "followup" },
        );
    }
    let numbers = &input.insurance;
    let insurer = c
        .required("insurance.insurer_number", &numbers.insurer_number)
        .and_then(|raw| match parse_insurer_number(raw) {
            Ok(n) => Some(n),
            Err(e) => {
                c.push("insurance.insurer_number", Problem::Insurer(e));
                None
            }
        });
    let symbol = c.number("insurance.symbol", &numbers.symbol, parse_symbol_or_number);
    if Check::present(&numbers.number).is_none() {
        c.push("insurance.number", Problem::Required);
    }
    let number = c.number("insurance.number", &numbers.number, parse_symbol_or_number);
    let branch = c.number("insurance.branch", &numbers.branch, parse_branch);
    let ratio = c
        .choice::<DeclaredRatio>("followup.confirmed_ratio", &input.confirmed_ratio, true)
        .and_then(|r| match r.percent() {
            Some(p) => Some(p),
            None => {
                c.push("followup.confirmed_ratio", Problem::Required);
                None
            }
        });
    let (Some(source), Some(insurer), Some(ratio)) = (source, insurer, ratio) else {
        return Err(c.errors);
    };
    if !c.errors.is_empty() {
        return Err(c.errors);
    }
    let points = old.copay.points.or(input.points);
    let mut rec = old.clone();
    rec.version = old.version + 1;
    rec.updated_at = ctx.now;
    rec.operator = ctx.operator.clone();
    rec.verification = Verification {
        source,
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
    // Points given only now: what was received follows from them, as on intake.
    let received = old
        .copay
        .amount_yen
        .or_else(|| claim::copay_yen(points?, old.copay.ratio));
    rec.copay.points = points;
    rec.copay.amount_yen = received;
    rec.followup = Followup {
        needed: false,
        done_at: Some(ctx.now),
        confirmed_ratio: Some(ratio),
        difference_yen: settle_difference(points, received, Some(ratio)),
        settled_at: None,
    };
    Ok(rec)
}

/// The difference was paid or refunded: the next version says when.
pub fn settle(old: &Record, ctx: &Context) -> Result<Record, Vec<FieldError>> {
    if !old.followup.unsettled() {
        return Err(vec![FieldError::new(
            "followup.settled_at",
            Problem::NotApplicable,
        )]);
    }
    let mut rec = old.clone();
    rec.version = old.version + 1;
    rec.updated_at = ctx.now;
    rec.operator = ctx.operator.clone();
    rec.followup.settled_at = Some(ctx.now);
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
            points: rec.copay.points,
        },
        followup: FollowupInput {
            needed: Some(rec.followup.needed),
            done_at: rec.followup.done_at.map(|t| t.to_rfc3339()),
            confirmed_ratio: rec.followup.confirmed_ratio,
            difference_yen: rec.followup.difference_yen,
            settled_at: rec.followup.settled_at.map(|t| t.to_rfc3339()),
        },
    }
}
