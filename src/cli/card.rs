//! `onshi card status` and `onshi card read` (docs/cli.md, docs/card.md).
//!
//! Exit codes: 0 ok, 1 card or reader problem (or the operator declined), 2 bad usage
//! (a PIN that is not 4 digits). The four items are printed to stdout because showing them is
//! the purpose of `card read`; they are never logged. Messages go to stderr.

use std::io::{self, BufRead, Write};
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::Setup;
use crate::card::{self, CardError, CardFace, Pin};
use crate::domain::era::format_wareki;
use crate::domain::record::Sex;
use crate::domain::text::neutralize_for_terminal;
use crate::i18n::{Lang, Msg};
use crate::platform::{self, SecretInput};

#[derive(Debug, Args)]
pub struct CardArgs {
    #[command(subcommand)]
    pub action: CardAction,
}

#[derive(Debug, Subcommand)]
pub enum CardAction {
    /// One line: PC/SC service, reader and card state (exit 0 when a reader is available).
    Status,
    /// Read the card face 4 items (name, address, birth date, sex); the PIN is typed
    /// without echo (read from standard input when it is not a terminal).
    Read,
}

pub fn run(setup: &Setup, args: &CardArgs) -> ExitCode {
    match args.action {
        CardAction::Status => status(setup.lang),
        CardAction::Read => read(setup.lang),
    }
}

fn status(lang: Lang) -> ExitCode {
    let state = card::status();
    let _ = super::output::print_lines([state.describe(lang)]);
    if state.reader_available() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn fail(lang: Lang, e: &CardError) -> ExitCode {
    eprintln!("onshi: {}", e.message(lang));
    ExitCode::from(if *e == CardError::PinFormat { 2 } else { 1 })
}

fn read(lang: Lang) -> ExitCode {
    // Ask the card how many tries remain before the PIN is typed, so a locked card or a
    // last try is known up front.
    let tries = match card::pin_tries() {
        Ok(n) => n,
        Err(e) => return fail(lang, &e),
    };
    let confirm = match tries {
        0 => return fail(lang, &CardError::PinLocked),
        1 => {
            eprintln!("onshi: {}", lang.t(Msg::CardLastTry));
            let answer = match ask(&format!("{}: ", lang.t(Msg::CardConfirmPrompt))) {
                Ok(a) => a,
                Err(_) => return cancelled(lang),
            };
            if answer.trim() != "yes" {
                return cancelled(lang);
            }
            true
        }
        _ => false,
    };
    let prompt = format!("{}: ", lang.t(Msg::CardPinPrompt));
    let pin = match platform::read_secret_line(&prompt, SecretInput::Stdin) {
        Ok(line) => match Pin::parse(&line) {
            Ok(p) => p,
            Err(e) => return fail(lang, &e),
        },
        Err(_) => return fail(lang, &CardError::PinFormat),
    };
    match card::read_face(&pin, confirm) {
        Ok(face) => {
            print_face(lang, &face);
            ExitCode::SUCCESS
        }
        Err(e) => fail(lang, &e),
    }
}

fn cancelled(lang: Lang) -> ExitCode {
    eprintln!("onshi: {}", lang.t(Msg::CardCancelled));
    ExitCode::from(1)
}

fn print_face(lang: Lang, face: &CardFace) {
    let sep = match lang {
        Lang::Ja => "：",
        Lang::En => ": ",
    };
    let sex = match face.sex {
        Some(Sex::Male) => lang.t(Msg::SexMale),
        Some(Sex::Female) => lang.t(Msg::SexFemale),
        None => lang.t(Msg::CardSexNotRecorded),
    };
    let mut out = io::stdout().lock();
    // Already validated (no control characters); neutralised again because this is a
    // terminal and the data came from outside.
    let _ = writeln!(
        out,
        "{}{sep}{}",
        lang.t(Msg::FieldName),
        neutralize_for_terminal(&face.name)
    );
    let _ = writeln!(
        out,
        "{}{sep}{}",
        lang.t(Msg::FieldAddress),
        neutralize_for_terminal(&face.address)
    );
    let _ = writeln!(
        out,
        "{}{sep}{} ({})",
        lang.t(Msg::FieldBirthDate),
        face.birth_date.format("%Y-%m-%d"),
        format_wareki(face.birth_date)
    );
    let _ = writeln!(out, "{}{sep}{sex}", lang.t(Msg::FieldSex));
}

/// A line typed in answer to a prompt on standard error (a plain line from a pipe).
fn ask(prompt: &str) -> io::Result<String> {
    eprint!("{prompt}");
    io::stderr().flush()?;
    let mut line = String::new();
    if io::stdin().lock().read_line(&mut line)? == 0 {
        return Err(io::Error::from(io::ErrorKind::UnexpectedEof));
    }
    Ok(line)
}
