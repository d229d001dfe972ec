//! ORCA's "xml2" format (docs/orca.md): requests are `<data><NAMEreq type="record">` with
//! one `<Field type="string">` per value; answers are `<xmlio2><NAMEres type="record">`
//! with the same leaves, `type="array"` lists of `NAME_child` records.
//!
//! Writing escapes every value (names may hold `<`, `&`, quotes, IVS selectors); reading
//! goes through quick-xml, which handles entities, CDATA, comments and the declaration,
//! into a small tree that is then walked by field name.

use quick_xml::escape::{escape, resolve_predefined_entity};
use quick_xml::events::Event;
use quick_xml::Reader;

/// A request field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// `<name type="string">value</name>`.
    Str(&'static str, String),
    /// `<name type="record">…</name>`.
    Record(&'static str, Vec<Field>),
}

/// A string field; `None` and empty values are left out (ORCA applies its default).
pub fn opt(name: &'static str, value: Option<&str>) -> Option<Field> {
    value
        .filter(|v| !v.is_empty())
        .map(|v| Field::Str(name, v.to_string()))
}

pub fn s(name: &'static str, value: impl Into<String>) -> Field {
    Field::Str(name, value.into())
}

/// The whole request document for the record element `root` (`patientmodreq` …).
pub fn request(root: &str, fields: &[Field]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<data>");
    out.push_str(&format!("<{root} type=\"record\">"));
    for f in fields {
        write_field(&mut out, f);
    }
    out.push_str(&format!("</{root}></data>\n"));
    out
}

fn write_field(out: &mut String, f: &Field) {
    match f {
        Field::Str(name, value) => {
            // XML 1.0 cannot carry C0 controls at all; values are cleaned text, this is
            // only the last line of defence.
            let clean: String = value
                .chars()
                .filter(|c| !c.is_control() || matches!(c, '\t' | '\n'))
                .collect();
            out.push_str(&format!(
                "<{name} type=\"string\">{}</{name}>",
                escape(clean.as_str())
            ));
        }
        Field::Record(name, children) => {
            out.push_str(&format!("<{name} type=\"record\">"));
            for c in children {
                write_field(out, c);
            }
            out.push_str(&format!("</{name}>"));
        }
    }
}

/// An element of an answer: its name, its text and its child elements.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// The first child called `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The text of child `name` without surrounding ASCII whitespace; "" when absent.
    pub fn text_of(&self, name: &str) -> &str {
        self.child(name)
            .map(|c| c.text.trim_matches(|c: char| c.is_ascii_whitespace()))
            .unwrap_or("")
    }

    /// The records of array `name` (its `name_child` elements; any child when the
    /// answer leaves out the suffix).
    pub fn array<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a Element> + 'a {
        self.child(name)
            .map(|a| a.children.iter())
            .into_iter()
            .flatten()
    }
}

/// Parse an answer into its root element (`xmlio2`). Errors are short English text for
/// the operator's "ORCA answered something else" message.
pub fn parse(body: &str) -> Result<Element, String> {
    let mut reader = Reader::from_str(body);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let event = reader.read_event().map_err(|e| e.to_string())?;
        match event {
            Event::Start(e) => {
                if root.is_some() {
                    return Err("content after the root element".into());
                }
                stack.push(Element {
                    name: e.local_name().as_ref().to_string(),
                    ..Element::default()
                });
            }
            Event::Empty(e) => {
                let el = Element {
                    name: e.local_name().as_ref().to_string(),
                    ..Element::default()
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None if root.is_none() => root = Some(el),
                    None => return Err("content after the root element".into()),
                }
            }
            Event::End(_) => {
                let el = stack.pop().ok_or("unbalanced end tag")?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&t.into_inner());
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref().map_err(|e| e.to_string())? {
                    Some(c) => c.to_string(),
                    None => resolve_predefined_entity(&r.xml10_content())
                        .ok_or("unknown entity")?
                        .to_string(),
                };
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&resolved);
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err("the answer ends inside an element".into());
    }
    root.ok_or_else(|| "no XML element".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_escapes_every_value() {
        let doc = request(
            "patientmodreq",
            &[
                s("WholeName", "<山田&\"葛\u{E0100}'>"),
                Field::Record("Home_Address_Information", vec![s("PhoneNumber2", "03-1")]),
            ],
        );
        assert!(doc.contains(
            "<WholeName type=\"string\">&lt;山田&amp;&quot;葛\u{E0100}&apos;&gt;</WholeName>"
        ));
        assert!(doc.contains("<Home_Address_Information type=\"record\"><PhoneNumber2 type=\"string\">03-1</PhoneNumber2></Home_Address_Information>"));
        // What we write, we read back unchanged.
        let root = parse(&doc).unwrap();
        let req = root.child("patientmodreq").unwrap();
        assert_eq!(req.text_of("WholeName"), "<山田&\"葛\u{E0100}'>");
        assert_eq!(
            req.child("Home_Address_Information")
                .unwrap()
                .text_of("PhoneNumber2"),
            "03-1"
        );
    }

    #[test]
    fn parse_reads_arrays_entities_and_cdata() {
        let body = "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<xmlio2><!-- c -->\
            <patientlst2res type=\"record\"><Api_Result type=\"string\">00</Api_Result>\
            <Patient_Information type=\"array\">\
            <Patient_Information_child type=\"record\"><Patient_ID type=\"string\">00013</Patient_ID>\
            <WholeName type=\"string\">A&#x3042;&amp;<![CDATA[<b>]]></WholeName><Empty/></Patient_Information_child>\
            <Patient_Information_child type=\"record\"><Patient_ID type=\"string\">00012</Patient_ID></Patient_Information_child>\
            </Patient_Information></patientlst2res></xmlio2>";
        let root = parse(body).unwrap();
        assert_eq!(root.name, "xmlio2");
        let res = root.child("patientlst2res").unwrap();
        assert_eq!(res.text_of("Api_Result"), "00");
        let ids: Vec<_> = res
            .array("Patient_Information")
            .map(|p| p.text_of("Patient_ID"))
            .collect();
        assert_eq!(ids, ["00013", "00012"]);
        let first = res.array("Patient_Information").next().unwrap();
        assert_eq!(first.text_of("WholeName"), "Aあ&<b>");
        assert_eq!(first.text_of("Missing"), "");
    }

    #[test]
    fn parse_refuses_what_is_not_xml() {
        for bad in [
            "",
            "plain text",
            "<a><b></a>",
            "<a>",
            "<a/><b/>",
            "<a>&bogus;</a>",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
