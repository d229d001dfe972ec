//! What ORCA has no field for goes into the patient memo (patientmemomodv2): one block per
//! onshi record, between markers that carry the record id, so a later version replaces
//! its own block and leaves the clinic's own memo text and other records' blocks alone.
//!
//! ORCA widens half-width characters in memos (and turns characters it cannot store into
//! ■), so the block is written full-width already: what is read back then still contains
//! the markers exactly as written. One line, no line breaks (the API page does not say
//! how a memo takes them).

use crate::domain::claim;
use crate::domain::record::{
    ClaimBasis, DeclaredRatio, InsuranceKind, IssuedWhen, Record, Signer, Status,
    VerificationSource,
};
use crate::domain::text::to_fullwidth;
use crate::i18n::{Label, Lang};

/// Start marker of record `id`'s block (the space keeps one id from matching a longer one).
pub fn start_marker(id: &str) -> String {
    to_fullwidth(&format!("【onshi {id} "))
}

fn end_marker() -> String {
    to_fullwidth("【/onshi】")
}

/// ORCA's memo is read by Japanese staff: the catalogue's Japanese labels.
fn source_label(s: VerificationSource) -> &'static str {
    Lang::Ja.t(s.label())
}

fn kind_label(k: InsuranceKind) -> &'static str {
    Lang::Ja.t(k.label())
}

/// The block for `rec`. `notes` are onshi's own remarks for the clerk at ORCA (an
/// insurance that was not added, a name that differs).
pub fn block(rec: &Record, valid_check_digit: bool, notes: &[&str]) -> String {
    let d = &rec.declaration;
    let ins = &rec.insurance;
    let mut parts: Vec<String> = vec![format!("障害時受付 {}", rec.service_date)];
    parts.push(format!(
        "事象{} 確認:{}",
        rec.incident.case.code(),
        source_label(rec.verification.source)
    ));
    if rec.status == Status::Voided {
        parts.push(format!(
            "取消済み（{}）",
            rec.void_reason.as_deref().unwrap_or("")
        ));
    }
    let coding = claim::coding(rec, valid_check_digit);
    match ins.basis {
        ClaimBasis::Current => parts.push("請求:現在の資格".into()),
        ClaimBasis::Past => parts.push("請求:過去の資格".into()),
        ClaimBasis::Unknown => {
            parts.push(format!(
                "請求:不詳 保険者番号{} 被保険者番号{}",
                coding.insurer_number.as_deref().unwrap_or(""),
                coding.insured_number.as_deref().unwrap_or("")
            ));
            if let Some(s) = &coding.summary {
                parts.push(format!("摘要:{s}"));
            }
        }
    }
    if let (Some(num), ClaimBasis::Current | ClaimBasis::Past) = (&ins.insurer_number, ins.basis) {
        let mut p = format!("保険者番号{num}");
        if let Some(s) = &ins.symbol {
            p.push_str(&format!(" 記号{s}"));
        }
        if let Some(n) = &ins.number {
            p.push_str(&format!(" 番号{n}"));
        }
        if let Some(b) = &ins.branch {
            p.push_str(&format!(" 枝番{b}"));
        }
        parts.push(p);
    }
    parts.push(format!("負担{}割", rec.copay.ratio / 10));
    parts.push(if rec.followup.needed {
        "要確認:資格の再確認待ち".to_string()
    } else {
        match rec.followup.done_at {
            Some(t) => format!("確認済み {}", t.format("%Y-%m-%d")),
            None => "要確認なし".to_string(),
        }
    });
    if rec.verification.source == VerificationSource::Declaration {
        let mut facts = vec![format!("種別{}", kind_label(d.insurance_kind))];
        if let Some(n) = &d.insurer_name {
            facts.push(format!("保険者{n}"));
        }
        if let Some(e) = &d.employer_name {
            facts.push(format!("事業所{e}"));
        }
        if let Some(w) = d.issued_when {
            facts.push(
                match w {
                    IssuedWhen::Within1Month => "交付1か月以内",
                    IssuedWhen::Earlier => "交付1か月より前",
                }
                .into(),
            );
        }
        if let Some(r) = d.copay_ratio {
            facts.push(match r {
                DeclaredRatio::Unknown => "申立割合不明".into(),
                r => format!("申立{}割", r.percent().unwrap_or(0) / 10),
            });
        }
        if let Some(on) = d.declared_on {
            facts.push(format!("申立日{on}"));
        }
        match d.signer {
            Some(Signer::Patient) => facts.push("署名本人".into()),
            Some(Signer::Guardian) => facts.push(format!(
                "署名保護者（{}）",
                d.signer_relationship.as_deref().unwrap_or("")
            )),
            None => {}
        }
        parts.push(format!("申立書:{}", facts.join("・")));
    }
    for n in notes {
        parts.push(format!("※{n}"));
    }
    let body = parts.join("／");
    let text = format!("【onshi {} 版{}】{}【/onshi】", rec.id, rec.version, body);
    // Line breaks and other controls never reach ORCA.
    to_fullwidth(&text)
        .chars()
        .map(|c| if c.is_control() { '　' } else { c })
        .collect()
}

/// `memo` with record `id`'s block replaced by `block` (or removed when `block` is
/// empty), or the block appended after a full-width space.
pub fn merge(memo: &str, id: &str, block: &str) -> String {
    let start = start_marker(id);
    let end = end_marker();
    let (before, after) = match memo.find(&start) {
        Some(i) => {
            let rest = &memo[i..];
            let stop = rest.find(&end).map_or(rest.len(), |j| j + end.len());
            (&memo[..i], &rest[stop..])
        }
        None => (memo, ""),
    };
    let before = before.trim_end_matches(['　', ' ']);
    let after = after.trim_start_matches(['　', ' ']);
    let mut out = String::from(before);
    for piece in [block, after] {
        if piece.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('　');
        }
        out.push_str(piece);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_replaces_only_its_own_block() {
        let a = "【ｏｎｓｈｉ　ＡＡＡ　版１】旧【／ｏｎｓｈｉ】";
        let b = "【ｏｎｓｈｉ　ＢＢＢ　版１】他【／ｏｎｓｈｉ】";
        let staff = "ペニシリン注意";
        let memo = format!("{staff}　{a}　{b}");
        let new_a = "【ｏｎｓｈｉ　ＡＡＡ　版２】新【／ｏｎｓｈｉ】";
        assert_eq!(merge(&memo, "AAA", new_a), format!("{staff}　{new_a}　{b}"));
        assert_eq!(merge(&memo, "AAA", ""), format!("{staff}　{b}"));
        assert_eq!(merge("", "AAA", new_a), new_a);
        assert_eq!(merge(staff, "AAA", new_a), format!("{staff}　{new_a}"));
        // Idempotent: merging the same block again changes nothing.
        let once = merge(staff, "AAA", new_a);
        assert_eq!(merge(&once, "AAA", new_a), once);
    }
}
