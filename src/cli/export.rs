//! `onshi export`: the latest version of every record, oldest first.
//!
//! `jsonl` is the record itself (DESIGN.md §3). `csv` is for the receipt side: one row
//! per record with the claim columns (including the 不詳 coding) and a header row.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use super::{fail, open_store, ExportFormat, Setup};
use crate::domain::claim;
use crate::domain::record::{Record, Status};
use crate::i18n::{describe_store_error, Msg};

/// CSV columns, in order; the header row is exactly these names.
pub const CSV_COLUMNS: &[&str] = &[
    "id",
    "version",
    "status",
    "service_date",
    "incident_case",
    "verification_source",
    "claim_basis",
    "claim_insurer_number",
    "claim_symbol",
    "claim_insured_number",
    "claim_branch",
    "claim_summary",
    "copay_ratio",
    "copay_reason",
    "copay_amount_yen",
    "name",
    "name_kana",
    "birth_date",
    "sex",
    "address",
    "phone",
    "insurance_kind",
    "insurer_name",
    "employer_name",
    "followup_needed",
    "created_at",
    "updated_at",
    "terminal_id",
    "operator",
];

fn csv_row(r: &Record, valid_check_digit: bool) -> Vec<String> {
    let c = claim::coding(r, valid_check_digit);
    let d = &r.declaration;
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    vec![
        r.id.clone(),
        r.version.to_string(),
        match r.status {
            Status::Active => "active",
            Status::Voided => "voided",
        }
        .into(),
        r.service_date.to_string(),
        r.incident.case.code().into(),
        r.verification.source.code().into(),
        r.insurance.basis.code().into(),
        o(&c.insurer_number),
        o(&c.symbol),
        o(&c.insured_number),
        o(&c.branch),
        o(&c.summary),
        r.copay.ratio.to_string(),
        r.copay.reason.code().into(),
        r.copay
            .amount_yen
            .map(|a| a.to_string())
            .unwrap_or_default(),
        d.name.clone(),
        d.name_kana.clone(),
        d.birth_date.to_string(),
        d.sex.code().into(),
        d.address.clone(),
        o(&d.phone),
        d.insurance_kind.code().into(),
        o(&d.insurer_name),
        o(&d.employer_name),
        r.followup.needed.to_string(),
        r.created_at.to_rfc3339(),
        r.updated_at.to_rfc3339(),
        r.terminal_id.clone(),
        r.operator.clone(),
    ]
}

pub fn write(
    out: &mut dyn Write,
    records: &[Record],
    format: ExportFormat,
    valid_check_digit: bool,
) -> io::Result<()> {
    match format {
        ExportFormat::Jsonl => {
            for r in records {
                serde_json::to_writer(&mut *out, r)?;
                out.write_all(b"\n")?;
            }
        }
        ExportFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut *out);
            w.write_record(CSV_COLUMNS)?;
            for r in records {
                w.write_record(csv_row(r, valid_check_digit))?;
            }
            w.flush()?;
        }
    }
    out.flush()
}

pub fn run(setup: &Setup, format: ExportFormat) -> ExitCode {
    let store = match open_store(setup) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut records = match store.list() {
        Ok(r) => r,
        Err(e) => {
            return fail(
                setup.lang,
                Msg::StoreIo,
                &describe_store_error(&e, setup.lang),
                1,
            )
        }
    };
    records.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let check_digit = setup.config.claim.unknown_insurer_valid_check_digit;
    match write(&mut out, &records, format, check_digit) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`| head`) is the reader's choice, not a failure.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => fail(setup.lang, Msg::StoreIo, &e.to_string(), 1),
    }
}
