//! The names the TUI calls the application layer by, from before it had a room of its own
//! (`crate::app`): kept so that the TUI compiles unchanged until it calls `app` itself — a
//! [`LinkSession`](crate::app::link::LinkSession), the typed engine events, its own words.
//! Nothing new goes here; once the TUI has moved, this module goes.

pub mod engine;

pub use crate::app::link::{DeviceLink, Link};
pub use crate::app::refresh::refresh as force_refresh;
pub use crate::app::{
    AccountError, EngineHandle, LinkFailed, Persistence, Revocation, hooks, next_refresh_at,
    open_session, open_session_as, remove_account, stop, valid_tokens,
};
pub use engine::EngineEvent;
