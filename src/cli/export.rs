//! `onshi export`: the latest version of every record, oldest first.
//!
//! `jsonl` is the record itself (docs/record.md). `csv` is for the receipt side: one row
//! per record with the claim columns (including the 不詳 coding) and a header row naming
//! every column; `--encoding cp932` writes it in Windows-31J, with characters outside it
//! as 〓 and a note on stderr naming the record ids and columns (never the values). `fhir`
//! is a FHIR R4 Bundle (`export/fhir.rs`).
//!
//! `--since DATE` keeps records whose `updated_at` (its date in its own offset) is on or
//! after DATE: an incremental export must carry late corrections of older visits too,
//! which a service-date filter would miss.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use chrono::{DateTime, FixedOffset, NaiveDate};

use super::{audit::since_date, fail, open_store, CsvEncoding, ExportFormat, Setup};
use crate::domain::claim;
use crate::domain::record::{Record, Status};
use crate::export::{cp932, fhir};
use crate::i18n::{describe_store_error, Lang, Msg};

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

/// A CSV value that lost characters to CP932: where, and how many; never what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replaced {
    pub id: String,
    pub column: &'static str,
    pub count: usize,
}

/// Records changed on or after `since`.
pub fn since_filter(records: Vec<Record>, since: Option<NaiveDate>) -> Vec<Record> {
    match since {
        None => records,
        Some(d) => records
            .into_iter()
            .filter(|r| r.updated_at.date_naive() >= d)
            .collect(),
    }
}

fn write_csv(
    out: &mut dyn Write,
    records: &[Record],
    encoding: CsvEncoding,
    valid_check_digit: bool,
) -> io::Result<Vec<Replaced>> {
    let mut replaced = Vec::new();
    match encoding {
        CsvEncoding::Utf8 => {
            let mut w = csv::Writer::from_writer(&mut *out);
            w.write_record(CSV_COLUMNS)?;
            for r in records {
                w.write_record(csv_row(r, valid_check_digit))?;
            }
            w.flush()?;
        }
        CsvEncoding::Cp932 => {
            // Fit each value first, so every replacement is counted against its column;
            // then the whole text is encodable and is converted in one go.
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(CSV_COLUMNS)?;
            for r in records {
                let row: Vec<String> = csv_row(r, valid_check_digit)
                    .into_iter()
                    .zip(CSV_COLUMNS)
                    .map(|(value, column)| {
                        let (fitted, count) = cp932::fit(&value);
                        if count > 0 {
                            replaced.push(Replaced {
                                id: r.id.clone(),
                                column,
                                count,
                            });
                        }
                        fitted
                    })
                    .collect();
                w.write_record(row)?;
            }
            let utf8 = w.into_inner().map_err(|e| e.into_error())?;
            let text =
                String::from_utf8(utf8).map_err(|_| io::Error::from(io::ErrorKind::InvalidData))?;
            out.write_all(&cp932::encode(&text))?;
        }
    }
    Ok(replaced)
}

/// Write `records` in `format`; returns the CP932 replacements made (CSV only).
pub fn write(
    out: &mut dyn Write,
    records: &[Record],
    format: ExportFormat,
    encoding: CsvEncoding,
    valid_check_digit: bool,
    fhir_opts: &fhir::FhirOptions,
    now: DateTime<FixedOffset>,
) -> io::Result<Vec<Replaced>> {
    let mut replaced = Vec::new();
    match format {
        ExportFormat::Jsonl => {
            for r in records {
                serde_json::to_writer(&mut *out, r)?;
                out.write_all(b"\n")?;
            }
        }
        ExportFormat::Csv => replaced = write_csv(out, records, encoding, valid_check_digit)?,
        ExportFormat::Fhir => {
            serde_json::to_writer_pretty(&mut *out, &fhir::bundle_with(records, now, fhir_opts))?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    Ok(replaced)
}

fn report_replaced(lang: Lang, replaced: &[Replaced]) {
    for r in replaced {
        eprintln!(
            "onshi: {}: {} {} ({})",
            lang.t(Msg::ExportReplaced),
            r.id,
            r.column,
            r.count
        );
    }
}

pub fn run(
    setup: &Setup,
    format: ExportFormat,
    since: Option<&str>,
    encoding: Option<CsvEncoding>,
) -> ExitCode {
    let lang = setup.lang;
    if encoding.is_some() && !matches!(format, ExportFormat::Csv) {
        return fail(lang, Msg::ExportEncodingCsvOnly, "--encoding", 2);
    }
    let since = match since_date(lang, since) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let store = match open_store(setup) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let read = store.list().and_then(|records| {
        // The ORCA 患者番号 is the clinic's patient ID in FHIR (docs/fhir.md).
        let patient_numbers = match format {
            ExportFormat::Fhir => store
                .orca_links()?
                .into_iter()
                .map(|(id, link)| (id, link.patient_id))
                .collect(),
            _ => Default::default(),
        };
        Ok((records, patient_numbers))
    });
    let (records, patient_numbers) = match read {
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
    drop(store);
    let fhir_opts = fhir::FhirOptions {
        clinic_code: setup
            .config
            .desk
            .clinic_code
            .as_ref()
            .map(|c| c.as_str().to_string()),
        patient_numbers,
    };
    let mut records = since_filter(records, since);
    records.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let check_digit = setup.config.claim.unknown_insurer_valid_check_digit;
    let encoding = encoding.unwrap_or_default();
    match write(
        &mut out,
        &records,
        format,
        encoding,
        check_digit,
        &fhir_opts,
        crate::clock::now(),
    ) {
        Ok(replaced) => {
            report_replaced(lang, &replaced);
            ExitCode::SUCCESS
        }
        // A closed pipe (`| head`) is the reader's choice, not a failure.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => fail(lang, Msg::StoreIo, &e.to_string(), 1),
    }
}
