//! onshi: the outage desk for オンライン資格確認.
//!
//! `domain` holds the pure rules (no I/O); `store`, `sync`, `card` own their I/O; `tui` is
//! state + events → update → render without I/O, and `runtime` performs its effects;
//! `platform` is the one place Linux and Windows differ; `cli` wires the command line.
//! The layer picture and where each kind of change goes: docs/architecture.md.

// What is true of the code today stays true: no unsafe outside the platform seam
// (src/platform), no unwrap/expect outside tests (a panic reachable from input would lose
// the clerk's work).
#![deny(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

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
