//! The declaration as one self-contained HTML page: inline CSS sized for A4, no scripts,
//! no external fonts or images (a Content-Security-Policy says so to the browser too), every
//! value escaped.

use std::fmt::Write;

use super::{mark, sheet, Label, Row, Value};
use crate::domain::record::Record;
use crate::i18n::Lang;

/// Japanese mincho faces commonly installed on Windows, macOS and Linux, then any serif.
const STYLE: &str = r#"
@page { size: A4; margin: 12mm 15mm; }
* { box-sizing: border-box; }
html { background: #fff; }
body { margin: 0; color: #000; font-family: "Yu Mincho", "YuMincho", "Hiragino Mincho ProN",
  "MS Mincho", "IPAexMincho", "IPAMincho", "Noto Serif CJK JP", "Noto Serif JP", serif;
  font-size: 10pt; line-height: 1.35; }
.sheet { width: 180mm; max-width: 100%; margin: 0 auto; padding: 6mm 0; }
h1 { margin: 0 0 3mm; padding-bottom: 1.5mm; border-bottom: 2px solid #000; text-align: center;
  font-size: 17pt; letter-spacing: 0.35em; font-weight: bold; }
h2 { margin: 3.5mm 0 1mm; font-size: 11pt; }
.en { display: block; font-size: 7pt; letter-spacing: 0; font-weight: normal; color: #333; }
.choice .en, .note .en { display: inline; margin-left: 1mm; }
.intro, .tick { margin: 1.5mm 0; }
.tick { font-size: 8.5pt; }
.footnote { margin: 1mm 0 0; font-size: 7.5pt; }
.footnote .en { display: block; }
section + section { margin-top: 2mm; }
table.form { width: 100%; border-collapse: collapse; table-layout: fixed; }
table.form th, table.form td { border: 1px solid #000; padding: 1.4mm 2.5mm;
  vertical-align: middle; text-align: left; }
table.form th { width: 34%; background: #eee; font-weight: normal; }
.note { font-size: 7.5pt; vertical-align: super; margin-left: 0.5mm; }
.value { font-size: 11pt; white-space: pre-wrap; overflow-wrap: anywhere; }
.choice { display: inline-block; margin-right: 4mm; white-space: nowrap; }
.box { font-size: 12pt; margin-right: 0.5mm; }
.extra { margin-left: 2mm; }
td.blank { height: 14mm; }
.voided { border: 2px solid #000; padding: 1.5mm; text-align: center; font-weight: bold;
  margin-bottom: 2mm; }
footer { margin-top: 3mm; font-size: 7.5pt; color: #333; text-align: right; }
@media print {
  .sheet { padding: 0; }
  table.form th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

/// Escape text for element content and quoted attribute values.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn label(out: &mut String, l: &Label) {
    out.push_str(&escape(l.ja));
    if let Some(en) = l.en {
        let _ = write!(out, "<span class=\"en\">{}</span>", escape(en));
    }
}

fn row(out: &mut String, r: &Row) {
    out.push_str("<tr><th>");
    label(out, &r.label);
    if let Some(note) = &r.note {
        out.push_str("<span class=\"note\">");
        label(out, note);
        out.push_str("</span>");
    }
    out.push_str("</th>");
    match &r.value {
        Value::Text(t) => {
            let _ = write!(out, "<td class=\"value\">{}</td>", escape(t));
        }
        Value::Blank => out.push_str("<td class=\"blank\"></td>"),
        Value::Choices(choices, extra) => {
            out.push_str("<td>");
            for c in choices {
                let _ = write!(
                    out,
                    "<span class=\"choice\"><span class=\"box\">{}</span>",
                    mark(c.checked)
                );
                label(out, &c.label);
                out.push_str("</span>");
            }
            if let Some(x) = extra.as_deref().filter(|x| !x.is_empty()) {
                let _ = write!(out, "<span class=\"extra value\">（{}）</span>", escape(x));
            }
            out.push_str("</td>");
        }
    }
    out.push_str("</tr>\n");
}

/// The filled form for `rec` as an HTML document.
pub fn render(rec: &Record, lang: Lang) -> String {
    let s = sheet(rec, lang);
    let mut out = String::with_capacity(8192);
    out.push_str("<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n",
    );
    let _ = writeln!(out, "<title>{}</title>", escape(s.title.ja));
    let _ = writeln!(
        out,
        "<style>{STYLE}</style>\n</head>\n<body>\n<main class=\"sheet\">"
    );
    if let Some(v) = &s.voided {
        out.push_str("<div class=\"voided\">");
        label(&mut out, v);
        out.push_str("</div>\n");
    }
    out.push_str("<h1>");
    label(&mut out, &s.title);
    out.push_str("</h1>\n<p class=\"intro\">");
    label(&mut out, &s.intro);
    out.push_str("</p>\n<p class=\"tick\">");
    label(&mut out, &s.tick);
    out.push_str("</p>\n");
    for section in &s.sections {
        out.push_str("<section>\n");
        if let Some(h) = &section.heading {
            out.push_str("<h2>");
            label(&mut out, h);
            out.push_str("</h2>\n");
        }
        out.push_str("<table class=\"form\">\n");
        for r in &section.rows {
            row(&mut out, r);
        }
        out.push_str("</table>\n");
        for n in &section.notes {
            out.push_str("<p class=\"footnote\">");
            label(&mut out, n);
            out.push_str("</p>\n");
        }
        out.push_str("</section>\n");
    }
    let _ = writeln!(out, "<footer>{}</footer>", escape(&s.footer));
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape(r#"<script>alert("x") & 'y'</script>"#),
            "&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;"
        );
        assert_eq!(escape("山田　太郎"), "山田　太郎");
    }
}
