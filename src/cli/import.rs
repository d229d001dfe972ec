//! `onshi import`: JSONL through the same validation as the form, one record per line.
//!
//! Each valid line is saved durably before the next is read, so an interrupted import
//! keeps what it confirmed. Rejections go to stderr as one JSON object per record, naming
//! the field (its JSON path) and the kind of problem, never a value from the line.
//!
//! A line longer than [`LINE_MAX`] is rejected as too long without being held in memory
//! (the rest of it is skipped as it is read). A read error — a directory, a file that
//! cannot be read, a disk failing mid-file — ends the import at once with exit 1 and one
//! message: it would repeat on every following read.

use std::io::{self, BufRead, BufReader, Read};
use std::process::ExitCode;

use serde::Serialize;

use super::progress::Progress;
use super::{fail, open_store, Setup};
use crate::clock::now;
use crate::domain::input::parse_line;
use crate::domain::problem::{FieldError, JsonProblem, Problem};
use crate::domain::validate::{self, Context};
use crate::i18n::{describe_io, describe_problem_redacted, describe_store_error, Lang, Msg};

/// Longest line read, in bytes (without its line break): a record is a few KiB at most.
pub const LINE_MAX: usize = 64 * 1024;
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
            reason: describe_problem_redacted(&e.problem, lang),
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
/// stored version — or, for an id this store has never seen, it is taken as it is (an
/// export holds only each record's latest version, so reading it into a new store must
/// not need the earlier ones).
fn store_one(
    store: &Store,
    rec: &crate::domain::record::Record,
    operator: &str,
) -> Result<(), StoreError> {
    if rec.version == 1 {
        return store.insert_new(rec, operator);
    }
    match store.update(rec, operator, AuditAction::Import) {
        Err(StoreError::Conflict { found: 0, .. }) => store.insert_adopted(rec, operator),
        other => other,
    }
}

/// One line as read.
enum Line {
    End,
    Text(Vec<u8>),
    /// Longer than [`LINE_MAX`]; its bytes were skipped.
    TooLong,
}

/// Read one line into `buf` (cleared first), keeping at most [`LINE_MAX`] bytes of it.
fn read_line(r: &mut impl BufRead, buf: &mut Vec<u8>) -> io::Result<Line> {
    buf.clear();
    let mut too_long = false;
    let mut any = false;
    loop {
        let available = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            break;
        }
        any = true;
        let (n, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (available.len(), false),
        };
        // Room for the line and its CRLF; anything beyond is counted, not kept.
        if !too_long && buf.len() + n <= LINE_MAX + 2 {
            buf.extend_from_slice(&available[..n]);
        } else {
            too_long = true;
            buf.clear();
        }
        r.consume(n);
        if done {
            break;
        }
    }
    if !any {
        return Ok(Line::End);
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
    }
    if too_long || buf.len() > LINE_MAX {
        buf.clear();
        return Ok(Line::TooLong);
    }
    Ok(Line::Text(std::mem::take(buf)))
}

fn reject_json(lang: Lang, n: usize, field: String, kind: JsonProblem) {
    report(lang, n, &[FieldError::new(field, Problem::Json { kind })]);
}

pub fn run(setup: &Setup, file: &str, dry_run: bool) -> ExitCode {
    let lang = setup.lang;
    let reader: Box<dyn Read> = if file == "-" {
        Box::new(io::stdin())
    } else {
        let opened = std::fs::File::open(file).and_then(|f| {
            // On Linux a directory opens; every read of it then fails.
            if f.metadata()?.is_dir() {
                Err(io::Error::from(io::ErrorKind::IsADirectory))
            } else {
                Ok(f)
            }
        });
        match opened {
            Ok(f) => Box::new(f),
            Err(e) if e.kind() == io::ErrorKind::IsADirectory => {
                return fail(lang, Msg::CliIsDirectory, file, 1)
            }
            Err(e) => {
                let why = format!("{file}: {}", describe_io(&e, lang));
                return fail(lang, Msg::CliCannotRead, &why, 1);
            }
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
    let what = if dry_run {
        Msg::ProgressCheck
    } else {
        Msg::ProgressImport
    };
    let mut progress = Progress::new(lang, what, None);
    let mut reader = BufReader::new(reader);
    let mut buf = Vec::new();
    let mut n = 0usize;
    loop {
        n += 1;
        if n > 1 {
            progress.add(1);
        }
        let bytes = match read_line(&mut reader, &mut buf) {
            Ok(Line::End) => break,
            Ok(Line::TooLong) => {
                rejected += 1;
                reject_json(lang, n, String::new(), JsonProblem::TooLong);
                continue;
            }
            Ok(Line::Text(b)) => b,
            Err(e) => {
                // The same error would come back on every read: stop here, once.
                progress.finish();
                summary(lang, ok, rejected, dry_run);
                return fail(
                    lang,
                    Msg::CliReadFailed,
                    &format!(
                        "{file} ({} {n}): {}",
                        lang.t(Msg::CliLine),
                        describe_io(&e, lang)
                    ),
                    1,
                );
            }
        };
        let Ok(line) = String::from_utf8(bytes) else {
            rejected += 1;
            reject_json(lang, n, String::new(), JsonProblem::NotUtf8);
            continue;
        };
        if line.trim().is_empty() {
            continue;
        }
        let input = match parse_line(&line) {
            Ok(i) => i,
            Err(e) => {
                rejected += 1;
                report(lang, n, &[e]);
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
                    progress.finish();
                    summary(lang, ok, rejected, dry_run);
                    return fail(lang, Msg::StoreIo, &describe_store_error(&e, lang), 1);
                }
            }
        }
        ok += 1;
    }
    progress.finish();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8]) -> Vec<String> {
        let mut r = io::BufReader::with_capacity(16, input);
        let mut buf = Vec::new();
        let mut out = Vec::new();
        loop {
            match read_line(&mut r, &mut buf).unwrap() {
                Line::End => return out,
                Line::TooLong => out.push("<too long>".into()),
                Line::Text(b) => out.push(String::from_utf8(b).unwrap()),
            }
        }
    }

    #[test]
    fn lines_split_on_lf_and_crlf_and_the_last_needs_no_break() {
        assert_eq!(lines(b"a\nb\r\nc"), ["a", "b", "c"]);
        assert_eq!(lines(b"a\n\n"), ["a", ""]);
        assert!(lines(b"").is_empty());
    }

    #[test]
    fn a_line_over_the_limit_is_skipped_whole_and_the_next_one_read() {
        let mut input = vec![b'x'; LINE_MAX + 1];
        input.extend_from_slice(b"\nnext\n");
        input.extend(std::iter::repeat_n(b'y', LINE_MAX));
        input.extend_from_slice(b"\r\n");
        let got = lines(&input);
        assert_eq!(got.len(), 3);
        assert_eq!(got[0], "<too long>");
        assert_eq!(got[1], "next");
        assert_eq!(got[2].len(), LINE_MAX, "exactly the limit is fine");
    }
}
