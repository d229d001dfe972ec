//! `onshi sync [--once] [--retry-failed]`: deliver queued versions (docs/cli.md, docs/sync.md).
//!
//! Exit codes: 0 the queue is empty; 3 the target is unreachable (`--once`; nothing is
//! lost); 1 versions are held as refused by the target (or the store failed); 2 the
//! `[sync]` configuration is missing or wrong.
//!
//! `--set-aside ID:VERSION --reason TEXT` only takes held versions out of the queue
//! (audited; docs/sync.md) and exits: 0 when every one was set aside, 1 when one was not
//! held or not queued. It needs no target, so it works while the target is down.
//!
//! Without `--once` an unreachable target is retried with backoff until the queue is
//! drained, for cron or a systemd timer. Output names record ids and versions only; the
//! target's refusal messages (which could quote record values) stay in the store for the
//! sync screen.

use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use clap::Args;

use super::progress::Progress;
use super::{fail, open_existing_store, Setup};
use crate::i18n::{describe_store_error, Lang, Msg};
use crate::store::{clean_reason, SetAsideOutcome, Store, StoreError};
use crate::sync::{
    counts, describe_target_error, run_pass, Backoff, PassEvent, Target, WorkerOptions,
};

pub const EXIT_HELD: u8 = 1;
pub const EXIT_CONFIG: u8 = 2;
pub const EXIT_UNREACHABLE: u8 = 3;

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// One pass: exit 0 if the queue is empty afterwards, 3 if the target is unreachable,
    /// 1 if versions are held as refused.
    #[arg(long)]
    pub once: bool,
    /// Queue the versions the target refused again (after fixing the cause).
    #[arg(long)]
    pub retry_failed: bool,
    /// Take a version the target refused for good out of the queue (ID:VERSION, may be
    /// repeated), so later versions of its record are sent; needs --reason.
    #[arg(long, value_name = "ID:VERSION", value_parser = parse_id_version,
          requires = "reason", conflicts_with_all = ["once", "retry_failed"])]
    pub set_aside: Vec<(String, u32)>,
    /// Why the version is set aside (kept with it, shown on the sync screen).
    #[arg(long, value_name = "TEXT", requires = "set_aside")]
    pub reason: Option<String>,
}

/// `01J…:2` → (id, 2).
fn parse_id_version(s: &str) -> Result<(String, u32), String> {
    let (id, version) = s
        .rsplit_once(':')
        .ok_or_else(|| "expected ID:VERSION".to_string())?;
    let version: u32 = version
        .parse()
        .ok()
        .filter(|v| *v >= 1)
        .ok_or_else(|| "VERSION must be a number from 1".to_string())?;
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err("ID must be a record id".to_string());
    }
    Ok((id.to_string(), version))
}

pub fn run(setup: &Setup, args: &SyncArgs) -> ExitCode {
    let lang = setup.lang;
    if !args.set_aside.is_empty() {
        return set_aside(setup, args);
    }
    let target = match Target::from_config(&setup.config.sync) {
        Ok(Target::None) => return fail(lang, Msg::SyncNoTarget, "target = \"none\"", EXIT_CONFIG),
        Ok(t) => t.for_desk(lang, setup.config.claim.unknown_insurer_valid_check_digit),
        Err(e) => {
            return fail(
                lang,
                Msg::SyncTargetError,
                &describe_target_error(&e, lang),
                EXIT_CONFIG,
            )
        }
    };
    let store = match open_existing_store(setup) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let operator = setup.operator_for(&store);
    match drain(&store, &target, args, lang, &operator) {
        Ok(code) => code,
        Err(e) => fail(lang, Msg::StoreIo, &describe_store_error(&e, lang), 1),
    }
}

fn drain(
    store: &Store,
    target: &Target,
    args: &SyncArgs,
    lang: Lang,
    operator: &str,
) -> Result<ExitCode, StoreError> {
    if args.retry_failed {
        store.outbox_retry_all(operator)?;
    }
    let (total, _) = counts(store)?;
    let started = crate::clock::now();
    let never = AtomicBool::new(false);
    let opts = WorkerOptions::default();
    let mut backoff = Backoff::new(opts.backoff_min, opts.backoff_max);
    let mut delivered = 0usize;
    let mut progress = Progress::new(lang, Msg::SyncProgress, Some(total as u64));
    loop {
        let report = run_pass(store, target, &never, &mut |ev| {
            if let PassEvent::Delivered { .. } = ev {
                delivered += 1;
                progress.add(1);
            }
        })?;
        progress.finish();
        let Some(why) = report.unreachable else {
            break;
        };
        if args.once {
            warned(store, lang, started)?;
            summary(store, lang, delivered)?;
            eprintln!("onshi: {}: {why}", lang.t(Msg::SyncUnreachable));
            return Ok(ExitCode::from(EXIT_UNREACHABLE));
        }
        let delay = backoff.next_delay();
        eprintln!(
            "onshi: {}: {why} ({} {})",
            lang.t(Msg::SyncUnreachable),
            lang.t(Msg::SyncRetryIn),
            delay.as_secs().max(1)
        );
        std::thread::sleep(delay);
    }
    warned(store, lang, started)?;
    let held = summary(store, lang, delivered)?;
    if held > 0 {
        eprintln!("onshi: {}", lang.t(Msg::SyncRetryHint));
        return Ok(ExitCode::from(EXIT_HELD));
    }
    Ok(ExitCode::SUCCESS)
}

/// `--set-aside`: take each named held version out of the queue.
fn set_aside(setup: &Setup, args: &SyncArgs) -> ExitCode {
    let lang = setup.lang;
    let reason = clean_reason(args.reason.as_deref().unwrap_or(""));
    if reason.is_empty() {
        return fail(lang, Msg::SyncSetAsideNoReason, "--reason", 2);
    }
    let store = match open_existing_store(setup) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let operator = setup.operator_for(&store);
    let mut all_done = true;
    for (id, version) in &args.set_aside {
        let outcome = store
            .outbox_find(id, *version)
            .and_then(|found| match found {
                None => Ok(SetAsideOutcome::NotQueued),
                Some(item) => store.outbox_set_aside(item.seq, &reason, &operator),
            });
        let msg = match outcome {
            Ok(SetAsideOutcome::Done(_)) => Msg::SyncSetAsideDone,
            Ok(SetAsideOutcome::NotHeld) => Msg::SyncSetAsideNotHeld,
            Ok(SetAsideOutcome::NotQueued) => Msg::SyncSetAsideNotQueued,
            Err(e) => return fail(lang, Msg::StoreIo, &describe_store_error(&e, lang), 1),
        };
        all_done &= msg == Msg::SyncSetAsideDone;
        eprintln!("onshi: {id} v{version}: {}", lang.t(msg));
    }
    if all_done {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_HELD)
    }
}

/// Name the versions delivered in this run that ORCA warned about (by id and 患者番号;
/// the warnings themselves are on the sync screen).
fn warned(
    store: &Store,
    lang: Lang,
    since: chrono::DateTime<chrono::FixedOffset>,
) -> Result<(), StoreError> {
    for n in crate::sync::notes(store, usize::MAX)? {
        if n.at.is_some_and(|t| t >= since) {
            eprintln!(
                "onshi: {} v{}: {} ({})",
                n.id,
                n.version.unwrap_or(0),
                lang.t(Msg::SyncWarnedCount),
                n.patient
            );
        }
    }
    Ok(())
}

/// List held entries and print the summary line; returns the number held.
fn summary(store: &Store, lang: Lang, delivered: usize) -> Result<usize, StoreError> {
    let failed = store.outbox_failed()?;
    for f in &failed {
        let status = f
            .failure
            .as_ref()
            .and_then(|x| x.status)
            .map(|s| format!(" (HTTP {s})"))
            .unwrap_or_default();
        eprintln!(
            "onshi: {} v{}: {}{status}",
            f.id,
            f.version,
            lang.t(Msg::SyncRejected)
        );
    }
    let (queued, held) = counts(store)?;
    match lang {
        Lang::Ja => eprintln!(
            "onshi: {} {delivered}件、{} {held}件、{} {queued}件",
            lang.t(Msg::SyncDelivered),
            lang.t(Msg::SyncHeld),
            lang.t(Msg::SyncStillQueued)
        ),
        Lang::En => eprintln!(
            "onshi: {delivered} {}, {held} {}, {queued} {}",
            lang.t(Msg::SyncDelivered),
            lang.t(Msg::SyncHeld),
            lang.t(Msg::SyncStillQueued)
        ),
    }
    Ok(held)
}
