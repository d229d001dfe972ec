//! Which ORCA patient a record was delivered to (docs/orca.md): the tree `orca`, record
//! id → [`OrcaLink`].
//!
//! The link makes ORCA delivery idempotent: a retry or a later version of the record
//! goes to the same 患者番号 instead of registering the patient again. It is written
//! durably the moment ORCA has answered with the number, before anything else is sent.
//!
//! Sealed like the records in an encrypted store. A 患者番号 alone names nobody, but
//! together with the record id it ties an encrypted record to a patient in the clinic's
//! receipt system, and the warnings are ORCA's own text, which may quote a value; both
//! are better kept under the passphrase, which sync needs anyway to read the versions.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use super::error::corrupt_json;
use super::{encode, Store, StoreError};

/// How a record came to be linked to its ORCA patient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrcaLinkKind {
    /// onshi registered the patient (`patientmodv2` class 01).
    Registered,
    /// The patient was already in ORCA and found by name and birth date.
    Found,
}

/// One record's ORCA patient and the state of its last delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrcaLink {
    /// ORCA's 患者番号, as ORCA wrote it (`00036`).
    pub patient_id: String,
    pub kind: OrcaLinkKind,
    pub linked_at: DateTime<FixedOffset>,
    /// The last version whose delivery completed.
    #[serde(default)]
    pub delivered_version: Option<u32>,
    #[serde(default)]
    pub delivered_at: Option<DateTime<FixedOffset>>,
    /// The 登録日 of the patient memo that holds this record's block, so a changed
    /// service date moves the block instead of leaving a stale one behind.
    #[serde(default)]
    pub memo_date: Option<NaiveDate>,
    /// ORCA's warnings (`Api_Result` code and message, cleaned) for the last delivered
    /// version: delivered, but someone should look.
    #[serde(default)]
    pub warnings: Vec<String>,
}

impl Store {
    /// The ORCA link of record `id`, if it has one.
    pub fn orca_link(&self, id: &str) -> Result<Option<OrcaLink>, StoreError> {
        match self.orca.get(id).map_err(|e| self.sled_err(e))? {
            None => Ok(None),
            Some(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| corrupt_json("orca link", id.as_bytes(), &e)),
        }
    }

    /// Store (or replace) the link of record `id`; durable when this returns, because
    /// ORCA has already acted on it.
    pub fn orca_set_link(&self, id: &str, link: &OrcaLink) -> Result<(), StoreError> {
        let bytes = encode(link, "orca link")?;
        self.orca.insert(id, &bytes).map_err(|e| self.sled_err(e))?;
        self.flush()
    }

    /// Drop the link of record `id` (the patient is gone from ORCA); durable.
    pub fn orca_forget(&self, id: &str) -> Result<(), StoreError> {
        self.orca.remove(id).map_err(|e| self.sled_err(e))?;
        self.flush()
    }

    /// Every link, by record id.
    pub fn orca_links(&self) -> Result<Vec<(String, OrcaLink)>, StoreError> {
        let mut out = Vec::new();
        for item in self.orca.iter() {
            let (k, v) = item.map_err(|e| self.sled_err(e))?;
            let link: OrcaLink =
                serde_json::from_slice(&v).map_err(|e| corrupt_json("orca link", &k, &e))?;
            out.push((String::from_utf8_lossy(&k).into_owned(), link));
        }
        Ok(out)
    }

    /// Links whose last delivery had warnings, newest delivery first, at most `limit`.
    pub fn orca_warnings(&self, limit: usize) -> Result<Vec<(String, OrcaLink)>, StoreError> {
        let mut out: Vec<_> = self
            .orca_links()?
            .into_iter()
            .filter(|(_, l)| !l.warnings.is_empty())
            .collect();
        out.sort_by(|a, b| b.1.delivered_at.cmp(&a.1.delivered_at).then(a.0.cmp(&b.0)));
        out.truncate(limit);
        Ok(out)
    }
}
