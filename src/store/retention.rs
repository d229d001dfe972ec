//! Retention (`onshi purge`): delete records that have served their purpose.
//!
//! The guidance lets a clinic discard the declaration once the claim is settled, so a
//! record may go when (a) every version was delivered (nothing for it in the outbox, also
//! nothing held as refused), (b) it does not wait for a follow-up, and (c) its service date
//! is past the retention period. Purging removes the latest version, every stored version
//! and any form draft editing it, and writes one `purge` audit entry (id and version only).
//!
//! sled reuses the space of deleted values only when it rewrites a log segment; until then
//! the old bytes stay in the files (sealed, in an encrypted store).

use std::collections::HashSet;

use chrono::{Duration, NaiveDate};
use serde::Deserialize;
use sled::transaction::{ConflictableTransactionError, TransactionError, Transactional};

use super::{
    decode_seq, encode, now, stored_version, AuditAction, AuditEntry, OutboxValue, Store,
    StoreError,
};
use crate::domain::record::{Record, Status};

/// What retention says about one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PurgeDecision {
    Purge,
    /// A version is still queued (or held) for delivery.
    Queued,
    /// Waiting for the follow-up check.
    Followup,
    /// Service date within the retention period.
    Recent,
}

/// Records with a service date before this day are past a retention of `days` days.
pub fn purge_cutoff(today: NaiveDate, days: u32) -> NaiveDate {
    today
        .checked_sub_signed(Duration::days(i64::from(days)))
        .unwrap_or(NaiveDate::MIN)
}

/// The rule, as a pure function. Delivery and follow-up are checked before age so the
/// report tells why a due record stays.
pub fn purge_decision(rec: &Record, queued: bool, cutoff: NaiveDate) -> PurgeDecision {
    if queued {
        PurgeDecision::Queued
    } else if rec.status == Status::Active && rec.followup.needed {
        // Same test as the follow-up list: a voided record waits for nothing.
        PurgeDecision::Followup
    } else if rec.service_date >= cutoff {
        PurgeDecision::Recent
    } else {
        PurgeDecision::Purge
    }
}

/// Which records a purge would remove, and how many stay for each reason.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PurgePlan {
    /// (id, latest version), oldest service date first.
    pub purge: Vec<(String, u32)>,
    pub kept_queued: usize,
    pub kept_followup: usize,
    pub kept_recent: usize,
}

/// What a purge did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PurgeReport {
    pub plan: PurgePlan,
    /// Records removed (can be fewer than planned if one changed meanwhile).
    pub records: usize,
    /// Stored versions removed, over all records.
    pub versions: usize,
    /// Form drafts removed because they were editing a purged record.
    pub drafts: usize,
}

/// Only what a draft says about the record it edits; the rest of the form is not ours.
#[derive(Deserialize)]
struct DraftRef {
    #[serde(default)]
    editing: Option<IdRef>,
}

#[derive(Deserialize)]
struct IdRef {
    id: String,
}

impl Store {
    fn queued_ids(&self) -> Result<HashSet<String>, StoreError> {
        let mut ids = HashSet::new();
        for item in self.outbox.iter() {
            let (k, v) = item.map_err(|e| self.sled_err(e))?;
            decode_seq(&k, "outbox")?;
            let val: OutboxValue = serde_json::from_slice(&v)
                .map_err(|e| super::error::corrupt_json("outbox entry", &k, &e))?;
            ids.insert(val.id);
        }
        Ok(ids)
    }

    fn plan_with(&self, cutoff: NaiveDate) -> Result<PurgePlan, StoreError> {
        let queued = self.queued_ids()?;
        let mut records = self.list()?;
        records.sort_by(|a, b| a.service_date.cmp(&b.service_date).then(a.id.cmp(&b.id)));
        let mut plan = PurgePlan::default();
        for r in &records {
            match purge_decision(r, queued.contains(&r.id), cutoff) {
                PurgeDecision::Purge => plan.purge.push((r.id.clone(), r.version)),
                PurgeDecision::Queued => plan.kept_queued += 1,
                PurgeDecision::Followup => plan.kept_followup += 1,
                PurgeDecision::Recent => plan.kept_recent += 1,
            }
        }
        Ok(plan)
    }

    /// What [`Store::purge`] would do now with records served before `cutoff`.
    pub fn purge_plan(&self, cutoff: NaiveDate) -> Result<PurgePlan, StoreError> {
        self.plan_with(cutoff)
    }

    /// Delete every record that retention allows (see the module docs), auditing each as
    /// `purge` by `operator`. Durable when this returns.
    pub fn purge(&self, cutoff: NaiveDate, operator: &str) -> Result<PurgeReport, StoreError> {
        self.purge_with_progress(cutoff, operator, &mut |_| {})
    }

    /// [`Store::purge`], calling `one_done(total)` after each record it has judged, out of
    /// `total`.
    pub fn purge_with_progress(
        &self,
        cutoff: NaiveDate,
        operator: &str,
        one_done: &mut dyn FnMut(usize),
    ) -> Result<PurgeReport, StoreError> {
        // Saves take `write_order` before they commit, so holding it from the outbox check
        // to the last removal means no version can be queued for a record meanwhile.
        let order = self.write_order.lock().unwrap_or_else(|p| p.into_inner());
        let plan = self.plan_with(cutoff)?;
        let drafts = self.drafts_by_record()?;
        let mut report = PurgeReport::default();
        let total = plan.purge.len();
        for (id, version) in &plan.purge {
            let vkeys: Vec<_> = self
                .versions
                .keys_with_prefix(id.as_bytes())
                .map_err(|e| self.sled_err(e))?
                .into_iter()
                // The prefix also matches longer ids that start with `id`.
                .filter(|k| k.len() == id.len() + 4)
                .collect();
            // What was set aside goes with the record: its reason and the target's
            // refusal may quote the record (the audit keeps that it happened).
            let set_aside_keys = self.set_aside_keys_of(id)?;
            let draft_keys: Vec<&Vec<u8>> = drafts
                .iter()
                .filter(|(_, rid)| rid == id)
                .map(|(k, _)| k)
                .collect();
            let audit_val = encode(
                &AuditEntry {
                    at: now(),
                    operator: operator.to_string(),
                    record_id: Some(id.clone()),
                    version: Some(*version),
                    action: AuditAction::Purge,
                    count: None,
                },
                "audit entry",
            )?;
            let audit_seq = self.next_seq()?;
            let res = (
                self.records.raw(),
                self.versions.raw(),
                self.drafts.raw(),
                &self.audit,
                self.orca.raw(),
                self.set_aside.raw(),
            )
                .transaction(
                    |(records, versions, drafts_tree, audit, orca, set_aside)| {
                        // Only the version that was judged: anything else means it changed.
                        let same = match records.get(id.as_bytes())? {
                            Some(bytes) => self
                                .records
                                .open_value(id.as_bytes(), &bytes)
                                .and_then(|plain| stored_version(id.as_bytes(), &plain))
                                .map(|v| v == *version)
                                .map_err(ConflictableTransactionError::Abort)?,
                            None => false,
                        };
                        if !same {
                            return Ok(false);
                        }
                        records.remove(id.as_bytes())?;
                        for k in &vkeys {
                            versions.remove(k)?;
                        }
                        for k in &draft_keys {
                            drafts_tree.remove(k.as_slice())?;
                        }
                        // Nothing more will be delivered for it.
                        orca.remove(id.as_bytes())?;
                        for k in &set_aside_keys {
                            set_aside.remove(k.as_slice())?;
                        }
                        audit.insert(&audit_seq.to_be_bytes(), audit_val.as_slice())?;
                        Ok(true)
                    },
                );
            match res {
                Ok(true) => {
                    report.records += 1;
                    report.versions += vkeys.len();
                    report.drafts += draft_keys.len();
                }
                Ok(false) => {}
                Err(TransactionError::Abort(e)) => return Err(e),
                Err(TransactionError::Storage(e)) => return Err(self.sled_err(e)),
            }
            one_done(total);
        }
        drop(order);
        report.plan = plan;
        self.flush()?;
        Ok(report)
    }

    /// (draft key, id of the record it edits) for drafts that edit a record.
    fn drafts_by_record(&self) -> Result<Vec<(Vec<u8>, String)>, StoreError> {
        let mut out = Vec::new();
        for item in self.drafts.iter() {
            let (k, v) = item.map_err(|e| self.sled_err(e))?;
            // A draft we cannot read is not ours to judge: leave it.
            if let Ok(DraftRef {
                editing: Some(IdRef { id }),
            }) = serde_json::from_slice::<DraftRef>(&v)
            {
                out.push((k.to_vec(), id));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn cutoff_is_today_minus_days() {
        assert_eq!(purge_cutoff(d("2027-03-01"), 90), d("2026-12-01"));
        assert_eq!(purge_cutoff(d("2027-03-01"), 0), d("2027-03-01"));
        assert_eq!(purge_cutoff(NaiveDate::MIN, 5), NaiveDate::MIN);
    }
}
