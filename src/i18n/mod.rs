//! The message catalogue: every user-facing string, in Japanese and English.
//!
//! Screens and the CLI ask for `Msg` keys; parameterised messages (validation problems,
//! store errors) are composed in `problems.rs` from catalogue entries too.

mod catalogue;
mod labels;
mod problems;

pub use catalogue::Msg;
pub use labels::{case_short, Label};
pub use problems::{
    describe_io, describe_problem, describe_problem_redacted, describe_store_error,
};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Ja,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "ja" | "jp" | "japanese" => Some(Lang::Ja),
            "en" | "english" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn t(self, msg: Msg) -> &'static str {
        msg.text(self)
    }
}
