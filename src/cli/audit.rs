//! `onshi audit [--since DATE] [--record ID]`: the audit trail, one line per entry:
//! time, operator, record id, version, action (and for an export, how many records).
//! Entries have no room for field values, so nothing here can print a name, a kana
//! reading, an address or a birth date.

use std::process::ExitCode;

use chrono::{NaiveDate, SecondsFormat};
use clap::Args;
use unicode_width::UnicodeWidthStr;

use super::{fail, open_existing_store, Setup};
use crate::domain::era::parse_date;
use crate::domain::text::neutralize_for_terminal;
use crate::i18n::{describe_io, describe_store_error, Lang, Msg};
use crate::store::AuditEntry;

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only entries on or after this date (ISO or 和暦, in the entry's own time zone).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only entries about this record id.
    #[arg(long, value_name = "ID")]
    pub record: Option<String>,
}

/// Parse a `--since` date (ISO, 和暦, full-width digits); a bad one is a usage error.
pub(super) fn since_date(lang: Lang, s: Option<&str>) -> Result<Option<NaiveDate>, ExitCode> {
    match s {
        None => Ok(None),
        Some(s) => parse_date(s)
            .map(Some)
            .map_err(|_| fail(lang, Msg::CliBadDate, &neutralize_for_terminal(s), 2)),
    }
}

/// The lines for `entries`, operators padded to one display width so columns line up.
pub fn format_lines(entries: &[AuditEntry]) -> Vec<String> {
    let ops: Vec<String> = entries
        .iter()
        .map(|e| {
            if e.operator.is_empty() {
                "-".to_string()
            } else {
                neutralize_for_terminal(&e.operator)
            }
        })
        .collect();
    let w = ops.iter().map(|o| o.width()).max().unwrap_or(1);
    entries
        .iter()
        .zip(ops)
        .map(|(e, op)| {
            let pad = " ".repeat(w - op.width());
            // An export says how many records it wrote: `export (12)`.
            let count = e.count.map(|n| format!(" ({n})")).unwrap_or_default();
            format!(
                "{}  {op}{pad}  {:<26}  {:>4}  {}{count}",
                e.at.to_rfc3339_opts(SecondsFormat::Secs, false),
                e.record_id.as_deref().unwrap_or("-"),
                e.version
                    .map(|v| format!("v{v}"))
                    .unwrap_or_else(|| "-".into()),
                e.action.code()
            )
        })
        .collect()
}

pub fn run(setup: &Setup, args: &AuditArgs) -> ExitCode {
    let lang = setup.lang;
    let since = match since_date(lang, args.since.as_deref()) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let store = match open_existing_store(setup) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let entries = match store.audit() {
        Ok(e) => e,
        Err(e) => return fail(lang, Msg::StoreIo, &describe_store_error(&e, lang), 1),
    };
    let entries: Vec<AuditEntry> = entries
        .into_iter()
        .filter(|e| since.is_none_or(|d| e.at.date_naive() >= d))
        .filter(|e| {
            args.record
                .as_deref()
                .is_none_or(|id| e.record_id.as_deref() == Some(id))
        })
        .collect();
    if entries.is_empty() {
        eprintln!("onshi: {}", lang.t(Msg::AuditEmpty));
        return ExitCode::SUCCESS;
    }
    // A closed pipe ends quietly (`cli/output.rs`).
    match super::output::print_lines(format_lines(&entries)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(lang, Msg::CliCannotWriteStdout, describe_io(&e, lang), 1),
    }
}
