//! The help overlay and the confirmation asked before a removal.

pub(crate) mod view;
