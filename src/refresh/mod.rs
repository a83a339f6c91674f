//! Keeping accounts fresh and linked: sessions wired to the store (cross-process lock, persist
//! before use, every attempt logged), the link flow and the removal both faces run, the answers scripts rely on —
//! a valid token, a forced refresh — and the background engine that refreshes ahead of expiry.

mod account;
mod attempt;
pub mod engine;
pub mod hooks;
mod identity;
pub mod link;
mod persistence;
pub mod remove;
pub mod stop;

pub use account::{
    AccountError, Persistence, force_refresh, open_session, open_session_as, valid_tokens,
};
pub use engine::{EngineEvent, EngineHandle, next_refresh_at};
pub use link::{DeviceLink, Link, LinkFailed};
pub use remove::{Revocation, remove_account};
