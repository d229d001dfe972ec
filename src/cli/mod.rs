//! The command line (docs/cli.md): options shared by every command, then dispatch.

mod audit;
mod card;
mod doctor;
mod export;
mod import;
mod init;
mod output;
mod print;
mod progress;
mod purge;
mod sync;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::config::Config;
use crate::i18n::{describe_store_error, Lang, Msg};
use crate::keymap::Keymap;
use crate::platform::{default_config_file, default_store_dir};
use crate::runtime;
use crate::store::{Store, StoreError};
use crate::tui::App;

/// Environment variable that moves the default config file.
pub const CONFIG_ENV: &str = "ONSHI_CONFIG";

#[derive(Debug, Parser)]
#[command(
    name = "onshi",
    version,
    about = "Outage desk for online eligibility checks (資格確認障害時受付)"
)]
pub struct Cli {
    /// Store directory (default: $ONSHI_STORE, else the XDG data dir).
    #[arg(long, global = true, env = "ONSHI_STORE", value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// Config file, which must exist (default: $ONSHI_CONFIG, else onshi/config.toml in
    /// the XDG config dir or %APPDATA%; there a missing file means defaults).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Keymap: a shipped name (default) or a TOML file.
    #[arg(long, global = true, value_name = "NAME|FILE")]
    pub keymap: Option<String>,
    /// Language of the interface.
    #[arg(long, global = true, value_enum)]
    pub lang: Option<LangArg>,
    /// Who is at the desk (recorded with every save).
    #[arg(long, global = true, value_name = "NAME")]
    pub operator: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    Ja,
    En,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Jsonl,
    Csv,
    /// A FHIR R4 Bundle (Patient + Coverage per record, JP Core conventions).
    Fhir,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum CsvEncoding {
    #[default]
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    /// Windows-31J, for receipt software on Windows; characters outside it become 〓.
    Cp932,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import records from JSONL (a file, or - for standard input).
    Import {
        /// Validate only; store nothing.
        #[arg(long)]
        dry_run: bool,
        #[arg(value_name = "FILE|-")]
        file: String,
    },
    /// Export records (or, with --set-aside, the versions set aside from the queue).
    Export(export::ExportArgs),
    /// Deliver queued record versions to the [sync] target.
    Sync(sync::SyncArgs),
    /// Card reader: `status`, or `read` the card face 4 items (PIN typed without echo).
    Card(card::CardArgs),
    /// Create the store; --encrypt protects record values with a passphrase (also an
    /// existing store, in place).
    Init(init::InitArgs),
    /// The passphrase of an encrypted store: `change`.
    Passphrase(init::PassphraseArgs),
    /// The audit trail: time, operator, record id, version, action (no personal values).
    Audit(audit::AuditArgs),
    /// Delete delivered, settled records past retention (--older-than 90d).
    Purge(purge::PurgeArgs),
    /// The filled 被保険者資格申立書 for signature (--format html|txt).
    Print(print::PrintArgs),
    /// Check store, config, keymap, card reader and sync target, one line each.
    Doctor,
}

/// What every command needs, resolved once from options, environment and config.
pub struct Setup {
    pub lang: Lang,
    pub config: Config,
    pub store_dir: PathBuf,
    /// From `--operator`, else the config; empty when neither says (then the operator
    /// remembered by the store applies, see [`Setup::operator_for`]).
    pub operator: String,
    /// `--operator` was given: remember it for this terminal.
    pub operator_given: bool,
}

impl Setup {
    /// The operator for audit entries: as set up, else the one this terminal remembers.
    pub fn operator_for(&self, store: &Store) -> String {
        if !self.operator.is_empty() {
            return self.operator.clone();
        }
        store.last_operator().ok().flatten().unwrap_or_default()
    }
}

fn fail(lang: Lang, headline: Msg, detail: &str, code: u8) -> ExitCode {
    eprintln!("onshi: {}: {detail}", lang.t(headline));
    ExitCode::from(code)
}

pub fn main_with(cli: Cli) -> ExitCode {
    // The language may come from the config, but the config may itself be broken:
    // report that in the language asked for on the command line (Japanese by default).
    let cli_lang = cli.lang.map(|l| match l {
        LangArg::Ja => Lang::Ja,
        LangArg::En => Lang::En,
    });
    // A named file must exist; the default location (or $ONSHI_CONFIG, which moves it,
    // as $ONSHI_STORE moves the store) may have none yet.
    let (config_path, required) = match &cli.config {
        Some(p) => (p.clone(), true),
        None => (
            std::env::var_os(CONFIG_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
                .unwrap_or_else(default_config_file),
            false,
        ),
    };
    let is_doctor = matches!(cli.command, Some(Command::Doctor));
    let config_exists = config_path.exists();
    let (config, config_line) = match Config::load(&config_path, required) {
        Ok(c) => (
            c,
            Ok(if config_exists {
                config_path.display().to_string()
            } else {
                String::new()
            }),
        ),
        // doctor reports a broken config as one of its lines and checks the rest.
        Err(e) if is_doctor => (Config::default(), Err(e.to_string())),
        Err(e) => {
            return fail(
                cli_lang.unwrap_or_default(),
                Msg::CliConfigError,
                &e.to_string(),
                2,
            )
        }
    };
    let lang = cli_lang
        .or_else(|| config.lang.map(|l| l.0))
        .unwrap_or_default();
    let setup = Setup {
        lang,
        store_dir: cli.store.clone().unwrap_or_else(default_store_dir),
        operator: cli
            .operator
            .clone()
            .or_else(|| config.operator.clone())
            .unwrap_or_default(),
        operator_given: cli
            .operator
            .as_deref()
            .is_some_and(|o| !o.trim().is_empty()),
        config,
    };
    match cli.command {
        None => run_tui(&setup, cli.keymap.as_deref()),
        Some(Command::Import { dry_run, file }) => import::run(&setup, &file, dry_run),
        Some(Command::Export(args)) => export::run(&setup, &args),
        Some(Command::Sync(args)) => sync::run(&setup, &args),
        Some(Command::Card(args)) => card::run(&setup, &args),
        Some(Command::Init(args)) => init::run(&setup, &args),
        Some(Command::Passphrase(args)) => init::passphrase(&setup, &args),
        Some(Command::Audit(args)) => audit::run(&setup, &args),
        Some(Command::Purge(args)) => purge::run(&setup, &args),
        Some(Command::Print(args)) => print::run(&setup, &args),
        Some(Command::Doctor) => {
            let config_line = config_line.map(|p| {
                if p.is_empty() {
                    lang.t(Msg::DoctorNoConfig).to_string()
                } else {
                    p
                }
            });
            doctor::run(&setup, config_line, cli.keymap.as_deref())
        }
    }
}

/// Open the store (asking for the passphrase if it is encrypted), applying the configured
/// terminal id; errors are already printed.
pub fn open_store(setup: &Setup) -> Result<Store, ExitCode> {
    let store = match Store::open(&setup.store_dir) {
        Ok(s) => s,
        Err(StoreError::Locked) => init::unlock(setup)?,
        Err(e) => {
            eprintln!("onshi: {}", describe_store_error(&e, setup.lang));
            return Err(ExitCode::from(1));
        }
    };
    finish_open(setup, store)
}

/// [`open_store`] for a command that only reads or sends what is stored (export, audit,
/// print, purge, sync): a missing or empty folder is reported, not made into a store, so
/// a mistyped `--store` does not answer "nothing here" from a store it just created.
pub fn open_existing_store(setup: &Setup) -> Result<Store, ExitCode> {
    let dir = &setup.store_dir;
    if Store::would_create(dir) {
        let shown = crate::domain::text::neutralize_for_terminal(&dir.display().to_string());
        return Err(fail(setup.lang, Msg::StoreMissing, &shown, 1));
    }
    open_store(setup)
}

/// What every open does after the store is unlocked: the configured terminal id, and
/// remembering an `--operator` for this terminal.
fn finish_open(setup: &Setup, store: Store) -> Result<Store, ExitCode> {
    match apply_setup(setup, &store) {
        Ok(()) => Ok(store),
        Err(e) => Err(store_io_fail(setup.lang, &e)),
    }
}

fn store_io_fail(lang: Lang, e: &StoreError) -> ExitCode {
    fail(lang, Msg::StoreIo, &describe_store_error(e, lang), 1)
}

fn apply_setup(setup: &Setup, store: &Store) -> Result<(), StoreError> {
    if setup.operator_given && store.last_operator().ok().flatten() != Some(setup.operator.clone())
    {
        store.set_last_operator(&setup.operator)?;
    }
    if let Some(id) = &setup.config.terminal_id {
        if store.terminal_id() != *id {
            store.set_terminal_id(id)?;
        }
    }
    Ok(())
}

fn run_tui(setup: &Setup, keymap_arg: Option<&str>) -> ExitCode {
    let lang = setup.lang;
    let keymap_name = keymap_arg
        .map(str::to_string)
        .or_else(|| setup.config.keymap.clone())
        .unwrap_or_else(|| "default".to_string());
    // All-or-nothing: a broken keymap stops start-up before the terminal is touched.
    let keymap = match Keymap::load(&keymap_name) {
        Ok(k) => k,
        Err(e) => return fail(lang, Msg::CliKeymapError, &e.to_string(), 2),
    };
    // The directory is taken before the terminal is touched ("in use", "cannot write"
    // are said on the shell's screen); the database, slow to open with many records, is
    // opened after the first frame (docs/architecture.md, "Start-up").
    let claim = match Store::claim(&setup.store_dir) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("onshi: {}", describe_store_error(&e, lang));
            return ExitCode::from(1);
        }
    };
    let mut app = App::new(
        lang,
        keymap,
        setup.operator.clone(),
        String::new(),
        crate::clock::now(),
    );
    app.claim_check_digit = setup.config.claim.unknown_insurer_valid_check_digit;
    app.ambiguous_wide = setup.config.ui.ambiguous_wide();
    app.desk = crate::tui::app::Desk {
        helpdesk_phone: setup.config.desk.helpdesk_phone().to_string(),
        clinic_code: setup.config.desk.clinic_code(),
        clinic_name: setup.config.desk.clinic_name.clone(),
    };
    let mut screen = match runtime::terminal::Screen::start() {
        Ok(s) => s,
        Err(e) => return fail(lang, Msg::CliTerminal, &e.to_string(), 1),
    };
    if let Err(e) = runtime::show_loading(&mut screen, &app) {
        drop(screen);
        return fail(lang, Msg::CliTerminal, &e.to_string(), 1);
    }
    let store = match claim.open() {
        Ok(store) => store,
        // Encrypted: the passphrase is asked on the plain terminal, then the desk starts.
        Err(StoreError::Locked) => {
            drop(screen);
            let store = match open_store(setup) {
                Ok(s) => s,
                Err(code) => return code,
            };
            screen = match runtime::terminal::Screen::start() {
                Ok(s) => s,
                Err(e) => return fail(lang, Msg::CliTerminal, &e.to_string(), 1),
            };
            store
        }
        Err(e) => {
            drop(screen);
            eprintln!("onshi: {}", describe_store_error(&e, lang));
            return ExitCode::from(1);
        }
    };
    if let Err(e) = apply_setup(setup, &store) {
        drop(screen);
        return store_io_fail(lang, &e);
    }
    app.operator = setup.operator_for(&store);
    app.terminal_id = store.terminal_id();
    app.now = crate::clock::now();
    if !setup.operator_given {
        // Each session says who is at the desk; the last name on this terminal is offered.
        let default = app.operator.clone();
        app.ask_operator(&default);
    }
    let sync_config = setup.config.sync.clone();
    let valid_check_digit = setup.config.claim.unknown_insurer_valid_check_digit;
    let desk = runtime::Desk::new(
        std::sync::Arc::new(store),
        Box::new(move |store| {
            Some(crate::sync::Worker::spawn_for_desk(
                store,
                &sync_config,
                lang,
                valid_check_digit,
            ))
        }),
    );
    match runtime::run(screen, desk, app) {
        Ok(queued) => {
            if let Some(msg) = runtime::quit_message(lang, queued) {
                println!("{msg}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(lang, Msg::CliTerminal, &e.to_string(), 1),
    }
}
