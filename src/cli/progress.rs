//! A running count and rate on stderr for work over many records (import, export, sync,
//! purge), redrawn in place on one line — only when stderr is a terminal: in a script or
//! a log the summary line is all that is written (docs/cli.md, "Output conventions").

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use unicode_width::UnicodeWidthStr;

use crate::i18n::{Lang, Msg};

/// Redraw at most this often: fast enough to look alive, rare enough to cost nothing.
const EVERY: Duration = Duration::from_millis(250);

pub struct Progress {
    lang: Lang,
    what: Msg,
    total: Option<u64>,
    done: u64,
    started: Instant,
    last: Instant,
    /// Something was drawn (and must be cleared before the summary).
    drawn: bool,
    /// Display width of the line drawn last (to be covered by the next one).
    width: usize,
    enabled: bool,
}

impl Progress {
    /// Counts `what` (e.g. 取り込み中); `total` when known up front.
    pub fn new(lang: Lang, what: Msg, total: Option<u64>) -> Progress {
        Progress::with_terminal(lang, what, total, std::io::stderr().is_terminal())
    }

    fn with_terminal(lang: Lang, what: Msg, total: Option<u64>, enabled: bool) -> Progress {
        let now = Instant::now();
        Progress {
            lang,
            what,
            total,
            done: 0,
            started: now,
            last: now,
            drawn: false,
            width: 0,
            enabled,
        }
    }

    /// `n` more done; drawn at once the first time (the work has started), then again
    /// when the last drawing is old enough.
    pub fn add(&mut self, n: u64) {
        self.done += n;
        if self.enabled && (!self.drawn || self.last.elapsed() >= EVERY) {
            self.last = Instant::now();
            self.draw();
        }
    }

    /// No drawing when `quiet` (e.g. the data itself goes to the same terminal, where a
    /// redrawn line would land in the middle of it).
    pub fn quiet_if(mut self, quiet: bool) -> Progress {
        self.enabled &= !quiet;
        self
    }

    /// Show `what` alone, for a step that has no count (compacting the store): drawn at
    /// once, cleared by [`Progress::finish`] like a count.
    pub fn phase(lang: Lang, what: Msg) -> Progress {
        let mut p = Progress::new(lang, what, None);
        if p.enabled {
            p.draw_text(format!("onshi: {}", lang.t(what)));
        }
        p
    }

    /// The line as drawn: count, total when known, and the rate per second once there
    /// is enough time behind it to mean something.
    pub fn line(&self) -> String {
        let secs = self.started.elapsed().as_secs_f64();
        let what = self.lang.t(self.what);
        let count = match (self.lang, self.total) {
            (Lang::Ja, Some(t)) => format!("{}/{t}件", self.done),
            (Lang::Ja, None) => format!("{}件", self.done),
            (Lang::En, Some(t)) => format!("{}/{t}", self.done),
            (Lang::En, None) => self.done.to_string(),
        };
        if secs < EVERY.as_secs_f64() {
            return format!("onshi: {what} {count}");
        }
        // Whole records per second: the order of magnitude is what matters.
        let rate = (self.done as f64 / secs).round() as u64;
        match self.lang {
            Lang::Ja => format!("onshi: {what} {count}（{rate}件/秒）"),
            Lang::En => format!("onshi: {what} {count} ({rate}/s)"),
        }
    }

    fn draw(&mut self) {
        self.draw_text(self.line());
    }

    fn draw_text(&mut self, line: String) {
        let width = line.width();
        // A carriage return and spaces over what is left of the longer line before: no
        // escape sequence, so the classic Windows console shows it right even without
        // its VT mode (which only the desk switches on).
        let pad = " ".repeat(self.width.saturating_sub(width));
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{line}{pad}");
        let _ = err.flush();
        self.width = width;
        self.drawn = true;
    }

    /// Clear the running line, so the summary that follows starts on a clean line.
    pub fn finish(&mut self) {
        if self.drawn {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r{}\r", " ".repeat(self.width));
            let _ = err.flush();
            self.drawn = false;
            self.width = 0;
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_counts_and_gives_a_rate_in_both_languages() {
        let mut p = Progress::with_terminal(Lang::Ja, Msg::ProgressImport, None, false);
        p.add(1200);
        assert_eq!(p.line(), "onshi: 取り込み中 1200件", "no rate from a blink");
        p.started -= Duration::from_secs(2);
        assert_eq!(p.line(), "onshi: 取り込み中 1200件（600件/秒）");
        let mut p = Progress::with_terminal(Lang::En, Msg::SyncProgress, Some(3000), false);
        p.add(1500);
        p.started -= Duration::from_secs(3);
        assert_eq!(p.line(), "onshi: delivering 1500/3000 (500/s)");
    }

    #[test]
    fn nothing_is_drawn_when_stderr_is_not_a_terminal() {
        let mut p = Progress::with_terminal(Lang::Ja, Msg::ProgressExport, None, false);
        std::thread::sleep(EVERY);
        p.add(1);
        assert!(!p.drawn);
    }
}
