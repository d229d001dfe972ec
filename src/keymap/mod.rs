//! Keymaps: actions bound to keys per context, loaded from `keymaps/*.toml`.
//!
//! Shipped maps are embedded at build time so `--keymap default` works from any
//! directory. A user file may `extends = "default"` and rebind single actions. Loading is
//! all-or-nothing: any error and no map is returned (the app never runs half-loaded).

mod actions;
mod chord;

pub use actions::{Action, Ctx, Stack};
pub use chord::{Chord, ChordError};

use std::collections::BTreeMap;
use std::path::Path;

use crossterm::event::KeyEvent;

/// Maps shipped with the binary: (name, TOML source).
pub const SHIPPED: &[(&str, &str)] = &[
    ("default", include_str!("../../keymaps/default.toml")),
    ("vim", include_str!("../../keymaps/vim.toml")),
];

/// A problem in a keymap file, with enough to find it: file, line, context, key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeymapError {
    pub file: String,
    pub line: Option<usize>,
    pub detail: String,
}

impl std::fmt::Display for KeymapError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{}: {}", self.file, l, self.detail),
            None => write!(f, "{}: {}", self.file, self.detail),
        }
    }
}

impl std::error::Error for KeymapError {}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    pub name: String,
    bindings: BTreeMap<Ctx, BTreeMap<Action, Vec<Chord>>>,
}

type RawMap = BTreeMap<String, toml::Spanned<toml::Value>>;

impl Keymap {
    /// A shipped map by name, or a file path.
    pub fn load(name_or_path: &str) -> Result<Keymap, KeymapError> {
        if let Some((_, src)) = SHIPPED.iter().find(|(n, _)| *n == name_or_path) {
            return Self::parse(name_or_path, src, None);
        }
        let path = Path::new(name_or_path);
        let src = std::fs::read_to_string(path).map_err(|e| KeymapError {
            file: name_or_path.to_string(),
            line: None,
            detail: format!("cannot read: {e}"),
        })?;
        Self::parse(&path.display().to_string(), &src, None)
    }

    pub fn shipped_default() -> Keymap {
        // The shipped map is checked by a unit test, so this cannot fail at run time.
        Self::parse("default", SHIPPED[0].1, None).unwrap_or_else(|_| Keymap {
            name: "default".into(),
            bindings: BTreeMap::new(),
        })
    }

    /// Parse `src`. A file with `extends = "NAME"` starts from that shipped map and
    /// replaces the actions it names; otherwise every action must be bound.
    pub fn parse(file: &str, src: &str, base: Option<&Keymap>) -> Result<Keymap, KeymapError> {
        let err = |line: Option<usize>, detail: String| KeymapError {
            file: file.to_string(),
            line,
            detail,
        };
        let line_of = |offset: usize| Some(src[..offset.min(src.len())].matches('\n').count() + 1);

        let raw: RawMap = toml::from_str(src).map_err(|e| {
            err(
                e.span().and_then(|s| line_of(s.start)),
                e.message().to_string(),
            )
        })?;

        let mut bindings: BTreeMap<Ctx, BTreeMap<Action, Vec<Chord>>> = BTreeMap::new();
        let mut partial = false;
        if let Some(ext) = raw.get("extends") {
            let name = ext
                .get_ref()
                .as_str()
                .ok_or_else(|| err(line_of(ext.span().start), "extends must be a string".into()))?;
            let base_map = match base {
                Some(b) => b.clone(),
                None => {
                    let (_, bsrc) = SHIPPED.iter().find(|(n, _)| *n == name).ok_or_else(|| {
                        err(
                            line_of(ext.span().start),
                            format!("extends names an unknown keymap \"{name}\""),
                        )
                    })?;
                    Self::parse(name, bsrc, None)?
                }
            };
            bindings = base_map.bindings;
            partial = true;
        }

        for (section, value) in &raw {
            if section == "extends" {
                continue;
            }
            let at = line_of(value.span().start);
            let ctx = Ctx::ALL
                .into_iter()
                .find(|c| c.name() == section)
                .ok_or_else(|| err(at, format!("unknown section [{section}]")))?;
            let table = value
                .get_ref()
                .as_table()
                .ok_or_else(|| err(at, format!("[{section}] must be a table")))?;
            for (action_name, keys) in table {
                let action = ctx
                    .actions()
                    .find(|a| a.name() == action_name)
                    .ok_or_else(|| {
                        err(
                            Self::find_line(src, section, action_name),
                            format!("unknown action \"{action_name}\" in [{section}]"),
                        )
                    })?;
                let line = Self::find_line(src, section, action_name);
                let list = keys.as_array().ok_or_else(|| {
                    err(
                        line,
                        format!("{section}.{action_name} must be a list of keys"),
                    )
                })?;
                let mut chords = Vec::new();
                for k in list {
                    let s = k.as_str().ok_or_else(|| {
                        err(line, format!("{section}.{action_name}: keys are strings"))
                    })?;
                    let chord = Chord::parse(s).map_err(|e| {
                        err(line, format!("{section}.{action_name}: key \"{s}\": {e}"))
                    })?;
                    if ctx.types_text() && chord.is_plain_char() {
                        return Err(err(
                            line,
                            format!(
                                "{section}.{action_name}: key \"{s}\" would stop that character from being typed"
                            ),
                        ));
                    }
                    chords.push(chord);
                }
                if chords.is_empty() {
                    return Err(err(line, format!("{section}.{action_name} has no keys")));
                }
                bindings.entry(ctx).or_default().insert(action, chords);
            }
        }

        let map = Keymap {
            name: file.to_string(),
            bindings,
        };
        if !partial {
            for ctx in Ctx::ALL {
                for a in ctx.actions() {
                    if map.keys(ctx, a).is_empty() {
                        return Err(err(
                            None,
                            format!("{}.{} is not bound (a full map binds every action, or use extends = \"default\")", ctx.name(), a.name()),
                        ));
                    }
                }
            }
        }
        map.check_conflicts(src, file)?;
        Ok(map)
    }

    /// The line of `action =` inside `[section]`, for error messages.
    fn find_line(src: &str, section: &str, action: &str) -> Option<usize> {
        let mut in_section = false;
        for (i, line) in src.lines().enumerate() {
            let t = line.trim();
            if t.starts_with('[') {
                in_section = t.trim_start_matches('[').trim_end_matches(']').trim() == section;
            } else if in_section {
                let key = t.split('=').next().unwrap_or("").trim().trim_matches('"');
                if key == action {
                    return Some(i + 1);
                }
            }
        }
        None
    }

    fn check_conflicts(&self, src: &str, file: &str) -> Result<(), KeymapError> {
        for stack in Stack::ALL {
            let mut seen: BTreeMap<Chord, (Ctx, Action)> = BTreeMap::new();
            for ctx in stack.contexts() {
                let Some(actions) = self.bindings.get(ctx) else {
                    continue;
                };
                for (action, chords) in actions {
                    for chord in chords {
                        if let Some((c0, a0)) = seen.get(chord) {
                            if !(c0 == ctx && a0 == action) {
                                return Err(KeymapError {
                                    file: file.to_string(),
                                    // Point at whichever side the file being read defines.
                                    line: Self::find_line(src, ctx.name(), action.name())
                                        .or_else(|| Self::find_line(src, c0.name(), a0.name())),
                                    detail: format!(
                                        "key \"{}\" is bound to both {}.{} and {}.{}",
                                        chord,
                                        c0.name(),
                                        a0.name(),
                                        ctx.name(),
                                        action.name()
                                    ),
                                });
                            }
                        }
                        seen.insert(*chord, (*ctx, *action));
                    }
                }
            }
        }
        Ok(())
    }

    /// The action for `key` in the first context of `stack` that binds it.
    pub fn lookup(&self, stack: Stack, key: &KeyEvent) -> Option<Action> {
        let chord = Chord::from_event(key)?;
        stack.contexts().iter().find_map(|ctx| {
            self.bindings.get(ctx).and_then(|m| {
                m.iter()
                    .find(|(_, chords)| chords.contains(&chord))
                    .map(|(a, _)| *a)
            })
        })
    }

    pub fn keys(&self, ctx: Ctx, action: Action) -> &[Chord] {
        self.bindings
            .get(&ctx)
            .and_then(|m| m.get(&action))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// All (action, keys) of a context, for the help overlay.
    pub fn bindings(&self, ctx: Ctx) -> Vec<(Action, &[Chord])> {
        self.bindings
            .get(&ctx)
            .map(|m| m.iter().map(|(a, c)| (*a, c.as_slice())).collect())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests;
