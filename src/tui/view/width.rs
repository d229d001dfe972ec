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
/// Japanese line breaking (kinsoku) keeps closing punctuation off a line's start;
/// Latin words are not split when the line has a space to break at.
pub fn wrap(s: &str, width: usize) -> Vec<String> {
    const NO_START: &str = "。、，．）」』】〕！？ー・：；)]!?,.";
    let is_word = |g: &str| {
        g.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '\'' || c == '-')
    };
    let mut lines: Vec<Vec<&str>> = vec![Vec::new()];
    let mut used = 0;
    let safe_s = safe(s);
    for g in safe_s.graphemes(true) {
        let w = g.width();
        if used + w > width && used > 0 {
            let mut carry = Vec::new();
            if let Some(last) = lines.last_mut() {
                if is_word(g) && last.last().is_some_and(|p| is_word(p)) {
                    // Mid-word: move the word's start down, dropping the space.
                    if let Some(sp) = last.iter().rposition(|x| *x == " ") {
                        if sp > 0 {
                            carry = last.split_off(sp + 1);
                            last.pop();
                        }
                    }
                } else if NO_START.contains(g) && last.len() > 1 {
                    // Pull the last grapheme down with a closing mark.
                    carry.extend(last.pop());
                }
            }
            if g == " " && carry.is_empty() {
                // A space at a break is the break itself.
                lines.push(carry);
                used = 0;
                continue;
            }
            used = carry.iter().map(|c| c.width()).sum();
            lines.push(carry);
        }
        if let Some(last) = lines.last_mut() {
            last.push(g);
        }
        used += w;
    }
    lines
        .into_iter()
        .map(|l| l.concat().trim_end_matches(' ').to_string())
        .collect()
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

    #[test]
    fn english_breaks_between_words() {
        let lines = wrap("look the qualification up in outage mode", 20);
        assert_eq!(
            lines,
            vec!["look the", "qualification up in", "outage mode"]
        );
        // A word longer than the line still gets cut rather than lost.
        assert_eq!(wrap("abcdefgh", 3).concat(), "abcdefgh");
    }

    #[test]
    fn closing_punctuation_never_starts_a_line() {
        let lines = wrap("あいうえ。かき", 8);
        assert_eq!(lines, vec!["あいう", "え。かき"]);
        // From two wide characters a line up, a mark can always take one along.
        for w in 4..12 {
            for l in wrap("患者さんへ：通信障害のため、後日あらためて確認します。", w)
                .iter()
                .skip(1)
            {
                assert!(!l.starts_with(['。', '、']), "{w}: {l}");
            }
        }
    }
}
