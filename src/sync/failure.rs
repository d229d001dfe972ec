//! Why a delivery did not get through, in the operator's words (docs/sync.md, "When a
//! delivery fails"): the status bar, the sync screen, `onshi sync` and `onshi doctor`
//! show these, never a library's own text such as `io: Connection refused (os error 111)`.
//!
//! Each failure is sorted into a few kinds a clerk or technician can act on (the receiver
//! is down, the name does not resolve, too slow, the certificate, the folder); the message
//! for each comes from the catalogue.

use std::io;

use crate::i18n::{Lang, Msg};

/// What a network error means for the operator.
pub fn network_msg(e: &ureq::Error) -> Msg {
    match e {
        // A refused certificate comes out of the TLS stream as an I/O error around
        // rustls' own.
        ureq::Error::Io(io) if io.get_ref().is_some_and(|e| e.is::<rustls::Error>()) => Msg::NetTls,
        ureq::Error::Io(io) => io_network_msg(io),
        ureq::Error::ConnectionFailed => Msg::NetRefused,
        ureq::Error::HostNotFound => Msg::NetHostNotFound,
        ureq::Error::Timeout(_) | ureq::Error::BodyStalled => Msg::NetTimeout,
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::Pem(_) => Msg::NetTls,
        ureq::Error::Protocol(_) | ureq::Error::LargeResponseHeader(..) => Msg::NetBadAnswer,
        _ => Msg::NetOther,
    }
}

/// What an I/O error on a network connection means for the operator.
pub fn io_network_msg(e: &io::Error) -> Msg {
    use io::ErrorKind as K;
    match e.kind() {
        K::ConnectionRefused => Msg::NetRefused,
        K::TimedOut | K::WouldBlock => Msg::NetTimeout,
        K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof => {
            Msg::NetBroken
        }
        K::NetworkUnreachable | K::HostUnreachable | K::AddrNotAvailable | K::NetworkDown => {
            Msg::NetUnreachable
        }
        _ => Msg::NetOther,
    }
}

/// What an I/O error writing into the `dir` target's folder means for the operator.
pub fn folder_msg(e: &io::Error) -> Msg {
    use io::ErrorKind as K;
    match e.kind() {
        K::NotFound | K::NotADirectory => Msg::FolderMissing,
        K::PermissionDenied | K::ReadOnlyFilesystem => Msg::FolderDenied,
        K::StorageFull | K::QuotaExceeded => Msg::FolderFull,
        K::TimedOut
        | K::ConnectionRefused
        | K::ConnectionReset
        | K::ConnectionAborted
        | K::NetworkUnreachable
        | K::HostUnreachable
        | K::NetworkDown => Msg::FolderNetwork,
        _ => Msg::FolderIo,
    }
}

/// `ureq`'s error in `lang`.
pub fn describe_network(e: &ureq::Error, lang: Lang) -> String {
    lang.t(network_msg(e)).to_string()
}

/// A server's error status in `lang`: "the target reported an error (HTTP 503)". The
/// server's own words are left out: this goes to the status bar and to `onshi sync`'s
/// stderr, which a scheduled task may keep in a log, and a receiver that echoes what it
/// was sent would put a patient's value there. A refusal (4xx) keeps them, stored with
/// the held version (sealed in an encrypted store) and shown on the sync screen only.
pub fn describe_status(status: u16, lang: Lang) -> String {
    let what = match status {
        408 | 429 => Msg::NetBusy,
        _ => Msg::NetServerError,
    };
    format!("{} (HTTP {status})", lang.t(what))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_words_in_both_languages_and_none_is_a_library_text() {
        let errors = [
            ureq::Error::Io(io::Error::from(io::ErrorKind::ConnectionRefused)),
            ureq::Error::Io(io::Error::from(io::ErrorKind::ConnectionReset)),
            ureq::Error::Io(io::Error::from(io::ErrorKind::TimedOut)),
            ureq::Error::Io(io::Error::other("strange")),
            ureq::Error::HostNotFound,
            ureq::Error::ConnectionFailed,
            ureq::Error::Tls("bad certificate"),
        ];
        for e in &errors {
            for lang in [Lang::Ja, Lang::En] {
                let s = describe_network(e, lang);
                assert!(!s.is_empty());
                assert!(!s.contains("io:") && !s.contains("os error"), "{s}");
            }
        }
        assert_eq!(network_msg(&errors[0]), Msg::NetRefused);
        assert_eq!(network_msg(&errors[1]), Msg::NetBroken);
        assert_eq!(network_msg(&errors[2]), Msg::NetTimeout);
        assert_eq!(network_msg(&errors[4]), Msg::NetHostNotFound);
        assert_eq!(network_msg(&errors[6]), Msg::NetTls);
    }

    #[test]
    fn folder_errors_say_what_to_check() {
        let kind = |k| folder_msg(&io::Error::from(k));
        assert_eq!(kind(io::ErrorKind::NotFound), Msg::FolderMissing);
        assert_eq!(kind(io::ErrorKind::PermissionDenied), Msg::FolderDenied);
        assert_eq!(kind(io::ErrorKind::StorageFull), Msg::FolderFull);
        assert_eq!(kind(io::ErrorKind::Other), Msg::FolderIo);
    }

    #[test]
    fn a_status_names_its_code_and_not_the_servers_words() {
        assert_eq!(
            describe_status(503, Lang::En),
            "The target reported an error (HTTP 503)"
        );
        let busy = describe_status(429, Lang::Ja);
        assert!(busy.starts_with(Lang::Ja.t(Msg::NetBusy)), "{busy}");
    }
}
