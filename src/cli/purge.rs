//! `onshi purge [--older-than 90d] [--dry-run]`: delete records past retention that are
//! delivered and settled (rules in `store/retention.rs`). Each deletion is audited as
//! `purge`. `--dry-run` only counts (and lists the ids that would go).
//!
//! After records were deleted the store is compacted (`Store::compact`, docs/store.md):
//! sled would otherwise keep the deleted values in its files until it reuses the space.
//!
//! Output names counts and record ids only.

use std::process::ExitCode;

use clap::Args;

use super::progress::Progress;
use super::{fail, open_existing_store, Setup};
use crate::config::DEFAULT_RETENTION_DAYS;
use crate::domain::text::neutralize_for_terminal;
use crate::i18n::{describe_io, describe_store_error, Lang, Msg};
use crate::store::{purge_cutoff, PurgePlan};

#[derive(Debug, Args)]
pub struct PurgeArgs {
    /// Age by service date, in days: `90d` (default: retention_days in the config, else 90).
    #[arg(long, value_name = "DAYS")]
    pub older_than: Option<String>,
    /// Count what would be deleted; delete nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `90d` (also `90D`, full-width digits) → 90. At least one day, so a slip cannot purge
/// today's work.
pub fn parse_days(s: &str) -> Option<u32> {
    let s = crate::domain::insurer::to_halfwidth_digits(s.trim());
    let n = s.strip_suffix(['d', 'D'])?;
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    n.parse().ok().filter(|&d| d >= 1)
}

fn line(lang: Lang, msg: Msg, n: usize) {
    match lang {
        Lang::Ja => eprintln!("onshi: {}：{n}件", lang.t(msg)),
        Lang::En => eprintln!("onshi: {}: {n}", lang.t(msg)),
    }
}

fn kept(lang: Lang, plan: &PurgePlan) {
    line(lang, Msg::PurgeKeptQueued, plan.kept_queued);
    line(lang, Msg::PurgeKeptFollowup, plan.kept_followup);
    line(lang, Msg::PurgeKeptRecent, plan.kept_recent);
}

pub fn run(setup: &Setup, args: &PurgeArgs) -> ExitCode {
    let lang = setup.lang;
    let days = match &args.older_than {
        Some(s) => match parse_days(s) {
            Some(d) => d,
            None => return fail(lang, Msg::PurgeBadAge, &neutralize_for_terminal(s), 2),
        },
        None => setup
            .config
            .retention_days
            .map_or(DEFAULT_RETENTION_DAYS, |d| d.0),
    };
    let store = match open_existing_store(setup) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let cutoff = purge_cutoff(crate::clock::now().date_naive(), days);
    if args.dry_run {
        let plan = match store.purge_plan(cutoff) {
            Ok(p) => p,
            Err(e) => return fail(lang, Msg::StoreIo, &describe_store_error(&e, lang), 1),
        };
        let ids = plan
            .purge
            .iter()
            .map(|(id, version)| format!("{id} v{version}"));
        if let Err(e) = super::output::print_lines(ids) {
            return fail(lang, Msg::CliCannotWriteStdout, describe_io(&e, lang), 1);
        }
        line(lang, Msg::PurgeWould, plan.purge.len());
        kept(lang, &plan);
        eprintln!("onshi: {}", lang.t(Msg::CliDryRun));
        return ExitCode::SUCCESS;
    }
    let operator = setup.operator_for(&store);
    // Made at the first record, when the total is known; cleared before the summary.
    let mut progress: Option<Progress> = None;
    let purged = store.purge_with_progress(cutoff, &operator, &mut |total| {
        progress
            .get_or_insert_with(|| Progress::new(lang, Msg::ProgressPurge, Some(total as u64)))
            .add(1);
    });
    drop(progress);
    let report = match purged {
        Ok(report) => report,
        Err(e) => return fail(lang, Msg::StoreIo, &describe_store_error(&e, lang), 1),
    };
    line(lang, Msg::PurgeDone, report.records);
    line(lang, Msg::PurgeVersions, report.versions);
    line(lang, Msg::PurgeDrafts, report.drafts);
    kept(lang, &report.plan);
    if report.records == 0 {
        return ExitCode::SUCCESS;
    }
    let compacting = Progress::phase(lang, Msg::PurgeCompacting);
    let compacted = store.compact();
    drop(compacting); // cleared before the outcome
    match compacted {
        Ok(_) => {
            eprintln!("onshi: {}", lang.t(Msg::PurgeCompacted));
            ExitCode::SUCCESS
        }
        Err(e) => fail(
            lang,
            Msg::PurgeCompactFailed,
            &describe_store_error(&e, lang),
            1,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_forms() {
        assert_eq!(parse_days("90d"), Some(90));
        assert_eq!(parse_days(" 365D "), Some(365));
        assert_eq!(parse_days("９０d"), Some(90));
        for bad in [
            "90",
            "d",
            "0d",
            "-5d",
            "9x0d",
            "90 d",
            "1.5d",
            "99999999999d",
        ] {
            assert_eq!(parse_days(bad), None, "{bad}");
        }
    }
}
