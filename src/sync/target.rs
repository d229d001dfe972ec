//! Where queued versions go (docs/sync.md): an HTTP receiver or a shared folder.
//!
//! A target only answers "delivered", "refused" (held for the operator) or "unreachable"
//! (retry later); ordering, bookkeeping and backoff live in `pass` and `worker`.

use std::fmt;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};
use ureq::Agent;

use super::failure;
use super::orca::{OrcaTarget, DEFAULT_MEMO_CLASS, DEFAULT_MEMO_DEPARTMENT};
use crate::config::{SyncConfig, SyncTarget};
use crate::i18n::{Lang, Msg};
use crate::platform::{self, Sharing};
use crate::store::{Store, StoreError};

/// Longest server message kept for the operator (characters).
pub const MESSAGE_MAX_CHARS: usize = 200;
/// Most of a response body read for its message; the rest is discarded.
const BODY_READ_LIMIT: u64 = 64 * 1024;

/// Network time limits for the HTTP target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// TCP (and TLS) connection set-up.
    pub connect: Duration,
    /// The whole exchange: connect, send, response headers and body.
    pub request: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(5),
            request: Duration::from_secs(15),
        }
    }
}

/// What became of one delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The target has it (HTTP 2xx, or 409: it had it already).
    Delivered,
    /// The target refused this version (HTTP 4xx): hold it until the operator acts.
    Rejected {
        status: Option<u16>,
        message: String,
    },
    /// The target could not be reached or had trouble (5xx, timeout, refused
    /// connection, unmounted folder): try again later, nothing is lost.
    Unreachable(String),
}

/// A configuration problem found before anything is sent. `Display` is English for
/// logs; `sync::describe_target_error` localizes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetError {
    UrlMissing,
    UrlInvalid {
        url: String,
        detail: String,
    },
    /// Plain `http://` to a host other than this machine would send personal data in the
    /// clear.
    UrlInsecure {
        url: String,
    },
    TokenFileMissing,
    /// Someone besides the owner may read the token file (group/other mode bits; an ACE
    /// for Everyone, Users or Authenticated Users).
    TokenFileExposed {
        path: PathBuf,
        /// Who can read it: `mode 0644`, or the Windows account names.
        detail: String,
    },
    TokenFileRead {
        path: PathBuf,
        detail: String,
    },
    /// Empty, or characters that cannot go into an HTTP header.
    TokenInvalid {
        path: PathBuf,
    },
    CaFile {
        path: PathBuf,
        detail: String,
    },
    DirMissing,
    /// ORCA: `[sync] user` is missing.
    UserMissing,
    /// ORCA: the user is empty or holds `:` (it cannot go into Basic credentials).
    UserInvalid,
    /// ORCA: `[sync] password_file` is missing.
    PasswordFileMissing,
    /// ORCA: `memo_department` is not a two-digit 診療科コード.
    MemoDepartment {
        value: String,
    },
    /// ORCA: `memo_class` is not 1 or 2.
    MemoClass {
        value: u8,
    },
}

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetError::UrlMissing => write!(f, "[sync] url is missing"),
            TargetError::UrlInvalid { url, detail } => {
                write!(f, "[sync] url {url:?} is not valid: {detail}")
            }
            TargetError::UrlInsecure { url } => write!(
                f,
                "[sync] url {url:?}: http:// is only allowed to this machine; use https://"
            ),
            TargetError::TokenFileMissing => write!(f, "[sync] token_file is missing"),
            TargetError::TokenFileExposed { path, detail } => write!(
                f,
                "token file {} can be read by others ({detail}); fix: {}",
                path.display(),
                platform::owner_only_fix(path)
            ),
            TargetError::TokenFileRead { path, detail } => {
                write!(f, "cannot read token file {}: {detail}", path.display())
            }
            TargetError::TokenInvalid { path } => write!(
                f,
                "token file {} is empty or holds characters not allowed in a header",
                path.display()
            ),
            TargetError::CaFile { path, detail } => {
                write!(f, "CA file {}: {detail}", path.display())
            }
            TargetError::DirMissing => write!(f, "[sync] dir is missing"),
            TargetError::UserMissing => write!(f, "[sync] user is missing"),
            TargetError::UserInvalid => {
                write!(f, "[sync] user is empty or contains a colon")
            }
            TargetError::PasswordFileMissing => write!(f, "[sync] password_file is missing"),
            TargetError::MemoDepartment { value } => write!(
                f,
                "[sync] memo_department {value:?} is not a two-digit department code"
            ),
            TargetError::MemoClass { value } => {
                write!(f, "[sync] memo_class {value} is not 1 or 2")
            }
        }
    }
}

impl std::error::Error for TargetError {}

/// The configured destination.
#[derive(Debug, Clone)]
pub enum Target {
    /// Nothing is delivered; the queue stays.
    None,
    Http(HttpTarget),
    Dir(DirTarget),
    /// 日医標準レセプトソフト (`sync/orca`).
    Orca(OrcaTarget),
}

impl Target {
    /// Build the target from `[sync]`, reading the token and CA files now so mistakes
    /// show at start-up, not at the first delivery.
    pub fn from_config(cfg: &SyncConfig) -> Result<Target, TargetError> {
        Self::from_config_with(cfg, Timeouts::default())
    }

    pub fn from_config_with(cfg: &SyncConfig, timeouts: Timeouts) -> Result<Target, TargetError> {
        match cfg.target {
            SyncTarget::None => Ok(Target::None),
            SyncTarget::Dir => {
                let dir = cfg.dir.clone().ok_or(TargetError::DirMissing)?;
                Ok(Target::Dir(DirTarget::new(dir)))
            }
            SyncTarget::Http => {
                let url = cfg.url.as_deref().ok_or(TargetError::UrlMissing)?;
                let token_file = cfg
                    .token_file
                    .as_deref()
                    .ok_or(TargetError::TokenFileMissing)?;
                let token = read_token(token_file)?;
                let ca = read_ca(cfg)?;
                let http = HttpTarget::new(url, &token, ca.as_deref(), timeouts)
                    .map_err(|e| name_ca_file(e, cfg))?;
                Ok(Target::Http(http))
            }
            SyncTarget::Orca => {
                let url = cfg.url.as_deref().ok_or(TargetError::UrlMissing)?;
                let user = cfg.user.as_deref().ok_or(TargetError::UserMissing)?;
                let password_file = cfg
                    .password_file
                    .as_deref()
                    .ok_or(TargetError::PasswordFileMissing)?;
                // Same rules as a token: owner-only, printable, one line.
                let password = read_token(password_file)?;
                let ca = read_ca(cfg)?;
                let orca = OrcaTarget::new(url, user, &password, ca.as_deref(), timeouts)
                    .map_err(|e| name_ca_file(e, cfg))?
                    .with_memo(
                        cfg.memo_department
                            .as_deref()
                            .unwrap_or(DEFAULT_MEMO_DEPARTMENT),
                        cfg.memo_class.unwrap_or(DEFAULT_MEMO_CLASS),
                    )?;
                Ok(Target::Orca(orca))
            }
        }
    }

    /// What the desk's settings add: the language of onshi's own words in stored
    /// messages and the `[claim]` 不詳 coding (both used by the ORCA target only).
    pub fn for_desk(mut self, lang: Lang, valid_check_digit: bool) -> Target {
        match &mut self {
            Target::Orca(o) => {
                o.set_lang(lang);
                o.set_valid_check_digit(valid_check_digit);
            }
            Target::Dir(d) => d.lang = lang,
            Target::Http(h) => h.lang = lang,
            Target::None => {}
        }
        self
    }

    pub fn is_none(&self) -> bool {
        matches!(self, Target::None)
    }

    /// The language of onshi's own words in this target's messages.
    pub fn lang(&self) -> Lang {
        match self {
            Target::Http(h) => h.lang,
            Target::Dir(d) => d.lang,
            Target::Orca(o) => o.lang(),
            Target::None => Lang::default(),
        }
    }

    /// Deliver one version (`body` is its stored JSON). The ORCA target keeps its
    /// record → patient links in `store`; a failure there is the error.
    pub fn deliver(
        &self,
        store: &Store,
        id: &str,
        version: u32,
        body: &[u8],
    ) -> Result<Outcome, StoreError> {
        Ok(match self {
            Target::None => Outcome::Unreachable(self.lang().t(Msg::SyncDisabled).to_string()),
            Target::Http(h) => h.deliver(id, version, body),
            Target::Dir(d) => d.deliver(id, version, body),
            Target::Orca(o) => return o.deliver(store, body),
        })
    }
}

fn read_ca(cfg: &SyncConfig) -> Result<Option<Vec<u8>>, TargetError> {
    match &cfg.ca_file {
        None => Ok(None),
        Some(p) => std::fs::read(p).map(Some).map_err(|e| TargetError::CaFile {
            path: p.clone(),
            detail: e.to_string(),
        }),
    }
}

/// A CA error from parsing names the configured file.
fn name_ca_file(e: TargetError, cfg: &SyncConfig) -> TargetError {
    match (e, &cfg.ca_file) {
        (TargetError::CaFile { detail, .. }, Some(p)) => TargetError::CaFile {
            path: p.clone(),
            detail,
        },
        (e, _) => e,
    }
}

/// Read the bearer token; refuse a file that anyone but its owner can read.
pub fn read_token(path: &Path) -> Result<String, TargetError> {
    let read_err = |e: std::io::Error| TargetError::TokenFileRead {
        path: path.to_path_buf(),
        detail: e.to_string(),
    };
    let mut file = File::open(path).map_err(read_err)?;
    // Check the file we opened, not the path again: no window to swap it.
    if let Some(exposure) = platform::secret_file_exposure(&file, false).map_err(read_err)? {
        return Err(TargetError::TokenFileExposed {
            path: path.to_path_buf(),
            detail: exposure.detail,
        });
    }
    let mut s = String::new();
    file.read_to_string(&mut s).map_err(read_err)?;
    let token = s.trim();
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(TargetError::TokenInvalid {
            path: path.to_path_buf(),
        });
    }
    Ok(token.to_string())
}

/// `POST <url>` with `Idempotency-Key` and a bearer token over one kept-alive agent.
#[derive(Clone)]
pub struct HttpTarget {
    agent: Agent,
    url: String,
    auth: String,
    /// The language of onshi's own words in failure messages.
    lang: Lang,
}

impl fmt::Debug for HttpTarget {
    // The token stays out of debug output.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpTarget")
            .field("url", &self.url)
            .finish()
    }
}

impl HttpTarget {
    /// `ca_pem`: extra trusted root(s) for a clinic's private CA, added to the public
    /// roots. Certificate verification is always on.
    pub fn new(
        url: &str,
        token: &str,
        ca_pem: Option<&[u8]>,
        timeouts: Timeouts,
    ) -> Result<HttpTarget, TargetError> {
        check_url(url)?;
        Ok(HttpTarget {
            agent: agent(ca_pem, timeouts)?,
            url: url.to_string(),
            auth: format!("Bearer {token}"),
            lang: Lang::default(),
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }
}

/// One kept-alive agent: certificates always checked (`ca_pem` adds the clinic's own
/// CA to the public roots), no redirects, no proxy, statuses left to the caller.
pub(super) fn agent(ca_pem: Option<&[u8]>, timeouts: Timeouts) -> Result<Agent, TargetError> {
    let mut tls = TlsConfig::builder();
    if let Some(pem) = ca_pem {
        let ca_err = |detail: String| TargetError::CaFile {
            path: PathBuf::new(),
            detail,
        };
        let mut roots: Vec<Certificate<'static>> = webpki_root_certs::TLS_SERVER_ROOT_CERTS
            .iter()
            .map(|der| Certificate::from_der(der.as_ref()).to_owned())
            .collect();
        let before = roots.len();
        for item in ureq::tls::parse_pem(pem) {
            if let PemItem::Certificate(c) = item.map_err(|e| ca_err(e.to_string()))? {
                roots.push(c);
            }
        }
        if roots.len() == before {
            return Err(ca_err("no certificate found in the PEM file".to_string()));
        }
        tls = tls.root_certs(RootCerts::new_with_certs(&roots));
    }
    let agent: Agent = Agent::config_builder()
        .tls_config(tls.build())
        .timeout_connect(Some(timeouts.connect))
        .timeout_global(Some(timeouts.request))
        // Statuses are classified here, not turned into errors, so 4xx bodies can be read.
        .http_status_as_error(false)
        // A redirected POST is a misconfigured URL; report it instead of following it.
        .max_redirects(0)
        .max_redirects_will_error(false)
        // The receiver is on the clinic's network; never route records via an
        // environment proxy (and never send loopback test traffic elsewhere).
        .proxy(None)
        .user_agent(concat!("onshi/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    Ok(agent)
}

impl HttpTarget {
    pub fn deliver(&self, id: &str, version: u32, body: &[u8]) -> Outcome {
        let key = format!("{id}:{version}");
        let res = self
            .agent
            .post(&self.url)
            .header("Idempotency-Key", &key)
            .header("Authorization", &self.auth)
            .content_type("application/json")
            .send(body);
        let mut resp = match res {
            Ok(r) => r,
            Err(e) => return Outcome::Unreachable(failure::describe_network(&e, self.lang)),
        };
        let status = resp.status().as_u16();
        // Read the body in every case: a fully read response lets the connection be reused.
        let text = resp
            .body_mut()
            .with_config()
            .limit(BODY_READ_LIMIT)
            .read_to_vec()
            .map(|b| server_message(&b))
            .unwrap_or_default();
        let later = || Outcome::Unreachable(failure::describe_status(status, self.lang));
        match status {
            200..=299 | 409 => Outcome::Delivered,
            // Time-outs and rate limits say "later", not "never".
            408 | 429 => later(),
            400..=499 => Outcome::Rejected {
                status: Some(status),
                message: text,
            },
            _ => later(),
        }
    }
}

pub(super) fn check_url(url: &str) -> Result<(), TargetError> {
    let invalid = |detail: &str| TargetError::UrlInvalid {
        url: url.to_string(),
        detail: detail.to_string(),
    };
    let uri: ureq::http::Uri = url
        .parse()
        .map_err(|e: ureq::http::uri::InvalidUri| invalid(&e.to_string()))?;
    let host = uri.host().ok_or_else(|| invalid("no host"))?;
    match uri.scheme_str() {
        Some("https") => Ok(()),
        Some("http") if is_loopback(host) => Ok(()),
        Some("http") => Err(TargetError::UrlInsecure {
            url: url.to_string(),
        }),
        _ => Err(invalid("must start with https://")),
    }
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The useful part of a response body: a JSON `message`/`error`/`detail` string if there
/// is one, else the text; shortened and free of control characters.
pub fn server_message(body: &[u8]) -> String {
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_slice(body) {
        for field in ["message", "error", "detail", "title"] {
            if let Some(serde_json::Value::String(s)) = map.get(field) {
                return clean_message(s.as_bytes());
            }
        }
    }
    clean_message(body)
}

/// Lossy UTF-8, control and bidi characters replaced by spaces, whitespace collapsed,
/// at most [`MESSAGE_MAX_CHARS`] characters: safe to store and to show on a terminal.
pub fn clean_message(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let mut out = String::new();
    let mut count = 0;
    for word in text
        .split(|c: char| c.is_whitespace() || crate::domain::text::is_unsafe_char(c))
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
            count += 1;
        }
        for c in word.chars() {
            if count >= MESSAGE_MAX_CHARS {
                out.push('…');
                return out;
            }
            out.push(c);
            count += 1;
        }
    }
    out
}

/// The file that must be in a `dir` target's folder before anything is delivered there.
pub const INBOX_MARKER: &str = ".onshi-inbox";

/// Temporary files older than this are leftovers of a crash (a delivery takes
/// milliseconds); younger ones may be another terminal's delivery in progress.
const STALE_TMP: std::time::Duration = std::time::Duration::from_secs(3600);

/// One file `<id>-v<version>.json` per version, appearing atomically (docs/sync.md).
///
/// The folder must hold the marker [`INBOX_MARKER`], created once by whoever sets the
/// share up: an unmounted share leaves an empty local mount point behind, and without
/// the check records would be "delivered" into it and never reach the receipt side.
/// Each version is written under a temporary dot-name that cannot be predicted
/// (`.<name>.<ULID>.tmp`), created exclusively — never through a file or link someone
/// placed there — flushed, and renamed into place.
#[derive(Debug)]
pub struct DirTarget {
    dir: PathBuf,
    lang: Lang,
    /// Crash leftovers are looked for once per target.
    swept: std::sync::atomic::AtomicBool,
}

impl Clone for DirTarget {
    fn clone(&self) -> Self {
        DirTarget {
            dir: self.dir.clone(),
            lang: self.lang,
            swept: std::sync::atomic::AtomicBool::new(false),
        }
    }
}

impl DirTarget {
    pub fn new(dir: PathBuf) -> DirTarget {
        DirTarget {
            dir,
            lang: Lang::default(),
            swept: std::sync::atomic::AtomicBool::new(false),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The final file name of a version.
    pub fn file_name(id: &str, version: u32) -> String {
        format!("{id}-v{version}.json")
    }

    /// Whether the folder is the one set up for onshi (holds [`INBOX_MARKER`]).
    pub fn has_marker(&self) -> bool {
        std::fs::metadata(self.dir.join(INBOX_MARKER)).is_ok_and(|m| m.is_file())
    }

    /// Why the folder is not used, for the operator.
    pub fn no_marker_message(&self, lang: Lang) -> String {
        clean_message(
            format!(
                "{}: {} ({})",
                self.dir.display(),
                lang.t(Msg::SyncDirNoMarker),
                self.dir.join(INBOX_MARKER).display()
            )
            .as_bytes(),
        )
    }

    pub fn deliver(&self, id: &str, version: u32, body: &[u8]) -> Outcome {
        // Ids are ULIDs; anything else must not become a path (no `/`, no `..`).
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Outcome::Rejected {
                status: None,
                message: self.lang.t(Msg::SyncIdNotAFileName).to_string(),
            };
        }
        if !self.has_marker() {
            return Outcome::Unreachable(self.no_marker_message(self.lang));
        }
        let name = Self::file_name(id, version);
        // A dot name is skipped by pickers that look for *.json.
        let tmp = self.dir.join(format!(".{name}.{}.tmp", ulid::Ulid::new()));
        match self.write_atomic(&tmp, &self.dir.join(&name), body) {
            Ok(()) => {
                self.sweep_once();
                Outcome::Delivered
            }
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                Outcome::Unreachable(clean_message(
                    format!(
                        "{}: {}",
                        self.dir.display(),
                        self.lang.t(failure::folder_msg(&e))
                    )
                    .as_bytes(),
                ))
            }
        }
    }

    fn write_atomic(&self, tmp: &Path, dest: &Path, body: &[u8]) -> std::io::Result<()> {
        // Group-readable so a picker running as another user of the share's group can
        // read it; never world-readable (personal data). Exclusive: no existing file or
        // link is written through.
        let mut f = platform::create_file(tmp, Sharing::Group, true)?;
        f.write_all(body)?;
        f.sync_all()?;
        drop(f);
        platform::rename_durable(tmp, dest)
    }

    /// Remove onshi's own temporary files that a crash left behind (older than an hour).
    fn sweep_once(&self) {
        use std::sync::atomic::Ordering;
        if self.swept.swap(true, Ordering::Relaxed) {
            return;
        }
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let ours = name.starts_with('.')
                && name.ends_with(".tmp")
                && name.contains(".json.")
                && name.len() <= 100;
            let old = entry
                .metadata()
                .ok()
                .filter(|m| m.is_file())
                .and_then(|m| m.modified().ok())
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > STALE_TMP);
            if ours && old {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_message_strips_controls_and_truncates() {
        assert_eq!(
            clean_message(b"bad\x1b[31m field\r\n\tname"),
            "bad [31m field name"
        );
        assert_eq!(clean_message("a\u{202E}b".as_bytes()), "a b");
        let long = "あ".repeat(500);
        let m = clean_message(long.as_bytes());
        assert_eq!(m.chars().count(), MESSAGE_MAX_CHARS + 1);
        assert!(m.ends_with('…'));
        assert_eq!(clean_message(b"\xff\xfeok"), "\u{FFFD}\u{FFFD}ok");
    }

    #[test]
    fn server_message_prefers_json_fields() {
        assert_eq!(
            server_message(br#"{"message":"insurer_number: check digit","code":7}"#),
            "insurer_number: check digit"
        );
        assert_eq!(server_message(b"plain text"), "plain text");
        assert_eq!(server_message(br#"{"x":1}"#), r#"{"x":1}"#);
    }

    #[test]
    fn urls_must_be_https_unless_loopback() {
        assert!(check_url("https://recept.local/onshi/records").is_ok());
        assert!(check_url("http://127.0.0.1:8080/r").is_ok());
        assert!(check_url("http://localhost/r").is_ok());
        assert!(check_url("http://[::1]:9/r").is_ok());
        assert!(matches!(
            check_url("http://192.168.1.10/r"),
            Err(TargetError::UrlInsecure { .. })
        ));
        assert!(matches!(
            check_url("http://0.0.0.0:9/r"),
            Err(TargetError::UrlInsecure { .. })
        ));
        assert!(matches!(
            check_url("ftp://x/r"),
            Err(TargetError::UrlInvalid { .. })
        ));
        assert!(matches!(
            check_url("not a url"),
            Err(TargetError::UrlInvalid { .. })
        ));
    }

    #[test]
    fn ca_file_without_certificate_is_refused() {
        let e = HttpTarget::new(
            "https://recept.local/r",
            "t",
            Some(b"hello"),
            Timeouts::default(),
        )
        .unwrap_err();
        assert!(matches!(e, TargetError::CaFile { .. }), "{e}");
    }

    #[test]
    fn dir_target_refuses_path_like_ids() {
        let t = DirTarget::new(std::env::temp_dir());
        assert!(matches!(
            t.deliver("../etc", 1, b"{}"),
            Outcome::Rejected { .. }
        ));
    }
}
