//! The store's index queries (`src/store/index.rs`) against the full scan they replace:
//! after any sequence of creates, edits, voids, follow-up completions, deliveries, purges
//! and reopenings, `followups_indexed`, `count_indexed` and `records_created_between` give
//! exactly what filtering `Store::list` gives.

mod common;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use proptest::prelude::*;

use common::fixtures;
use onshi::domain::record::{Record, Status};
use onshi::store::{AuditAction, Store};

#[derive(Debug, Clone)]
enum Op {
    /// A new record created `days` ago, waiting for follow-up or not.
    Create {
        days: i64,
        followup: bool,
    },
    /// Edit record `n` (of those that exist): toggles its follow-up flag.
    Edit(usize),
    Void(usize),
    /// Everything queued is delivered.
    DeliverAll,
    /// Purge what retention allows with a cutoff `days` ago.
    Purge {
        days: i64,
    },
    /// Ask the index now (so later checks are incremental catch-ups).
    Query,
    Reopen,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (0i64..40, any::<bool>()).prop_map(|(days, followup)| Op::Create { days, followup }),
        2 => any::<usize>().prop_map(Op::Edit),
        1 => any::<usize>().prop_map(Op::Void),
        1 => Just(Op::DeliverAll),
        1 => (0i64..40).prop_map(|days| Op::Purge { days }),
        2 => Just(Op::Query),
        1 => Just(Op::Reopen),
    ]
}

fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-11-28T15:00:00+09:00").unwrap()
}

fn record_at(created: DateTime<FixedOffset>, followup: bool) -> Record {
    let id = ulid::Ulid::from_datetime(created.into()).to_string();
    let mut r = fixtures::record_with_id(&id);
    r.created_at = created;
    r.updated_at = created;
    r.service_date = created.date_naive();
    r.followup.needed = followup;
    r
}

fn check(store: &Store) -> Result<(), TestCaseError> {
    let all = store.list().unwrap();
    let mut want: Vec<Record> = all
        .iter()
        .filter(|r| r.awaits_followup())
        .cloned()
        .collect();
    want.sort_by(|a, b| {
        a.created_at
            .cmp(&b.created_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    prop_assert_eq!(store.followup_count_indexed().unwrap(), want.len());
    prop_assert_eq!(store.followups_indexed().unwrap(), want);
    prop_assert_eq!(store.count_indexed().unwrap(), all.len());
    for days in [0i64, 1, 7] {
        let day = (now() - Duration::days(days)).date_naive();
        let from = day_start(day);
        let got = store
            .records_created_between(from, from + Duration::days(1))
            .unwrap();
        let want: Vec<Record> = all
            .iter()
            .filter(|r| r.created_at.date_naive() == day)
            .cloned()
            .collect();
        prop_assert_eq!(got, want, "records created on {}", day);
    }
    Ok(())
}

fn day_start(day: NaiveDate) -> DateTime<FixedOffset> {
    day.and_hms_opt(0, 0, 0)
        .unwrap()
        .and_local_timezone(*now().offset())
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn index_queries_agree_with_a_full_scan(ops in prop::collection::vec(op(), 1..24)) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("store");
        let mut store = Store::open(&dir).unwrap();
        let mut ids: Vec<String> = Vec::new();
        let mut minute = 0i64;
        for op in ops {
            match op {
                Op::Create { days, followup } => {
                    minute += 1;
                    let at = now() - Duration::days(days) - Duration::minutes(minute);
                    let rec = record_at(at, followup);
                    store.insert_new(&rec, "佐藤").unwrap();
                    ids.push(rec.id);
                }
                Op::Edit(n) | Op::Void(n) if !ids.is_empty() => {
                    let id = &ids[n % ids.len()];
                    let Some(old) = store.get(id).unwrap() else { continue };
                    let mut next = fixtures::next_version(&old);
                    let action = if matches!(op, Op::Void(_)) {
                        next.status = Status::Voided;
                        next.void_reason = Some("二重登録".into());
                        AuditAction::Void
                    } else {
                        next.followup.needed = !old.followup.needed;
                        AuditAction::Edit
                    };
                    store.update(&next, "佐藤", action).unwrap();
                }
                Op::Edit(_) | Op::Void(_) => {}
                Op::DeliverAll => {
                    for e in store.outbox_peek(usize::MAX).unwrap() {
                        store.outbox_remove(e.seq).unwrap();
                    }
                }
                Op::Purge { days } => {
                    let cutoff = (now() - Duration::days(days)).date_naive();
                    store.purge(cutoff, "佐藤").unwrap();
                }
                Op::Query => check(&store)?,
                Op::Reopen => {
                    drop(store);
                    store = Store::open(&dir).unwrap();
                }
            }
        }
        check(&store)?;
    }
}

#[test]
fn a_day_range_reads_only_that_day() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(tmp.path()).unwrap();
    for days in 0..30 {
        for m in 0..3 {
            let at = now() - Duration::days(days) - Duration::minutes(m);
            store.insert_new(&record_at(at, false), "佐藤").unwrap();
        }
    }
    let today = day_start(now().date_naive());
    let got = store
        .records_created_between(today, today + Duration::days(1))
        .unwrap();
    assert_eq!(got.len(), 3);
    assert!(
        got.windows(2).all(|w| w[0].created_at >= w[1].created_at),
        "newest first"
    );
    // An empty or reversed span is empty.
    assert!(store
        .records_created_between(today, today)
        .unwrap()
        .is_empty());
    assert_eq!(store.count_indexed().unwrap(), 90);
}
