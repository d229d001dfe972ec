//! Shared helpers for integration tests.
#![allow(dead_code)] // each test binary uses a different subset

pub mod bin;
pub mod fixtures;
pub mod pty;
pub mod tmux;
