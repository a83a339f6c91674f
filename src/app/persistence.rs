//! How a session opened by tokendeck treats new tokens it cannot or will not keep: tokens the
//! keyring will not take are held and retried (never dropped: the provider may have spent the old
//! refresh token), and whoever opened the session is told — of each retry, and of a refresh
//! answer's ID token that was not kept.

use std::sync::Arc;
use std::time::Duration;

use crate::oauth::PersistRetry;
use crate::oauth::id_token::Problem;

/// What a session opened here does with new tokens the keyring will not take, and whom it tells
/// of new tokens it does not keep. They are never dropped while the session lives: they are kept,
/// retried with backoff, and the account's status says "not saved" meanwhile (and, if the process
/// ends first, why its stored token is spent).
#[derive(Clone)]
pub struct Persistence {
    /// How long to keep trying before a refresh fails with the persist error; `None`: for as
    /// long as the process runs (the engine, the TUI).
    pub patience: Option<Duration>,
    /// Told of each retry, to tell a person.
    pub on_retry: Option<TellRetry>,
    /// Told when a refresh answer's ID token was not kept (the event log has it either way).
    pub on_refused_id_token: Option<TellRefused>,
}

/// Told of each retry to persist.
pub type TellRetry = Arc<dyn Fn(&PersistRetry<'_>) + Send + Sync>;

/// Told why a refresh answer's ID token was not kept.
pub type TellRefused = Arc<dyn Fn(&[Problem]) + Send + Sync>;

impl Persistence {
    /// For a long-running process: keep trying while it lives.
    pub fn while_running() -> Persistence {
        Persistence {
            patience: None,
            on_retry: None,
            on_refused_id_token: None,
        }
    }

    /// For a command: keep trying for `patience`, telling `on_retry`.
    pub fn for_a_while(
        patience: Duration,
        on_retry: impl Fn(&PersistRetry<'_>) + Send + Sync + 'static,
    ) -> Persistence {
        Persistence {
            patience: Some(patience),
            on_retry: Some(Arc::new(on_retry)),
            on_refused_id_token: None,
        }
    }

    /// Tells `tell` why a refresh answer's ID token was not kept.
    pub fn telling_refused_id_tokens(
        mut self,
        tell: impl Fn(&[Problem]) + Send + Sync + 'static,
    ) -> Persistence {
        self.on_refused_id_token = Some(Arc::new(tell));
        self
    }
}
