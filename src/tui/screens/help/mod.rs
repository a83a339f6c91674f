//! The help overlay, over whatever screen asked for it. Its state is how far it is scrolled:
//! [`Overlay::Help`](crate::tui::app::Overlay::Help).

pub(crate) mod keys;
pub(crate) mod view;
