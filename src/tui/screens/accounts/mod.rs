//! The home screen: the accounts, the selected one's details and the live log.

mod details;
pub(crate) mod keys;
mod log;
mod table;
pub(crate) mod view;
