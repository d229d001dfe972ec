//! The review step: the normalised record exactly as it will be saved.

use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{fit, safe};
use crate::domain::copay::{age_on, suggest};
use crate::domain::era::format_wareki;
use crate::domain::record::Record;
use crate::i18n::Msg;
use crate::tui::app::App;
use crate::tui::fields::*;
use crate::tui::form::FormState;

pub fn render(app: &App, _form: &FormState, rec: &Record, frame: &mut Frame, area: Rect) {
    let l = app.lang;
    let d = &rec.declaration;
    let ins = &rec.insurance;
    let opt = |v: &Option<String>| {
        v.as_deref()
            .map(|s| safe(s).into_owned())
            .unwrap_or_default()
    };
    let mut rows: Vec<(Msg, String)> = vec![
        (
            Msg::FieldCase,
            l.t(case_long(rec.incident.case)).to_string(),
        ),
        (Msg::FieldName, safe(&d.name).into_owned()),
        (Msg::FieldNameKana, d.name_kana.clone()),
        (
            Msg::FieldBirthDate,
            format!(
                "{}（{}） {}{}",
                d.birth_date,
                format_wareki(d.birth_date),
                age_on(d.birth_date, rec.service_date),
                l.t(Msg::Age)
            ),
        ),
        (Msg::FieldSex, l.t(sex_label(d.sex)).to_string()),
        (Msg::FieldAddress, safe(&d.address).into_owned()),
        (Msg::FieldPhone, opt(&d.phone)),
        (
            Msg::FieldInsuranceKind,
            format!(
                "{}  {}: {}",
                l.t(kind_label(d.insurance_kind)),
                l.t(Msg::FieldHasValidCard),
                l.t(if d.has_valid_card { Msg::Yes } else { Msg::No })
            ),
        ),
        (Msg::FieldInsurerName, opt(&d.insurer_name)),
        (Msg::FieldEmployerName, opt(&d.employer_name)),
        (
            Msg::FieldIssuedWhen,
            format!(
                "{} {}",
                d.issued_when.map(|w| l.t(issued_label(w))).unwrap_or(""),
                opt(&d.issued_note)
            ),
        ),
        (Msg::FieldInsurerNumber, {
            // Only the parts that were given: "01040013  記号 12  番号 345".
            let mut parts = vec![opt(&ins.insurer_number)];
            for (label, v) in [
                (Msg::FieldSymbol, &ins.symbol),
                (Msg::FieldNumber, &ins.number),
                (Msg::FieldBranch, &ins.branch),
            ] {
                if v.is_some() {
                    parts.push(format!("{} {}", l.t(label), opt(v)));
                }
            }
            parts.retain(|p| !p.is_empty());
            parts.join("  ")
        }),
        (Msg::FieldBasis, l.t(basis_label(ins.basis)).to_string()),
    ];
    let mut copay = format!(
        "{}%（{}）",
        rec.copay.ratio,
        l.t(reason_label(rec.copay.reason))
    );
    if let Some(r) = d.copay_ratio {
        copay.push_str(&format!(
            "  {}: {}",
            l.t(Msg::FieldCopayRatio),
            l.t(ratio_label(r))
        ));
    }
    rows.push((Msg::FieldCopay, copay));
    let signer = match &d.signer_relationship {
        Some(rel) => format!("{}（{}）", l.t(signer_label(d.signer)), safe(rel)),
        None => l.t(signer_label(d.signer)).to_string(),
    };
    rows.push((
        Msg::FieldDeclaredOn,
        format!("{}  {}: {}", d.declared_on, l.t(Msg::FieldSigner), signer),
    ));
    rows.push((
        Msg::FieldFollowup,
        l.t(if rec.followup.needed {
            Msg::FollowupNeeded
        } else {
            Msg::FollowupNotNeeded
        })
        .to_string(),
    ));

    let mut lines = vec![Line::styled(
        l.t(Msg::ReviewIntro).to_string(),
        Style::new().add_modifier(Modifier::BOLD),
    )];
    // The age-based suggestion differs from what is charged: say so before saving.
    let (suggested, _) = suggest(d.birth_date, rec.service_date, d.insurance_kind, None);
    if d.copay_ratio
        .and_then(|r| r.percent())
        .is_some_and(|p| p != suggested)
    {
        lines.push(Line::styled(
            format!(
                "⚠ {}（{} {}%）",
                l.t(Msg::CopayMismatch),
                l.t(Msg::CopaySuggestion),
                suggested
            ),
            Style::new().fg(Color::Yellow),
        ));
    }
    for (label, value) in rows {
        lines.push(Line::from(vec![
            Span::styled(fit(l.t(label), 18), Style::new().fg(Color::Cyan)),
            Span::raw(" "),
            Span::raw(value),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), area);
}
