//! Sync to a folder: one complete file per version, never a partial one in sight.

mod common;
mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use onshi::store::Store;
use onshi::sync::{run_pass, DirTarget, Outcome, Target};

use common::fixtures;
use support::queue_records;

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
    std::fs::create_dir(&inbox).unwrap();
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
        .filter(|n| n.to_string_lossy().starts_with('.'))
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

    std::fs::create_dir(&inbox).unwrap();
    let r = run_pass(&store, &target, &AtomicBool::new(false), &mut |_| {}).unwrap();
    assert_eq!(r.delivered, 3);
    assert_eq!(check_visible(&inbox), 3);
    assert_eq!(store.outbox_len(), 0);
}

#[test]
fn a_repeat_delivery_replaces_a_crash_leftover_and_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let inbox = tmp.path();
    let t = DirTarget::new(inbox.to_path_buf());
    let rec = fixtures::record();
    let body = serde_json::to_vec(&rec).unwrap();
    let name = DirTarget::file_name(&rec.id, 1);
    // A crash mid-write left half a temp file behind.
    std::fs::write(inbox.join(format!(".{name}.tmp")), &body[..10]).unwrap();

    assert_eq!(t.deliver(&rec.id, 1, &body), Outcome::Delivered);
    assert_eq!(t.deliver(&rec.id, 1, &body), Outcome::Delivered);
    let names: Vec<_> = std::fs::read_dir(inbox)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, vec![name.clone()]);
    assert_eq!(std::fs::read(inbox.join(&name)).unwrap(), body);
}
