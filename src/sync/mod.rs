//! Sync (docs/sync.md): deliver every queued version once connectivity returns, lose
//! nothing.
//!
//! - [`Target`]: where versions go (`http`, `dir`, `orca` or `none`), built from `[sync]`.
//! - [`run_pass`]: one ordered pass over the outbox; used by `onshi sync` and the worker.
//! - [`Worker`]: the TUI's background thread; [`WorkerHandle`] is its non-blocking remote.
//!
//! Delivery is at-least-once: a version is removed from the outbox only after the target
//! confirmed it, and a crash in between sends it again. The `Idempotency-Key`
//! (`<id>:<version>`) or the file name makes that exactly-once at the receiver.

pub mod failure;
mod orca;
mod pass;
mod target;
mod worker;

pub use orca::OrcaTarget;
pub use pass::{
    counts, notes, queue, run_pass, DeliveryNote, EntryState, PassEvent, PassReport, QueueEntry,
    SYNC_OPERATOR,
};
pub use target::{
    clean_message, read_token, server_message, DirTarget, HttpTarget, Outcome, Target, TargetError,
    Timeouts, INBOX_MARKER, MESSAGE_MAX_CHARS,
};
pub use worker::{Backoff, SyncStatus, Worker, WorkerHandle, WorkerOptions};

use crate::i18n::{Lang, Msg};

/// A target configuration error in the operator's language, naming the file or setting.
pub fn describe_target_error(e: &TargetError, lang: Lang) -> String {
    let sep = match lang {
        Lang::Ja => "：",
        Lang::En => ": ",
    };
    let with = |m: Msg, detail: String| format!("{}{sep}{detail}", lang.t(m));
    match e {
        TargetError::UrlMissing => lang.t(Msg::SyncUrlMissing).to_string(),
        TargetError::UrlInvalid { url, detail } => with(
            Msg::SyncUrlInvalid,
            format!("{} ({})", clean(url), clean(detail)),
        ),
        TargetError::UrlInsecure { url } => with(Msg::SyncUrlInsecure, clean(url)),
        TargetError::TokenFileMissing => lang.t(Msg::SyncTokenMissing).to_string(),
        TargetError::TokenFileExposed { path, detail } => with(
            Msg::SyncTokenMode,
            format!(
                "{} ({detail}): {}",
                path.display(),
                crate::platform::owner_only_fix(path)
            ),
        ),
        TargetError::TokenFileRead { path, detail } => {
            with(Msg::SyncTokenRead, format!("{}: {detail}", path.display()))
        }
        TargetError::TokenInvalid { path } => {
            with(Msg::SyncTokenInvalid, path.display().to_string())
        }
        TargetError::CaFile { path, detail } => with(
            Msg::SyncCaFile,
            format!("{}: {}", path.display(), clean(detail)),
        ),
        TargetError::DirMissing => lang.t(Msg::SyncDirMissing).to_string(),
        TargetError::UserMissing => lang.t(Msg::SyncUserMissing).to_string(),
        TargetError::UserInvalid => lang.t(Msg::SyncUserInvalid).to_string(),
        TargetError::PasswordFileMissing => lang.t(Msg::SyncPasswordMissing).to_string(),
        TargetError::MemoDepartment { value } => with(Msg::SyncMemoDepartment, clean(value)),
        TargetError::MemoClass { value } => with(Msg::SyncMemoClass, value.to_string()),
    }
}

fn clean(s: &str) -> String {
    clean_message(s.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn token_mode_error_names_file_and_mode_in_both_languages() {
        let e = TargetError::TokenFileExposed {
            path: PathBuf::from("/etc/onshi/token"),
            detail: "mode 0644".to_string(),
        };
        let fix = crate::platform::owner_only_fix(std::path::Path::new("/etc/onshi/token"));
        for lang in [Lang::Ja, Lang::En] {
            let s = describe_target_error(&e, lang);
            assert!(s.contains("/etc/onshi/token"), "{s}");
            assert!(s.contains("0644"), "{s}");
            assert!(s.contains(&fix), "{s}");
        }
    }
}
