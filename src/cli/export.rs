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
//!
//! CSV cells that a spreadsheet would run as a formula get a leading `'`
//! (`export/spreadsheet.rs`; `--no-neutralize` turns that off). CP932 CSV has CRLF line
//! ends, as Windows software expects; UTF-8 CSV has LF unless `--crlf`, and `--bom` puts
//! a UTF-8 byte order mark first so that Excel on Japanese Windows opens it as UTF-8 on a
//! double-click.
//!
//! `-o FILE` writes an owner-only file atomically and refuses an existing one unless
//! `--force` (`cli/output.rs`). Every export is audited first — who, when, which format,
//! how many records — and does not happen if the audit cannot be written.
//!
//! `--set-aside` exports the versions set aside from the sync queue (JSONL): why, by
//! whom, the target's refusal, and the version itself, to be handed over another way.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, FixedOffset, NaiveDate};
use clap::Args;

use super::output::{check_destination, write_to};
use super::print::output_failed;
use super::progress::Progress;
use super::{audit::since_date, fail, open_existing_store, CsvEncoding, ExportFormat, Setup};
use crate::domain::claim;
use crate::domain::record::{Record, Status};
use crate::export::{cp932, fhir, spreadsheet};
use crate::i18n::{describe_store_error, Lang, Msg};
use crate::store::{AuditAction, SetAside, Store};

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

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Only records changed (updated_at) on or after this date (ISO or 和暦).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Character encoding of the CSV (default utf-8; cp932 always has CRLF line ends).
    #[arg(long, value_enum)]
    pub encoding: Option<CsvEncoding>,
    /// UTF-8 CSV: begin with a byte order mark, so Excel on Japanese Windows reads it as
    /// UTF-8 when the file is double-clicked.
    #[arg(long)]
    pub bom: bool,
    /// UTF-8 CSV: CRLF line ends (Windows) instead of LF.
    #[arg(long)]
    pub crlf: bool,
    /// CSV: write cells that begin like a formula (= + - @ tab CR) unchanged instead of
    /// prefixing them with '.
    #[arg(long)]
    pub no_neutralize: bool,
    /// Write to FILE (owner-only, atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace FILE if it exists.
    #[arg(long, requires = "output")]
    pub force: bool,
    /// Export the versions set aside from the sync queue instead of the records (JSONL).
    #[arg(long)]
    pub set_aside: bool,
}

/// How a CSV is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvOptions {
    pub encoding: CsvEncoding,
    pub bom: bool,
    pub crlf: bool,
    pub neutralize: bool,
    /// `[claim] unknown_insurer_valid_check_digit`: the 不詳 insurer code in the claim
    /// columns.
    pub valid_check_digit: bool,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            encoding: CsvEncoding::Utf8,
            bom: false,
            crlf: false,
            neutralize: true,
            valid_check_digit: false,
        }
    }
}

/// The csv crate's error as the I/O error it wraps (so a closed pipe stays one).
fn csv_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

fn write_csv(
    out: &mut dyn Write,
    records: &[Record],
    opts: CsvOptions,
    done: &mut dyn FnMut(),
) -> io::Result<Vec<Replaced>> {
    let valid_check_digit = opts.valid_check_digit;
    let mut replaced = Vec::new();
    let crlf = opts.crlf || opts.encoding == CsvEncoding::Cp932;
    let mut builder = csv::WriterBuilder::new();
    if crlf {
        builder.terminator(csv::Terminator::CRLF);
    }
    let cell = |value: String| -> String {
        if opts.neutralize {
            spreadsheet::neutralize_cell(&value).into_owned()
        } else {
            value
        }
    };
    match opts.encoding {
        CsvEncoding::Utf8 => {
            if opts.bom {
                out.write_all("\u{FEFF}".as_bytes())?;
            }
            let mut w = builder.from_writer(&mut *out);
            w.write_record(CSV_COLUMNS).map_err(csv_io)?;
            for r in records {
                w.write_record(csv_row(r, valid_check_digit).into_iter().map(cell))
                    .map_err(csv_io)?;
                done();
            }
            w.flush()?;
        }
        CsvEncoding::Cp932 => {
            // Fit each value first, so every replacement is counted against its column;
            // then the whole text is encodable and is converted in one go.
            let mut w = builder.from_writer(Vec::new());
            w.write_record(CSV_COLUMNS).map_err(csv_io)?;
            for r in records {
                let row: Vec<String> = csv_row(r, valid_check_digit)
                    .into_iter()
                    .zip(CSV_COLUMNS)
                    .map(|(value, column)| {
                        let (fitted, count) = cp932::fit(&cell(value));
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
                w.write_record(row).map_err(csv_io)?;
                done();
            }
            let utf8 = w.into_inner().map_err(|e| e.into_error())?;
            let text =
                String::from_utf8(utf8).map_err(|_| io::Error::from(io::ErrorKind::InvalidData))?;
            out.write_all(&cp932::encode(&text))?;
        }
    }
    Ok(replaced)
}

/// Write `records` in `format`, calling `done` after each record; returns the CP932
/// replacements made (CSV only).
pub fn write(
    out: &mut dyn Write,
    records: &[Record],
    format: ExportFormat,
    csv: CsvOptions,
    fhir_opts: &fhir::FhirOptions,
    now: DateTime<FixedOffset>,
    done: &mut dyn FnMut(),
) -> io::Result<Vec<Replaced>> {
    let mut replaced = Vec::new();
    match format {
        ExportFormat::Jsonl => {
            for r in records {
                serde_json::to_writer(&mut *out, r)?;
                out.write_all(b"\n")?;
                done();
            }
        }
        ExportFormat::Csv => replaced = write_csv(out, records, csv, done)?,
        ExportFormat::Fhir => {
            serde_json::to_writer_pretty(&mut *out, &fhir::bundle_with(records, now, fhir_opts))?;
            out.write_all(b"\n")?;
            records.iter().for_each(|_| done());
        }
    }
    out.flush()?;
    Ok(replaced)
}

/// One set-aside version with the version itself, as `--set-aside` writes it.
#[derive(serde::Serialize)]
struct SetAsideLine<'a> {
    #[serde(flatten)]
    entry: &'a SetAside,
    record: Option<serde_json::Value>,
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

/// Usage errors of the option combinations (exit 2).
fn check_options(lang: Lang, args: &ExportArgs) -> Result<(), ExitCode> {
    let csv = matches!(args.format, ExportFormat::Csv);
    let usage = |msg, what: &str| Err(fail(lang, msg, what, 2));
    if args.encoding.is_some() && !csv {
        return usage(Msg::ExportEncodingCsvOnly, "--encoding");
    }
    for (given, name) in [
        (args.bom, "--bom"),
        (args.crlf, "--crlf"),
        (args.no_neutralize, "--no-neutralize"),
    ] {
        if given && !csv {
            return usage(Msg::ExportCsvOnly, name);
        }
    }
    if args.bom && args.encoding == Some(CsvEncoding::Cp932) {
        return usage(Msg::ExportBomUtf8Only, "--bom");
    }
    if args.set_aside && !matches!(args.format, ExportFormat::Jsonl) {
        return usage(Msg::ExportSetAsideJsonl, "--set-aside");
    }
    Ok(())
}

pub fn run(setup: &Setup, args: &ExportArgs) -> ExitCode {
    let lang = setup.lang;
    if let Err(code) = check_options(lang, args) {
        return code;
    }
    let since = match since_date(lang, args.since.as_deref()) {
        Ok(d) => d,
        Err(code) => return code,
    };
    // An existing FILE is refused before anything is read or audited.
    if let Some(path) = &args.output {
        if let Err(e) = check_destination(path, args.force) {
            return output_failed(lang, e);
        }
    }
    let store = match open_existing_store(setup) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let operator = setup.operator_for(&store);
    if args.set_aside {
        return export_set_aside(setup, args, store, &operator);
    }
    let read = store.list().and_then(|records| {
        // The ORCA 患者番号 is the clinic's patient ID in FHIR (docs/fhir.md).
        let patient_numbers = match args.format {
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
        Err(e) => return fail(lang, Msg::StoreIo, &describe_store_error(&e, lang), 1),
    };
    let mut records = since_filter(records, since);
    records.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
    // Audited before a byte leaves: no export without its audit entry.
    if let Err(code) = audit(&store, &operator, AuditAction::Export, records.len(), lang) {
        return code;
    }
    drop(store);
    let fhir_opts = fhir::FhirOptions {
        clinic_code: setup.config.desk.clinic_code(),
        patient_numbers,
    };
    let csv = CsvOptions {
        encoding: args.encoding.unwrap_or_default(),
        bom: args.bom,
        crlf: args.crlf,
        neutralize: !args.no_neutralize,
        valid_check_digit: setup.config.claim.unknown_insurer_valid_check_digit,
    };
    // Records shown on the terminal itself are their own progress.
    let onto_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let mut progress = Progress::new(lang, Msg::ProgressExport, Some(records.len() as u64))
        .quiet_if(onto_terminal);
    let written = write_to(args.output.as_deref(), args.force, |out| {
        write(
            out,
            &records,
            args.format,
            csv,
            &fhir_opts,
            crate::clock::now(),
            &mut || progress.add(1),
        )
    });
    progress.finish();
    match written {
        Ok(Some(replaced)) => {
            report_replaced(lang, &replaced);
            ExitCode::SUCCESS
        }
        // A closed pipe (`| head`) is the reader's choice, not a failure.
        Ok(None) => ExitCode::SUCCESS,
        Err(e) => output_failed(lang, e),
    }
}

fn export_set_aside(
    setup: &Setup,
    args: &ExportArgs,
    store: crate::store::Store,
    operator: &str,
) -> ExitCode {
    let lang = setup.lang;
    let read = store.set_aside_list().and_then(|list| {
        list.into_iter()
            .map(|entry| {
                let record = store
                    .version_json(&entry.id, entry.version)?
                    .and_then(|json| serde_json::from_slice(&json).ok());
                Ok((entry, record))
            })
            .collect::<Result<Vec<_>, _>>()
    });
    let entries = match read {
        Ok(e) => e,
        Err(e) => return fail(lang, Msg::StoreIo, &describe_store_error(&e, lang), 1),
    };
    if let Err(code) = audit(
        &store,
        operator,
        AuditAction::ExportSetAside,
        entries.len(),
        lang,
    ) {
        return code;
    }
    drop(store);
    let written = write_to(args.output.as_deref(), args.force, |out| {
        for (entry, record) in &entries {
            serde_json::to_writer(
                &mut *out,
                &SetAsideLine {
                    entry,
                    record: record.clone(),
                },
            )?;
            out.write_all(b"\n")?;
        }
        Ok(())
    });
    match written {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => output_failed(lang, e),
    }
}

/// Record an export (how many, never what) before a byte leaves the store.
fn audit(
    store: &Store,
    operator: &str,
    action: AuditAction,
    count: usize,
    lang: Lang,
) -> Result<(), ExitCode> {
    store
        .append_audit_counted(operator, None, None, action, Some(count as u64))
        .map_err(|e| {
            fail(
                lang,
                Msg::ExportNotAudited,
                &describe_store_error(&e, lang),
                1,
            )
        })
}
