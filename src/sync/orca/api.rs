//! The ORCA API calls onshi makes, over one HTTP agent, and what their answers mean
//! (docs/orca.md lists each call with the ORCA page it follows).
//!
//! ORCA answers business errors with HTTP 200 and a code in `Api_Result`; HTTP statuses
//! other than 2xx come from the web server in front (authentication, a wrong path, a
//! proxy). Every call returns the answer's `…res` record, or the [`Outcome`] to report.

use chrono::NaiveDate;
use ureq::Agent;

use super::xml::{self, Element, Field};
use crate::i18n::{Lang, Msg};
use crate::sync::failure;
use crate::sync::target::{clean_message, Outcome};

/// Most of an answer read: a name search returns up to 100 patients with their insurances.
const BODY_READ_LIMIT: u64 = 4 * 1024 * 1024;

/// One ORCA answer.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The `…res` record inside `xmlio2`.
    pub res: Element,
    /// `Api_Result`, trimmed.
    pub code: String,
    pub message: String,
}

impl Answer {
    /// `Api_Warning_Message1..5`, non-empty ones.
    pub fn warnings(&self) -> Vec<String> {
        (1..=5)
            .map(|i| {
                self.res
                    .text_of(&format!("Api_Warning_Message{i}"))
                    .to_string()
            })
            .filter(|w| !w.is_empty())
            .collect()
    }
}

/// How an `Api_Result` reads, before the call-specific codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Common {
    /// All zeros (`00`, `000`, `0000`), or a zero code with a `W` prefix.
    Success,
    /// `90` / `E90` 他端末使用中 (and `E9999`): another terminal holds the patient; retry.
    Busy,
    /// `99` / `E99` ユーザID未登録.
    UnknownUser,
    /// `89` 職員情報等が取得できません, `91` 処理区分未設定, `97` / `98` the request could not
    /// be read: fix the setup (or onshi), not the record.
    Setup,
    /// A code the call itself defines.
    Other,
}

pub fn common(code: &str) -> Common {
    let bare = code.strip_prefix('E').unwrap_or(code);
    let zeros = code.strip_prefix('W').unwrap_or(code);
    if !zeros.is_empty() && zeros.bytes().all(|b| b == b'0') {
        return Common::Success;
    }
    match bare.trim_start_matches('0') {
        "90" | "9999" => Common::Busy,
        "99" => Common::UnknownUser,
        "89" | "91" | "97" | "98" => Common::Setup,
        _ => Common::Other,
    }
}

#[derive(Clone)]
pub struct Client {
    pub agent: Agent,
    /// Base URL without a trailing slash (`http://127.0.0.1:8000`, or WebORCA's `…/api`).
    pub base: String,
    /// `Basic …`.
    pub auth: String,
    pub lang: Lang,
}

impl Client {
    fn text(&self, m: Msg) -> &'static str {
        self.lang.t(m)
    }

    /// `ORCA <api> <code>: <message>`, cleaned: what is stored for the operator.
    pub fn describe(&self, api: &str, a: &Answer) -> String {
        clean_message(format!("ORCA {api} {}: {}", a.code, a.message).as_bytes())
    }

    /// The refusal or retry an answer with a common code means, or `None` when the call
    /// must look at the code itself.
    pub fn common_outcome(&self, api: &str, a: &Answer) -> Option<Outcome> {
        let said = self.describe(api, a);
        match common(&a.code) {
            Common::Success | Common::Other => None,
            Common::Busy => Some(Outcome::Unreachable(said)),
            Common::UnknownUser => Some(Outcome::Rejected {
                status: None,
                message: clean_message(
                    format!("{} ({said})", self.text(Msg::OrcaUserUnknown)).as_bytes(),
                ),
            }),
            Common::Setup => Some(Outcome::Rejected {
                status: None,
                message: said,
            }),
        }
    }

    /// A refusal carrying ORCA's words.
    pub fn refused(&self, api: &str, a: &Answer) -> Outcome {
        Outcome::Rejected {
            status: None,
            message: self.describe(api, a),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `POST path` with an xml2 body.
    pub fn post(&self, api: &str, path: &str, body: String) -> Result<Answer, Outcome> {
        let res = self
            .agent
            .post(&self.url(path))
            .header("Authorization", &self.auth)
            .content_type("application/xml; charset=UTF-8")
            .send(body.as_bytes());
        self.answer(api, res)
    }

    /// `GET path` (patientgetv2 takes its argument in the query).
    pub fn get(&self, api: &str, path: &str) -> Result<Answer, Outcome> {
        let res = self
            .agent
            .get(&self.url(path))
            .header("Authorization", &self.auth)
            .call();
        self.answer(api, res)
    }

    fn answer(
        &self,
        api: &str,
        res: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<Answer, Outcome> {
        let mut resp = match res {
            Ok(r) => r,
            Err(e) => {
                return Err(Outcome::Unreachable(clean_message(
                    format!("ORCA {api}: {}", self.text(failure::network_msg(&e))).as_bytes(),
                )))
            }
        };
        let status = resp.status().as_u16();
        let body = resp
            .body_mut()
            .with_config()
            .limit(BODY_READ_LIMIT)
            .read_to_vec();
        let refused = |m: Msg| Outcome::Rejected {
            status: Some(status),
            message: clean_message(
                format!("ORCA {api}: {} (HTTP {status})", self.text(m)).as_bytes(),
            ),
        };
        match status {
            200..=299 => {}
            401 | 403 => return Err(refused(Msg::OrcaAuthRefused)),
            404 | 405 => return Err(refused(Msg::OrcaApiMissing)),
            400..=499 if status != 408 && status != 429 => return Err(refused(Msg::OrcaBadAnswer)),
            _ => {
                return Err(Outcome::Unreachable(clean_message(
                    format!(
                        "ORCA {api}: {}",
                        failure::describe_status(status, self.lang)
                    )
                    .as_bytes(),
                )))
            }
        }
        let bad = |detail: &str| {
            // Something that is not an ORCA answer (a proxy page, a cut body): nothing was
            // decided, try again later.
            Outcome::Unreachable(clean_message(
                format!("ORCA {api}: {} ({detail})", self.text(Msg::OrcaBadAnswer)).as_bytes(),
            ))
        };
        let body = body.map_err(|e| bad(&e.to_string()))?;
        let text = String::from_utf8(body).map_err(|_| bad("not UTF-8"))?;
        let root = xml::parse(&text).map_err(|e| bad(&e))?;
        let res = match root.name.as_str() {
            "xmlio2" => root.children.into_iter().next(),
            _ => None,
        }
        .ok_or_else(|| bad("no xmlio2 record"))?;
        if res.child("Api_Result").is_none() {
            return Err(bad("no Api_Result"));
        }
        Ok(Answer {
            code: res.text_of("Api_Result").to_string(),
            message: res.text_of("Api_Result_Message").to_string(),
            res,
        })
    }
}

// ---- the requests, as the ORCA pages show them ----

/// `/api01rv2/patientlst3v2?class=01` 患者情報取得(氏名検索): name (prefix) and an exact
/// birth date and sex.
pub fn name_search(name: &str, birth: NaiveDate, sex: &str) -> String {
    let birth = birth.format("%Y-%m-%d").to_string();
    xml::request(
        "patientlst3req",
        &[
            xml::s("WholeName", name),
            xml::s("Birth_StartDate", birth.clone()),
            xml::s("Birth_EndDate", birth),
            xml::s("Sex", sex),
            xml::s("InOut", ""),
        ],
    )
}

/// `/orca12/patientmodv2?class=01` 患者登録, with `Patient_ID` `*` (ORCA numbers it).
pub fn register(fields: Vec<Field>) -> String {
    let mut all = vec![xml::s("Patient_ID", "*")];
    all.extend(fields);
    xml::request("patientmodreq", &all)
}

/// `/orca12/patientmodv2?class=04` 保険追加: the patient's keys as ORCA has them, and one
/// health insurance.
pub fn add_insurance(keys: Vec<Field>, insurance: Vec<Field>) -> String {
    let mut all = keys;
    all.push(Field::Record("HealthInsurance_Information", insurance));
    xml::request("patientmodreq", &all)
}

/// `/api01rv2/patientlst7v2` 患者メモ取得.
pub fn memo_read(patient_id: &str, date: NaiveDate, department: &str, class: &str) -> String {
    xml::request(
        "patientlst7req",
        &[
            xml::s("Request_Number", "01"),
            xml::s("Patient_ID", patient_id),
            xml::s("Base_Date", date.format("%Y-%m-%d").to_string()),
            xml::s("Department_Code", department),
            xml::s("Memo_Class", class),
        ],
    )
}

/// `/orca06/patientmemomodv2` 患者メモ登録: `request` 01 登録, 02 更新, 03 削除.
pub fn memo_write(
    request: &str,
    patient_id: &str,
    date: NaiveDate,
    department: &str,
    class: &str,
    memo: &str,
) -> String {
    let mut fields = vec![
        xml::s("Request_Number", request),
        xml::s("Patient_ID", patient_id),
        xml::s("Perform_Date", date.format("%Y-%m-%d").to_string()),
        xml::s("Department_Code", department),
        xml::s("Memo_Class", class),
    ];
    if request != "03" {
        fields.push(xml::s("Patient_Memo", memo));
    }
    xml::request("patient_memomodreq", &fields)
}

/// `/api01rv2/system01lstv2` システム管理情報の取得, 01 診療科: read-only, for the doctor.
pub fn departments(base_date: NaiveDate) -> String {
    xml::request(
        "system01_managereq",
        &[
            xml::s("Request_Number", "01"),
            xml::s("Base_Date", base_date.format("%Y-%m-%d").to_string()),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_codes() {
        for ok in ["00", "000", "0000", "W00"] {
            assert_eq!(common(ok), Common::Success, "{ok}");
        }
        for busy in ["90", "E90", "E9999"] {
            assert_eq!(common(busy), Common::Busy, "{busy}");
        }
        assert_eq!(common("99"), Common::UnknownUser);
        assert_eq!(common("E99"), Common::UnknownUser);
        assert_eq!(common("0099"), Common::UnknownUser);
        for setup in ["89", "E89", "91", "E91", "97", "98", "E97"] {
            assert_eq!(common(setup), Common::Setup, "{setup}");
        }
        for other in ["K0", "14", "20", "E13", "H1", "P2", "", "W1"] {
            assert_eq!(common(other), Common::Other, "{other}");
        }
    }
}
