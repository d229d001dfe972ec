//! East Asian ambiguous-width characters (─ │ ┌ ▶ ※ ○ … ×) are one cell for
//! unicode-width, and so for ratatui's layout, but the classic Windows console on a
//! Japanese code page draws them two cells wide, pushing the rest of the line right.
//! When the terminal is known or configured to do that (`[ui] ambiguous_width = "wide"`),
//! every such character in the finished frame is replaced by a one-cell ASCII stand-in,
//! so the layout and the cursor hold. The chrome's own symbols are chosen from
//! characters that are not ambiguous, so the default look needs no stand-ins at all.

use ratatui::buffer::Buffer;
use unicode_width::UnicodeWidthStr;

/// Whether a cell's text would take more cells on a CJK-width terminal than ratatui
/// counted for it.
pub fn is_ambiguous(symbol: &str) -> bool {
    symbol.width_cjk() != symbol.width()
}

/// The one-cell stand-in for an ambiguous character.
fn stand_in(c: char) -> char {
    match c {
        // Box drawing: lines and corners.
        '─' | '━' | '┄' | '┅' | '┈' | '┉' | '═' | '╌' | '╍' => '-',
        '│' | '┃' | '┆' | '┇' | '┊' | '┋' | '║' | '╎' | '╏' => '|',
        '\u{2500}'..='\u{257F}' => '+',
        '▶' | '▷' | '→' | '⇒' | '»' => '>',
        '◀' | '◁' | '←' | '⇐' | '«' => '<',
        '▲' | '△' | '↑' => '^',
        '▼' | '▽' | '↓' => 'v',
        '●' | '◎' | '◆' | '■' | '★' | '※' | '•' | '·' => '*',
        '○' | '◇' | '□' | '☆' | '°' => 'o',
        '…' | '‥' => '.',
        '×' => 'x',
        '±' => '+',
        '“' | '”' | '″' => '"',
        '‘' | '’' | '′' => '\'',
        '–' | '—' | '―' | '‐' => '-',
        _ => '?',
    }
}

/// Replace every ambiguous-width character in `buf` by its stand-in.
pub fn narrow(buf: &mut Buffer) {
    for cell in buf.content.iter_mut() {
        let symbol = cell.symbol();
        if !symbol.is_ascii() && is_ambiguous(symbol) {
            let replaced: String = symbol
                .chars()
                .map(|c| {
                    let s = c.to_string();
                    if is_ambiguous(&s) {
                        stand_in(c)
                    } else {
                        c
                    }
                })
                .collect();
            cell.set_symbol(&replaced);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;

    #[test]
    fn stand_ins_are_one_cell_everywhere() {
        for c in "─│┌┐└┘├┤┬┴┼═║▶◀▲▼●○◎◆◇■□★☆※…×→←↑↓⇒“”‘’–—―±°·•Ω".chars()
        {
            let s = stand_in(c).to_string();
            assert_eq!(s.width(), 1, "{c}");
            assert_eq!(s.width_cjk(), 1, "{c}");
        }
    }

    #[test]
    fn a_frame_keeps_wide_and_narrow_text_and_loses_only_ambiguous() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 12, 1));
        buf.set_string(0, 0, "┌氏名▶※A…", ratatui::style::Style::new());
        narrow(&mut buf);
        let cell = |x: u16| buf[(x, 0)].symbol().to_string();
        assert_eq!(
            [0, 1, 3, 5, 6, 7, 8].map(cell),
            ["+", "氏", "名", ">", "*", "A", "."].map(String::from)
        );
        assert!(buf.content.iter().all(|c| !is_ambiguous(c.symbol())));
    }
}
