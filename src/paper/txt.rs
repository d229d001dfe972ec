//! The declaration as fixed-width text (for a line printer, or to read on screen): labels
//! in a column padded by display width, so kanji count as two columns.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::{mark, sheet, Label, Row, Value};
use crate::domain::record::Record;
use crate::i18n::Lang;

/// Page width in columns.
const WIDTH: usize = 72;
/// Label column; a longer label gets its value on the next line.
const LABEL_W: usize = 28;
/// Length of the signature line (columns).
const SIGN_W: usize = 36;

/// Columns in a Japanese font: the form is Japanese, so East Asian ambiguous characters
/// (※ ☑ ☐) take two columns, as they do on a Japanese printer or console.
fn width(s: &str) -> usize {
    UnicodeWidthStr::width_cjk(s)
}

fn label_text(l: &Label) -> String {
    match l.en {
        Some(en) => format!("{} / {en}", l.ja),
        None => l.ja.to_string(),
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::Text(t) => t.clone(),
        Value::Blank => "_".repeat(SIGN_W),
        Value::Choices(choices, extra) => {
            let mut parts: Vec<String> = choices
                .iter()
                .map(|c| format!("{}{}", mark(c.checked), label_text(&c.label)))
                .collect();
            if let Some(x) = extra.as_deref().filter(|x| !x.is_empty()) {
                parts.push(format!("（{x}）"));
            }
            parts.join("  ")
        }
    }
}

fn row(out: &mut String, r: &Row) {
    // 「事業所名（社保…）」 in Japanese first, then the English label and note.
    let mut l = r.label.ja.to_string();
    if let Some(note) = &r.note {
        l.push_str(note.ja);
    }
    if let Some(en) = r.label.en {
        l.push_str(" / ");
        l.push_str(en);
        if let Some(note_en) = r.note.and_then(|n| n.en) {
            l.push(' ');
            l.push_str(note_en);
        }
    }
    let v = value_text(&r.value);
    let w = width(&l);
    if w <= LABEL_W {
        out.push_str(&l);
        out.push_str(&" ".repeat(LABEL_W - w + 2));
    } else {
        out.push_str(&l);
        out.push('\n');
        out.push_str(&" ".repeat(LABEL_W + 2));
    }
    out.push_str(&v);
    out.push('\n');
}

/// Break `s` into lines of at most `max` columns (the footnotes are long sentences).
fn wrap(s: &str, max: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = UnicodeWidthChar::width_cjk(c).unwrap_or(0);
        if w + cw > max && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            w = 0;
        }
        line.push(c);
        w += cw;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

fn centered(out: &mut String, s: &str) {
    let pad = WIDTH.saturating_sub(width(s)) / 2;
    out.push_str(&" ".repeat(pad));
    out.push_str(s);
    out.push('\n');
}

/// The filled form for `rec` as text, lines ending in `\n`.
pub fn render(rec: &Record, lang: Lang) -> String {
    let s = sheet(rec, lang);
    let mut out = String::with_capacity(4096);
    if let Some(v) = &s.voided {
        centered(&mut out, &format!("*** {} ***", label_text(v)));
        out.push('\n');
    }
    centered(&mut out, s.title.ja);
    if let Some(en) = s.title.en {
        centered(&mut out, en);
    }
    out.push_str(&"=".repeat(WIDTH));
    out.push('\n');
    for l in [&s.intro, &s.tick] {
        for text in std::iter::once(l.ja).chain(l.en) {
            for line in wrap(text, WIDTH) {
                out.push_str(&line);
                out.push('\n');
            }
        }
    }
    for section in &s.sections {
        out.push('\n');
        match &section.heading {
            Some(h) => {
                out.push_str(&label_text(h));
                out.push('\n');
                out.push_str(&"-".repeat(WIDTH));
                out.push('\n');
            }
            None => out.push('\n'),
        }
        for r in &section.rows {
            row(&mut out, r);
        }
        for n in &section.notes {
            out.push('\n');
            for text in std::iter::once(n.ja).chain(n.en) {
                for line in wrap(text, WIDTH) {
                    out.push_str(&line);
                    out.push('\n');
                }
            }
        }
    }
    out.push('\n');
    out.push_str(&"-".repeat(WIDTH));
    out.push('\n');
    out.push_str(&s.footer);
    out.push('\n');
    out
}
