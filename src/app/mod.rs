//! The application: one module per use case — add, set, link, refresh, token, status, inspect,
//! remove, the engine that keeps accounts fresh — over the protocol (`oauth`) and the store. It
//! owns the account's lock around a refresh, the keyring read and the status writes that go with
//! it, the hooks and the events. It takes typed inputs and returns typed outcomes and errors; the
//! words for a person are each front's (the CLI's `cli::words`, the TUI's, the demo's).

pub mod add;
pub mod attempt;
pub mod engine;
pub mod error;
pub mod git;
pub mod hooks;
mod identity;
pub mod inspect;
pub mod link;
mod persistence;
pub mod refresh;
pub mod remove;
pub mod session;
pub mod set;
pub mod show;
pub mod status;
pub mod stop;
pub mod timeout;
pub mod token;
mod under_lock;

pub use engine::{EngineEvent, EngineHandle, next_refresh_at};
pub use error::{AccountError, RelinkReason};
pub use link::{LinkFailed, LinkSession, LinkWay};
pub use refresh::refresh;
pub use remove::{Revocation, remove_account};
pub use session::{Persistence, open_session, open_session_as};
pub use token::{mark_suspect, valid_tokens};
