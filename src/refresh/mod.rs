//! Keeping accounts fresh: sessions wired to the store (cross-process lock, persist before use,
//! every attempt logged), and the answers scripts rely on — a valid token, a forced refresh.

mod account;

pub use account::{AccountError, force_refresh, open_session, valid_tokens};
