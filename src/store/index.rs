//! Queries that do not decode every record (BENCHMARKS.md: the first frame with 100,000 records).
//!
//! - [`Store::records_created_between`]: record ids are ULIDs minted when the record is
//!   created, and ULIDs sort by their millisecond timestamp, so the records created in a
//!   span of time are one key range of `records`; only those are read and decoded. (An
//!   imported record keeps the id it came with, so it is found under that id's time.)
//! - [`Store::followups_indexed`], [`Store::followup_count_indexed`] and
//!   [`Store::count_indexed`]: from a derived index, the
//!   tree `index`, brought up to date from the audit trail on each call. Every change to a
//!   record writes an audit entry with its id in the same transaction (create, edit, void,
//!   follow-up, import, purge), so the entries after the index's watermark name exactly
//!   the records to look at again. The first call on a store builds the index with one
//!   full scan; later calls read only what changed since.
//!
//! The index is derived data: it is written without a flush, and a crash that loses its
//! last update only means the next call catches up from an older watermark. Keys:
//! `w` → last audit sequence folded in (u64 BE), `n` → number of records (u64 BE),
//! `f` ‖ id → `[]` for every active record that waits for follow-up.

use chrono::{DateTime, FixedOffset};
use sled::Tree;

use super::{decode_record, decode_seq, AuditAction, AuditEntry, Store, StoreError};
use crate::domain::record::Record;

const WATERMARK: &[u8] = b"w";
const COUNT: &[u8] = b"n";
const FOLLOWUP: u8 = b'f';

fn followup_key(id: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(id.len() + 1);
    k.push(FOLLOWUP);
    k.extend_from_slice(id.as_bytes());
    k
}

fn needs_followup(rec: &Record) -> bool {
    rec.awaits_followup()
}

fn read_u64(v: Option<sled::IVec>) -> Option<u64> {
    v.and_then(|v| <[u8; 8]>::try_from(v.as_ref()).ok())
        .map(u64::from_be_bytes)
}

/// The smallest ULID string minted at `t` or later (Crockford base32 sorts like its number).
fn ulid_floor(t: DateTime<FixedOffset>) -> String {
    let ms = u64::try_from(t.timestamp_millis()).unwrap_or(0);
    ulid::Ulid::from_parts(ms, 0).to_string()
}

impl Store {
    /// Records whose id was minted in `[from, to)`, newest `created_at` first (as
    /// [`Store::list`] orders them). Reads only that key range of `records`.
    pub fn records_created_between(
        &self,
        from: DateTime<FixedOffset>,
        to: DateTime<FixedOffset>,
    ) -> Result<Vec<Record>, StoreError> {
        let (lo, hi) = (ulid_floor(from), ulid_floor(to));
        let mut out = Vec::new();
        if lo >= hi {
            return Ok(out);
        }
        for item in self.records.raw().range(lo.as_bytes()..hi.as_bytes()) {
            let (k, v) = item.map_err(|e| self.sled_err(e))?;
            let plain = self.records.open_value(&k, &v)?;
            out.push(decode_record(&k, &plain)?);
        }
        out.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then_with(|| b.id.cmp(&a.id))
        });
        Ok(out)
    }

    /// Every active record that waits for follow-up, oldest `created_at` first (the order
    /// of the follow-up list), from the derived index.
    pub fn followups_indexed(&self) -> Result<Vec<Record>, StoreError> {
        let index = self.index_caught_up()?;
        let mut out = Vec::new();
        for item in index.scan_prefix([FOLLOWUP]) {
            let (k, _) = item.map_err(|e| self.sled_err(e))?;
            let id = String::from_utf8_lossy(&k[1..]).into_owned();
            // A record changed since the catch-up is re-checked on the spot.
            if let Some(rec) = self.get(&id)? {
                if needs_followup(&rec) {
                    out.push(rec);
                }
            }
        }
        out.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(out)
    }

    /// How many active records wait for follow-up (the status bar's 要確認), from the
    /// derived index without reading a record.
    pub fn followup_count_indexed(&self) -> Result<usize, StoreError> {
        let index = self.index_caught_up()?;
        let mut n = 0;
        for item in index.scan_prefix([FOLLOWUP]) {
            item.map_err(|e| self.sled_err(e))?;
            n += 1;
        }
        Ok(n)
    }

    /// Number of records, from the derived index (no scan once it is built).
    pub fn count_indexed(&self) -> Result<usize, StoreError> {
        let index = self.index_caught_up()?;
        let n = read_u64(index.get(COUNT).map_err(|e| self.sled_err(e))?).unwrap_or(0);
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    /// The index tree with every audit entry folded in.
    fn index_caught_up(&self) -> Result<Tree, StoreError> {
        let index = self.db.open_tree("index").map_err(|e| self.sled_err(e))?;
        match read_u64(index.get(WATERMARK).map_err(|e| self.sled_err(e))?) {
            None => self.index_rebuild(&index)?,
            Some(w) => self.index_catch_up(&index, w)?,
        }
        Ok(index)
    }

    /// The last audit sequence number, if any.
    fn last_audit_seq(&self) -> Result<Option<u64>, StoreError> {
        match self.audit.last().map_err(|e| self.sled_err(e))? {
            None => Ok(None),
            Some((k, _)) => decode_seq(&k, "audit").map(Some),
        }
    }

    /// Build the index from a full scan of `records`.
    fn index_rebuild(&self, index: &Tree) -> Result<(), StoreError> {
        // The watermark is taken first: a save that lands during the scan is folded in
        // again by the next catch-up, which is harmless.
        let w = self.last_audit_seq()?.unwrap_or(0);
        let mut batch = sled::Batch::default();
        for item in index.iter() {
            let (k, _) = item.map_err(|e| self.sled_err(e))?;
            batch.remove(k);
        }
        let mut n = 0u64;
        for item in self.records.raw().iter() {
            let (k, v) = item.map_err(|e| self.sled_err(e))?;
            let plain = self.records.open_value(&k, &v)?;
            let rec = decode_record(&k, &plain)?;
            n += 1;
            if needs_followup(&rec) {
                batch.insert(followup_key(&rec.id), &[] as &[u8]);
            }
        }
        batch.insert(COUNT, &n.to_be_bytes());
        batch.insert(WATERMARK, &w.to_be_bytes());
        index.apply_batch(batch).map_err(|e| self.sled_err(e))
    }

    /// Fold in the audit entries after `w`.
    fn index_catch_up(&self, index: &Tree, w: u64) -> Result<(), StoreError> {
        let Some(start) = w.checked_add(1) else {
            return Ok(());
        };
        let mut last = None;
        let mut delta = 0i64;
        let mut touched = std::collections::BTreeSet::new();
        for item in self.audit.range(start.to_be_bytes()..) {
            let (k, v) = item.map_err(|e| self.sled_err(e))?;
            last = Some(decode_seq(&k, "audit")?);
            let entry: AuditEntry = serde_json::from_slice(&v)
                .map_err(|e| super::error::corrupt_json("audit entry", &k, &e))?;
            match entry.action {
                AuditAction::Create => delta += 1,
                AuditAction::Purge => delta -= 1,
                _ => {}
            }
            if let Some(id) = entry.record_id {
                touched.insert(id);
            }
        }
        let Some(last) = last else {
            return Ok(());
        };
        let mut batch = sled::Batch::default();
        for id in touched {
            match self.get(&id)? {
                Some(rec) if needs_followup(&rec) => batch.insert(followup_key(&id), &[] as &[u8]),
                _ => batch.remove(followup_key(&id)),
            }
        }
        let n = read_u64(index.get(COUNT).map_err(|e| self.sled_err(e))?).unwrap_or(0);
        let n = n.saturating_add_signed(delta);
        batch.insert(COUNT, &n.to_be_bytes());
        batch.insert(WATERMARK, &last.to_be_bytes());
        index.apply_batch(batch).map_err(|e| self.sled_err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ulid_floor_orders_like_time() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap();
        let a = ulid_floor(t("2026-11-28T00:00:00+09:00"));
        let b = ulid_floor(t("2026-11-29T00:00:00+09:00"));
        assert!(a < b);
        let minted = ulid::Ulid::from_datetime(t("2026-11-28T12:00:00+09:00").into()).to_string();
        assert!(a <= minted && minted < b, "{a} {minted} {b}");
        // Before the epoch there is nothing: the floor is the smallest id.
        assert_eq!(
            ulid_floor(t("1960-01-01T00:00:00+00:00")),
            ulid::Ulid::nil().to_string()
        );
    }
}
