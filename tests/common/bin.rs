//! The onshi binary the command-line tests drive: the native build, or — when
//! `ONSHI_TEST_WINE_EXE` names the Windows build (x86_64-pc-windows-gnu) — that build
//! run under Wine, so the same tests and assertions check onshi.exe (docs/platforms.md).
//! `scripts/dev test` runs the CLI test binaries both ways.
//!
//! What differs is said here once: how a private home is given to the program, where the
//! default config and store then are, and the OS words in a few messages.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Set by `scripts/dev test` for the Windows pass: the path of onshi.exe.
pub const WINE_EXE_ENV: &str = "ONSHI_TEST_WINE_EXE";

/// onshi.exe when the tests run against the Windows build.
pub fn wine_exe() -> Option<PathBuf> {
    std::env::var_os(WINE_EXE_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

pub fn under_wine() -> bool {
    wine_exe().is_some()
}

/// A command that runs onshi (under `wine` for the Windows pass). Wine's own chatter and
/// Windows' missing ProcessPrng are handled by the environment `scripts/dev` sets up; the
/// two variables that keep stderr clean are set here too, so a test's stderr assertions
/// see onshi's words only.
pub fn onshi() -> Command {
    match wine_exe() {
        None => Command::new(env!("CARGO_BIN_EXE_onshi")),
        Some(exe) => {
            assert!(
                std::env::var_os("WINEPREFIX").is_some(),
                "{WINE_EXE_ENV} is set but WINEPREFIX is not: run the Windows pass through \
                 `scripts/dev test`, which prepares the Wine prefix"
            );
            let mut c = Command::new("wine");
            c.arg(exe)
                .env("WINEDEBUG", "-all")
                .env("WINEDLLOVERRIDES", WINE_DLL_OVERRIDES);
            c
        }
    }
}

/// `onshi ARGS` as a POSIX shell command (for tmux panes); its exit status is onshi's.
///
/// Under Wine the screen goes through a pipe: Wine's console keeps one cell per
/// character, so when it draws a frame itself a full-width character shifts the rest of
/// the line. With standard output a pipe, the frame's escape sequences reach tmux as the
/// program wrote them, while keys still come through the Windows console input (the
/// F-keys and IME text the tests send). `scratch` holds the exit status across the pipe.
pub fn shell_command(args: &str, scratch: &Path) -> String {
    match wine_exe() {
        None => format!("'{}' {args}", env!("CARGO_BIN_EXE_onshi")),
        Some(exe) => {
            let status = scratch.join("onshi-exit-status");
            format!(
                "{{ WINEDEBUG=-all WINEDLLOVERRIDES='{WINE_DLL_OVERRIDES}' wine '{}' {args}; \
                 echo $? > '{s}'; }} | cat; (exit $(cat '{s}'))",
                exe.display(),
                s = status.display()
            )
        }
    }
}

/// The test-only ProcessPrng shim beside onshi.exe (tests/wine/processprng.c) is loaded
/// instead of Wine's bcryptprimitives; the Mono and Gecko installers are never offered.
pub const WINE_DLL_OVERRIDES: &str = "bcryptprimitives=n;mscoree,mshtml=";

/// Give `cmd` the private home `home`: no real config or data dir is touched, and the
/// default config file is [`default_config_file`]. On Linux through the XDG variables;
/// for onshi.exe through `ONSHI_CONFIG` (Wine sets %APPDATA% itself, and one Wine server
/// serves one Windows user).
pub fn private_home(cmd: &mut Command, home: &Path) {
    if under_wine() {
        cmd.env("ONSHI_CONFIG", home.join("config.toml"));
    } else {
        cmd.env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env_remove("ONSHI_CONFIG");
    }
}

/// Where onshi looks for its config by default in the private home.
pub fn default_config_file(home: &Path) -> PathBuf {
    if under_wine() {
        home.join("config.toml")
    } else {
        home.join(".config/onshi/config.toml")
    }
}

/// Where onshi keeps its store by default: in the private home on Linux; for onshi.exe
/// `%LOCALAPPDATA%\onshi` of the Wine user (shared by all tests, so tests only ever
/// check that nothing was put there).
pub fn default_store(home: &Path) -> PathBuf {
    if under_wine() {
        let prefix = std::env::var_os("WINEPREFIX").expect("WINEPREFIX for the Windows pass");
        let user = std::env::var("USER").unwrap_or_else(|_| "root".to_string());
        PathBuf::from(prefix)
            .join("drive_c/users")
            .join(user)
            .join("AppData/Local/onshi")
    } else {
        home.join(".local/share/onshi")
    }
}

/// The command that makes a file owner-only, as onshi's messages name it.
pub fn owner_only_command() -> &'static str {
    if under_wine() {
        "icacls"
    } else {
        "chmod 600"
    }
}

/// The PC/SC service as onshi's messages name it.
pub fn pcsc_service_name() -> &'static str {
    if under_wine() {
        "Smart Card"
    } else {
        "pcscd"
    }
}

/// Assert that a file onshi wrote is its owner's only: mode 0600 on Linux. For onshi.exe
/// there is nothing to read back here: Wine keeps no access list on files (it shows one
/// made from the Unix mode), so the Windows DACL is checked by the platform seam's unit
/// tests (as built) and on a real Windows PC (docs/platforms.md).
pub fn assert_owner_only(path: &Path) {
    if under_wine() {
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).expect("stat").permissions().mode();
    assert_eq!(
        mode & 0o777,
        0o600,
        "{} is {:o}",
        path.display(),
        mode & 0o777
    );
}
