//! Configuration file (TOML, DESIGN.md §6) and default locations (XDG).

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Retention when the config does not say: the guidance lets a clinic discard the form
/// once payment is confirmed, which 90 days comfortably covers.
pub const DEFAULT_RETENTION_DAYS: u32 = 90;

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub terminal_id: Option<String>,
    pub operator: Option<String>,
    pub lang: Option<String>,
    pub keymap: Option<String>,
    /// Days a delivered, settled record is kept before `onshi purge` may delete it
    /// (default [`DEFAULT_RETENTION_DAYS`]).
    pub retention_days: Option<u32>,
    #[serde(default)]
    pub sync: SyncConfig,
    #[serde(default)]
    pub claim: ClaimConfig,
}

/// How claims are written for the receipt software.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ClaimConfig {
    /// Use 77777779 (valid check digit) instead of 77777777 for 不詳 claims, for
    /// receipt software that rejects a wrong check digit.
    #[serde(default)]
    pub unknown_insurer_valid_check_digit: bool,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SyncTarget {
    Http,
    Dir,
    #[default]
    None,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SyncConfig {
    #[serde(default)]
    pub target: SyncTarget,
    pub url: Option<String>,
    pub token_file: Option<PathBuf>,
    pub ca_file: Option<PathBuf>,
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub detail: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{}: {}", self.path.display(), l, self.detail),
            None => write!(f, "{}: {}", self.path.display(), self.detail),
        }
    }
}

impl Config {
    /// Load `path`. A missing file is fine when it is the default location (`required`
    /// false): a fresh terminal runs with defaults.
    pub fn load(path: &Path, required: bool) -> Result<Config, ConfigError> {
        let src = match std::fs::read_to_string(path) {
            Ok(s) => s,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
                return Ok(Config::default())
            }
            Err(e) => {
                return Err(ConfigError {
                    path: path.to_path_buf(),
                    line: None,
                    detail: e.to_string(),
                })
            }
        };
        Self::parse(path, &src)
    }

    pub fn parse(path: &Path, src: &str) -> Result<Config, ConfigError> {
        toml::from_str(src).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            line: e
                .span()
                .map(|s| src[..s.start.min(src.len())].matches('\n').count() + 1),
            detail: e.message().to_string(),
        })
    }
}

fn env_path(var: &str) -> Option<PathBuf> {
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// `$XDG_DATA_HOME/onshi`, else `~/.local/share/onshi`, else `./onshi-data`.
pub fn default_store_dir() -> PathBuf {
    env_path("XDG_DATA_HOME")
        .or_else(|| env_path("HOME").map(|h| h.join(".local/share")))
        .map(|d| d.join("onshi"))
        .unwrap_or_else(|| PathBuf::from("onshi-data"))
}

/// `$XDG_CONFIG_HOME/onshi/config.toml`, else `~/.config/onshi/config.toml`.
pub fn default_config_file() -> PathBuf {
    env_path("XDG_CONFIG_HOME")
        .or_else(|| env_path("HOME").map(|h| h.join(".config")))
        .map(|d| d.join("onshi/config.toml"))
        .unwrap_or_else(|| PathBuf::from("onshi.toml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_design_example() {
        let src = r#"
terminal_id = "reception-1"
[sync]
target = "http"
url = "https://recept.local/onshi/records"
token_file = "/etc/onshi/token"
ca_file = "/etc/onshi/clinic-ca.pem"
dir = "/mnt/recept/onshi-inbox"
"#;
        let c = Config::parse(Path::new("c.toml"), src).unwrap();
        assert_eq!(c.terminal_id.as_deref(), Some("reception-1"));
        assert_eq!(c.sync.target, SyncTarget::Http);
        assert_eq!(
            c.sync.token_file.as_deref(),
            Some(Path::new("/etc/onshi/token"))
        );
    }

    #[test]
    fn errors_carry_the_line() {
        let e =
            Config::parse(Path::new("c.toml"), "terminal_id = \"a\"\n\nbogus = 1\n").unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        let e = Config::parse(Path::new("c.toml"), "[sync]\ntarget = \"ftp\"\n").unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
    }

    #[test]
    fn missing_default_file_is_fine_but_missing_named_file_is_not() {
        let p = Path::new("/nonexistent/onshi/config.toml");
        assert_eq!(Config::load(p, false).unwrap(), Config::default());
        assert!(Config::load(p, true).is_err());
    }
}
