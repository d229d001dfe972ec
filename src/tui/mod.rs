//! Screens: state + events → update → render. No I/O here: the runtime
//! (`crate::runtime`) performs the effects `update` returns and feeds results back.

pub mod app;
pub mod editor;
pub mod fields;
pub mod form;
pub mod pin;
pub mod romaji;
pub mod update;
pub mod view;

pub use app::{App, Effect, Env, Event, Screen, Snapshot};
pub use update::update;
pub use view::render;
