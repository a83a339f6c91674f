//! Stopping without losing a refresh. A refresh enters here once its token request is about to
//! be sent (where the account's refresh guard is taken, its lock held) and leaves once its answer
//! is stored, or it failed. Every front asks the same two things when it is told to stop: start
//! no refresh from now on, and wait — for at most the token request's timeout and a keyring write
//! — until the refreshes under way have ended; which accounts are they? A rotating provider spends
//! the old refresh token the moment it answers: a process that exits before that answer is stored
//! loses the only refresh token that still works.
//!
//! The wording is each front's: the daemon's on stderr for journald, a command's on stderr, the
//! TUI's on screen.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, OnceLock};
use std::time::Duration;

use tokio::sync::watch;

use crate::store::keyring::KEYRING_TIMEOUT;

/// The refreshes of this process.
static PROCESS: LazyLock<Refreshes> = LazyLock::new(Refreshes::default);

/// Told once, by the first refresh of this process, when it enters (see [`before_first`]).
static BEFORE_FIRST: OnceLock<fn()> = OnceLock::new();
static FIRST_TOLD: AtomicBool = AtomicBool::new(false);

/// Stops this process's refreshes: none starts from now on. What is under way is the caller's
/// to wait for ([`Stop::settled`]) or give up on ([`Stop::abandon`]).
pub fn begin() -> Stop {
    PROCESS.stop()
}

/// A refresh of `account` in this process, about to send its token request (see
/// [`Refreshes::enter`]). The first one runs the [`before_first`] hook, there and then.
pub fn enter(account: &str) -> Result<UnderWay, Stopping> {
    let ticket = PROCESS.enter(account)?;
    if !FIRST_TOLD.swap(true, Ordering::AcqRel)
        && let Some(hook) = BEFORE_FIRST.get()
    {
        hook();
    }
    Ok(ticket)
}

/// Sets what the first refresh of this process runs as it enters, before its request leaves: a
/// command, which must not pay for catching signals on its fast path (a fresh token), catches
/// them here, once there is something to wait for. Set once; later calls change nothing.
pub fn before_first(hook: fn()) {
    let _ = BEFORE_FIRST.set(hook);
}

/// Whether a refresh of this process has entered (and so [`before_first`] has run).
pub fn has_begun_a_refresh() -> bool {
    PROCESS.state.borrow().began
}

/// Resolves once a refresh of this process has entered, whether it is still under way or not
/// (at once if one has).
pub async fn a_refresh_began() {
    let mut changes = PROCESS.state.subscribe();
    let _ = changes.wait_for(|state| state.began).await;
}

/// Whether this process was told to stop: the engine starts nothing more.
pub fn is_stopping() -> bool {
    PROCESS.is_stopping()
}

/// What a stop of this process gave up on, if it did.
pub fn abandoned() -> Option<Abandoned> {
    let after = PROCESS.state.borrow().gave_up?;
    Some(Abandoned {
        accounts: PROCESS.under_way(),
        after,
    })
}

/// Refreshes a stop gave up on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Abandoned {
    /// Those still under way: the ones that may be lost.
    pub accounts: Vec<String>,
    /// How long the stop had waited when its patience ran out; `None`: it was told not to wait
    /// (a second signal).
    pub after: Option<Duration>,
}

/// Refreshes under way, and whether their process is stopping. Cheap to clone; clones share.
#[derive(Clone)]
pub struct Refreshes {
    state: Arc<watch::Sender<State>>,
}

#[derive(Default)]
struct State {
    /// Each refresh under way: its ticket and its account.
    under_way: Vec<(u64, String)>,
    next_ticket: u64,
    /// A refresh has entered, at some time.
    began: bool,
    stopping: bool,
    /// A stop stopped waiting (after this long, or when told): a refresh cut short from now on
    /// is lost.
    gave_up: Option<Option<Duration>>,
}

impl Default for Refreshes {
    fn default() -> Self {
        Refreshes {
            state: Arc::new(watch::Sender::new(State::default())),
        }
    }
}

/// Why a refresh did not start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("tokendeck is stopping, so this refresh was not started; the stored tokens are unchanged")]
pub struct Stopping;

impl Stopping {
    /// Whether `error` is this refusal, carried through a session's storage error.
    pub fn is(error: &crate::oauth::Error) -> bool {
        error
            .storage_cause()
            .is_some_and(|cause| cause.is::<Stopping>())
    }
}

impl Refreshes {
    /// A refresh of `account` whose token request is about to be sent; it is under way until
    /// the ticket is dropped. Refused once the process is stopping: nothing is sent then.
    pub fn enter(&self, account: &str) -> Result<UnderWay, Stopping> {
        let mut ticket = Err(Stopping);
        self.state.send_if_modified(|state| {
            if state.stopping {
                return false;
            }
            let id = state.next_ticket;
            state.next_ticket += 1;
            state.under_way.push((id, account.to_string()));
            state.began = true;
            ticket = Ok(id);
            true
        });
        ticket.map(|id| UnderWay {
            refreshes: self.clone(),
            id,
        })
    }

    /// From now on no refresh starts.
    pub fn stop(&self) -> Stop {
        self.state
            .send_if_modified(|state| !std::mem::replace(&mut state.stopping, true));
        Stop {
            refreshes: self.clone(),
        }
    }

    pub fn is_stopping(&self) -> bool {
        self.state.borrow().stopping
    }

    /// Whether a stop gave up on the refreshes still under way.
    pub fn abandoned(&self) -> bool {
        self.state.borrow().gave_up.is_some()
    }

    /// The accounts whose refresh is under way now, each once, in name order.
    pub fn under_way(&self) -> Vec<String> {
        let mut names: Vec<String> = (self.state.borrow().under_way.iter())
            .map(|(_, name)| name.clone())
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }
}

/// One refresh under way; dropping it says that it ended.
pub struct UnderWay {
    refreshes: Refreshes,
    id: u64,
}

impl UnderWay {
    /// Whether a stop gave up on this refresh: if it is being dropped before it ended, what it
    /// was sent for is lost, and that must be remembered.
    pub fn cut_short(&self) -> bool {
        self.refreshes.abandoned()
    }
}

impl Drop for UnderWay {
    fn drop(&mut self) {
        let id = self.id;
        self.refreshes
            .state
            .send_modify(|state| state.under_way.retain(|(ticket, _)| *ticket != id));
    }
}

/// A stop under way: nothing new starts; what had started may end.
pub struct Stop {
    refreshes: Refreshes,
}

/// How waiting for the refreshes under way ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Settled {
    /// None is under way any more: each ended (stored, or failed and told so).
    Ended,
    /// These were still under way when patience ran out; the stop gave up on them.
    GaveUp(Vec<String>),
}

impl Stop {
    /// The accounts whose refresh is under way now, each once, in name order.
    pub fn under_way(&self) -> Vec<String> {
        self.refreshes.under_way()
    }

    /// Waits until no refresh is under way, for at most `patience`; past it, gives up on the
    /// ones left (see [`abandon`](Self::abandon)).
    pub async fn settled(&self, patience: Duration) -> Settled {
        let mut changes = self.refreshes.state.subscribe();
        let ended = changes.wait_for(|state| state.under_way.is_empty());
        match tokio::time::timeout(patience, ended).await {
            Ok(_) => Settled::Ended,
            Err(_) => Settled::GaveUp(self.give_up(Some(patience))),
        }
    }

    /// Gives up on the refreshes under way (a second signal, patience run out): they are
    /// marked as cut short, so that one dropped before it ends leaves its account's mark for
    /// the next refresh to explain. Returns their accounts: the refreshes that are lost.
    pub fn abandon(&self) -> Vec<String> {
        self.give_up(None)
    }

    fn give_up(&self, after: Option<Duration>) -> Vec<String> {
        self.refreshes.state.send_if_modified(|state| {
            let first = state.gave_up.is_none();
            state.gave_up.get_or_insert(after);
            first
        });
        self.under_way()
    }
}

/// How long a stop waits for the refreshes under way: a token request's timeout
/// (`TOKENDECK_TIMEOUT`, 30 s unless set) — the longest its answer can take — and one keyring
/// write to store that answer.
pub fn patience() -> Duration {
    super::timeout::request_timeout().unwrap_or(crate::oauth::DEFAULT_TIMEOUT) + KEYRING_TIMEOUT
}

#[cfg(test)]
mod tests;
