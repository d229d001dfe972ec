//! HTTPS on 127.0.0.1: certificates are always verified; `ca_file` adds a clinic's
//! private CA to the trusted roots.

mod common;
mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use onshi::config::{SyncConfig, SyncTarget};
use onshi::i18n::{Lang, Msg};
use onshi::store::Store;
use onshi::sync::{run_pass, Target};

use support::receiver::{Receiver, TEST_CA_PEM};
use support::{assert_delivered_once_in_order, queue_records, TOKEN};

fn config(dir: &std::path::Path, url: &str, ca: Option<PathBuf>) -> SyncConfig {
    let token = dir.join("token");
    std::fs::write(&token, TOKEN).unwrap();
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
    SyncConfig {
        target: SyncTarget::Http,
        url: Some(url.to_string()),
        token_file: Some(token),
        ca_file: ca,
        dir: None,
        ..SyncConfig::default()
    }
}

#[test]
fn private_ca_from_ca_file_is_trusted() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(&tmp.path().join("store")).unwrap();
    let keys = queue_records(&store, 2, 2);
    let rx = Receiver::start_tls();
    let ca = tmp.path().join("clinic-ca.pem");
    std::fs::write(&ca, TEST_CA_PEM).unwrap();

    let target = Target::from_config(&config(tmp.path(), &rx.url(), Some(ca))).unwrap();
    let r = run_pass(&store, &target, &AtomicBool::new(false), &mut |_| {}).unwrap();
    assert_eq!(r.unreachable, None);
    assert_eq!(r.delivered, 4);
    let seen = rx.seen();
    assert_delivered_once_in_order(&seen.accepted, &keys);
    assert_eq!(seen.connections, 1, "one TLS connection, kept alive");
    assert_eq!(
        seen.accepted[0].authorization.as_deref(),
        Some(&*format!("Bearer {TOKEN}"))
    );
}

#[test]
fn unknown_ca_is_refused_and_nothing_is_sent() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(&tmp.path().join("store")).unwrap();
    queue_records(&store, 1, 1);
    let rx = Receiver::start_tls();

    // Only the public roots: the test CA is unknown, so the handshake must fail.
    let target = Target::from_config(&config(tmp.path(), &rx.url(), None)).unwrap();
    let r = run_pass(&store, &target, &AtomicBool::new(false), &mut |_| {}).unwrap();
    let why = r.unreachable.expect("certificate refused");
    // The catalogue's words, which send the technician to the certificate and ca_file.
    assert_eq!(why, Lang::Ja.t(Msg::NetTls), "{why}");
    assert_eq!(store.outbox_len(), 1, "kept for later");
    assert_eq!(rx.seen().requests, 0, "no request reached the server");

    // A CA file without a certificate in it is a configuration error, named.
    let bad = tmp.path().join("bad.pem");
    std::fs::write(&bad, "not a certificate").unwrap();
    let e = Target::from_config(&config(tmp.path(), &rx.url(), Some(bad.clone()))).unwrap_err();
    assert!(e.to_string().contains(&bad.display().to_string()), "{e}");
}
