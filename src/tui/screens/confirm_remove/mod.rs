//! The dialog that asks before an account is removed, over the accounts screen. Its state is the
//! account's name: [`Overlay::ConfirmRemove`](crate::tui::app::Overlay::ConfirmRemove).

pub(crate) mod keys;
pub(crate) mod view;
