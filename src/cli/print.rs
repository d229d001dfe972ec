//! `onshi print ID --format html|txt [--version N] [-o FILE]`: the filled
//! 被保険者資格申立書 for the patient's signature (`paper/`). A file written with `-o` is
//! private to its owner: it holds the patient's personal data like the store does.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::{fail, open_store, Setup};
use crate::domain::text::neutralize_for_terminal;
use crate::i18n::{describe_store_error, Label, Msg};
use crate::paper;
use crate::platform::{self, Sharing};

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
    /// Write to FILE (owner-only) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

fn write_private(path: &Path, body: &[u8]) -> io::Result<()> {
    let mut f = platform::create_file(path, Sharing::Owner, false)?;
    f.write_all(body)?;
    f.sync_all()
}

pub fn run(setup: &Setup, args: &PrintArgs) -> ExitCode {
    let lang = setup.lang;
    let store = match open_store(setup) {
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
    drop(store);
    if !paper::is_declaration(&rec) {
        let how = format!("{} {}", rec.id, lang.t(rec.verification.source.label()));
        return fail(lang, Msg::PrintNotADeclaration, &how, 1);
    }
    let body = match args.format {
        PrintFormat::Html => paper::html(&rec, lang),
        PrintFormat::Txt => paper::txt(&rec, lang),
    };
    let res = match &args.output {
        Some(path) => write_private(path, body.as_bytes()).map_err(|e| {
            fail(
                lang,
                Msg::CliCannotWrite,
                &format!("{}: {e}", path.display()),
                1,
            )
        }),
        None => {
            let mut out = io::stdout().lock();
            match out.write_all(body.as_bytes()).and_then(|()| out.flush()) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
                Err(e) => Err(fail(lang, Msg::StoreIo, &e.to_string(), 1)),
            }
        }
    };
    match res {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}
