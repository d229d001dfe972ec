//! `onshi print ID --format html|txt [--version N] [-o FILE [--force]]`: the filled
//! 被保険者資格申立書 for the patient's signature (`paper/`). A file written with `-o` is
//! private to its owner (it holds the patient's personal data like the store does),
//! appears whole, and never replaces an existing file unless `--force` (`cli/output.rs`).
//! Every print is audited first (record id and version, who, when).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::output::{check_destination, write_to, OutputError};
use super::{fail, open_existing_store, Setup};
use crate::domain::text::neutralize_for_terminal;
use crate::i18n::{describe_io, describe_store_error, Label, Lang, Msg};
use crate::paper;
use crate::store::AuditAction;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PrintFormat {
    /// One self-contained page, A4 print layout.
    Html,
    /// Fixed-width text.
    Txt,
}

#[derive(Debug, Args)]
pub struct PrintArgs {
    /// Record id.
    #[arg(value_name = "ID")]
    pub id: String,
    #[arg(long, value_enum)]
    pub format: PrintFormat,
    /// A stored version (default: the latest).
    #[arg(long, value_name = "N")]
    pub version: Option<u32>,
    /// Write to FILE (owner-only, atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace FILE if it exists.
    #[arg(long, requires = "output")]
    pub force: bool,
}

/// What an `-o` failure says (shared with export).
pub(super) fn output_failed(lang: Lang, e: OutputError) -> ExitCode {
    match e {
        OutputError::Exists(p) => fail(lang, Msg::CliOutputExists, &p.display().to_string(), 1),
        OutputError::IsDirectory(p) => fail(lang, Msg::CliOutputIsDir, &p.display().to_string(), 1),
        OutputError::Io {
            path: Some(p),
            error,
        } => fail(
            lang,
            Msg::CliCannotWrite,
            &format!("{}: {}", p.display(), describe_io(&error, lang)),
            1,
        ),
        OutputError::Io { path: None, error } => fail(
            lang,
            Msg::CliCannotWriteStdout,
            describe_io(&error, lang),
            1,
        ),
    }
}

pub fn run(setup: &Setup, args: &PrintArgs) -> ExitCode {
    let lang = setup.lang;
    if let Some(path) = &args.output {
        if let Err(e) = check_destination(path, args.force) {
            return output_failed(lang, e);
        }
    }
    let store = match open_existing_store(setup) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let found = match args.version {
        None => store.get(&args.id),
        Some(v) => store
            .versions(&args.id)
            .map(|all| all.into_iter().find(|r| r.version == v)),
    };
    let rec = match found {
        Ok(Some(r)) => r,
        Ok(None) => {
            let what = match args.version {
                Some(v) => format!("{} v{v}", args.id),
                None => args.id.clone(),
            };
            return fail(lang, Msg::PrintNotFound, &neutralize_for_terminal(&what), 1);
        }
        Err(e) => return fail(lang, Msg::StoreIo, &describe_store_error(&e, lang), 1),
    };
    // Only a declaration is a 申立書 (docs/procedure.md); nothing printed, nothing audited.
    if !paper::is_declaration(&rec) {
        let how = format!("{} {}", rec.id, lang.t(rec.verification.source.label()));
        return fail(lang, Msg::PrintNotADeclaration, &how, 1);
    }
    // Audited before the declaration leaves the store.
    let operator = setup.operator_for(&store);
    if let Err(e) = store.append_audit(
        &operator,
        Some(&rec.id),
        Some(rec.version),
        AuditAction::Print,
    ) {
        return fail(
            lang,
            Msg::PrintNotAudited,
            &describe_store_error(&e, lang),
            1,
        );
    }
    drop(store);
    let body = match args.format {
        PrintFormat::Html => paper::html(&rec, lang),
        PrintFormat::Txt => paper::txt(&rec, lang),
    };
    match write_to(args.output.as_deref(), args.force, |out| {
        out.write_all(body.as_bytes())
    }) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => output_failed(lang, e),
    }
}
