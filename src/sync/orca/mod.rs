//! The ORCA target (`[sync] target = "orca"`, docs/orca.md): each version goes into
//! 日医標準レセプトソフト through its HTTP API, in xml2.
//!
//! For one version:
//! 1. The patient. A record already linked (store tree `orca`) is looked up by its
//!    患者番号 (patientgetv2); a number ORCA no longer knows is forgotten. Otherwise
//!    onshi searches by kana and by name with the exact birth date and sex
//!    (patientlst3v2) and links the one patient whose name, birth date and sex match;
//!    only when none does is the patient registered (patientmodv2 class 01), and the
//!    number ORCA gives is stored durably before anything else is sent. A crash between
//!    ORCA's registration and that write is healed by the search on the next attempt.
//! 2. The health insurance, when the record has numbers and ORCA has none for the
//!    patient yet (patientmodv2 class 04). ORCA's API can add an insurance but not
//!    change one, so a different insurance already in ORCA is left alone and noted.
//! 3. The patient memo (patientmemomodv2): onshi's block for this record, replacing its
//!    earlier block, next to whatever else the memo says (read first with patientlst7v2).
//!
//! Every step can be repeated: a retry or a kill at any point never registers a second
//! patient and never loses a version. A voided record only updates its memo block;
//! patients and insurances are never deleted.

mod api;
mod memo;
mod xml;

use std::fmt;

use chrono::NaiveDate;

use self::api::{Answer, Client, Common};
use self::xml::Field;
use super::target::{agent, check_url, clean_message, Outcome, TargetError, Timeouts};
use crate::domain::copay::age_on;
use crate::domain::record::{ClaimBasis, Record, Sex, Status};
use crate::domain::text::{to_fullwidth, to_halfwidth_ascii};
use crate::i18n::{Lang, Msg};
use crate::store::{OrcaLink, OrcaLinkKind, Store, StoreError};

/// ORCA's 全科, the memo department when none is configured.
pub const DEFAULT_MEMO_DEPARTMENT: &str = "00";
/// メモ２, ORCA's own default memo class.
pub const DEFAULT_MEMO_CLASS: u8 = 2;

const API_SEARCH: &str = "patientlst3v2";
const API_GET: &str = "patientgetv2";
const API_MOD: &str = "patientmodv2";
const API_MEMO: &str = "patientmemomodv2";
const API_MEMO_READ: &str = "patientlst7v2";
const API_SYSTEM: &str = "system01lstv2";

/// The ORCA target; cheap to clone (one shared agent).
#[derive(Clone)]
pub struct OrcaTarget {
    client: Client,
    url: String,
    memo_department: String,
    memo_class: String,
    valid_check_digit: bool,
}

impl fmt::Debug for OrcaTarget {
    // The password stays out of debug output.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OrcaTarget")
            .field("url", &self.url)
            .finish()
    }
}

/// Why a delivery stopped early.
enum Stop {
    Outcome(Outcome),
    Store(StoreError),
}

impl From<Outcome> for Stop {
    fn from(o: Outcome) -> Self {
        Stop::Outcome(o)
    }
}

impl From<StoreError> for Stop {
    fn from(e: StoreError) -> Self {
        Stop::Store(e)
    }
}

/// A patient as ORCA answered it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct OrcaPatient {
    id: String,
    name: String,
    kana: String,
    birth: String,
    sex: String,
    /// (保険者番号, 番号) of each health insurance.
    insurances: Vec<(String, String)>,
}

impl OrcaPatient {
    fn from_element(e: &xml::Element) -> OrcaPatient {
        OrcaPatient {
            id: e.text_of("Patient_ID").to_string(),
            name: e.text_of("WholeName").to_string(),
            kana: e.text_of("WholeName_inKana").to_string(),
            birth: e.text_of("BirthDate").to_string(),
            sex: e.text_of("Sex").to_string(),
            insurances: e
                .array("HealthInsurance_Information")
                .map(|i| {
                    (
                        i.text_of("InsuranceProvider_Number").to_string(),
                        i.text_of("HealthInsuredPerson_Number").to_string(),
                    )
                })
                .collect(),
        }
    }
}

/// What the insurance step did.
enum Insurance {
    /// ORCA has it (added now, or before).
    Present(Vec<String>),
    /// ORCA has a different insurance; nothing was added.
    Other,
}

fn sex_code(s: Sex) -> &'static str {
    match s {
        Sex::Male => "1",
        Sex::Female => "2",
    }
}

/// A value as compared with ORCA's: half-width ASCII, no spaces, no variation selectors
/// (ORCA widens, and may drop what it cannot store).
fn loose(s: &str) -> Vec<char> {
    to_halfwidth_ascii(s)
        .chars()
        .filter(|c| {
            !c.is_whitespace() && !matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}')
        })
        .collect()
}

/// Names equal as ORCA stores them: ■ or 〓 (what ORCA writes for a character it cannot
/// hold) stands for any one character.
fn same_name(ours: &str, theirs: &str) -> bool {
    let (a, b) = (loose(ours), loose(theirs));
    a.len() == b.len()
        && a.iter()
            .zip(&b)
            .all(|(x, y)| x == y || matches!(y, '■' | '〓'))
}

/// The name as ORCA wants it: full-width (error 14 for half-width).
fn orca_name(s: &str) -> String {
    to_fullwidth(s)
}

fn same_person(rec: &Record, p: &OrcaPatient) -> bool {
    let d = &rec.declaration;
    same_name(&d.name, &p.name)
        && loose(&d.name_kana) == loose(&p.kana)
        && d.birth_date.format("%Y-%m-%d").to_string() == p.birth
        && sex_code(d.sex) == p.sex
}

fn now() -> chrono::DateTime<chrono::FixedOffset> {
    chrono::Local::now().fixed_offset()
}

/// RFC 4648 base64 for the Basic credentials (no dependency for 20 lines).
fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(T[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

impl OrcaTarget {
    /// `url` is ORCA's base (`http://127.0.0.1:8000`; WebORCA with its `/api`), `user`
    /// and `password` an ORCA operator (職員情報).
    pub fn new(
        url: &str,
        user: &str,
        password: &str,
        ca_pem: Option<&[u8]>,
        timeouts: Timeouts,
    ) -> Result<OrcaTarget, TargetError> {
        check_url(url)?;
        if user.is_empty() || user.contains(':') || user.chars().any(char::is_control) {
            return Err(TargetError::UserInvalid);
        }
        let base = url.trim_end_matches('/').to_string();
        Ok(OrcaTarget {
            client: Client {
                agent: agent(ca_pem, timeouts)?,
                base,
                auth: format!("Basic {}", base64(format!("{user}:{password}").as_bytes())),
                lang: Lang::Ja,
            },
            url: url.to_string(),
            memo_department: DEFAULT_MEMO_DEPARTMENT.to_string(),
            memo_class: DEFAULT_MEMO_CLASS.to_string(),
            valid_check_digit: false,
        })
    }

    /// The memo's 診療科コード (two digits) and メモ区分 (1 or 2).
    pub fn with_memo(mut self, department: &str, class: u8) -> Result<OrcaTarget, TargetError> {
        if department.len() != 2 || !department.bytes().all(|b| b.is_ascii_digit()) {
            return Err(TargetError::MemoDepartment {
                value: department.to_string(),
            });
        }
        if !matches!(class, 1 | 2) {
            return Err(TargetError::MemoClass { value: class });
        }
        self.memo_department = department.to_string();
        self.memo_class = class.to_string();
        Ok(self)
    }

    /// The language of onshi's own words in stored messages.
    pub fn set_lang(&mut self, lang: Lang) {
        self.client.lang = lang;
    }

    pub fn lang(&self) -> Lang {
        self.client.lang
    }

    /// Write the 不詳 insurer number as 77777779 in the memo (`[claim]`).
    pub fn set_valid_check_digit(&mut self, on: bool) {
        self.valid_check_digit = on;
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    fn t(&self, m: Msg) -> &'static str {
        self.client.lang.t(m)
    }

    /// Deliver one stored version. A store failure is returned as such; everything else
    /// is an [`Outcome`].
    pub fn deliver(&self, store: &Store, body: &[u8]) -> Result<Outcome, StoreError> {
        let rec: Record = match serde_json::from_slice(body) {
            Ok(r) => r,
            Err(_) => {
                return Ok(Outcome::Rejected {
                    status: None,
                    message: "stored version does not decode".to_string(),
                })
            }
        };
        match self.deliver_record(store, &rec) {
            Ok(()) => Ok(Outcome::Delivered),
            Err(Stop::Outcome(o)) => Ok(o),
            Err(Stop::Store(e)) => Err(e),
        }
    }

    fn deliver_record(&self, store: &Store, rec: &Record) -> Result<(), Stop> {
        let mut warnings: Vec<String> = Vec::new();
        // Remarks for the clerk at ORCA, in the memo (ORCA's users read Japanese).
        let mut notes: Vec<&str> = Vec::new();

        let mut known = None;
        if let Some(link) = store.orca_link(&rec.id)? {
            match self.get_patient(&link.patient_id)? {
                Some(p) => known = Some((link, p)),
                // Deleted in ORCA (a duplicate merged away, say): find the patient again.
                None => store.orca_forget(&rec.id)?,
            }
        }
        let (mut link, patient) = match known {
            Some(k) => k,
            None => {
                let (patient, kind) = match self.find_patient(rec)? {
                    Some(p) => (p, OrcaLinkKind::Found),
                    // Nothing of a voided record is in ORCA: nothing to note.
                    None if rec.status == Status::Voided => return Ok(()),
                    None => {
                        let (p, w) = self.register(rec)?;
                        warnings.extend(w);
                        (p, OrcaLinkKind::Registered)
                    }
                };
                let link = OrcaLink {
                    patient_id: patient.id.clone(),
                    kind,
                    linked_at: now(),
                    delivered_version: None,
                    delivered_at: None,
                    memo_date: None,
                    warnings: Vec::new(),
                };
                // Before anything else: a retry must update this patient, not add one.
                store.orca_set_link(&rec.id, &link)?;
                (link, patient)
            }
        };

        if !same_person(rec, &patient) {
            warnings.push(self.t(Msg::OrcaIdentityDiffers).to_string());
            notes.push("氏名・フリガナ・生年月日・性別がORCAの患者情報と異なります");
        }
        if rec.status == Status::Active {
            match self.insurance(rec, &patient)? {
                Insurance::Present(w) => warnings.extend(w),
                Insurance::Other => {
                    warnings.push(self.t(Msg::OrcaOtherInsurance).to_string());
                    notes.push("ORCAに別の保険が登録済みのため保険は追加していません");
                }
            }
        }

        let block = memo::block(rec, self.valid_check_digit, &notes);
        self.put_memo(&patient.id, rec.service_date, &rec.id, &block)?;
        if let Some(old) = link.memo_date.filter(|d| *d != rec.service_date) {
            self.put_memo(&patient.id, old, &rec.id, "")?;
        }

        link.delivered_version = Some(rec.version);
        link.delivered_at = Some(now());
        link.memo_date = Some(rec.service_date);
        link.warnings = warnings
            .iter()
            .map(|w| clean_message(w.as_bytes()))
            .collect();
        store.orca_set_link(&rec.id, &link)?;
        Ok(())
    }

    /// patientgetv2: the patient with this number, `None` if ORCA has none.
    fn get_patient(&self, id: &str) -> Result<Option<OrcaPatient>, Stop> {
        // Patient numbers are digits; anything else must not reach the query string.
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Ok(None);
        }
        let a = self
            .client
            .get(API_GET, &format!("/api01rv2/patientgetv2?id={id}"))?;
        if let Some(o) = self.client.common_outcome(API_GET, &a) {
            return Err(o.into());
        }
        match (api::common(&a.code), a.code.as_str()) {
            (Common::Success, _) => Ok(a
                .res
                .child("Patient_Information")
                .map(OrcaPatient::from_element)
                .filter(|p| !p.id.is_empty())),
            (_, "10") => Ok(None),
            _ => Err(self.client.refused(API_GET, &a).into()),
        }
    }

    /// patientlst3v2 by kana, then by name: the one patient who is this person.
    fn find_patient(&self, rec: &Record) -> Result<Option<OrcaPatient>, Stop> {
        let d = &rec.declaration;
        let mut found: Vec<OrcaPatient> = Vec::new();
        let mut queries = vec![d.name_kana.clone()];
        let kanji = orca_name(&d.name);
        if kanji != d.name_kana {
            queries.push(kanji);
        }
        for q in queries {
            let a = self.client.post(
                API_SEARCH,
                "/api01rv2/patientlst3v2?class=01",
                api::name_search(&q, d.birth_date, sex_code(d.sex)),
            )?;
            if let Some(o) = self.client.common_outcome(API_SEARCH, &a) {
                return Err(o.into());
            }
            match (api::common(&a.code), a.code.as_str()) {
                (Common::Success, _) => {
                    for p in a.res.array("Patient_Information") {
                        let p = OrcaPatient::from_element(p);
                        if !p.id.is_empty() && !found.iter().any(|f| f.id == p.id) {
                            found.push(p);
                        }
                    }
                }
                // 20 該当患者が存在しません; 10 外字 in the name (the kana search stands).
                (_, "20") | (_, "10") => {}
                _ => return Err(self.client.refused(API_SEARCH, &a).into()),
            }
        }
        let birth = d.birth_date.format("%Y-%m-%d").to_string();
        // ORCA's own duplicate rule (氏名・性別・生年月日); kana alone is not enough to
        // put this record on someone else's chart.
        let same: Vec<&OrcaPatient> = found
            .iter()
            .filter(|p| p.birth == birth && p.sex == sex_code(d.sex) && same_name(&d.name, &p.name))
            .collect();
        let exact: Vec<&OrcaPatient> = same
            .iter()
            .copied()
            .filter(|p| loose(&p.kana) == loose(&d.name_kana))
            .collect();
        let pick = if exact.len() == 1 { exact } else { same };
        match pick.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some((*one).clone())),
            many => {
                let ids: Vec<&str> = many.iter().map(|p| p.id.as_str()).collect();
                Err(Outcome::Rejected {
                    status: None,
                    message: clean_message(
                        format!("{} ({})", self.t(Msg::OrcaAmbiguous), ids.join(", ")).as_bytes(),
                    ),
                }
                .into())
            }
        }
    }

    /// patientmodv2 class 01: register the patient; returns ORCA's patient and warnings.
    fn register(&self, rec: &Record) -> Result<(OrcaPatient, Vec<String>), Stop> {
        let d = &rec.declaration;
        let address: Vec<char> = d.address.chars().collect();
        // 住所 holds 50 full-width characters; the rest goes to 番地.
        let (a1, a2): (String, String) = if address.len() > 50 {
            (
                address[..50].iter().collect(),
                address[50..].iter().take(50).collect(),
            )
        } else {
            (d.address.clone(), String::new())
        };
        let mut home = vec![xml::s("WholeAddress1", a1)];
        home.extend(xml::opt("WholeAddress2", Some(&a2)));
        home.extend(xml::opt("PhoneNumber2", d.phone.as_deref()));
        let fields = vec![
            xml::s("WholeName", orca_name(&d.name)),
            xml::s("WholeName_inKana", d.name_kana.clone()),
            xml::s("BirthDate", d.birth_date.format("%Y-%m-%d").to_string()),
            xml::s("Sex", sex_code(d.sex)),
            Field::Record("Home_Address_Information", home),
        ];
        let a = self.client.post(
            API_MOD,
            "/orca12/patientmodv2?class=01",
            api::register(fields),
        )?;
        if let Some(o) = self.client.common_outcome(API_MOD, &a) {
            return Err(o.into());
        }
        let warned = a.code.starts_with('K');
        if api::common(&a.code) != Common::Success && !warned {
            return Err(self.mod_failure(&a).into());
        }
        let patient = a
            .res
            .child("Patient_Information")
            .map(OrcaPatient::from_element)
            .filter(|p| !p.id.is_empty())
            .ok_or_else(|| {
                // Registered or not, we cannot tell: the search on the next attempt will.
                Outcome::Unreachable(clean_message(
                    format!("ORCA {API_MOD}: {}", self.t(Msg::OrcaBadAnswer)).as_bytes(),
                ))
            })?;
        Ok((patient, self.mod_warnings(&a, warned)))
    }

    /// `K…` codes and `Api_Warning_Message1..5` of a patientmodv2 answer.
    fn mod_warnings(&self, a: &Answer, warned: bool) -> Vec<String> {
        let mut out = Vec::new();
        if warned {
            out.push(self.client.describe(API_MOD, a));
        }
        for w in a.warnings() {
            out.push(clean_message(format!("ORCA {API_MOD}: {w}").as_bytes()));
        }
        out
    }

    /// A patientmodv2 error: ORCA's own trouble writing its database is retried, the
    /// rest is held for the operator.
    fn mod_failure(&self, a: &Answer) -> Outcome {
        match a.code.as_str() {
            "18" | "41" | "42" | "44" | "45" | "51" | "52" | "53" | "54" | "83" => {
                Outcome::Unreachable(self.client.describe(API_MOD, a))
            }
            _ => self.client.refused(API_MOD, a),
        }
    }

    /// patientmodv2 class 04 when the record has numbers ORCA does not have yet.
    fn insurance(&self, rec: &Record, p: &OrcaPatient) -> Result<Insurance, Stop> {
        let ins = &rec.insurance;
        let (Some(insurer), Some(number), true) = (
            &ins.insurer_number,
            &ins.number,
            ins.basis != ClaimBasis::Unknown,
        ) else {
            return Ok(Insurance::Present(Vec::new()));
        };
        if p.insurances
            .iter()
            .any(|(i, n)| loose(i) == loose(insurer) && loose(n) == loose(number))
        {
            return Ok(Insurance::Present(Vec::new()));
        }
        // Class 04 only adds to a patient without insurance (or 自費 only, which has no
        // insurer number); changing one is not in this API.
        if p.insurances.iter().any(|(i, _)| !i.is_empty()) {
            return Ok(Insurance::Other);
        }
        let kouki = insurer.len() == 8 && insurer.starts_with("39");
        let mut fields = vec![xml::s("InsuranceProvider_Number", insurer.clone())];
        fields.extend(xml::opt(
            "HealthInsuredPerson_Symbol",
            ins.symbol.as_deref(),
        ));
        fields.push(xml::s("HealthInsuredPerson_Number", number.clone()));
        if !kouki {
            // 後期高齢者 have no 枝番 (ORCA refuses one).
            fields.extend(xml::opt(
                "HealthInsuredPerson_Branch_Number",
                ins.branch.as_deref(),
            ));
        }
        // Valid from the visit at the latest, or the claim for it would fall outside.
        fields.push(xml::s(
            "Certificate_StartDate",
            rec.service_date.format("%Y-%m-%d").to_string(),
        ));
        // 高齢者負担割 takes only 10 and 30 (anything else is read as 1割).
        let d = &rec.declaration;
        if age_on(d.birth_date, rec.service_date) >= 70 && matches!(rec.copay.ratio, 10 | 30) {
            fields.push(xml::s("Rate_Class", rec.copay.ratio.to_string()));
        }
        let keys = vec![
            xml::s("Patient_ID", p.id.clone()),
            xml::s("WholeName", p.name.clone()),
            xml::s("WholeName_inKana", p.kana.clone()),
            xml::s("BirthDate", p.birth.clone()),
            xml::s("Sex", p.sex.clone()),
        ];
        let a = self.client.post(
            API_MOD,
            "/orca12/patientmodv2?class=04",
            api::add_insurance(keys, fields),
        )?;
        if let Some(o) = self.client.common_outcome(API_MOD, &a) {
            return Err(o.into());
        }
        let warned = a.code.starts_with('K');
        match (api::common(&a.code), a.code.as_str()) {
            (Common::Success, _) => Ok(Insurance::Present(self.mod_warnings(&a, false))),
            _ if warned => Ok(Insurance::Present(self.mod_warnings(&a, true))),
            // 同じ内容の保険・公費が登録済み: an earlier attempt added it.
            (_, "62") | (_, "63") => Ok(Insurance::Present(Vec::new())),
            _ => Err(self.mod_failure(&a).into()),
        }
    }

    /// patientlst7v2: the memo in force on `date` for the configured department and
    /// class; `None` when there is none.
    fn read_memo(&self, patient: &str, date: NaiveDate) -> Result<Option<String>, Stop> {
        let a = self.client.post(
            API_MEMO_READ,
            "/api01rv2/patientlst7v2",
            api::memo_read(patient, date, &self.memo_department, &self.memo_class),
        )?;
        if let Some(o) = self.client.common_outcome(API_MEMO_READ, &a) {
            return Err(o.into());
        }
        if api::common(&a.code) != Common::Success {
            // The page lists no "no memo" code; any other answer means none was found.
            return Ok(None);
        }
        let memo = a
            .res
            .array("Patient_Memo_Information")
            .find(|m| m.text_of("Department_Code") == self.memo_department)
            .map(|m| {
                m.child("Patient_Memo")
                    .map(|e| e.text.clone())
                    .unwrap_or_default()
            });
        Ok(memo)
    }

    /// Put `block` (empty: remove) as record `id`'s part of the memo of `date`.
    fn put_memo(&self, patient: &str, date: NaiveDate, id: &str, block: &str) -> Result<(), Stop> {
        let current = self.read_memo(patient, date)?;
        let merged = memo::merge(current.as_deref().unwrap_or(""), id, block);
        if current.as_deref().unwrap_or("") == merged {
            return Ok(());
        }
        let write = |request: &str| -> Result<Answer, Stop> {
            let a = self.client.post(
                API_MEMO,
                "/orca06/patientmemomodv2",
                api::memo_write(
                    request,
                    patient,
                    date,
                    &self.memo_department,
                    &self.memo_class,
                    &merged,
                ),
            )?;
            match self.client.common_outcome(API_MEMO, &a) {
                Some(o) => Err(o.into()),
                None => Ok(a),
            }
        };
        let a = if merged.is_empty() {
            write("03")?
        } else {
            let a = write("01")?;
            match a.code.as_str() {
                // メモ登録済み on that date: update it (we read it above, so nothing of
                // the clinic's own text is lost).
                "E13" | "E14" if current.is_some() => write("02")?,
                // It exists but could not be read: do not overwrite what we did not see.
                "E13" | "E14" => {
                    return Err(Outcome::Rejected {
                        status: None,
                        message: clean_message(
                            format!(
                                "{} ({})",
                                self.t(Msg::OrcaMemoUnreadable),
                                self.client.describe(API_MEMO, &a)
                            )
                            .as_bytes(),
                        ),
                    }
                    .into())
                }
                _ => a,
            }
        };
        match (api::common(&a.code), a.code.as_str()) {
            (Common::Success, _) => Ok(()),
            // Nothing to delete: already gone.
            (_, "E16") => Ok(()),
            // ORCA could not write its database, or the memo changed under us.
            (_, "E15" | "E20" | "E21" | "E22") => {
                Err(Outcome::Unreachable(self.client.describe(API_MEMO, &a)).into())
            }
            _ => Err(self.client.refused(API_MEMO, &a).into()),
        }
    }

    /// For `onshi doctor`: ORCA answers with these credentials (system01lstv2, 診療科),
    /// and the memo department exists. `Ok` holds how many departments ORCA has.
    pub fn check(&self) -> Result<usize, String> {
        let today = chrono::Local::now().date_naive();
        let a = match self.client.post(
            API_SYSTEM,
            "/api01rv2/system01lstv2?class=01",
            api::departments(today),
        ) {
            Ok(a) => a,
            Err(Outcome::Unreachable(m)) => {
                return Err(format!("{} ({m})", self.t(Msg::SyncUnreachable)))
            }
            Err(Outcome::Rejected { message, .. }) => return Err(message),
            Err(Outcome::Delivered) => return Err(String::new()),
        };
        if let Some(o) = self.client.common_outcome(API_SYSTEM, &a) {
            return Err(match o {
                Outcome::Unreachable(m) | Outcome::Rejected { message: m, .. } => m,
                Outcome::Delivered => String::new(),
            });
        }
        if api::common(&a.code) != Common::Success {
            return Err(self.client.describe(API_SYSTEM, &a));
        }
        let codes: Vec<&str> = a
            .res
            .array("Department_Information")
            .map(|d| d.text_of("Code"))
            .collect();
        if self.memo_department != DEFAULT_MEMO_DEPARTMENT
            && !codes.contains(&self.memo_department.as_str())
        {
            return Err(format!(
                "{} (memo_department {})",
                self.t(Msg::OrcaDepartmentMissing),
                self.memo_department
            ));
        }
        Ok(codes.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        for (plain, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("ormaster:ormaster", "b3JtYXN0ZXI6b3JtYXN0ZXI="),
        ] {
            assert_eq!(base64(plain.as_bytes()), enc, "{plain}");
        }
    }

    #[test]
    fn names_compare_as_orca_stores_them() {
        assert!(same_name("山田　太郎", "山田 太郎"));
        assert!(same_name("SMITH JOHN", "ＳＭＩＴＨ　ＪＯＨＮ"));
        assert!(same_name("𠮷田　花子", "■田　花子"));
        assert!(same_name("葛\u{E0100}飾", "葛飾"));
        assert!(!same_name("山田　太郎", "山田　次郎"));
        assert!(!same_name("山田", "山田太"));
    }
}
