//! Durable save: `Store::insert_new` (one sled transaction over five trees, then `flush`)
//! beside the floor any durable write pays on the same disk: writing 4 KiB to a file and
//! `fsync`ing it. Both run in the same directory, interleaved in blocks so drift in the
//! disk's speed hits both alike. Also shown: a draft autosave (`save_draft`: insert +
//! flush), which the form does on every changed keystroke.
//!
//! `cargo bench --bench save` (and `taskset -c 0 cargo bench --bench save`); under `cargo
//! test --all-targets` it runs with tiny N.

#[path = "common/mod.rs"]
mod common;

use std::fs::OpenOptions;
use std::io::{Seek, SeekFrom, Write};
use std::time::Duration;

use common::{full_run, report, time_each, us, Stats};
use onshi::store::Store;

fn main() {
    let full = full_run();
    let (blocks, per_block) = if full { (20, 100) } else { (2, 10) };
    // A directory on the disk the store would use: under target/, not a RAM-backed /tmp.
    let base = option_env!("CARGO_TARGET_TMPDIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    std::fs::create_dir_all(&base).expect("bench dir");
    let tmp = tempfile::tempdir_in(&base).expect("tempdir");
    let fs_type = fs_type_of(tmp.path());
    println!(
        "durable save benchmark, {} saves, in {} ({fs_type}), CPUs {}",
        blocks * per_block,
        tmp.path().display(),
        common::cpus_allowed()
    );

    let store = Store::open(&tmp.path().join("store")).expect("store");
    let mut file = OpenOptions::new()
        .create(true)
        .truncate(true)
        .read(true)
        .write(true)
        .open(tmp.path().join("fsync-4k"))
        .expect("file");
    let page = vec![0x5au8; 4096];
    // The record to save is made outside the timed region (a fresh id each time).
    let records: Vec<_> = (0..2 * blocks * per_block + 20)
        .map(|_| common::fresh_record())
        .collect();
    let mut next = records.iter();

    // Warm both paths.
    for _ in 0..10 {
        store
            .insert_new(next.next().unwrap(), "bench")
            .expect("save");
        fsync_page(&mut file, &page);
    }

    // sled's flush ends in sync_file_range(2), not fsync: this is what an fdatasync of its
    // log file after each save would add (the cost of power-cut durability).
    let sled_log = std::fs::File::open(tmp.path().join("store").join("db")).expect("sled db file");
    let (mut saves, mut fsyncs, mut drafts, mut synced) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    // Each keystroke changes the draft (sled skips a write of an identical value).
    let mut draft = vec![b'{'; 1500];
    let mut k = 0usize;
    for _ in 0..blocks {
        let s = time_each(per_block, || {
            store
                .insert_new(next.next().unwrap(), "bench")
                .expect("save")
        });
        let f = time_each(per_block, || fsync_page(&mut file, &page));
        let d = time_each(per_block, || {
            k += 1;
            draft[k % 1500] ^= 1;
            store.save_draft("form", &draft).expect("draft");
        });
        let y = time_each(per_block, || {
            store
                .insert_new(next.next().unwrap(), "bench")
                .expect("save");
            sled_log.sync_data().expect("fdatasync");
        });
        synced.push(y);
        saves.push(s);
        fsyncs.push(f);
        drafts.push(d);
    }
    assert_eq!(store.count(), 10 + 2 * blocks * per_block);
    let (save, fsync, draft, synced) = (
        merge(&saves),
        merge(&fsyncs),
        merge(&drafts),
        merge(&synced),
    );

    report(
        "durable save: insert_new (median)",
        &format!("{:.0} us", us(save.median)),
        &format!("{:.0} us", us(fsync.median)),
        Some(us(save.median) / us(fsync.median)),
        "<= 1.5x fsync",
        us(save.median) <= 1.5 * us(fsync.median),
    );
    report(
        "durable save: insert_new (mean)",
        &format!("{:.0} us", us(save.mean)),
        &format!("{:.0} us", us(fsync.mean)),
        Some(us(save.mean) / us(fsync.mean)),
        "<= 1.5x fsync",
        us(save.mean) <= 1.5 * us(fsync.mean),
    );
    report(
        "insert_new + fdatasync(sled log) (median)",
        &format!("{:.0} us", us(synced.median)),
        &format!("{:.0} us", us(fsync.median)),
        Some(us(synced.median) / us(fsync.median)),
        "<= 1.5x fsync",
        us(synced.median) <= 1.5 * us(fsync.median),
    );
    report(
        "draft autosave: save_draft (median)",
        &format!("{:.0} us", us(draft.median)),
        &format!("{:.0} us", us(fsync.median)),
        Some(us(draft.median) / us(fsync.median)),
        "(per changed keystroke)",
        true,
    );
    println!(
        "    p99: insert_new {:.0} us, +fdatasync {:.0} us, fsync {:.0} us, save_draft {:.0} us",
        us(save.p99),
        us(synced.p99),
        us(fsync.p99),
        us(draft.p99)
    );
}

/// Rewrite one 4 KiB page in place and fsync it.
fn fsync_page(file: &mut std::fs::File, page: &[u8]) {
    file.seek(SeekFrom::Start(0)).expect("seek");
    file.write_all(page).expect("write");
    file.sync_all().expect("fsync");
}

/// Stats over the samples of several blocks: medians of the block medians would hide the
/// tail, so the blocks' figures are recombined approximately from median/mean/p99.
fn merge(blocks: &[Stats]) -> Stats {
    let mut med: Vec<Duration> = blocks.iter().map(|s| s.median).collect();
    med.sort();
    let n: usize = blocks.iter().map(|s| s.n).sum();
    let mean = blocks.iter().map(|s| s.mean * s.n as u32).sum::<Duration>() / n as u32;
    let p99 = blocks.iter().map(|s| s.p99).max().unwrap_or_default();
    Stats {
        n,
        median: med[med.len() / 2],
        mean,
        p99,
    }
}

/// The file system type of `path` from /proc/self/mounts (longest matching mount point).
fn fs_type_of(path: &std::path::Path) -> String {
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap_or_default();
    mounts
        .lines()
        .filter_map(|l| {
            let mut it = l.split_whitespace();
            let (_, mnt, ty) = (it.next()?, it.next()?, it.next()?);
            path.starts_with(mnt).then(|| (mnt.len(), ty.to_string()))
        })
        .max()
        .map(|(_, t)| t)
        .unwrap_or_else(|| "unknown".into())
}
