//! `onshi init [--encrypt]`: create the store (optionally encrypted) or encrypt an
//! existing plain one in place; `onshi passphrase change`; and the passphrase handling
//! every command uses to open an encrypted store.
//!
//! The passphrase comes from `ONSHI_PASSPHRASE_FILE` (scripts, tests; the file must be
//! its owner's only) or is typed on the controlling terminal or console without echo, so
//! standard input and output stay free for data (`onshi import -`, `export >`). A new
//! passphrase for `passphrase change` comes from `ONSHI_NEW_PASSPHRASE_FILE` or is typed
//! twice. It lives in `Zeroizing` buffers and is wiped after use.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use zeroize::Zeroizing;

use super::progress::Progress;
use super::{fail, finish_open, Setup};
use crate::i18n::{describe_io, describe_store_error, Lang, Msg};
use crate::platform::{self, SecretInput};
use crate::store::{Store, StoreError};

/// Environment variable naming a file that holds the passphrase.
pub const PASSPHRASE_FILE_ENV: &str = "ONSHI_PASSPHRASE_FILE";
/// Environment variable naming a file that holds the new passphrase (`passphrase change`).
pub const NEW_PASSPHRASE_FILE_ENV: &str = "ONSHI_NEW_PASSPHRASE_FILE";

/// Typed attempts before giving up on a wrong passphrase.
const TRIES: usize = 3;

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Encrypt record values with a passphrase (argon2id + XChaCha20-Poly1305): a new
    /// store, or an existing plain one in place.
    #[arg(long)]
    pub encrypt: bool,
}

#[derive(Debug, Args)]
pub struct PassphraseArgs {
    #[command(subcommand)]
    pub command: PassphraseCommand,
}

#[derive(Debug, Subcommand)]
pub enum PassphraseCommand {
    /// Change the passphrase of an encrypted store (the records are not re-encrypted).
    Change,
}

/// Where a passphrase comes from.
enum Source {
    File(PathBuf),
    Terminal,
}

fn source() -> Source {
    source_from(PASSPHRASE_FILE_ENV)
}

fn source_from(var: &str) -> Source {
    match std::env::var_os(var).filter(|v| !v.is_empty()) {
        Some(p) => Source::File(PathBuf::from(p)),
        None => Source::Terminal,
    }
}

/// Read the passphrase file: refused when anyone but its owner may read it; one trailing
/// line break is not part of the passphrase.
fn read_file(path: &Path, lang: Lang) -> Result<Zeroizing<String>, (Msg, String)> {
    let shown = path.display().to_string();
    let io = |e: io::Error| {
        (
            Msg::PassFileRead,
            format!("{shown}: {}", describe_io(&e, lang)),
        )
    };
    let mut f = File::open(path).map_err(io)?;
    match platform::secret_file_exposure(&f, true) {
        Ok(None) => {}
        Ok(Some(exposure)) => {
            return Err((
                Msg::PassFileMode,
                format!(
                    "{shown} ({}): {}",
                    exposure.detail,
                    platform::owner_only_fix(path)
                ),
            ))
        }
        Err(e) => return Err(io(e)),
    }
    let mut bytes = Zeroizing::new(Vec::with_capacity(256));
    f.read_to_end(&mut bytes).map_err(io)?;
    let text = std::str::from_utf8(&bytes).map_err(|_| (Msg::PassFileRead, shown.clone()))?;
    let text = text
        .strip_suffix('\n')
        .map(|t| t.strip_suffix('\r').unwrap_or(t))
        .unwrap_or(text);
    Ok(Zeroizing::new(text.to_string()))
}

/// Ask on the controlling terminal without echo.
fn prompt(text: &str) -> io::Result<Zeroizing<String>> {
    platform::read_secret_line(text, SecretInput::Terminal)
}

fn no_terminal(lang: Lang, e: &io::Error) -> ExitCode {
    fail(lang, Msg::PassNoTerminal, describe_io(e, lang), 1)
}

fn store_fail(lang: Lang, e: &StoreError) -> ExitCode {
    eprintln!("onshi: {}", describe_store_error(e, lang));
    ExitCode::from(1)
}

/// Open the encrypted store at the setup's directory with the passphrase from the file or
/// the terminal (a few tries there); errors are printed.
pub(super) fn unlock(setup: &Setup) -> Result<Store, ExitCode> {
    let lang = setup.lang;
    let dir = &setup.store_dir;
    match source() {
        Source::File(path) => {
            let pass = read_file(&path, lang).map_err(|(m, d)| fail(lang, m, &d, 1))?;
            Store::open_with_passphrase(dir, &pass).map_err(|e| store_fail(lang, &e))
        }
        Source::Terminal => {
            let mut tries = 0;
            loop {
                tries += 1;
                let pass = prompt(lang.t(Msg::PassPrompt)).map_err(|e| no_terminal(lang, &e))?;
                match Store::open_with_passphrase(dir, &pass) {
                    Ok(s) => return Ok(s),
                    Err(StoreError::WrongPassphrase) if tries < TRIES => {
                        eprintln!(
                            "onshi: {}",
                            describe_store_error(&StoreError::WrongPassphrase, lang)
                        );
                    }
                    Err(e) => return Err(store_fail(lang, &e)),
                }
            }
        }
    }
}

/// A new passphrase: from the file `var` names, or typed twice.
fn new_passphrase(lang: Lang, var: &str) -> Result<Zeroizing<String>, ExitCode> {
    match source_from(var) {
        Source::File(path) => read_file(&path, lang).map_err(|(m, d)| fail(lang, m, &d, 1)),
        Source::Terminal => {
            let first = prompt(lang.t(Msg::PassPromptNew)).map_err(|e| no_terminal(lang, &e))?;
            let second =
                prompt(lang.t(Msg::PassPromptRepeat)).map_err(|e| no_terminal(lang, &e))?;
            if *first != *second {
                eprintln!("onshi: {}", lang.t(Msg::PassMismatch));
                return Err(ExitCode::from(1));
            }
            Ok(first)
        }
    }
}

pub fn run(setup: &Setup, args: &InitArgs) -> ExitCode {
    let lang = setup.lang;
    let dir = &setup.store_dir;
    // Whether there was a store (or anything) there before: then its records are
    // encrypted in place, and the clerk should hear what that means for old backups.
    let existed = !Store::would_create(dir);
    let opened = if args.encrypt {
        let pass = match new_passphrase(lang, PASSPHRASE_FILE_ENV) {
            Ok(p) => p,
            Err(code) => return code,
        };
        // An existing store is rewritten encrypted: say so while it runs (a terminal only).
        let rewriting = existed.then(|| Progress::phase(lang, Msg::InitEncrypting));
        let opened = Store::init_encrypted(dir, &pass);
        drop(rewriting); // cleared before the report
        opened
    } else {
        Store::open(dir)
    };
    let store = match opened {
        Ok(s) => s,
        // Already set up and encrypted: that is ready too; nothing to unlock for init.
        Err(StoreError::Locked) => {
            report(lang, dir, None, true);
            return ExitCode::SUCCESS;
        }
        Err(e) => return store_fail(lang, &e),
    };
    let store = match finish_open(setup, store) {
        Ok(s) => s,
        Err(code) => return code,
    };
    report(lang, dir, Some(&store.terminal_id()), store.is_encrypted());
    if args.encrypt && existed {
        eprintln!("onshi: {}", lang.t(Msg::InitEncryptedExisting));
    }
    ExitCode::SUCCESS
}

/// `onshi passphrase change`: unlock with the current passphrase, wrap the data key under
/// a new one.
pub fn passphrase(setup: &Setup, args: &PassphraseArgs) -> ExitCode {
    let lang = setup.lang;
    let PassphraseCommand::Change = args.command;
    // No store there: nothing to change, and none is created just to say so.
    if !setup.store_dir.exists() {
        return fail(
            lang,
            Msg::PassNotEncrypted,
            &setup.store_dir.display().to_string(),
            1,
        );
    }
    let store = match Store::open(&setup.store_dir) {
        Ok(_) => {
            return fail(
                lang,
                Msg::PassNotEncrypted,
                &setup.store_dir.display().to_string(),
                1,
            )
        }
        Err(StoreError::Locked) => match unlock(setup) {
            Ok(s) => s,
            Err(code) => return code,
        },
        Err(e) => return store_fail(lang, &e),
    };
    let new = match new_passphrase(lang, NEW_PASSPHRASE_FILE_ENV) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let operator = setup.operator_for(&store);
    match store.change_passphrase(&operator, &new) {
        Ok(()) => {
            eprintln!("onshi: {}", lang.t(Msg::PassChanged));
            ExitCode::SUCCESS
        }
        Err(e) => store_fail(lang, &e),
    }
}

fn report(lang: Lang, dir: &Path, terminal: Option<&str>, encrypted: bool) {
    let state = lang.t(if encrypted {
        Msg::InitEncrypted
    } else {
        Msg::InitPlain
    });
    let terminal = terminal
        .map(|t| format!(", {} {t}", lang.t(Msg::FieldTerminal)))
        .unwrap_or_default();
    eprintln!(
        "onshi: {}: {} ({state}{terminal})",
        lang.t(Msg::InitReady),
        dir.display()
    );
}
