//! Display-width helpers: every cell count comes from unicode-width.

use std::borrow::Cow;

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use crate::domain::text::neutralize_for_terminal;

/// Text from any source, made safe to put on a terminal (no ESC, no controls).
pub fn safe(s: &str) -> Cow<'_, str> {
    if s.chars().any(|c| {
        c.is_control()
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
    }) {
        Cow::Owned(neutralize_for_terminal(s))
    } else {
        Cow::Borrowed(s)
    }
}

/// Exactly `width` cells: cut at a grapheme that fits (never half a wide char), then
/// padded with spaces.
pub fn fit(s: &str, width: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for g in safe(s).graphemes(true) {
        let w = g.width();
        if used + w > width {
            break;
        }
        out.push_str(g);
        used += w;
    }
    out.extend(std::iter::repeat_n(' ', width - used));
    out
}

/// Split into lines of at most `width` cells, at grapheme boundaries.
pub fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    let mut used = 0;
    for g in safe(s).graphemes(true) {
        let w = g.width();
        if used + w > width && used > 0 {
            lines.push(String::new());
            used = 0;
        }
        if let Some(last) = lines.last_mut() {
            last.push_str(g);
        }
        used += w;
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_never_splits_wide_chars() {
        assert_eq!(fit("山田太郎", 5), "山田 ");
        assert_eq!(fit("ab", 4), "ab  ");
        assert_eq!(fit("ﾔﾏﾀﾞ", 3), "ﾔﾏ ");
        assert_eq!(fit("a\u{1b}[2Jb", 8).width(), 8);
        assert!(!fit("a\u{1b}[2Jb", 8).contains('\u{1b}'));
    }

    #[test]
    fn wrap_keeps_every_grapheme_and_respects_width() {
        let s = "フリガナは全角カタカナで入力してください（1文字目の「y」は使えません）";
        let lines = wrap(s, 21);
        assert!(lines.iter().all(|l| l.width() <= 21), "{lines:?}");
        assert_eq!(lines.concat(), s);
        assert_eq!(lines.len(), 4);
    }
}
