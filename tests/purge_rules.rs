//! Retention: `Store::purge` and `onshi purge`. Only records that are delivered, not
//! waiting for a follow-up, and past retention by service date go — with all versions and
//! any draft editing them — and each deletion is audited without personal values.

mod audit_support;
mod common;

use chrono::{Duration, Local, NaiveDate};

use audit_support::{any_file_contains, assert_no_personal, code, ok, text, Desk};
use common::fixtures;
use onshi::domain::record::{Record, Status};
use onshi::store::{purge_cutoff, AuditAction, PurgeDecision, Store};

fn today() -> NaiveDate {
    Local::now().date_naive()
}

/// A record served `days_ago`, follow-up settled unless `followup`.
fn rec(days_ago: i64, followup: bool) -> Record {
    let mut r = fixtures::record();
    r.service_date = today() - Duration::days(days_ago);
    r.followup.needed = followup;
    r
}

/// Mark every queued version delivered, as sync does.
fn deliver_all(store: &Store) {
    for item in store.outbox_items(None, usize::MAX).unwrap() {
        assert!(store.outbox_delivered(item.seq, "sync").unwrap());
    }
    store.outbox_flush().unwrap();
}

#[test]
fn decide_follows_the_rules() {
    let cutoff = purge_cutoff(today(), 90);
    let old = rec(200, false);
    assert_eq!(
        onshi::store::purge_decision(&old, false, cutoff),
        PurgeDecision::Purge
    );
    assert_eq!(
        onshi::store::purge_decision(&old, true, cutoff),
        PurgeDecision::Queued
    );
    let pending = rec(200, true);
    assert_eq!(
        onshi::store::purge_decision(&pending, false, cutoff),
        PurgeDecision::Followup
    );
    let mut voided = rec(200, true);
    voided.status = Status::Voided;
    assert_eq!(
        onshi::store::purge_decision(&voided, false, cutoff),
        PurgeDecision::Purge
    );
    // Exactly at the retention age is not "older than".
    assert_eq!(
        onshi::store::purge_decision(&rec(90, false), false, cutoff),
        PurgeDecision::Recent
    );
    assert_eq!(
        onshi::store::purge_decision(&rec(91, false), false, cutoff),
        PurgeDecision::Purge
    );
}

#[test]
fn purge_removes_only_what_retention_allows() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let gone = rec(200, false);
    let mut voided = rec(150, true);
    let followup = rec(200, true);
    let queued = rec(200, false);
    let recent = rec(10, false);
    for r in [&gone, &voided, &followup, &queued, &recent] {
        store.insert_new(r, "佐藤").unwrap();
    }
    // An edit of `gone` (two versions to delete) and a void.
    let gone_v2 = fixtures::next_version(&gone);
    store.update(&gone_v2, "佐藤", AuditAction::Edit).unwrap();
    voided = {
        let mut v = fixtures::next_version(&voided);
        v.status = Status::Voided;
        v.void_reason = Some("重複".into());
        v
    };
    store.update(&voided, "佐藤", AuditAction::Void).unwrap();
    deliver_all(&store);
    // `queued` gets a new version that is not delivered yet.
    store
        .update(&fixtures::next_version(&queued), "佐藤", AuditAction::Edit)
        .unwrap();
    // Drafts: one editing `gone`, one editing `recent`, one new intake.
    let draft = |r: Option<&Record>| {
        serde_json::json!({"mode": "Edit", "editing": r, "values": {}}).to_string()
    };
    store
        .save_draft("form", draft(Some(&gone_v2)).as_bytes())
        .unwrap();
    store
        .save_draft("other", draft(Some(&recent)).as_bytes())
        .unwrap();
    store.save_draft("new", draft(None).as_bytes()).unwrap();

    let cutoff = purge_cutoff(today(), 90);
    let plan = store.purge_plan(cutoff).unwrap();
    let planned: Vec<&str> = plan.purge.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(
        planned,
        [gone.id.as_str(), voided.id.as_str()],
        "oldest first"
    );
    assert_eq!(
        (plan.kept_queued, plan.kept_followup, plan.kept_recent),
        (1, 1, 1)
    );
    assert_eq!(store.count(), 5, "a plan deletes nothing");

    let report = store.purge(cutoff, "鈴木").unwrap();
    assert_eq!(report.records, 2);
    assert_eq!(report.versions, 4);
    assert_eq!(report.drafts, 1);
    assert_eq!(report.plan, plan);

    for r in [&gone, &voided] {
        assert!(store.get(&r.id).unwrap().is_none());
        assert!(store.versions(&r.id).unwrap().is_empty());
    }
    for r in [&followup, &queued, &recent] {
        assert!(store.get(&r.id).unwrap().is_some());
    }
    assert!(store.load_draft("form").unwrap().is_none());
    assert!(store.load_draft("other").unwrap().is_some());
    assert!(store.load_draft("new").unwrap().is_some());

    let purges: Vec<_> = store
        .audit()
        .unwrap()
        .into_iter()
        .filter(|e| e.action == AuditAction::Purge)
        .collect();
    assert_eq!(purges.len(), 2);
    assert_eq!(purges[0].record_id.as_deref(), Some(gone.id.as_str()));
    assert_eq!(purges[0].version, Some(2));
    assert_eq!(purges[1].record_id.as_deref(), Some(voided.id.as_str()));
    assert!(purges.iter().all(|e| e.operator == "鈴木"));
    assert_no_personal("purge audit", &format!("{purges:?}"));

    // Again: nothing more to do.
    let again = store.purge(cutoff, "鈴木").unwrap();
    assert_eq!(again.records, 0);
}

#[test]
fn a_record_longer_id_sharing_a_prefix_keeps_its_versions() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let a = {
        let mut r = rec(200, false);
        r.id = "01JDQ7Z3X4K5M6N7P8Q9R0S1T2".into();
        r
    };
    store.insert_new(&a, "佐藤").unwrap();
    deliver_all(&store);
    // Version keys are id ++ u32: a longer id that starts with `a`'s must not match.
    let b = {
        let mut r = rec(200, true);
        r.id = "01JDQ7Z3X4K5M6N7P8Q9R0S1T2X".into();
        r
    };
    store.insert_new(&b, "佐藤").unwrap();
    deliver_all(&store);
    store.purge(purge_cutoff(today(), 90), "佐藤").unwrap();
    assert!(store.get(&a.id).unwrap().is_none());
    assert_eq!(store.versions(&b.id).unwrap().len(), 1);
}

#[test]
fn cli_purge_dry_run_then_real() {
    let desk = Desk::new();
    let gone = rec(200, false);
    let followup = rec(200, true);
    let queued = rec(200, false);
    let recent = rec(10, false);
    {
        let store = desk.open();
        for r in [&gone, &followup, &recent] {
            store.insert_new(r, "佐藤").unwrap();
        }
        deliver_all(&store);
        store.insert_new(&queued, "佐藤").unwrap();
    }

    for bad in ["90", "0d", "ninety"] {
        let out = desk.onshi(&["purge", "--older-than", bad]);
        assert_eq!(code(&out), 2, "{bad}: {}", text(&out.stderr));
    }

    let out = desk.onshi(&["purge", "--older-than", "90d", "--dry-run"]);
    let listed = ok(&out);
    assert_eq!(listed.trim(), format!("{} v1", gone.id));
    let err = text(&out.stderr);
    for needle in [
        "削除対象：1件",
        "未送信のため保持：1件",
        "要確認のため保持：1件",
        "保存期間内のため保持：1件",
    ] {
        assert!(err.contains(needle), "missing {needle}: {err}");
    }
    assert_eq!(desk.open().count(), 4, "dry run deleted something");

    // The config's retention applies without --older-than: 300 days keeps everything.
    desk.config("retention_days = 300\n");
    let out = desk.onshi(&["purge", "--dry-run"]);
    assert_eq!(ok(&out).trim(), "");
    assert!(
        text(&out.stderr).contains("保存期間内のため保持：2件"),
        "{}",
        text(&out.stderr)
    );

    let out = desk.onshi(&[
        "--operator",
        "鈴木",
        "--lang",
        "en",
        "purge",
        "--older-than",
        "90d",
    ]);
    ok(&out);
    assert!(
        text(&out.stderr).contains("deleted: 1"),
        "{}",
        text(&out.stderr)
    );
    let store = desk.open();
    assert!(store.get(&gone.id).unwrap().is_none());
    assert_eq!(store.count(), 3);
    drop(store);

    let audit = ok(&desk.onshi(&["audit", "--record", &gone.id]));
    let last = audit.lines().last().unwrap();
    assert!(last.ends_with("purge") && last.contains("鈴木"), "{audit}");
    assert_no_personal("audit", &audit);
    assert_no_personal("stderr", &desk.all_stderr());
}

/// After a purge the store is compacted: the purged records' values are no longer in any
/// of its files (sled would keep them in its log), what was set aside for them goes too,
/// and the records that stay are intact.
#[test]
fn cli_purge_compacts_so_purged_values_do_not_linger() {
    let desk = Desk::new();
    let mut gone = rec(200, false);
    gone.declaration.name = "消去　花子".into();
    gone.declaration.address = "北海道札幌市消去区１－２".into();
    let stays = rec(10, false);
    {
        let store = desk.open();
        store.insert_new(&gone, "佐藤").unwrap();
        store.insert_new(&stays, "佐藤").unwrap();
        // The target refused v1 of `gone` and the clerk set it aside.
        let seq = store.outbox_items(None, 1).unwrap()[0].seq;
        store
            .outbox_mark_failed(seq, Some(422), "消去　花子 is unknown", "sync")
            .unwrap();
        store
            .outbox_set_aside(seq, "消去　花子さんの分は紙で提出", "佐藤")
            .unwrap();
        deliver_all(&store);
        assert_eq!(store.set_aside_list().unwrap().len(), 1);
    }
    for secret in ["消去　花子", "消去区"] {
        assert!(
            any_file_contains(&desk.store(), secret.as_bytes()),
            "{secret}"
        );
    }
    let out = desk.onshi(&["--lang", "en", "purge", "--older-than", "90d"]);
    ok(&out);
    let err = text(&out.stderr);
    assert!(
        err.contains("deleted: 1") && err.contains("store compacted"),
        "{err}"
    );
    for secret in ["消去　花子", "消去区", "紙で提出"] {
        assert!(
            !any_file_contains(&desk.store(), secret.as_bytes()),
            "{secret} lingers in the store's files after the purge"
        );
    }
    let store = desk.open();
    assert!(store.get(&gone.id).unwrap().is_none());
    assert_eq!(store.get(&stays.id).unwrap().unwrap(), stays);
    assert!(store.set_aside_list().unwrap().is_empty());
    assert!(store
        .audit()
        .unwrap()
        .iter()
        .any(|a| a.action == AuditAction::SetAside
            && a.record_id.as_deref() == Some(gone.id.as_str())));
    drop(store);
    // Nothing to purge: no compaction, nothing said about one.
    let out = desk.onshi(&["--lang", "en", "purge", "--older-than", "90d"]);
    assert!(
        !text(&out.stderr).contains("compacted"),
        "{}",
        text(&out.stderr)
    );
}

/// On a terminal a purge shows its running count and says it is compacting the store (which
/// takes a while with many records); the summary follows on a clean line.
#[test]
fn cli_purge_shows_its_progress_on_a_terminal() {
    let desk = Desk::new();
    {
        let store = desk.open();
        for _ in 0..3 {
            store.insert_new(&rec(200, false), "佐藤").unwrap();
        }
        deliver_all(&store);
    }
    let mut c = desk.cmd();
    c.arg("--store")
        .arg(desk.store())
        .args(["--lang", "en", "purge", "--older-than", "90d"]);
    let (status, shown) = common::pty::run_on_terminal(&c, &desk.path(""));
    assert_eq!(status, Some(0), "{shown}");
    let shown = common::pty::plain(&shown);
    assert!(shown.contains("onshi: purging "), "{shown}");
    assert!(shown.contains("compacting the store"), "{shown}");
    assert!(shown.contains("deleted: 3"), "{shown}");
    assert!(desk.open().list().unwrap().is_empty());
}
