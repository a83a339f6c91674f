//! The home screen: the accounts table, the selected account's details and the live log. Its state
//! is the app's own (the accounts, the selection, the log, the token shown): every screen reads
//! it, so it lives in [`App`](crate::tui::app::App).

mod details;
pub(crate) mod keys;
mod log;
mod table;
pub(crate) mod update;
pub(crate) mod view;
