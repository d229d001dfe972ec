//! The screen's colours and emphasis, named by what they mean. Every view takes its
//! styles from here, so a colour scheme (or a monochrome one) is one file's change.

use ratatui::style::{Color, Modifier, Style};

/// Plain text.
pub const PLAIN: Style = Style::new();
/// The title bar.
pub const TITLE: Style = Style::new().fg(Color::Black).bg(Color::Cyan);
/// The status bar.
pub const STATUS: Style = Style::new().fg(Color::White).bg(Color::DarkGray);
/// A message that something worked.
pub const INFO: Style = Style::new().fg(Color::Green);
/// A message that something failed (the whole hint line).
pub const ALERT: Style = Style::new().fg(Color::White).bg(Color::Red);
/// A problem next to a field, a refused version.
pub const ERROR: Style = Style::new().fg(Color::Red);
/// Something to notice before saving; the procedure's cautions.
pub const WARN: Style = Style::new().fg(Color::Yellow);
/// What a value will be stored as; labels of the review; headings of the guide.
pub const PREVIEW: Style = Style::new().fg(Color::Cyan);
/// Hints, unset choices, voided rows, help texts.
pub const DIM: Style = Style::new().fg(Color::DarkGray);
/// A voided record in a list.
pub const VOIDED: Style = Style::new()
    .fg(Color::DarkGray)
    .add_modifier(Modifier::CROSSED_OUT);
/// The romaji input badge.
pub const BADGE: Style = Style::new().fg(Color::Black).bg(Color::Yellow);
/// The selected row of a list; a key in the key bar.
pub const SELECTED: Style = Style::new().add_modifier(Modifier::REVERSED);
/// The focused field's label.
pub const FOCUS: Style = Style::new().add_modifier(Modifier::REVERSED.union(Modifier::BOLD));
/// A column heading.
pub const HEADING: Style = Style::new().add_modifier(Modifier::BOLD.union(Modifier::UNDERLINED));
pub const BOLD: Style = Style::new().add_modifier(Modifier::BOLD);
/// A line being typed into.
pub const INPUT: Style = Style::new().add_modifier(Modifier::UNDERLINED);
