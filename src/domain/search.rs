//! Finding a repeat patient's earlier record: by birth date (和暦 or 西暦) or by kana
//! (hiragana, half-width and spacing do not matter), falling back to the name.

use crate::domain::era::parse_date;
use crate::domain::kana::normalize_kana;
use crate::domain::record::{Record, Status};

/// Kana without spaces, for comparing "ヤマダ　ハナコ" with "やまだはなこ".
fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Active records matching `query`, newest first, one per patient (kana + birth date),
/// at most `limit`.
pub fn search(records: &[Record], query: &str, limit: usize) -> Vec<Record> {
    let q = query.trim();
    if q.is_empty() {
        return Vec::new();
    }
    let date = parse_date(q).ok();
    let kana = normalize_kana(q)
        .ok()
        .map(|k| squash(&k))
        .filter(|k| !k.is_empty());
    let name = squash(q);
    let mut hits: Vec<&Record> = records
        .iter()
        .filter(|r| r.status == Status::Active)
        .filter(|r| {
            let d = &r.declaration;
            match (date, &kana) {
                (Some(b), _) => d.birth_date == b,
                (None, Some(k)) => squash(&d.name_kana).contains(k.as_str()),
                (None, None) => squash(&d.name).contains(name.as_str()),
            }
        })
        .collect();
    hits.sort_by_key(|r| std::cmp::Reverse(r.created_at));
    let mut seen = std::collections::HashSet::new();
    hits.into_iter()
        .filter(|r| seen.insert((r.declaration.name_kana.clone(), r.declaration.birth_date)))
        .take(limit)
        .cloned()
        .collect()
}
