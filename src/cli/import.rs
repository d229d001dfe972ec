//! `onshi import`: JSONL through the same validation as the form, one record per line.
//!
//! Each valid line is saved durably before the next is read, so an interrupted import
//! keeps what it confirmed. Rejections go to stderr as one JSON object per record.

use std::io::{self, BufRead, BufReader, Read};
use std::process::ExitCode;

use serde::Serialize;

use super::{fail, open_store, Setup};
use crate::clock::now;
use crate::domain::input::RecordInput;
use crate::domain::problem::{FieldError, Problem};
use crate::domain::validate::{self, Context};
use crate::i18n::{describe_problem, describe_store_error, Lang, Msg};
use crate::store::{AuditAction, Store, StoreError};

#[derive(Serialize)]
struct Rejected<'a> {
    line: usize,
    /// The first problem, for quick reading; `errors` has them all.
    field: &'a str,
    reason: String,
    errors: Vec<RejectedField<'a>>,
}

#[derive(Serialize)]
struct RejectedField<'a> {
    field: &'a str,
    reason: String,
}

fn report(lang: Lang, line: usize, errors: &[FieldError]) {
    let list: Vec<RejectedField> = errors
        .iter()
        .map(|e| RejectedField {
            field: &e.field,
            reason: describe_problem(&e.problem, lang),
        })
        .collect();
    let first = list.first();
    let rejected = Rejected {
        line,
        field: first.map(|f| f.field).unwrap_or(""),
        reason: first.map(|f| f.reason.clone()).unwrap_or_default(),
        errors: list,
    };
    if let Ok(s) = serde_json::to_string(&rejected) {
        eprintln!("{s}");
    }
}

/// Store a validated record: a first version is inserted, a later one must follow the
/// stored version.
fn store_one(
    store: &Store,
    rec: &crate::domain::record::Record,
    operator: &str,
) -> Result<(), StoreError> {
    if rec.version == 1 {
        store.insert_new(rec, operator)
    } else {
        store.update(rec, operator, AuditAction::Import)
    }
}

pub fn run(setup: &Setup, file: &str, dry_run: bool) -> ExitCode {
    let lang = setup.lang;
    let reader: Box<dyn Read> = if file == "-" {
        Box::new(io::stdin())
    } else {
        match std::fs::File::open(file) {
            Ok(f) => Box::new(f),
            Err(e) => return fail(lang, Msg::CliCannotRead, &format!("{file}: {e}"), 1),
        }
    };
    // A dry run never opens the store, so it works while the desk has it open.
    let store = if dry_run {
        None
    } else {
        match open_store(setup) {
            Ok(s) => Some(s),
            Err(code) => return code,
        }
    };
    let terminal_id = store
        .as_ref()
        .map(|s| s.terminal_id())
        .or_else(|| setup.config.terminal_id.clone())
        .unwrap_or_else(|| "import".to_string());
    let operator = store
        .as_ref()
        .map(|s| setup.operator_for(s))
        .unwrap_or_else(|| setup.operator.clone());

    let (mut ok, mut rejected) = (0usize, 0usize);
    for (idx, line) in BufReader::new(reader).lines().enumerate() {
        let n = idx + 1;
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                // Not UTF-8 or a read error: reject this line, keep going.
                rejected += 1;
                report(
                    lang,
                    n,
                    &[FieldError::new(
                        "",
                        Problem::Json {
                            detail: e.to_string(),
                        },
                    )],
                );
                continue;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        // The path to the offending field (`declaration.nickname`) goes in `field`.
        let mut de = serde_json::Deserializer::from_str(&line);
        let parsed = match serde_path_to_error::deserialize::<_, RecordInput>(&mut de) {
            // Trailing text after the object is an error of the whole line.
            Ok(i) => de.end().map(|()| i).map_err(|e| (String::new(), e)),
            Err(e) => {
                let path = e.path().to_string();
                Err((
                    if path == "." { String::new() } else { path },
                    e.into_inner(),
                ))
            }
        };
        let input = match parsed {
            Ok(i) => i,
            Err((field, e)) => {
                rejected += 1;
                report(
                    lang,
                    n,
                    &[FieldError::new(
                        field,
                        Problem::Json {
                            detail: e.to_string(),
                        },
                    )],
                );
                continue;
            }
        };
        let ctx = Context {
            now: now(),
            terminal_id: terminal_id.clone(),
            operator: operator.clone(),
            new_id: ulid::Ulid::new().to_string(),
        };
        let rec = match validate::record(&input, &ctx) {
            Ok(r) => r,
            Err(errors) => {
                rejected += 1;
                report(lang, n, &errors);
                continue;
            }
        };
        if let Some(store) = &store {
            match store_one(store, &rec, &operator) {
                Ok(()) => {}
                Err(StoreError::Conflict { .. }) => {
                    rejected += 1;
                    eprintln!(
                        "{}",
                        serde_json::json!({"line": n, "field": "id", "reason": lang.t(Msg::ProblemConflict)})
                    );
                    continue;
                }
                Err(e) => {
                    // Disk full, permissions: stop; everything before this line is saved.
                    summary(lang, ok, rejected, dry_run);
                    return fail(lang, Msg::StoreIo, &describe_store_error(&e, lang), 1);
                }
            }
        }
        ok += 1;
    }
    summary(lang, ok, rejected, dry_run);
    if rejected > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn summary(lang: Lang, ok: usize, rejected: usize, dry_run: bool) {
    let dry = if dry_run { lang.t(Msg::CliDryRun) } else { "" };
    match lang {
        Lang::Ja => eprintln!(
            "{} {ok}件、{} {rejected}件{dry}",
            lang.t(Msg::CliImportSummary),
            lang.t(Msg::CliRejected)
        ),
        Lang::En => eprintln!(
            "{ok} {}, {rejected} {}{}{dry}",
            lang.t(Msg::CliImportSummary),
            lang.t(Msg::CliRejected),
            if dry_run { " " } else { "" }
        ),
    }
}
