//! A fake ORCA (日医標準レセプトソフト) on 127.0.0.1 that speaks the documented API as the
//! ORCA pages show it: the request paths and `class` arguments, xml2 bodies in and out,
//! Basic authentication, and the `Api_Result` codes and messages of each page
//! (patientlst3v2, patientgetv2, patientmodv2 classes 01 and 04, patientmemomodv2,
//! patientlst7v2, system01lstv2). It keeps patients and memos in memory and can be told
//! to fail: answer a code instead of processing, process and then cut the connection,
//! answer slowly, or be down.
//!
//! It is written from the ORCA pages, independently of onshi's client (its own small
//! XML reading on quick-xml), so a misreading in one is not copied into the other. Where
//! a page is silent the choice is noted next to it; docs/orca.md lists them.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub const USER: &str = "ormaster";
pub const PASSWORD: &str = "ormaster-pw";

/// One health insurance as ORCA keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Insurance {
    pub provider_number: String,
    pub symbol: String,
    pub number: String,
    pub branch: String,
    pub start: String,
    pub rate_class: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patient {
    pub id: String,
    pub name: String,
    pub kana: String,
    pub birth: String,
    pub sex: String,
    pub address1: String,
    pub address2: String,
    pub phone2: String,
    pub insurances: Vec<Insurance>,
}

/// What a call does instead of its normal work.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer this `Api_Result` and message without doing anything.
    Result(String, String),
    /// Answer with this HTTP status and no xml.
    Http(u16),
    /// Do the work, then cut the connection without an answer.
    DropAfterProcess,
    /// Wait, then do the work and answer.
    Slow(Duration),
}

/// A request as received.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub api: String,
    pub authorized: bool,
    pub content_type: Option<String>,
    pub body: String,
}

#[derive(Default)]
struct State {
    patients: BTreeMap<String, Patient>,
    next_id: u32,
    /// (patient, date, department, class) → memo text as ORCA stored it.
    memos: BTreeMap<(String, String, String, String), String>,
    requests: Vec<Request>,
    /// Faults per API name, applied in order.
    faults: HashMap<String, VecDeque<Fault>>,
    /// A fault applied to every call of every API while set.
    always: Option<Fault>,
}

pub struct FakeOrca {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    conns: Arc<Mutex<Vec<TcpStream>>>,
    accept: Option<JoinHandle<()>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The departments system01lstv2 lists (内科 01, 小児科 02).
pub const DEPARTMENTS: [(&str, &str); 2] = [("01", "内科"), ("02", "小児科")];

impl FakeOrca {
    pub fn start() -> FakeOrca {
        Self::start_on("127.0.0.1:0".parse().expect("addr"))
    }

    /// Listen on `addr` (retrying briefly while the port is still held).
    pub fn start_on(addr: SocketAddr) -> FakeOrca {
        let deadline = Instant::now() + Duration::from_secs(5);
        let listener = loop {
            match TcpListener::bind(addr) {
                Ok(l) => break l,
                Err(_) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20))
                }
                Err(e) => panic!("cannot bind {addr}: {e}"),
            }
        };
        let addr = listener.local_addr().expect("local addr");
        let state = Arc::new(Mutex::new(State {
            next_id: 1,
            ..State::default()
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let conns = Arc::new(Mutex::new(Vec::new()));
        let accept = {
            let (state, stop, conns) = (state.clone(), stop.clone(), conns.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let _ = stream.set_nodelay(true);
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
                    if let Ok(c) = stream.try_clone() {
                        lock(&conns).push(c);
                    }
                    let state = state.clone();
                    std::thread::spawn(move || serve(stream, &state));
                }
            })
        };
        FakeOrca {
            addr,
            state,
            stop,
            conns,
            accept: Some(accept),
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL onshi is configured with.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The next call of `api` meets `f` (faults queue up per API).
    pub fn push_fault(&self, api: &str, f: Fault) {
        lock(&self.state)
            .faults
            .entry(api.to_string())
            .or_default()
            .push_back(f);
    }

    /// Every call meets `f` while set.
    pub fn set_always(&self, f: Option<Fault>) {
        lock(&self.state).always = f;
    }

    pub fn patients(&self) -> Vec<Patient> {
        lock(&self.state).patients.values().cloned().collect()
    }

    pub fn patient(&self, id: &str) -> Option<Patient> {
        lock(&self.state).patients.get(id).cloned()
    }

    /// A patient already in ORCA before onshi (a returning patient).
    pub fn add_patient(&self, mut p: Patient) -> String {
        let mut s = lock(&self.state);
        let id = format!("{:05}", s.next_id);
        s.next_id += 1;
        p.id = id.clone();
        s.patients.insert(id.clone(), p);
        id
    }

    pub fn remove_patient(&self, id: &str) {
        lock(&self.state).patients.remove(id);
    }

    /// Every memo: ((patient, date, department, class), text).
    pub fn memos(&self) -> Vec<((String, String, String, String), String)> {
        lock(&self.state)
            .memos
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    pub fn set_memo(&self, patient: &str, date: &str, dept: &str, class: &str, text: &str) {
        lock(&self.state).memos.insert(
            (
                patient.to_string(),
                date.to_string(),
                dept.to_string(),
                class.to_string(),
            ),
            text.to_string(),
        );
    }

    pub fn requests(&self) -> Vec<Request> {
        lock(&self.state).requests.clone()
    }

    /// Stop listening and cut every open connection (ORCA going down).
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_millis(200));
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
        for c in lock(&self.conns).drain(..) {
            let _ = c.shutdown(Shutdown::Both);
        }
    }
}

impl Drop for FakeOrca {
    fn drop(&mut self) {
        self.shutdown();
    }
}

// ---- HTTP ----

struct Http {
    method: String,
    target: String,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

fn read_request(r: &mut BufReader<TcpStream>) -> Option<Http> {
    let mut line = String::new();
    if r.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if r.read_line(&mut h).ok()? == 0 {
            return None;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    r.read_exact(&mut body).ok()?;
    Some(Http {
        method,
        target,
        headers,
        body,
    })
}

fn respond(w: &mut TcpStream, status: u16, body: &str) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Status",
    };
    let extra = if status == 401 {
        "WWW-Authenticate: Basic realm=\"jma-receipt\"\r\n"
    } else {
        ""
    };
    let msg = format!(
        "HTTP/1.1 {status} {reason}\r\n{extra}Content-Type: application/xml; charset=UTF-8\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    w.write_all(msg.as_bytes())?;
    w.flush()
}

/// RFC 4648 base64, the fake's own copy.
fn b64(bytes: &[u8]) -> String {
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            out.push(if i <= c.len() {
                char::from(T[(n >> (18 - 6 * i)) as usize & 63])
            } else {
                '='
            });
        }
    }
    out
}

fn serve(conn: TcpStream, state: &Mutex<State>) {
    let mut reader = BufReader::new(conn);
    let expected_auth = format!("Basic {}", b64(format!("{USER}:{PASSWORD}").as_bytes()));
    while let Some(req) = read_request(&mut reader) {
        let (path, query) = match req.target.split_once('?') {
            Some((p, q)) => (p.to_string(), q.to_string()),
            None => (req.target.clone(), String::new()),
        };
        let api = path.rsplit('/').next().unwrap_or("").to_string();
        let authorized = req.headers.get("authorization") == Some(&expected_auth);
        let body = String::from_utf8_lossy(&req.body).into_owned();
        let fault = {
            let mut s = lock(state);
            s.requests.push(Request {
                method: req.method.clone(),
                path: req.target.clone(),
                api: api.clone(),
                authorized,
                content_type: req.headers.get("content-type").cloned(),
                body: body.clone(),
            });
            let f = s.faults.get_mut(&api).and_then(VecDeque::pop_front);
            f.or_else(|| s.always.clone())
        };
        let w = reader.get_mut();
        if !authorized {
            // glserver answers a wrong or missing Basic login with 401.
            if respond(w, 401, "").is_err() {
                return;
            }
            continue;
        }
        let mut drop_after = false;
        match fault {
            Some(Fault::Result(code, msg)) => {
                let root = response_root(&api);
                let xml = answer(root, &code, &msg, "");
                if respond(w, 200, &xml).is_err() {
                    return;
                }
                continue;
            }
            Some(Fault::Http(status)) => {
                if respond(w, status, "").is_err() {
                    return;
                }
                continue;
            }
            Some(Fault::Slow(d)) => std::thread::sleep(d),
            Some(Fault::DropAfterProcess) => drop_after = true,
            None => {}
        }
        let (status, xml) = route(state, &req.method, &path, &query, &body, &req.headers);
        if drop_after {
            let _ = reader.get_mut().shutdown(Shutdown::Both);
            return;
        }
        if respond(reader.get_mut(), status, &xml).is_err() {
            return;
        }
    }
}

fn response_root(api: &str) -> &'static str {
    match api {
        "patientlst3v2" => "patientlst2res",
        "patientgetv2" => "patientinfores",
        "patientmodv2" => "patientmodres",
        "patientmemomodv2" => "patient_memomodres",
        "patientlst7v2" => "patientlst7res",
        _ => "departmentres",
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn leaf(name: &str, value: &str) -> String {
    format!("<{name} type=\"string\">{}</{name}>", esc(value))
}

/// The envelope every page shows: `<xmlio2><ROOT type="record">` with the date, time,
/// result, message and `Reskey`, then `inner`.
fn answer(root: &str, code: &str, message: &str, inner: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<xmlio2>\n  <{root} type=\"record\">{}{}{}{}{}{inner}</{root}>\n</xmlio2>\n",
        leaf("Information_Date", "2026-11-30"),
        leaf("Information_Time", "10:00:00"),
        leaf("Api_Result", code),
        leaf("Api_Result_Message", message),
        leaf("Reskey", "Patient Info"),
    )
}

// ---- the request body: a tiny xml2 reader of the fake's own ----

#[derive(Debug, Default, Clone)]
struct Node {
    name: String,
    ty: String,
    text: String,
    children: Vec<Node>,
}

impl Node {
    fn get(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }
    fn val(&self, name: &str) -> String {
        self.get(name).map(|n| n.text.clone()).unwrap_or_default()
    }
}

/// Parse xml2; `Err` with ORCA's 97/98 wording when it is not.
fn parse(body: &str) -> Result<Node, ()> {
    use quick_xml::events::Event;
    let mut r = quick_xml::Reader::from_str(body);
    let mut stack: Vec<Node> = vec![Node::default()];
    loop {
        match r.read_event().map_err(|_| ())? {
            Event::Start(e) => {
                let ty = e
                    .try_get_attribute("type")
                    .ok()
                    .flatten()
                    .map(|a| a.value.to_string())
                    .unwrap_or_default();
                stack.push(Node {
                    name: e.name().as_ref().to_string(),
                    ty,
                    ..Node::default()
                });
            }
            Event::Empty(e) => {
                let n = Node {
                    name: e.name().as_ref().to_string(),
                    ..Node::default()
                };
                stack.last_mut().ok_or(())?.children.push(n);
            }
            Event::End(_) => {
                let n = stack.pop().ok_or(())?;
                stack.last_mut().ok_or(())?.children.push(n);
            }
            Event::Text(t) => {
                if let Some(n) = stack.last_mut() {
                    n.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(g) => {
                let s = match g.resolve_char_ref().map_err(|_| ())? {
                    Some(c) => c.to_string(),
                    None => quick_xml::escape::resolve_xml_entity(&g.xml10_content())
                        .ok_or(())?
                        .to_string(),
                };
                if let Some(n) = stack.last_mut() {
                    n.text.push_str(&s);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let top = stack.pop().ok_or(())?;
    if !stack.is_empty() {
        return Err(());
    }
    let data = top.children.into_iter().next().ok_or(())?;
    if data.name != "data" {
        return Err(());
    }
    data.children.into_iter().next().ok_or(())
}

fn arg<'a>(query: &'a str, key: &str) -> Option<&'a str> {
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

/// Half-width to full-width as ORCA does (※1 space, ※2 characters).
fn widen(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            ' ' => '\u{3000}',
            '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap(),
            _ => c,
        })
        .collect()
}

fn no_space(s: &str) -> String {
    s.chars()
        .filter(|c| *c != ' ' && *c != '\u{3000}')
        .collect()
}

fn is_date(s: &str) -> bool {
    s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
}

fn patient_xml(p: &Patient, with_insurance: bool) -> String {
    let mut x = String::new();
    x.push_str(&leaf("Patient_ID", &p.id));
    x.push_str(&leaf("WholeName", &p.name));
    x.push_str(&leaf("WholeName_inKana", &p.kana));
    x.push_str(&leaf("BirthDate", &p.birth));
    x.push_str(&leaf("Sex", &p.sex));
    x.push_str(&format!(
        "<Home_Address_Information type=\"record\">{}{}{}</Home_Address_Information>",
        leaf("WholeAddress1", &p.address1),
        leaf("WholeAddress2", &p.address2),
        leaf("PhoneNumber2", &p.phone2)
    ));
    if with_insurance && !p.insurances.is_empty() {
        x.push_str("<HealthInsurance_Information type=\"array\">");
        for (n, i) in p.insurances.iter().enumerate() {
            x.push_str(&format!(
                "<HealthInsurance_Information_child type=\"record\">{}{}{}{}{}{}{}</HealthInsurance_Information_child>",
                leaf("Insurance_Combination_Number", &format!("{:04}", n + 1)),
                leaf("InsuranceProvider_Number", &i.provider_number),
                leaf("HealthInsuredPerson_Symbol", &i.symbol),
                leaf("HealthInsuredPerson_Number", &i.number),
                leaf("HealthInsuredPerson_Branch_Number", &i.branch),
                leaf("Certificate_StartDate", &i.start),
                leaf("Certificate_ExpiredDate", "9999-12-31"),
            ));
        }
        x.push_str("</HealthInsurance_Information>");
    }
    x
}

fn route(
    state: &Mutex<State>,
    method: &str,
    path: &str,
    query: &str,
    body: &str,
    headers: &HashMap<String, String>,
) -> (u16, String) {
    let api = path.rsplit('/').next().unwrap_or("");
    let expect = |m: &str, p: &str| method == m && path == p;
    let post_ok = headers
        .get("content-type")
        .is_some_and(|c| c.starts_with("application/xml"));
    match api {
        "patientgetv2" if expect("GET", "/api01rv2/patientgetv2") => {
            (200, patient_get(state, arg(query, "id").unwrap_or("")))
        }
        _ if method != "POST" || !post_ok => (405, String::new()),
        "patientlst3v2"
            if path == "/api01rv2/patientlst3v2" && arg(query, "class") == Some("01") =>
        {
            (
                200,
                with_req(body, "patientlst3req", "patientlst2res", |r| {
                    name_search(state, r)
                }),
            )
        }
        "patientmodv2" if path == "/orca12/patientmodv2" => match arg(query, "class") {
            Some("01") => (
                200,
                with_req(body, "patientmodreq", "patientmodres", |r| {
                    register(state, r)
                }),
            ),
            Some("04") => (
                200,
                with_req(body, "patientmodreq", "patientmodres", |r| {
                    add_insurance(state, r)
                }),
            ),
            _ => (200, answer("patientmodres", "91", "処理区分未設定", "")),
        },
        "patientmemomodv2" if path == "/orca06/patientmemomodv2" => (
            200,
            with_req(body, "patient_memomodreq", "patient_memomodres", |r| {
                memo_mod(state, r)
            }),
        ),
        "patientlst7v2" if path == "/api01rv2/patientlst7v2" => (
            200,
            with_req(body, "patientlst7req", "patientlst7res", |r| {
                memo_list(state, r)
            }),
        ),
        "system01lstv2" if path == "/api01rv2/system01lstv2" => (
            200,
            with_req(body, "system01_managereq", "departmentres", |_| {
                let mut inner = String::from("<Department_Information type=\"array\">");
                for (code, name) in DEPARTMENTS {
                    inner.push_str(&format!(
                        "<Department_Information_child type=\"record\">{}{}</Department_Information_child>",
                        leaf("Code", code),
                        leaf("WholeName", name)
                    ));
                }
                inner.push_str("</Department_Information>");
                ("00".into(), "処理終了".into(), inner)
            }),
        ),
        _ => (404, String::new()),
    }
}

/// Parse the body, check its record name, run `f`; 97/98 as the pages name them.
fn with_req(
    body: &str,
    req_name: &str,
    res_name: &str,
    f: impl FnOnce(&Node) -> (String, String, String),
) -> String {
    let Ok(req) = parse(body) else {
        return answer(res_name, "98", "送信内容の読込ができませんでした", "");
    };
    if req.name != req_name || req.ty != "record" {
        return answer(res_name, "97", "送信内容に誤りがあります", "");
    }
    let (code, msg, inner) = f(&req);
    answer(res_name, &code, &msg, &inner)
}

fn patient_get(state: &Mutex<State>, id: &str) -> String {
    let s = lock(state);
    if id.is_empty() {
        return answer("patientinfores", "01", "患者番号の設定がありません", "");
    }
    // ORCA accepts the number with or without its leading zeros.
    let key = format!("{:0>5}", id);
    match s.patients.get(&key) {
        Some(p) => answer(
            "patientinfores",
            "00",
            "処理終了",
            &format!(
                "<Patient_Information type=\"record\">{}</Patient_Information>",
                patient_xml(p, true)
            ),
        ),
        None => answer(
            "patientinfores",
            "10",
            "患者番号に該当する患者が存在しません",
            "",
        ),
    }
}

fn name_search(state: &Mutex<State>, r: &Node) -> (String, String, String) {
    let name = r.val("WholeName");
    if name.is_empty() {
        return (
            "17".into(),
            "検索氏名を設定して下さい".into(),
            String::new(),
        );
    }
    // Characters outside the BMP (and IVS selectors) are 外字 to ORCA.
    if name.chars().any(|c| c as u32 > 0xFFFF) {
        return (
            "10".into(),
            "検索氏名に外字があります".into(),
            String::new(),
        );
    }
    let (start, end) = (r.val("Birth_StartDate"), r.val("Birth_EndDate"));
    if !start.is_empty() && !is_date(&start) {
        return (
            "11".into(),
            "開始生年月日が暦日ではありません".into(),
            String::new(),
        );
    }
    let end = if end.is_empty() { start.clone() } else { end };
    let sex = r.val("Sex");
    let s = lock(state);
    let want = no_space(&widen(&name));
    let hits: Vec<&Patient> = s
        .patients
        .values()
        .filter(|p| no_space(&p.name).starts_with(&want) || no_space(&p.kana).starts_with(&want))
        .filter(|p| start.is_empty() || (p.birth >= start && p.birth <= end))
        .filter(|p| sex.is_empty() || p.sex == sex)
        .collect();
    if hits.is_empty() {
        return ("20".into(), "該当患者が存在しません".into(), String::new());
    }
    if hits.len() >= 100 {
        return (
            "21".into(),
            "該当患者が１００件以上となります".into(),
            String::new(),
        );
    }
    let mut inner = format!(
        "{}{}<Patient_Information type=\"array\">",
        leaf("Target_Patient_Count", &format!("{:03}", hits.len())),
        leaf("No_Target_Patient_Count", "000")
    );
    for p in hits {
        inner.push_str(&format!(
            "<Patient_Information_child type=\"record\">{}</Patient_Information_child>",
            patient_xml(p, true)
        ));
    }
    inner.push_str("</Patient_Information>");
    ("00".into(), "処理終了".into(), inner)
}

fn register(state: &Mutex<State>, r: &Node) -> (String, String, String) {
    let fail = |c: &str, m: &str| (c.to_string(), m.to_string(), String::new());
    let id = r.val("Patient_ID");
    let name = r.val("WholeName");
    let kana = r.val("WholeName_inKana");
    let birth = r.val("BirthDate");
    let sex = r.val("Sex");
    if id.is_empty() {
        return fail("01", "患者番号未設定");
    }
    if name.is_empty() {
        return fail("02", "患者氏名未設定");
    }
    if kana.is_empty() {
        return fail("03", "患者カナ氏名未設定");
    }
    if birth.is_empty() {
        return fail("04", "生年月日未設定");
    }
    if sex.is_empty() {
        return fail("05", "性別未設定");
    }
    if id != "*" && id != "＊" {
        return fail("13", "患者番号登録済み");
    }
    // ※1: half-width spaces are widened; any other half-width character is error 14.
    let name = name.replace(' ', "\u{3000}");
    if name.chars().any(|c| c.is_ascii()) {
        return fail("14", "漢字氏名は全角で入力して下さい");
    }
    let kana = widen(&kana);
    if kana.chars().any(|c| c.is_ascii()) {
        return fail("15", "カナ氏名は全角で入力して下さい");
    }
    if sex != "1" && sex != "2" {
        return fail("16", "性別は１：男２：女で入力して下さい");
    }
    if !is_date(&birth) {
        return fail("17", "生年月日暦日エラー");
    }
    let home = r
        .get("Home_Address_Information")
        .cloned()
        .unwrap_or_default();
    let phone2 = home.val("PhoneNumber2");
    if !phone2.is_ascii() {
        return fail("23", "連絡先電話番号エラー");
    }
    let mut s = lock(state);
    let duplicate = s
        .patients
        .values()
        .any(|p| p.name == name && p.sex == sex && p.birth == birth);
    let id = format!("{:05}", s.next_id);
    s.next_id += 1;
    let p = Patient {
        id: id.clone(),
        name,
        kana,
        birth,
        sex,
        address1: widen(&home.val("WholeAddress1")),
        address2: widen(&home.val("WholeAddress2")),
        phone2,
        insurances: Vec::new(),
    };
    let mut inner = format!(
        "<Patient_Information type=\"record\">{}</Patient_Information>",
        patient_xml(&p, false)
    );
    s.patients.insert(id, p);
    // The page: 同一患者登録あり is a warning, the patient is registered all the same.
    if duplicate {
        inner = format!(
            "{}{inner}",
            leaf("Api_Warning_Message1", "警告！同一患者の登録があります。")
        );
        return ("K0".into(), "警告！同一患者の登録があります".into(), inner);
    }
    ("00".into(), "登録終了".into(), inner)
}

fn add_insurance(state: &Mutex<State>, r: &Node) -> (String, String, String) {
    let fail = |c: &str, m: &str| (c.to_string(), m.to_string(), String::new());
    let mut s = lock(state);
    let Some(p) = s.patients.get_mut(&r.val("Patient_ID")) else {
        return fail("10", "該当患者番号なし");
    };
    // 患者番号・漢字氏名・性別・生年月日 must all match.
    if p.name != r.val("WholeName") || p.sex != r.val("Sex") || p.birth != r.val("BirthDate") {
        return fail("60", "患者登録内容が一致しません。処理できません");
    }
    let Some(h) = r.get("HealthInsurance_Information") else {
        return fail("61", "保険・公費の設定がありません");
    };
    let provider = h.val("InsuranceProvider_Number");
    if provider.len() != 6 && provider.len() != 8 {
        return fail("H1", "保険者番号エラー");
    }
    let branch = h.val("HealthInsuredPerson_Branch_Number");
    if provider.len() == 8 && provider.starts_with("39") && !branch.is_empty() {
        return fail("H1", "後期高齢者は枝番を入力できません");
    }
    let ins = Insurance {
        provider_number: provider,
        symbol: widen(&h.val("HealthInsuredPerson_Symbol")),
        number: widen(&h.val("HealthInsuredPerson_Number")),
        branch,
        start: h.val("Certificate_StartDate"),
        rate_class: h.val("Rate_Class"),
    };
    if p.insurances.iter().any(|i| {
        i.provider_number == ins.provider_number && i.symbol == ins.symbol && i.number == ins.number
    }) {
        return fail("62", "同じ内容の保険が登録済みです。処理できません");
    }
    // The page: only for a patient without insurance (or 自費 only).
    if !p.insurances.is_empty() {
        return fail("P2", "保険の期間が重複します");
    }
    p.insurances.push(ins);
    let inner = format!(
        "<Patient_Information type=\"record\">{}</Patient_Information>",
        patient_xml(p, true)
    );
    ("00".into(), "登録終了".into(), inner)
}

/// ORCA's memo rule: half-width widened, 拡張文字 become ■.
fn memo_text(s: &str) -> String {
    widen(s)
        .chars()
        .map(|c| if c as u32 > 0xFFFF { '■' } else { c })
        .collect()
}

fn memo_mod(state: &Mutex<State>, r: &Node) -> (String, String, String) {
    let fail = |c: &str, m: &str| (c.to_string(), m.to_string(), String::new());
    let req = r.val("Request_Number");
    if req.is_empty() {
        return fail("E01", "リクエストコードの設定がありません。");
    }
    if !matches!(req.as_str(), "01" | "02" | "03") {
        return fail("E10", "入力コードではありません。");
    }
    let mut s = lock(state);
    let pid = format!("{:0>5}", r.val("Patient_ID"));
    if !s.patients.contains_key(&pid) {
        return fail("E10", "入力コードではありません。");
    }
    let date = r.val("Perform_Date");
    let date = if date.is_empty() {
        "2026-11-30".to_string()
    } else {
        date
    };
    if !is_date(&date) {
        return fail("E11", "登録日が暦日ではありません");
    }
    let dept = r.val("Department_Code");
    if req != "03" && !(dept == "00" || DEPARTMENTS.iter().any(|(c, _)| *c == dept)) {
        return fail("E12", "診療科が存在しません");
    }
    let class = if r.val("Memo_Class") == "1" { "1" } else { "2" }.to_string();
    let text = r.val("Patient_Memo");
    let key = (pid, date, dept, class.clone());
    match req.as_str() {
        "01" | "02" if text.trim().is_empty() => fail("E03", "メモ内容が空白です"),
        "01" if s.memos.contains_key(&key) => {
            if class == "1" {
                fail("E14", "メモ１は登録済みです。登録できません。")
            } else {
                fail("E13", "メモ２は登録済みです。登録できません。")
            }
        }
        "02" if !s.memos.contains_key(&key) => fail("E15", "更新対象のメモがありません。"),
        "03" if !s.memos.contains_key(&key) => fail("E16", "削除対象のメモがありません。"),
        "03" => {
            s.memos.remove(&key);
            ("000".into(), "メモ削除終了".into(), String::new())
        }
        _ => {
            s.memos.insert(key, memo_text(&text));
            ("000".into(), "メモ登録終了".into(), String::new())
        }
    }
}

fn memo_list(state: &Mutex<State>, r: &Node) -> (String, String, String) {
    let s = lock(state);
    let pid = format!("{:0>5}", r.val("Patient_ID"));
    let base = r.val("Base_Date");
    let dept = r.val("Department_Code");
    let class = if r.val("Memo_Class") == "1" { "1" } else { "2" };
    // The memo in force on the base date: the latest one registered on or before it, per
    // department. (The page says only 「基準日を基に」.)
    let mut latest: BTreeMap<&str, (&str, &str)> = BTreeMap::new();
    for ((p, d, dep, c), text) in &s.memos {
        if *p == pid
            && c == class
            && (base.is_empty() || d.as_str() <= base.as_str())
            && (dept.is_empty() || *dep == dept)
        {
            let e = latest
                .entry(dep.as_str())
                .or_insert((d.as_str(), text.as_str()));
            if d.as_str() >= e.0 {
                *e = (d.as_str(), text.as_str());
            }
        }
    }
    if latest.is_empty() {
        // The page lists no code for "no memo"; the layout PDF is not at hand. This one is
        // chosen for the fake and onshi treats any non-zero code here as "no memo".
        return (
            "E10".into(),
            "該当するメモ情報がありません".into(),
            String::new(),
        );
    }
    let mut inner = String::from("<Patient_Memo_Information type=\"array\">");
    for (dep, (_, text)) in latest {
        inner.push_str(&format!(
            "<Patient_Memo_Information_child type=\"record\">{}{}</Patient_Memo_Information_child>",
            leaf("Department_Code", dep),
            leaf("Patient_Memo", text)
        ));
    }
    inner.push_str("</Patient_Memo_Information>");
    ("000".into(), "処理終了".into(), inner)
}
