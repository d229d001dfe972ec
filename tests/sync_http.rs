//! Sync to a real HTTP receiver on 127.0.0.1: ordering, headers, faults, refusals, the
//! background worker, and a 10,000-version queue.

mod common;
mod support;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use onshi::i18n::{Lang, Msg};
use onshi::store::{AuditAction, Store};
use onshi::sync::{
    queue, run_pass, EntryState, PassReport, SyncStatus, Target, Worker, WorkerHandle,
    WorkerOptions,
};

use common::fixtures;
use support::receiver::{free_addr, Fault, Receiver};
use support::{assert_delivered_once_in_order, http_target, queue_records, TOKEN};

const WAIT: Duration = Duration::from_secs(20);

fn pass(store: &Store, target: &Target) -> PassReport {
    run_pass(store, target, &AtomicBool::new(false), &mut |_| {}).expect("pass")
}

fn fast_worker(store: &Arc<Store>, target: Target) -> WorkerHandle {
    Worker::spawn_with(
        Arc::clone(store),
        target,
        WorkerOptions {
            backoff_min: Duration::from_millis(20),
            backoff_max: Duration::from_millis(200),
            ..WorkerOptions::default()
        },
    )
}

fn open() -> (tempfile::TempDir, Store) {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(&tmp.path().join("store")).unwrap();
    (tmp, store)
}

#[test]
fn delivers_every_version_in_order_with_headers_over_one_connection() {
    let (_tmp, store) = open();
    let keys = queue_records(&store, 4, 3);
    let rx = Receiver::start();
    let target = http_target(&rx.url(), Duration::from_secs(5));

    let r = pass(&store, &target);
    assert_eq!(r.delivered, 12);
    assert_eq!(r.unreachable, None);
    assert_eq!(store.outbox_len(), 0);

    let seen = rx.seen();
    // Queue order is save order.
    assert_eq!(rx.keys(), keys);
    assert_delivered_once_in_order(&seen.accepted, &keys);
    assert_eq!(seen.connections, 1, "keep-alive: one connection for all");
    for got in &seen.accepted {
        assert_eq!(
            got.authorization.as_deref(),
            Some(&*format!("Bearer {TOKEN}"))
        );
        assert_eq!(got.content_type.as_deref(), Some("application/json"));
        let (id, v) = got.id_version();
        // The body is the stored version, byte for byte.
        assert_eq!(Some(got.body.clone()), store.version_json(&id, v).unwrap());
    }

    // One audit line per delivery, without personal values.
    let audit = store.audit().unwrap();
    let delivered = audit
        .iter()
        .filter(|a| a.action == AuditAction::SyncDelivered)
        .count();
    assert_eq!(delivered, 12);
    let text = serde_json::to_string(&audit.iter().map(|a| a.action.code()).collect::<Vec<_>>())
        .unwrap()
        + &format!("{audit:?}");
    assert!(!text.contains(fixtures::NAME) && !text.contains(fixtures::PHONE));

    // Nothing left: a second pass sends nothing.
    assert_eq!(pass(&store, &target).delivered, 0);
    assert_eq!(rx.seen().requests, 12);
}

#[test]
fn server_down_at_start_then_up_delivers_everything() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&tmp.path().join("store")).unwrap());
    let keys = queue_records(&store, 3, 2);
    let addr = free_addr();
    let target = http_target(
        &format!("http://{addr}/onshi/records"),
        Duration::from_secs(5),
    );

    let w = fast_worker(&store, target);
    // Nobody listens: offline, with the reason, and nothing lost.
    let offline = |s: &SyncStatus| s.online == Some(false) && s.last_error.is_some();
    let t0 = Instant::now();
    while !offline(&w.status()) {
        assert!(t0.elapsed() < WAIT, "never went offline: {:?}", w.status());
        std::thread::sleep(Duration::from_millis(10));
    }
    let s = w.status();
    assert!(s.since.is_some());
    // In the clerk's words from the catalogue, not the socket library's.
    let why = s.last_error.clone().unwrap_or_default();
    assert_eq!(why, Lang::Ja.t(Msg::NetRefused), "{why}");
    assert_eq!(s.queued, 6);
    assert_eq!(store.outbox_len(), 6);
    // It keeps trying while down (backoff, no busy loop): attempts are counted.
    std::thread::sleep(Duration::from_millis(300));
    let head = &queue(&store, 1).unwrap()[0];
    assert!(head.attempts >= 2, "retried while down: {head:?}");
    assert!(head.attempts < 100, "busy loop: {head:?}");

    let rx = Receiver::start_on(addr);
    assert!(
        w.wait_until(WAIT, |s| s.queued == 0 && s.online == Some(true)),
        "not drained: {:?}",
        w.status()
    );
    let s = w.status();
    assert_eq!(s.last_error, None);
    assert_eq!(s.delivered, 6);
    assert_delivered_once_in_order(&rx.seen().accepted, &keys);
    assert_eq!(store.outbox_len(), 0);
    assert!(w.shutdown(Duration::from_secs(5)));
}

#[test]
fn server_errors_are_retried_until_accepted() {
    let (_tmp, store) = open();
    let keys = queue_records(&store, 2, 2);
    let rx = Receiver::start();
    for _ in 0..3 {
        rx.push_fault(Fault::Status(500, "boom".into()));
    }
    rx.push_fault(Fault::Status(503, "maintenance".into()));
    rx.push_fault(Fault::Status(429, "slow down".into()));
    let target = http_target(&rx.url(), Duration::from_secs(5));

    // A 5xx ends the pass; the entry stays queued, with the reason.
    let r = pass(&store, &target);
    assert_eq!(r.delivered, 0);
    // The catalogue's words and the status; not the server's text, which could echo a
    // value and would end in a scheduled task's log.
    let why = r.unreachable.as_deref().unwrap();
    assert_eq!(
        why,
        format!("{} (HTTP 500)", Lang::Ja.t(Msg::NetServerError)),
        "{r:?}"
    );
    assert_eq!(store.outbox_len(), 4);

    let mut passes = 1;
    while store.outbox_len() > 0 {
        pass(&store, &target);
        passes += 1;
        assert!(passes < 20);
    }
    assert_eq!(passes, 6, "three 500s, a 503 and a 429, then success");
    let seen = rx.seen();
    assert_delivered_once_in_order(&seen.accepted, &keys);
    assert_eq!(seen.requests, 4 + 5);
}

#[test]
fn slow_response_past_the_timeout_is_retried_without_duplicate() {
    let (_tmp, store) = open();
    let keys = queue_records(&store, 2, 1);
    let rx = Receiver::start();
    // Processed after the client gave up: the retry must be recognised as a repeat.
    rx.push_fault(Fault::Slow(Duration::from_millis(900)));
    let target = http_target(&rx.url(), Duration::from_millis(300));

    let t0 = Instant::now();
    let r = pass(&store, &target);
    assert!(
        t0.elapsed() < Duration::from_millis(850),
        "timeout not applied"
    );
    assert_eq!(
        r.unreachable.as_deref(),
        Some(Lang::Ja.t(Msg::NetTimeout)),
        "{r:?}"
    );
    assert_eq!(store.outbox_len(), 2);

    // Let the slow request complete on the server side.
    std::thread::sleep(Duration::from_millis(800));
    let r = pass(&store, &target);
    assert_eq!(r.delivered, 2);
    let seen = rx.seen();
    assert_delivered_once_in_order(&seen.accepted, &keys);
    assert_eq!(seen.repeats, 1, "the first key arrived twice, answered 409");
    assert_eq!(store.outbox_len(), 0);
}

#[test]
fn connection_dropped_after_processing_is_not_duplicated() {
    let (_tmp, store) = open();
    let keys = queue_records(&store, 3, 2);
    let rx = Receiver::start();
    rx.push_fault(Fault::DropAfterProcess);
    let target = http_target(&rx.url(), Duration::from_secs(5));

    let r = pass(&store, &target);
    assert!(r.unreachable.is_some(), "{r:?}");
    assert_eq!(store.outbox_len(), 6, "not confirmed, so still queued");

    let r = pass(&store, &target);
    assert_eq!(r.delivered, 6);
    let seen = rx.seen();
    assert_delivered_once_in_order(&seen.accepted, &keys);
    assert_eq!(seen.repeats, 1);
    assert_eq!(store.outbox_len(), 0);
}

#[test]
fn refused_version_is_held_and_blocks_only_its_own_record() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&tmp.path().join("store")).unwrap());
    // a1, b1, a2, b2, c1
    let a1 = fixtures::record();
    let b1 = fixtures::record();
    let c1 = fixtures::record();
    store.insert_new(&a1, "佐藤").unwrap();
    store.insert_new(&b1, "佐藤").unwrap();
    let a2 = fixtures::next_version(&a1);
    store.update(&a2, "佐藤", AuditAction::Edit).unwrap();
    let b2 = fixtures::next_version(&b1);
    store.update(&b2, "佐藤", AuditAction::Edit).unwrap();
    store.insert_new(&c1, "佐藤").unwrap();
    let key = |id: &str, v: u32| format!("{id}:{v}");

    let rx = Receiver::start();
    rx.reject_key(
        &key(&a1.id, 1),
        400,
        "insurer_number: check digit\u{1b}[31m wrong\n",
    );
    let target = http_target(&rx.url(), Duration::from_secs(5));
    let w = fast_worker(&store, target);
    assert!(w.wait_until(WAIT, |s| s.failed == 1), "{:?}", w.status());
    let s = w.status();
    assert_eq!(s.queued, 1, "a2 waits behind a1");
    assert_eq!(s.online, Some(true));
    let err = s.last_error.unwrap();
    assert!(
        err.contains("HTTP 400") && err.contains("check digit"),
        "{err}"
    );
    assert!(!err.contains('\u{1b}') && !err.contains('\n'), "{err:?}");

    assert_eq!(
        rx.keys(),
        vec![key(&b1.id, 1), key(&b2.id, 2), key(&c1.id, 1)],
        "other records went through, a2 did not"
    );
    let q = w.queue(100).unwrap();
    assert_eq!(q.len(), 2);
    assert_eq!(
        (q[0].id.as_str(), q[0].version, q[0].state),
        (&*a1.id, 1, EntryState::Failed)
    );
    assert_eq!(q[0].status, Some(400));
    assert_eq!(
        q[0].error.as_deref(),
        Some("insurer_number: check digit [31m wrong")
    );
    assert_eq!(q[0].attempts, 1);
    assert!(q[0].failed_at.is_some());
    assert_eq!(
        (q[1].id.as_str(), q[1].state),
        (&*a2.id, EntryState::Waiting)
    );
    let failed_audits = store
        .audit()
        .unwrap()
        .iter()
        .filter(|a| a.action == AuditAction::SyncFailed)
        .count();
    assert_eq!(failed_audits, 1);

    // Held: a new save wakes the worker, but a1 is not sent again on its own.
    let d1 = fixtures::record();
    store.insert_new(&d1, "佐藤").unwrap();
    w.wake();
    assert!(w.wait_until(WAIT, |s| s.delivered == 4), "{:?}", w.status());
    assert_eq!(
        rx.seen().rejected,
        1,
        "held entry not retried without the operator"
    );

    // The operator fixed it on the server side and retries.
    rx.accept_key(&key(&a1.id, 1));
    w.retry(q[0].seq, "佐藤");
    assert!(
        w.wait_until(WAIT, |s| s.queued == 0 && s.failed == 0),
        "{:?}",
        w.status()
    );
    let keys = rx.keys();
    assert_eq!(&keys[keys.len() - 2..], &[key(&a1.id, 1), key(&a2.id, 2)]);
    assert_eq!(w.status().last_error, None, "nothing held any more");
    assert_eq!(store.outbox_len(), 0);
    assert!(w.shutdown(Duration::from_secs(5)));
}

#[test]
fn retry_all_requeues_every_held_version() {
    let (_tmp, store) = open();
    let keys = queue_records(&store, 3, 1);
    let rx = Receiver::start();
    rx.set_always(Some(Fault::Status(401, r#"{"error":"bad token"}"#.into())));
    let target = http_target(&rx.url(), Duration::from_secs(5));
    let r = pass(&store, &target);
    assert_eq!(r.newly_failed, 3);
    assert_eq!(store.outbox_failed().unwrap().len(), 3);
    assert_eq!(
        store.outbox_failed().unwrap()[0]
            .failure
            .as_ref()
            .unwrap()
            .message,
        "bad token"
    );

    rx.set_always(None);
    assert_eq!(
        pass(&store, &target).delivered,
        0,
        "held until the operator acts"
    );
    assert_eq!(store.outbox_retry_all("佐藤").unwrap(), 3);
    assert_eq!(pass(&store, &target).delivered, 3);
    assert_delivered_once_in_order(&rx.seen().accepted, &keys);
}

#[test]
fn worker_with_no_target_keeps_the_queue() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&tmp.path().join("store")).unwrap());
    queue_records(&store, 2, 1);
    let w = Worker::spawn(Arc::clone(&store), Target::None);
    assert!(w.wait_until(WAIT, |s| s.queued == 2), "{:?}", w.status());
    let s = w.status();
    assert!(!s.enabled);
    assert_eq!(s.online, None);
    store.insert_new(&fixtures::record(), "佐藤").unwrap();
    w.wake();
    assert!(w.wait_until(WAIT, |s| s.queued == 3), "{:?}", w.status());
    assert_eq!(store.outbox_len(), 3);
    assert!(w.shutdown(Duration::from_secs(5)));
}

#[test]
fn ten_thousand_queued_versions_are_delivered_once_in_order() {
    let (_tmp, store) = open();
    let t0 = Instant::now();
    let keys = queue_records(&store, 5_000, 2);
    let queued_in = t0.elapsed();
    assert_eq!(store.outbox_len(), 10_000);

    let rx = Receiver::start();
    let target = http_target(&rx.url(), Duration::from_secs(10));
    let t1 = Instant::now();
    let r = pass(&store, &target);
    let delivered_in = t1.elapsed();
    eprintln!("10k: queued in {queued_in:?}, delivered in {delivered_in:?}");
    assert_eq!(r.delivered, 10_000);
    assert_eq!(store.outbox_len(), 0);
    let seen = rx.seen();
    assert_eq!(seen.requests, 10_000);
    assert_eq!(rx.keys(), keys, "queue order");
    assert_delivered_once_in_order(&seen.accepted, &keys);
}

#[test]
fn bad_sync_config_never_stops_the_desk() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&tmp.path().join("store")).unwrap());
    queue_records(&store, 1, 1);
    let cfg = onshi::config::SyncConfig {
        target: onshi::config::SyncTarget::Http,
        ..Default::default()
    };
    let w = Worker::spawn_from_config(Arc::clone(&store), &cfg, onshi::i18n::Lang::En);
    assert!(w.wait_until(WAIT, |s| s.queued == 1), "{:?}", w.status());
    let s = w.status();
    assert!(!s.enabled);
    assert_eq!(s.last_error.as_deref(), Some("[sync] url is missing"));
    assert_eq!(store.outbox_len(), 1);
    assert!(w.shutdown(Duration::from_secs(5)));
}
