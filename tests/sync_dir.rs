//! Sync to a folder: one complete file per version, never a partial one in sight; only
//! into a folder marked as the inbox (`.onshi-inbox`); never through a planted file or
//! link.

mod common;
mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use onshi::store::Store;
use onshi::sync::{run_pass, DirTarget, Outcome, Target, INBOX_MARKER};

use common::fixtures;
use support::queue_records;

/// Make `dir` the inbox: the folder and its marker.
fn inbox_at(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(INBOX_MARKER), b"").unwrap();
}

/// Check every visible (non-dot) file: right name, complete JSON whose id and version
/// match the name. Returns how many there were.
fn check_visible(dir: &Path) -> usize {
    let mut n = 0;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    for e in entries {
        let name = e.unwrap().file_name().into_string().unwrap();
        if name.starts_with('.') {
            continue;
        }
        let stem = name
            .strip_suffix(".json")
            .unwrap_or_else(|| panic!("unexpected file {name}"));
        let (id, v) = stem
            .rsplit_once("-v")
            .unwrap_or_else(|| panic!("bad name {name}"));
        assert_eq!(id.len(), 26, "{name}");
        let v: u32 = v
            .parse()
            .unwrap_or_else(|_| panic!("bad version in {name}"));
        let bytes = std::fs::read(dir.join(&name)).unwrap();
        let json: serde_json::Value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("partial or broken file {name}: {e}"));
        assert_eq!(json["id"], id, "{name}");
        assert_eq!(json["version"], v, "{name}");
        n += 1;
    }
    n
}

#[test]
fn files_appear_complete_with_the_right_names() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(&tmp.path().join("store")).unwrap();
    let inbox = tmp.path().join("inbox");
    inbox_at(&inbox);
    let keys = queue_records(&store, 150, 2);
    let target = Target::Dir(DirTarget::new(inbox.clone()));

    // A picker scanning the folder all the time while versions are written.
    let done = AtomicBool::new(false);
    let (report, scans, max_seen) = std::thread::scope(|s| {
        let watcher = s.spawn(|| {
            let (mut scans, mut max_seen) = (0usize, 0usize);
            while !done.load(Ordering::SeqCst) {
                max_seen = max_seen.max(check_visible(&inbox));
                scans += 1;
            }
            (scans, max_seen)
        });
        let r = run_pass(&store, &target, &AtomicBool::new(false), &mut |_| {}).unwrap();
        done.store(true, Ordering::SeqCst);
        let (scans, max_seen) = watcher.join().unwrap();
        (r, scans, max_seen)
    });
    assert_eq!(report.delivered, 300);
    assert!(
        scans > 1 && max_seen > 0,
        "the watcher saw the writes ({scans} scans)"
    );

    assert_eq!(check_visible(&inbox), 300);
    for key in &keys {
        let (id, v) = key.rsplit_once(':').unwrap();
        let v: u32 = v.parse().unwrap();
        let path = inbox.join(DirTarget::file_name(id, v));
        assert_eq!(
            Some(std::fs::read(&path).unwrap()),
            store.version_json(id, v).unwrap(),
            "content of {key}"
        );
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode & 0o007, 0, "not world-readable: {mode:o}");
    }
    let leftovers: Vec<_> = std::fs::read_dir(&inbox)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().starts_with('.') && n != INBOX_MARKER)
        .collect();
    assert!(leftovers.is_empty(), "temp files left: {leftovers:?}");
    assert_eq!(store.outbox_len(), 0);
}

#[test]
fn missing_folder_is_unreachable_and_nothing_is_lost() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(&tmp.path().join("store")).unwrap();
    queue_records(&store, 3, 1);
    // The share is not mounted yet.
    let inbox = tmp.path().join("not-mounted");
    let target = Target::Dir(DirTarget::new(inbox.clone()));
    let r = run_pass(&store, &target, &AtomicBool::new(false), &mut |_| {}).unwrap();
    assert!(
        r.unreachable.as_deref().unwrap().contains("not-mounted"),
        "{r:?}"
    );
    assert_eq!(store.outbox_len(), 3);

    // The mount point is there but the share is not on it: no marker, nothing written.
    std::fs::create_dir(&inbox).unwrap();
    let r = run_pass(&store, &target, &AtomicBool::new(false), &mut |_| {}).unwrap();
    assert!(
        r.unreachable.as_deref().unwrap().contains(INBOX_MARKER),
        "{r:?}"
    );
    assert_eq!(std::fs::read_dir(&inbox).unwrap().count(), 0);
    assert_eq!(store.outbox_len(), 3);

    std::fs::write(inbox.join(INBOX_MARKER), b"").unwrap();
    let r = run_pass(&store, &target, &AtomicBool::new(false), &mut |_| {}).unwrap();
    assert_eq!(r.delivered, 3);
    assert_eq!(check_visible(&inbox), 3);
    assert_eq!(store.outbox_len(), 0);
}

#[test]
fn a_repeat_delivery_replaces_the_file_and_planted_names_are_never_written_through() {
    let tmp = tempfile::tempdir().unwrap();
    let inbox = tmp.path().join("inbox");
    inbox_at(&inbox);
    let t = DirTarget::new(inbox.clone());
    let rec = fixtures::record();
    let body = serde_json::to_vec(&rec).unwrap();
    let name = DirTarget::file_name(&rec.id, 1);
    // Someone who can write to the share plants a link at the temp name older builds
    // used, pointing at a file of theirs to overwrite.
    let victim = tmp.path().join("victim");
    std::fs::write(&victim, b"keep").unwrap();
    let planted = inbox.join(format!(".{name}.tmp"));
    std::os::unix::fs::symlink(&victim, &planted).unwrap();

    assert_eq!(t.deliver(&rec.id, 1, &body), Outcome::Delivered);
    assert_eq!(t.deliver(&rec.id, 1, &body), Outcome::Delivered);
    assert_eq!(std::fs::read(&victim).unwrap(), b"keep");
    assert_eq!(std::fs::read(inbox.join(&name)).unwrap(), body);
    let mut names: Vec<_> = std::fs::read_dir(&inbox)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    // The planted link is not ours to remove; no temp file of ours is left.
    let mut want = vec![INBOX_MARKER.to_string(), format!(".{name}.tmp"), name];
    want.sort();
    assert_eq!(names, want);
}

#[test]
fn a_crash_leftover_older_than_an_hour_is_swept_a_fresh_one_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let inbox = tmp.path();
    inbox_at(inbox);
    let old = inbox.join(".01JF0000000000000000000009-v1.json.01JF0000000000000000000000.tmp");
    let fresh = inbox.join(".01JF0000000000000000000008-v1.json.01JF0000000000000000000000.tmp");
    std::fs::write(&old, b"{\"half").unwrap();
    std::fs::write(&fresh, b"{\"half").unwrap();
    let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    std::fs::File::options()
        .write(true)
        .open(&old)
        .unwrap()
        .set_modified(two_hours_ago)
        .unwrap();
    let rec = fixtures::record();
    let t = DirTarget::new(inbox.to_path_buf());
    assert_eq!(
        t.deliver(&rec.id, 1, &serde_json::to_vec(&rec).unwrap()),
        Outcome::Delivered
    );
    assert!(!old.exists(), "a stale leftover stays");
    assert!(
        fresh.exists(),
        "another terminal's write in progress was removed"
    );
}
