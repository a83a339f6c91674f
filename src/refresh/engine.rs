//! The engine's events as the TUI takes them today: each failure already in words — the command
//! line's (`Display`, in `cli::words`) — until the TUI words [`app::EngineEvent`]s itself.

use std::sync::Arc;

use crate::app::{self, EngineHandle};
use crate::oauth::RefreshTrigger;
use crate::store::Store;

pub use crate::app::engine::{DEFAULT_PER_ENDPOINT, PER_ENDPOINT_ENV};

/// What the engine reports, its failures worded. Never a token.
#[derive(Clone, Debug, PartialEq)]
pub enum EngineEvent {
    Started {
        account: String,
        trigger: RefreshTrigger,
    },
    Finished {
        account: String,
        trigger: RefreshTrigger,
        /// `None` on success; the error's message otherwise.
        error: Option<String>,
    },
    AccountsUnreadable {
        problem: String,
        kept: usize,
    },
    AccountsReadable {
        accounts: usize,
    },
}

impl From<app::EngineEvent> for EngineEvent {
    fn from(event: app::EngineEvent) -> Self {
        match event {
            app::EngineEvent::Started { account, trigger } => {
                EngineEvent::Started { account, trigger }
            }
            app::EngineEvent::Finished {
                account,
                trigger,
                error,
            } => EngineEvent::Finished {
                account,
                trigger,
                error: error.map(|e| e.to_string()),
            },
            app::EngineEvent::AccountsUnreadable { problem, kept } => {
                EngineEvent::AccountsUnreadable {
                    problem: problem.to_string(),
                    kept,
                }
            }
            app::EngineEvent::AccountsReadable { accounts } => {
                EngineEvent::AccountsReadable { accounts }
            }
        }
    }
}

/// [`app::engine::spawn`], its events worded.
pub fn spawn(
    store: Arc<Store>,
    notify: impl Fn(EngineEvent) + Send + Sync + 'static,
) -> EngineHandle {
    app::engine::spawn(store, move |event| notify(event.into()))
}

/// [`app::engine::spawn_with`], its events worded.
pub fn spawn_with(
    store: Arc<Store>,
    per_endpoint: usize,
    notify: impl Fn(EngineEvent) + Send + Sync + 'static,
) -> EngineHandle {
    app::engine::spawn_with(store, per_endpoint, move |event| notify(event.into()))
}
