//! The screens, one folder each: its state (in its `mod.rs`, which names nothing of the `App`),
//! what its keys do (`keys`), what it makes of the background's messages (`update`), and how it
//! looks (`view`). Each part names the state and the `App`; the `App` names only the states, so
//! nothing goes round in a circle. Help and the remove dialog are overlays: their state is the
//! `App`'s `Overlay`.

pub mod accounts;
pub mod add;
pub mod confirm_remove;
pub mod help;
pub mod inspect;
pub mod link;
