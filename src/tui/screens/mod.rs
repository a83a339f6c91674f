//! The screens, one folder each: its state, what its keys do, what it makes of the background's
//! messages, and its view.

pub mod accounts;
pub mod add;
pub mod help;
pub mod inspect;
pub mod link;
