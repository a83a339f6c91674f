//! The names the TUI calls the application layer by, from before it had a room of its own
//! (`crate::app`): kept, unchanged, so that the TUI compiles as it is until it calls `app`
//! itself. Nothing new goes here; once the TUI has moved, this module goes.

pub use crate::app::{
    AccountError, DeviceLink, EngineEvent, EngineHandle, Link, LinkFailed, Persistence, Revocation,
    engine, force_refresh, hooks, next_refresh_at, open_session, open_session_as, remove_account,
    stop, valid_tokens,
};
