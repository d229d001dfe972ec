//! onshi: the outage desk for オンライン資格確認.
//!
//! `domain` holds the pure rules (no I/O); `store` owns sled; `tui` owns screens and talks
//! to the store only through `store::Store`; `cli` wires the command line.

pub mod card;
pub mod cli;
pub mod clock;
pub mod config;
pub mod domain;
pub mod export;
pub mod i18n;
pub mod keymap;
pub mod paper;
pub mod platform;
pub mod runtime;
pub mod store;
pub mod sync;
pub mod tui;
