//! Text entering a field, normalised as the field stores it, whatever the keyboard or
//! IME sent: katakana in フリガナ, ASCII digits in numeric fields.

use crate::domain::insurer::to_halfwidth_digits;
use crate::domain::kana::normalize_kana;
use crate::tui::fields::FieldId;

/// Text entering field `id`, normalised as the field stores it: katakana for フリガナ
/// (hiragana and half-width converted; what cannot be converted is kept for the
/// validator to name), ASCII digits for numeric fields.
pub(super) fn normalise_input(id: FieldId, s: &str) -> String {
    match id {
        FieldId::NameKana => fullwidth_kana(&hiragana_to_katakana(s)),
        _ if id.field().numeric => to_halfwidth_digits(s),
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
