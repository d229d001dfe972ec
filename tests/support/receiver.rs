//! A small HTTP/1.1 receiver on 127.0.0.1 for sync tests and the benchmark.
//!
//! Handles keep-alive and `Content-Length` bodies, records what it got, honours
//! `Idempotency-Key` (a repeated key is answered 409 and not recorded again) and can
//! inject faults: error statuses, slow answers, connections dropped after the request
//! was processed, and per-key refusals. [`Receiver::start_tls`] serves HTTPS with the
//! test certificate in `tls/` (issued for 127.0.0.1 by the test CA `tls/ca.pem`).

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// One request the receiver accepted (first time its key was seen).
#[derive(Debug, Clone)]
pub struct Got {
    pub key: String,
    pub authorization: Option<String>,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

impl Got {
    /// `(id, version)` from the key `<id>:<version>`.
    pub fn id_version(&self) -> (String, u32) {
        let (id, v) = self.key.rsplit_once(':').expect("key has a colon");
        (id.to_string(), v.parse().expect("version number"))
    }
}

/// A fault applied to one request (or to every request, see [`Receiver::set_always`]).
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer with this status and body; the request is not recorded.
    Status(u16, String),
    /// Wait, then process and answer normally (the client may have given up).
    Slow(Duration),
    /// Process (record) the request, then close the connection without an answer.
    DropAfterProcess,
}

#[derive(Default)]
struct State {
    accepted: Vec<Got>,
    seen: HashSet<String>,
    requests: usize,
    repeats: usize,
    rejected: usize,
    connections: usize,
    faults: VecDeque<Fault>,
    always: Option<Fault>,
    reject: HashMap<String, (u16, String)>,
}

/// What the receiver has seen so far.
#[derive(Debug, Clone)]
pub struct Seen {
    pub accepted: Vec<Got>,
    pub requests: usize,
    /// Requests whose key had already been accepted (answered 409).
    pub repeats: usize,
    pub rejected: usize,
    pub connections: usize,
}

/// The test CA and the receiver's certificate and key (PEM).
pub const TEST_CA_PEM: &[u8] = include_bytes!("tls/ca.pem");
const SERVER_CERT_PEM: &[u8] = include_bytes!("tls/server.pem");
const SERVER_KEY_PEM: &[u8] = include_bytes!("tls/server.key");

/// A connection the receiver serves: plain TCP or TLS over TCP.
trait Conn: Read + Write + Send {
    /// Cut the connection without an answer.
    fn cut(&mut self);
}

impl Conn for TcpStream {
    fn cut(&mut self) {
        let _ = self.shutdown(Shutdown::Both);
    }
}

impl Conn for rustls::StreamOwned<rustls::ServerConnection, TcpStream> {
    fn cut(&mut self) {
        let _ = self.sock.shutdown(Shutdown::Both);
    }
}

fn tls_config() -> Arc<rustls::ServerConfig> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_slice_iter(SERVER_CERT_PEM)
        .collect::<Result<Vec<_>, _>>()
        .expect("test certificate");
    let key = PrivateKeyDer::from_pem_slice(SERVER_KEY_PEM).expect("test key");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("server config");
    Arc::new(cfg)
}

pub struct Receiver {
    addr: SocketAddr,
    tls: bool,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    conns: Arc<Mutex<Vec<TcpStream>>>,
    accept: Option<JoinHandle<()>>,
}

/// A loopback address with a port nobody listens on right now.
pub fn free_addr() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    l.local_addr().expect("local addr")
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Receiver {
    pub fn start() -> Receiver {
        Self::start_on("127.0.0.1:0".parse().expect("addr"))
    }

    /// An HTTPS receiver with the test certificate.
    pub fn start_tls() -> Receiver {
        Self::listen("127.0.0.1:0".parse().expect("addr"), Some(tls_config()))
    }

    /// Listen on `addr` (retrying briefly if the port is still held).
    pub fn start_on(addr: SocketAddr) -> Receiver {
        Self::listen(addr, None)
    }

    fn listen(addr: SocketAddr, tls: Option<Arc<rustls::ServerConfig>>) -> Receiver {
        let deadline = Instant::now() + Duration::from_secs(5);
        let listener = loop {
            match TcpListener::bind(addr) {
                Ok(l) => break l,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) => panic!("cannot bind {addr}: {e}"),
            }
        };
        let addr = listener.local_addr().expect("local addr");
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let conns = Arc::new(Mutex::new(Vec::new()));
        let is_tls = tls.is_some();
        let accept = {
            let (state, stop, conns) = (state.clone(), stop.clone(), conns.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let _ = stream.set_nodelay(true);
                    // A client that vanishes must not pin its thread forever.
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
                    if let Ok(c) = stream.try_clone() {
                        lock(&conns).push(c);
                    }
                    lock(&state).connections += 1;
                    let state = state.clone();
                    match &tls {
                        None => {
                            std::thread::spawn(move || serve(stream, &state));
                        }
                        Some(cfg) => {
                            let Ok(conn) = rustls::ServerConnection::new(cfg.clone()) else {
                                continue;
                            };
                            let tls_stream = rustls::StreamOwned::new(conn, stream);
                            std::thread::spawn(move || serve(tls_stream, &state));
                        }
                    }
                }
            })
        };
        Receiver {
            addr,
            tls: is_tls,
            state,
            stop,
            conns,
            accept: Some(accept),
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}/onshi/records", self.addr)
    }

    /// Apply `f` to the next request (faults queue up in order).
    pub fn push_fault(&self, f: Fault) {
        lock(&self.state).faults.push_back(f);
    }

    /// Apply `f` to every request from now on (`None` to stop).
    pub fn set_always(&self, f: Option<Fault>) {
        lock(&self.state).always = f;
    }

    /// Refuse `key` with `status` and `message` until [`Receiver::accept_key`].
    pub fn reject_key(&self, key: &str, status: u16, message: &str) {
        lock(&self.state)
            .reject
            .insert(key.to_string(), (status, message.to_string()));
    }

    pub fn accept_key(&self, key: &str) {
        lock(&self.state).reject.remove(key);
    }

    pub fn seen(&self) -> Seen {
        let s = lock(&self.state);
        Seen {
            accepted: s.accepted.clone(),
            requests: s.requests,
            repeats: s.repeats,
            rejected: s.rejected,
            connections: s.connections,
        }
    }

    /// Keys accepted, in arrival order.
    pub fn keys(&self) -> Vec<String> {
        lock(&self.state)
            .accepted
            .iter()
            .map(|g| g.key.clone())
            .collect()
    }

    /// Stop listening and cut every open connection (a server going down).
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Unblock accept().
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_millis(200));
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
        for c in lock(&self.conns).drain(..) {
            let _ = c.shutdown(Shutdown::Both);
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.shutdown();
    }
}

struct Request {
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

/// Read one request; `None` at end of stream or on garbage.
fn read_request<C: Conn>(r: &mut BufReader<C>) -> Option<Request> {
    let mut line = String::new();
    if r.read_line(&mut line).ok()? == 0 {
        return None;
    }
    if !line.starts_with("POST ") {
        return None;
    }
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
    let len: usize = headers.get("content-length")?.parse().ok()?;
    let mut body = vec![0; len];
    r.read_exact(&mut body).ok()?;
    Some(Request { headers, body })
}

fn respond<C: Conn>(w: &mut C, status: u16, body: &str) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        201 => "Created",
        400 => "Bad Request",
        409 => "Conflict",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    };
    let msg = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    w.write_all(msg.as_bytes())?;
    w.flush()
}

fn serve<C: Conn>(conn: C, state: &Mutex<State>) {
    // Answers are written through the reader's inner stream; the buffer only holds
    // unread request bytes.
    let mut reader = BufReader::new(conn);
    while let Some(req) = read_request(&mut reader) {
        let w = reader.get_mut();
        let key = req
            .headers
            .get("idempotency-key")
            .cloned()
            .unwrap_or_default();
        let fault = {
            let mut s = lock(state);
            s.requests += 1;
            let f = s.faults.pop_front();
            f.or_else(|| s.always.clone())
        };
        let mut drop_after = false;
        match fault {
            Some(Fault::Status(code, body)) => {
                if respond(w, code, &body).is_err() {
                    return;
                }
                continue;
            }
            Some(Fault::Slow(d)) => std::thread::sleep(d),
            Some(Fault::DropAfterProcess) => drop_after = true,
            None => {}
        }
        let (status, body) = {
            let mut s = lock(state);
            if let Some((code, msg)) = s.reject.get(&key).cloned() {
                s.rejected += 1;
                (code, serde_json::json!({ "message": msg }).to_string())
            } else if s.seen.insert(key.clone()) {
                s.accepted.push(Got {
                    key,
                    authorization: req.headers.get("authorization").cloned(),
                    content_type: req.headers.get("content-type").cloned(),
                    body: req.body,
                });
                (201, r#"{"ok":true}"#.to_string())
            } else {
                s.repeats += 1;
                (409, r#"{"message":"already received"}"#.to_string())
            }
        };
        if drop_after {
            reader.get_mut().cut();
            return;
        }
        if respond(reader.get_mut(), status, &body).is_err() {
            return;
        }
        if req
            .headers
            .get("connection")
            .is_some_and(|c| c.eq_ignore_ascii_case("close"))
        {
            return;
        }
    }
}
