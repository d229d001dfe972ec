//! The review step: the normalised record exactly as it will be saved, with the claim
//! coding the receipt side will use and the amount to collect.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

use super::theme;
use super::{fit, safe};
use crate::domain::claim::{self, copay_yen};
use crate::domain::copay::age_on;
use crate::domain::era::format_wareki;
use crate::domain::record::{ClaimBasis, CopayReason, Record, VerificationSource};
use crate::i18n::{Label, Lang, Msg};
use crate::tui::app::App;

use crate::tui::form::{FormState, Mode};

/// "1,234" — amounts and points as clerks read them.
pub fn grouped(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The claim lines: numbers for current/past, the full 不詳 coding for unknown.
pub fn claim_lines(lang: Lang, rec: &Record, valid_check_digit: bool) -> Vec<(Msg, String)> {
    let c = claim::coding(rec, valid_check_digit);
    let o = |v: &Option<String>| v.as_deref().unwrap_or("—").to_string();
    let mut rows = vec![(
        Msg::FieldClaimNumbers,
        format!(
            "{} {}  {} {}  {} {}  {} {}",
            lang.t(Msg::FieldInsurerNumber),
            o(&c.insurer_number),
            lang.t(Msg::FieldSymbol),
            c.symbol.as_deref().unwrap_or(lang.t(Msg::NoSymbol)),
            lang.t(Msg::FieldNumber),
            o(&c.insured_number),
            lang.t(Msg::FieldBranch),
            o(&c.branch),
        ),
    )];
    if rec.insurance.basis == ClaimBasis::Unknown {
        if !valid_check_digit {
            rows.push((Msg::Blank, lang.t(Msg::UnknownCheckDigitNote).to_string()));
        }
        rows.push((
            Msg::FieldSummary,
            safe(&c.summary.unwrap_or_default()).into_owned(),
        ));
    }
    rows
}

pub fn render(app: &App, form: &FormState, rec: &Record, frame: &mut Frame, area: Rect) {
    let l = app.lang;
    let d = &rec.declaration;
    let opt = |v: &Option<String>| {
        v.as_deref()
            .map(|s| safe(s).into_owned())
            .unwrap_or_default()
    };
    let mut lines = vec![Line::styled(
        l.t(if form.mode == Mode::Recheck {
            Msg::RecheckIntro
        } else {
            Msg::ReviewIntro
        })
        .to_string(),
        theme::BOLD,
    )];
    let warn = theme::WARN;
    // What is collected differs from the ratio the patient declared (a 70–74 patient
    // declaring 1割, say): say so before saving. A 後期 1割 declaration is collected as
    // declared and is not flagged.
    let pending = rec.copay.reason == CopayReason::Pending;
    if !pending
        && d.copay_ratio
            .and_then(|r| r.percent())
            .is_some_and(|p| p != rec.copay.ratio)
    {
        lines.push(Line::styled(
            format!(
                "⚠ {}（{} {}%）",
                l.t(Msg::CopayMismatch),
                l.t(Msg::CopaySuggestion),
                rec.copay.ratio
            ),
            warn,
        ));
    }
    if pending {
        lines.push(Line::styled(format!("⚠ {}", l.t(Msg::PendingNote)), warn));
    }
    if rec.verification.source == VerificationSource::Statement {
        lines.push(Line::styled(l.t(Msg::StatementNote).to_string(), warn));
    }
    if let Some(from) = form.prefilled_from {
        lines.push(Line::styled(
            format!("⚠ {} {}", l.t(Msg::PrefilledFrom), from),
            warn,
        ));
    }

    let mut case_line = l.t(rec.incident.case.label()).to_string();
    if let Some(note) = &rec.incident.note {
        case_line.push_str(&format!(
            "  {}: {}",
            l.t(Msg::FieldIncidentNote),
            safe(note)
        ));
    }
    let mut rows: Vec<(Msg, String)> = vec![
        (Msg::FieldCase, case_line),
        (
            Msg::FieldSource,
            l.t(rec.verification.source.label()).to_string(),
        ),
        (
            Msg::FieldBasis,
            l.t(rec.insurance.basis.label()).to_string(),
        ),
    ];
    rows.extend(claim_lines(l, rec, app.claim_check_digit));
    rows.extend([
        (
            Msg::FieldName,
            format!("{}（{}）", safe(&d.name), d.name_kana),
        ),
        (
            Msg::FieldBirthDate,
            format!(
                "{}（{}） {}{}  {}: {}",
                d.birth_date,
                format_wareki(d.birth_date),
                age_on(d.birth_date, rec.service_date),
                l.t(Msg::Age),
                l.t(Msg::FieldSex),
                l.t(d.sex.label()),
            ),
        ),
        (Msg::FieldAddress, safe(&d.address).into_owned()),
        (Msg::FieldPhone, opt(&d.phone)),
        (
            Msg::FieldInsuranceKind,
            [
                Some(l.t(d.insurance_kind.label()).to_string()),
                d.insurer_name.as_ref().map(|s| safe(s).into_owned()),
                d.employer_name.as_ref().map(|s| safe(s).into_owned()),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("  "),
        ),
    ]);
    if let (Some(on), Some(signer)) = (d.declared_on, d.signer) {
        let mut s = format!(
            "{} {}  {}: {}",
            l.t(Msg::FieldDeclaredOn),
            on,
            l.t(Msg::FieldSigner),
            l.t(signer.label())
        );
        if let Some(rel) = &d.signer_relationship {
            s.push_str(&format!("（{}）", safe(rel)));
        }
        if let Some(has) = d.has_valid_card {
            s.push_str(&format!(
                "  {}: {}",
                l.t(Msg::FieldHasValidCard),
                l.t(if has { Msg::Yes } else { Msg::No })
            ));
        }
        if let Some(w) = d.issued_when {
            s.push_str(&format!("  {}", l.t(w.label())));
        }
        rows.push((Msg::FieldDeclaration, s));
    }
    let mut copay = format!("{}%（{}）", rec.copay.ratio, l.t(rec.copay.reason.label()));
    if let Some(r) = d.copay_ratio {
        copay.push_str(&format!(
            "  {}: {}",
            l.t(Msg::FieldCopayRatio),
            l.t(r.label())
        ));
    }
    if let Some(p) = rec.copay.points {
        if let Some(yen) = copay_yen(p, rec.copay.ratio) {
            copay.push_str(&format!(
                "  {}{} → {}{}",
                grouped(p),
                l.t(Msg::PointsUnit),
                grouped(yen),
                l.t(Msg::YenUnit)
            ));
        }
    }
    if let Some(a) = rec.copay.amount_yen {
        copay.push_str(&format!(
            "  {} {}{}",
            l.t(Msg::FieldAmount),
            grouped(a),
            l.t(Msg::YenUnit)
        ));
    }
    rows.push((Msg::FieldCopay, copay));
    if let Some(ratio) = rec.followup.confirmed_ratio {
        let mut s = format!("{ratio}%");
        if let Some(diff) = rec.followup.difference_yen {
            s.push_str(&format!(
                "  {}: {}",
                l.t(Msg::DifferenceLine),
                super::lists::difference_text(l, diff)
            ));
        }
        rows.push((Msg::FieldConfirmedRatio, s));
    }
    rows.push((
        Msg::FieldFollowup,
        l.t(if rec.followup.needed {
            Msg::FollowupNeeded
        } else {
            Msg::FollowupNotNeeded
        })
        .to_string(),
    ));

    for (label, value) in rows {
        lines.push(Line::from(vec![
            Span::styled(fit(l.t(label), 16), theme::PREVIEW),
            Span::raw(" "),
            Span::raw(value),
        ]));
    }
    super::put_lines(frame, area, &lines);
}

#[cfg(test)]
mod tests {
    use super::grouped;

    #[test]
    fn groups_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(1234567), "1,234,567");
    }
}
