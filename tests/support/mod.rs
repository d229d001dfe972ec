//! Shared helpers for the sync tests: a loopback receiver and queue builders.
#![allow(dead_code)] // each test binary uses a different subset

pub mod orca;
pub mod receiver;

use std::collections::{BTreeMap, HashSet};
use std::process::Child;
use std::time::Duration;

use onshi::store::{AuditAction, Store};
use onshi::sync::{HttpTarget, Target, Timeouts};

use crate::common::fixtures;
use receiver::Got;

pub const TOKEN: &str = "s3cret-token";

/// An HTTP target for `url` with short time limits so fault tests stay quick.
pub fn http_target(url: &str, request_timeout: Duration) -> Target {
    Target::Http(
        HttpTarget::new(
            url,
            TOKEN,
            None,
            Timeouts {
                connect: Duration::from_secs(2),
                request: request_timeout,
            },
        )
        .expect("target"),
    )
}

/// Save `records` new records, each with `versions` versions, round-robin (v1 of all,
/// then v2 of all, …) so versions of one record are far apart in the queue. Returns the
/// keys `<id>:<version>` in queue order.
pub fn queue_records(store: &Store, records: usize, versions: u32) -> Vec<String> {
    let mut recs: Vec<_> = (0..records).map(|_| fixtures::record()).collect();
    let mut keys = Vec::with_capacity(records * versions as usize);
    for v in 1..=versions {
        for rec in recs.iter_mut() {
            if v == 1 {
                store.insert_new(rec, "佐藤").expect("insert");
            } else {
                *rec = fixtures::next_version(rec);
                store
                    .update(rec, "佐藤", AuditAction::Edit)
                    .expect("update");
            }
            keys.push(format!("{}:{}", rec.id, rec.version));
        }
    }
    keys
}

/// Every expected key accepted exactly once, nothing else, and the versions of each
/// record accepted in order 1, 2, 3, …
pub fn assert_delivered_once_in_order(accepted: &[Got], expected: &[String]) {
    let got: Vec<&str> = accepted.iter().map(|g| g.key.as_str()).collect();
    let unique: HashSet<&str> = got.iter().copied().collect();
    assert_eq!(unique.len(), got.len(), "a key was accepted twice");
    let want: HashSet<&str> = expected.iter().map(String::as_str).collect();
    let missing: Vec<_> = want.difference(&unique).take(5).collect();
    let extra: Vec<_> = unique.difference(&want).take(5).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?} (of {}), unexpected {extra:?}",
        want.len() - unique.intersection(&want).count()
    );
    let mut per_record: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for g in accepted {
        let (id, v) = g.id_version();
        per_record.entry(id).or_default().push(v);
    }
    for (id, versions) in per_record {
        let in_order: Vec<u32> = (1..=versions.len() as u32).collect();
        assert_eq!(versions, in_order, "versions of {id} out of order");
    }
}

/// splitmix64: reproducible kill points.
pub fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A child process killed (and reaped) if the test fails half-way.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
