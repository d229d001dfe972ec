//! Run a command with a terminal for its standard output and error (util-linux `script`,
//! part of every Debian system): what onshi writes only to a terminal — the running
//! count of long work — can then be seen, byte for byte.

use std::path::Path;
use std::process::Command;

/// Run `cmd` (program, arguments and environment as built) on a pseudo-terminal; returns
/// its exit code and everything it wrote to the terminal. `scratch` holds the transcript.
pub fn run_on_terminal(cmd: &Command, scratch: &Path) -> (Option<i32>, String) {
    let quote = |s: &std::ffi::OsStr| format!("'{}'", s.to_string_lossy().replace('\'', r"'\''"));
    let mut line = quote(cmd.get_program());
    for a in cmd.get_args() {
        line.push(' ');
        line.push_str(&quote(a));
    }
    let log = scratch.join("terminal.log");
    let mut script = Command::new("script");
    script
        .args(["--quiet", "--return", "--flush", "--command"])
        .arg(&line)
        .arg(&log)
        .stdin(std::process::Stdio::null());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => script.env(k, v),
            None => script.env_remove(k),
        };
    }
    let out = script
        .output()
        .expect("run `script` (util-linux) to give onshi a terminal");
    let text = std::fs::read(&log).unwrap_or_default();
    (
        out.status.code(),
        String::from_utf8_lossy(&text).into_owned(),
    )
}

/// `shown` without its control sequences (CSI `ESC [ … final`), a cursor move forward
/// (`ESC [ n C`) kept as the n spaces it stands for: Wine's console wraps every write in
/// cursor hide/show and draws runs of spaces as moves, which would split or join the
/// words a test looks for.
pub fn plain(shown: &str) -> String {
    let mut out = String::with_capacity(shown.len());
    let mut chars = shown.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' && chars.peek() == Some(&'[') {
            chars.next();
            // Parameters and intermediates, then one final byte in @..~.
            let mut params = String::new();
            for d in chars.by_ref() {
                if ('@'..='~').contains(&d) {
                    if d == 'C' {
                        let n = params.parse::<usize>().unwrap_or(1);
                        out.extend(std::iter::repeat_n(' ', n));
                    }
                    break;
                }
                params.push(d);
            }
            continue;
        }
        out.push(c);
    }
    out
}
