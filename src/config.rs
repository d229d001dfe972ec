//! Configuration file (TOML, docs/cli.md) and its default location per platform.

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
    pub lang: Option<LangSetting>,
    pub keymap: Option<String>,
    /// Days a delivered, settled record is kept before `onshi purge` may delete it
    /// (default [`DEFAULT_RETENTION_DAYS`]).
    pub retention_days: Option<RetentionDays>,
    #[serde(default)]
    pub desk: DeskConfig,
    #[serde(default)]
    pub sync: SyncConfig,
    #[serde(default)]
    pub claim: ClaimConfig,
    #[serde(default)]
    pub ui: UiConfig,
}

/// `lang = "ja"` or `"en"`; anything else is a config error, not silently Japanese.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct LangSetting(pub crate::i18n::Lang);

impl TryFrom<String> for LangSetting {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        crate::i18n::Lang::parse(&s)
            .map(LangSetting)
            .ok_or_else(|| "lang must be \"ja\" or \"en\"".to_string())
    }
}

/// `retention_days`: at least one day, so a typo cannot make `onshi purge` delete every
/// delivered record of today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "u32")]
pub struct RetentionDays(pub u32);

impl TryFrom<u32> for RetentionDays {
    type Error = String;

    fn try_from(days: u32) -> Result<Self, Self::Error> {
        if days >= 1 {
            Ok(RetentionDays(days))
        } else {
            Err("retention_days must be 1 or more".to_string())
        }
    }
}

/// The help desk for システム障害時モード when `[desk] helpdesk_phone` is not set.
pub const DEFAULT_HELPDESK_PHONE: &str = "0800-080-4583";

/// The clinic at this desk.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct DeskConfig {
    /// 医療機関コード: names the clinic to the help desk and builds the FHIR patient-ID
    /// system (docs/fhir.md).
    pub clinic_code: Option<ClinicCode>,
    pub clinic_name: Option<String>,
    /// The number for システム障害時モード (default [`DEFAULT_HELPDESK_PHONE`]).
    pub helpdesk_phone: Option<String>,
}

impl DeskConfig {
    /// The 医療機関コード as text, when configured.
    pub fn clinic_code(&self) -> Option<String> {
        self.clinic_code.as_ref().map(|c| c.as_str().to_string())
    }

    pub fn helpdesk_phone(&self) -> &str {
        self.helpdesk_phone
            .as_deref()
            .unwrap_or(DEFAULT_HELPDESK_PHONE)
    }
}

/// A 医療機関コード: 10 ASCII digits (都道府県 2 + 点数表 1 + 医療機関 7).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct ClinicCode(String);

impl ClinicCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ClinicCode {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        if s.len() == 10 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(ClinicCode(s))
        } else {
            Err(format!(
                "clinic_code must be the 10-digit 医療機関コード, got {:?}",
                s.chars().take(20).collect::<String>()
            ))
        }
    }
}

/// How the screen is drawn.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct UiConfig {
    /// How the terminal draws East Asian ambiguous-width characters (─ ▶ ※ ○ …). Unset:
    /// detected (wide only on the classic Windows console with a CJK code page).
    pub ambiguous_width: Option<AmbiguousWidth>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum AmbiguousWidth {
    /// One cell, as unicode-width counts them (Linux terminals, Windows Terminal).
    Narrow,
    /// Two cells (conhost on a Japanese code page, terminals set to CJK width): such
    /// characters are drawn as ASCII stand-ins so the layout holds.
    Wide,
}

impl UiConfig {
    /// Whether ambiguous-width characters must be kept off the screen.
    pub fn ambiguous_wide(&self) -> bool {
        match self.ambiguous_width {
            Some(w) => w == AmbiguousWidth::Wide,
            None => crate::platform::console_draws_ambiguous_wide(),
        }
    }
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
    /// 日医標準レセプトソフト through its HTTP API (docs/orca.md).
    Orca,
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
    /// ORCA: the operator ID (職員情報) for Basic auth.
    pub user: Option<String>,
    /// ORCA: a file holding that operator's password, readable by its owner only.
    pub password_file: Option<PathBuf>,
    /// ORCA: 診療科コード of the patient memo (default "00", all departments).
    pub memo_department: Option<String>,
    /// ORCA: メモ区分 of the patient memo, 1 or 2 (default 2, as ORCA's own default).
    pub memo_class: Option<u8>,
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
    fn desk_section_parses_and_checks_the_clinic_code() {
        let src = "[desk]\nclinic_code = \"1312345678\"\nclinic_name = \"みなと内科クリニック\"\n";
        let c = Config::parse(Path::new("c"), src).unwrap();
        assert_eq!(
            c.desk.clinic_code.as_ref().map(ClinicCode::as_str),
            Some("1312345678")
        );
        assert_eq!(c.desk.clinic_name.as_deref(), Some("みなと内科クリニック"));
        assert_eq!(c.desk.helpdesk_phone(), DEFAULT_HELPDESK_PHONE);
        let c = Config::parse(
            Path::new("c"),
            "[desk]\nhelpdesk_phone = \"03-0000-0000\"\n",
        )
        .unwrap();
        assert_eq!(c.desk.helpdesk_phone(), "03-0000-0000");
        assert_eq!(Config::default().desk.helpdesk_phone(), "0800-080-4583");
        for bad in [
            "131234567",
            "13123456789",
            "131234567a",
            "１３１２３４５６７８",
        ] {
            let src = format!("terminal_id = \"a\"\n[desk]\nclinic_code = \"{bad}\"\n");
            let e = Config::parse(Path::new("c"), &src).unwrap_err();
            assert_eq!(e.line, Some(3), "{bad}: {e}");
            assert!(e.detail.contains("10-digit"), "{e}");
        }
        let e = Config::parse(Path::new("c"), "[desk]\nclinic = 1\n").unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
    }

    #[test]
    fn orca_target_settings() {
        let src = "[sync]\ntarget = \"orca\"\nurl = \"https://orca.local:8000\"\nuser = \"ormaster\"\npassword_file = \"/etc/onshi/orca\"\nmemo_class = 1\n";
        let c = Config::parse(Path::new("c"), src).unwrap();
        assert_eq!(c.sync.target, SyncTarget::Orca);
        assert_eq!(c.sync.user.as_deref(), Some("ormaster"));
        assert_eq!(c.sync.memo_class, Some(1));
    }

    #[test]
    fn ui_ambiguous_width_is_narrow_or_wide() {
        let c = Config::parse(Path::new("c"), "[ui]\nambiguous_width = \"wide\"\n").unwrap();
        assert!(c.ui.ambiguous_wide());
        let c = Config::parse(Path::new("c"), "[ui]\nambiguous_width = \"narrow\"\n").unwrap();
        assert!(!c.ui.ambiguous_wide());
        let e = Config::parse(Path::new("c"), "[ui]\nambiguous_width = \"auto\"\n").unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
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
