//! A single-line text editor that moves by grapheme and measures by display width.
//!
//! Full-width CJK takes two cells, combining marks and variation selectors none; the
//! cursor never lands inside a grapheme, and the visible window never splits a wide
//! character at either edge.

use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineEditor {
    text: String,
    /// Byte offset, always on a grapheme boundary.
    cursor: usize,
}

/// What to draw for a field of a given width, and where the cursor goes in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    pub visible: String,
    pub cursor_col: u16,
}

impl LineEditor {
    pub fn new(text: &str) -> Self {
        let text = sanitize(text);
        let cursor = text.len();
        LineEditor { text, cursor }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn set(&mut self, text: &str) {
        *self = LineEditor::new(text);
    }

    /// Insert typed or pasted text; control characters never enter a field.
    pub fn insert(&mut self, s: &str) {
        let clean = sanitize(s);
        self.text.insert_str(self.cursor, &clean);
        self.cursor += clean.len();
        // A combining mark typed after a base joins its grapheme: keep the cursor on a boundary.
        self.cursor = self.snap(self.cursor);
    }

    pub fn left(&mut self) {
        self.cursor = self.prev_boundary(self.cursor);
    }

    pub fn right(&mut self) {
        self.cursor = self.next_boundary(self.cursor);
    }

    pub fn home(&mut self) {
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.cursor = self.text.len();
    }

    pub fn backspace(&mut self) {
        let start = self.prev_boundary(self.cursor);
        self.text.replace_range(start..self.cursor, "");
        self.cursor = start;
    }

    pub fn delete(&mut self) {
        let end = self.next_boundary(self.cursor);
        self.text.replace_range(self.cursor..end, "");
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
    }

    fn boundaries(&self) -> impl Iterator<Item = usize> + '_ {
        self.text
            .grapheme_indices(true)
            .map(|(i, _)| i)
            .chain(std::iter::once(self.text.len()))
    }

    fn prev_boundary(&self, at: usize) -> usize {
        self.boundaries()
            .take_while(|&b| b < at)
            .last()
            .unwrap_or(0)
    }

    fn next_boundary(&self, at: usize) -> usize {
        self.boundaries()
            .find(|&b| b > at)
            .unwrap_or(self.text.len())
    }

    fn snap(&self, at: usize) -> usize {
        self.boundaries()
            .find(|&b| b >= at)
            .unwrap_or(self.text.len())
    }

    /// Display width of the text before the cursor.
    pub fn cursor_width(&self) -> usize {
        self.text[..self.cursor].width()
    }

    /// The window of the text that fits in `width` cells with the cursor visible.
    /// One cell is kept for the cursor when it sits at the end.
    pub fn view(&self, width: u16) -> View {
        let width = width as usize;
        if width == 0 {
            return View {
                visible: String::new(),
                cursor_col: 0,
            };
        }
        let graphemes: Vec<(usize, &str)> = self.text.grapheme_indices(true).collect();
        let cursor_idx = graphemes
            .iter()
            .position(|(i, _)| *i >= self.cursor)
            .unwrap_or(graphemes.len());
        // Walk left from the cursor until the window is full; that is where it starts.
        let cursor_cell = graphemes
            .get(cursor_idx)
            .map(|(_, g)| g.width().max(1))
            .unwrap_or(1);
        let mut start = cursor_idx;
        let mut used = cursor_cell.min(width);
        while start > 0 {
            let w = graphemes[start - 1].1.width();
            if used + w > width {
                break;
            }
            used += w;
            start -= 1;
        }
        let mut visible = String::new();
        let mut col = 0usize;
        let mut cursor_col = 0usize;
        for (idx, (_, g)) in graphemes.iter().enumerate().skip(start) {
            if idx == cursor_idx {
                cursor_col = col;
            }
            let w = g.width();
            if col + w > width {
                break;
            }
            visible.push_str(g);
            col += w;
        }
        if cursor_idx >= graphemes.len() {
            cursor_col = col;
        }
        View {
            visible,
            cursor_col: cursor_col.min(width.saturating_sub(1)) as u16,
        }
    }
}

/// Control characters (ESC, CR, tabs, C1, bidi overrides) never enter a field; line
/// breaks in pasted text become spaces.
pub fn sanitize(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\t' => Some(' '),
            c if c.is_control() => None,
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' => None,
            c => Some(c),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn moves_by_grapheme_over_mixed_width() {
        let mut e = LineEditor::new("山田ｶﾞa");
        assert_eq!(e.cursor_width(), 2 + 2 + 1 + 1 + 1);
        e.left();
        assert_eq!(e.cursor_width(), 6);
        // U+FF9E (ﾞ) is Grapheme_Extend: ｶﾞ moves as one grapheme.
        e.left();
        assert_eq!(e.cursor_width(), 4);
        e.left();
        e.backspace();
        assert_eq!(e.text(), "田ｶﾞa");
    }

    #[test]
    fn ivs_and_combining_marks_stay_whole() {
        // 葛 + IVS selector, e + combining acute
        let mut e = LineEditor::new("葛\u{E0100}e\u{301}");
        e.left();
        e.left();
        assert_eq!(e.cursor(), 0);
        e.delete();
        assert_eq!(e.text(), "e\u{301}");
        e.end();
        e.backspace();
        assert_eq!(e.text(), "");
    }

    #[test]
    fn escape_sequences_never_enter() {
        let mut e = LineEditor::default();
        e.insert("a\u{1b}[31mb\u{7}\u{9b}c\r\nd");
        assert_eq!(e.text(), "a[31mbc  d");
    }

    #[test]
    fn long_text_scrolls_and_wide_chars_are_not_split() {
        let e = LineEditor::new("東京都千代田区霞が関一丁目二番二号");
        let v = e.view(9);
        // 9 cells: 4 wide chars (8 cells) + the cursor cell at the end.
        assert_eq!(v.visible, "二番二号");
        assert_eq!(v.cursor_col, 8);
        let mut e2 = e.clone();
        e2.home();
        let v = e2.view(9);
        assert_eq!(v.visible, "東京都千");
        assert_eq!(v.cursor_col, 0);
    }

    proptest! {
        #[test]
        fn view_fits_and_cursor_is_inside(s in "\\PC{0,40}", moves in proptest::collection::vec(0u8..6, 0..30), width in 1u16..30) {
            let mut e = LineEditor::new(&s);
            for m in moves {
                match m {
                    0 => e.left(),
                    1 => e.right(),
                    2 => e.backspace(),
                    3 => e.delete(),
                    4 => e.home(),
                    _ => e.insert("ア"),
                }
                prop_assert!(e.text().is_char_boundary(e.cursor()));
            }
            let v = e.view(width);
            prop_assert!(v.visible.width() <= width as usize);
            prop_assert!(v.cursor_col < width);
        }
    }
}
