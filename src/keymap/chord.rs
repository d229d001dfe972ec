//! One key with modifiers, as written in keymap files ("C-s", "F5", "S-Tab").

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Chord {
    code: Code,
    ctrl: bool,
    alt: bool,
    shift: bool,
}

/// Our own ordered copy of the key codes we accept (crossterm's is not `Ord`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Code {
    F(u8),
    Char(char),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Insert,
    Home,
    End,
    PageUp,
    PageDown,
    Up,
    Down,
    Left,
    Right,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChordError {
    Empty,
    UnknownKey(String),
    UnknownModifier(String),
}

impl std::fmt::Display for ChordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChordError::Empty => write!(f, "empty key"),
            ChordError::UnknownKey(k) => write!(f, "unknown key name \"{k}\""),
            ChordError::UnknownModifier(m) => {
                write!(f, "unknown modifier \"{m}\" (use C-, A-, S-)")
            }
        }
    }
}

const NAMED: &[(&str, Code)] = &[
    ("Enter", Code::Enter),
    ("Esc", Code::Esc),
    ("Tab", Code::Tab),
    ("BackTab", Code::BackTab),
    ("Backspace", Code::Backspace),
    ("Delete", Code::Delete),
    ("Insert", Code::Insert),
    ("Home", Code::Home),
    ("End", Code::End),
    ("PageUp", Code::PageUp),
    ("PageDown", Code::PageDown),
    ("Up", Code::Up),
    ("Down", Code::Down),
    ("Left", Code::Left),
    ("Right", Code::Right),
    ("Space", Code::Char(' ')),
];

impl Chord {
    pub fn parse(s: &str) -> Result<Chord, ChordError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(ChordError::Empty);
        }
        let (mut ctrl, mut alt, mut shift) = (false, false, false);
        let mut rest = s;
        loop {
            // Modifiers are one letter and a hyphen ("C-s"), or a word and a plus as the
            // key bar shows them ("Ctrl+S"); a lone "-" or "+" is that key.
            if let Some((word, after)) = rest.split_once('+').filter(|(_, a)| !a.is_empty()) {
                match word.to_ascii_lowercase().as_str() {
                    "ctrl" | "control" => ctrl = true,
                    "alt" | "meta" => alt = true,
                    "shift" => shift = true,
                    _ => return Err(ChordError::UnknownModifier(word.to_string())),
                }
                rest = after;
            } else if rest.len() > 2 && rest.as_bytes()[1] == b'-' {
                match &rest[..1] {
                    "C" | "c" => ctrl = true,
                    "A" | "a" | "M" | "m" => alt = true,
                    "S" | "s" => shift = true,
                    m => return Err(ChordError::UnknownModifier(m.to_string())),
                }
                rest = &rest[2..];
            } else {
                break;
            }
        }
        let code = if let Some((_, c)) = NAMED.iter().find(|(n, _)| n.eq_ignore_ascii_case(rest)) {
            *c
        } else if let Some(n) = rest
            .strip_prefix(['F', 'f'])
            .and_then(|d| d.parse::<u8>().ok())
            .filter(|n| (1..=12).contains(n))
        {
            Code::F(n)
        } else {
            let mut chars = rest.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Code::Char(if ctrl || alt {
                    c.to_ascii_lowercase()
                } else {
                    c
                }),
                _ => return Err(ChordError::UnknownKey(rest.to_string())),
            }
        };
        Ok(Self::normalise(code, ctrl, alt, shift))
    }

    /// Terminals report Shift+Tab as BackTab and shifted letters as the capital letter;
    /// fold both spellings into one chord.
    fn normalise(code: Code, ctrl: bool, alt: bool, shift: bool) -> Chord {
        match code {
            Code::Tab if shift => Chord {
                code: Code::BackTab,
                ctrl,
                alt,
                shift: false,
            },
            Code::BackTab => Chord {
                code,
                ctrl,
                alt,
                shift: false,
            },
            Code::Char(_) => Chord {
                code,
                ctrl,
                alt,
                shift: false,
            },
            _ => Chord {
                code,
                ctrl,
                alt,
                shift,
            },
        }
    }

    pub fn from_event(ev: &KeyEvent) -> Option<Chord> {
        if ev.kind == KeyEventKind::Release {
            return None;
        }
        let m = ev.modifiers;
        let ctrl = m.contains(KeyModifiers::CONTROL);
        let alt = m.contains(KeyModifiers::ALT);
        let shift = m.contains(KeyModifiers::SHIFT);
        let code = match ev.code {
            KeyCode::F(n) => Code::F(n),
            KeyCode::Char(c) => Code::Char(if ctrl || alt {
                c.to_ascii_lowercase()
            } else {
                c
            }),
            KeyCode::Enter => Code::Enter,
            KeyCode::Esc => Code::Esc,
            KeyCode::Tab => Code::Tab,
            KeyCode::BackTab => Code::BackTab,
            KeyCode::Backspace => Code::Backspace,
            KeyCode::Delete => Code::Delete,
            KeyCode::Insert => Code::Insert,
            KeyCode::Home => Code::Home,
            KeyCode::End => Code::End,
            KeyCode::PageUp => Code::PageUp,
            KeyCode::PageDown => Code::PageDown,
            KeyCode::Up => Code::Up,
            KeyCode::Down => Code::Down,
            KeyCode::Left => Code::Left,
            KeyCode::Right => Code::Right,
            _ => return None,
        };
        Some(Self::normalise(code, ctrl, alt, shift))
    }

    /// A character typed without Ctrl/Alt: text, in a field.
    pub fn is_plain_char(&self) -> bool {
        matches!(self.code, Code::Char(_)) && !self.ctrl && !self.alt
    }
}

/// As the key bar and F1 show a key: the spelling of the keys' own labels and of Windows
/// menus ("Ctrl+Q", "Shift+Tab"), which [`Chord::parse`] reads back.
impl std::fmt::Display for Chord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.ctrl {
            write!(f, "Ctrl+")?;
        }
        if self.alt {
            write!(f, "Alt+")?;
        }
        if self.shift || self.code == Code::BackTab {
            write!(f, "Shift+")?;
        }
        match self.code {
            Code::F(n) => write!(f, "F{n}"),
            Code::BackTab => write!(f, "Tab"),
            Code::Char(' ') => write!(f, "Space"),
            Code::Char(c) if self.ctrl || self.alt => write!(f, "{}", c.to_ascii_uppercase()),
            Code::Char(c) => write!(f, "{c}"),
            other => {
                let name = NAMED.iter().find(|(_, c)| *c == other).map(|(n, _)| *n);
                write!(f, "{}", name.unwrap_or("?"))
            }
        }
    }
}
