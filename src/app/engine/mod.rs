//! The refresh engine: keeps every linked account fresh in the background. It refreshes ahead of
//! expiry and at a minimum interval, never more often than a quarter of a token's lifetime unless
//! asked, waits out the backoff after a failure, leaves accounts that need re-linking alone, and
//! wakes at least every 30 s to compare wall-clock time (so sleep and resume cannot skip a
//! refresh). Manual refreshes go through it too, one per account at a time; across processes the
//! store's lock does the same. What happens is told through a callback, as [`EngineEvent`]s.
//!
//! One scheduler task holds every account's next refresh time in memory and starts refreshes as
//! they fall due, at most N at a time per token endpoint ([`limit`]), spread a little so that
//! accounts due together are not refreshed together ([`schedule`]). It reads the accounts file and
//! every status file only when asked to look again (accounts added, linked, removed, refreshed by
//! another process), when the home changed under it, or every few minutes; after a refresh it
//! reads that one account's status. A wake with nothing due costs a look at the clock. While the
//! accounts file cannot be read, the accounts read before go on being refreshed ([`look`]); once
//! the process is stopping ([`stop`]), nothing new starts.

mod event;
pub mod limit;
mod look;
pub mod schedule;
mod stamp;
mod task;

pub use event::EngineEvent;
pub use limit::{DEFAULT_PER_ENDPOINT, PER_ENDPOINT_ENV};
pub use schedule::{next_refresh_at, scheduled_at};

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::sync::{Mutex, mpsc, oneshot};

use super::stop;
use crate::oauth::RefreshTrigger;
use crate::store::{Account, Store};
use crate::time::later;
use limit::EndpointLimits;
use stamp::HomeStamp;

/// The longest the engine sleeps before looking at the clock again.
pub const MAX_SLEEP: Duration = Duration::from_secs(30);

/// The longest the engine trusts its schedule without reading the files again: a safety net
/// for a change nobody announced.
const FULL_LOOK_EVERY: Duration = Duration::from_secs(300);

/// The least time between the end of an account's automatic refresh and the start of its next.
const AGAIN_AFTER: Duration = Duration::from_secs(1);

/// Asks the engine for things; dropping every handle stops it.
#[derive(Clone, Debug)]
pub struct EngineHandle {
    requests: mpsc::UnboundedSender<Request>,
}

#[derive(Debug)]
enum Request {
    RefreshNow(String),
    /// Accounts changed (added, linked, removed): look again.
    Rescan,
    /// Start nothing more; answer once the refreshes under way have ended.
    Stop(oneshot::Sender<()>),
}

impl EngineHandle {
    pub fn refresh_now(&self, account: &str) {
        let _ = self.requests.send(Request::RefreshNow(account.to_string()));
    }

    pub fn rescan(&self) {
        let _ = self.requests.send(Request::Rescan);
    }

    /// Stops the engine: nothing new starts, and the refreshes under way (a token request, the
    /// keyring write that stores its answer) may finish, for at most `patience`. Whether they all
    /// did.
    pub async fn stop(&self, patience: Duration) -> bool {
        let (reply, done) = oneshot::channel();
        if self.requests.send(Request::Stop(reply)).is_err() {
            return true;
        }
        tokio::time::timeout(patience, done).await.is_ok()
    }
}

/// Starts the engine on the current tokio runtime, with the per-endpoint limit that
/// `TOKENDECK_MAX_PER_ENDPOINT` sets (4 unless set).
pub fn spawn(
    store: Arc<Store>,
    notify: impl Fn(EngineEvent) + Send + Sync + 'static,
) -> EngineHandle {
    spawn_with(store, EndpointLimits::per_endpoint_from_env(), notify)
}

/// Starts the engine with at most `per_endpoint` refreshes in flight against one token endpoint.
pub fn spawn_with(
    store: Arc<Store>,
    per_endpoint: usize,
    notify: impl Fn(EngineEvent) + Send + Sync + 'static,
) -> EngineHandle {
    let (requests, inbox) = mpsc::unbounded_channel();
    let (finished, done) = mpsc::unbounded_channel();
    let (in_flight, drained) = mpsc::channel(1);
    let engine = Engine {
        home_stamp: HomeStamp::of(&store),
        store,
        notify: Arc::new(notify),
        schedule: HashMap::new(),
        looked_at: SystemTime::UNIX_EPOCH,
        running: HashMap::new(),
        cooldown: HashMap::new(),
        limits: EndpointLimits::new(per_endpoint),
        finished,
        in_flight,
        unreadable: false,
    };
    tokio::spawn(engine.run(inbox, done, drained));
    EngineHandle { requests }
}

struct Engine {
    store: Arc<Store>,
    notify: Arc<dyn Fn(EngineEvent) + Send + Sync>,
    /// Every account as last read, with when it is next due (`None`: never on its own).
    schedule: HashMap<String, Planned>,
    /// When the files were last read in full; `UNIX_EPOCH` asks for a look at the next wake.
    looked_at: SystemTime,
    /// The accounts file and event log as they were at that look: another process's change
    /// shows as a new stamp.
    home_stamp: HomeStamp,
    /// One lock per account: a manual refresh waits for a running automatic one.
    running: HashMap<String, Arc<Mutex<()>>>,
    /// Failures the status file does not show (the keyring could not be read, say): no automatic
    /// attempt before this time, so that an account the store cannot mark is not retried in a loop.
    cooldown: HashMap<String, Cooldown>,
    limits: EndpointLimits,
    /// Each refresh task says here that it ended, so that account's schedule is computed again at
    /// once from the new token, and a slot it freed goes to the next account due.
    finished: mpsc::UnboundedSender<Finished>,
    /// Each refresh task holds a clone until it ends: once the engine drops its own, the
    /// receiver closes when the last refresh under way is done.
    in_flight: mpsc::Sender<()>,
    /// The accounts file could not be read at the last look (and that was told).
    unreadable: bool,
}

struct Planned {
    account: Account,
    due: Option<SystemTime>,
}

struct Finished {
    account: String,
    ok: bool,
}

struct Cooldown {
    failures: u32,
    until: SystemTime,
}

/// Why the loop ends.
enum Exit {
    Stop(Option<oneshot::Sender<()>>),
}

impl Engine {
    async fn run(
        mut self,
        mut inbox: mpsc::UnboundedReceiver<Request>,
        mut done: mpsc::UnboundedReceiver<Finished>,
        mut drained: mpsc::Receiver<()>,
    ) {
        let Exit::Stop(stopped) = loop {
            let now = SystemTime::now();
            if now.duration_since(self.looked_at).unwrap_or_default() >= FULL_LOOK_EVERY {
                self.look_again();
            }
            let next_wake = self.start_due(now);
            let planned = next_wake
                .duration_since(now)
                .unwrap_or_default()
                .max(Duration::from_millis(200));
            let exit = tokio::select! {
                _ = tokio::time::sleep(planned) => {
                    self.woke(now, planned);
                    None
                }
                request = inbox.recv() => self.request(request),
                Some(finished) = done.recv() => {
                    self.finished(finished);
                    None
                }
            };
            if let Some(exit) = exit {
                break exit;
            }
            // Whatever else arrived meanwhile is taken in before the next pass: a burst of
            // finished refreshes or rescans costs one pass, not one each.
            let mut exit = None;
            while let Ok(request) = inbox.try_recv() {
                exit = exit.or(self.request(Some(request)));
            }
            while let Ok(finished) = done.try_recv() {
                self.finished(finished);
            }
            if let Some(exit) = exit {
                break exit;
            }
        };
        drop(self);
        // Every task's clone of `in_flight` dropped: nothing is left mid-refresh.
        while drained.recv().await.is_some() {}
        if let Some(reply) = stopped {
            let _ = reply.send(());
        }
    }

    fn request(&mut self, request: Option<Request>) -> Option<Exit> {
        match request {
            Some(Request::RefreshNow(name)) => self.start_manual(&name),
            Some(Request::Rescan) => self.looked_at = SystemTime::UNIX_EPOCH,
            Some(Request::Stop(reply)) => return Some(Exit::Stop(Some(reply))),
            None => return Some(Exit::Stop(None)),
        }
        None
    }

    /// Starts what is due, earliest first, as far as each endpoint has room; when to wake next.
    fn start_due(&mut self, now: SystemTime) -> SystemTime {
        let mut next_wake = later(now, MAX_SLEEP);
        let mut due: Vec<(SystemTime, &str)> = Vec::new();
        for (name, planned) in &self.schedule {
            match planned.due {
                Some(at) if at <= now => due.push((at, name)),
                Some(at) => next_wake = next_wake.min(at),
                None => {}
            }
        }
        due.sort_unstable();
        let due: Vec<String> = due.into_iter().map(|(_, name)| name.to_string()).collect();
        for name in due {
            self.start_automatic(&name);
        }
        // Accounts left due for want of a slot start when a refresh ends (it wakes the loop).
        next_wake
    }

    /// A refresh ended: that account is planned again from its new status. A failure the status
    /// file may not show starts (or lengthens) its cool-down.
    fn finished(&mut self, finished: Finished) {
        if finished.ok {
            self.cooldown.remove(&finished.account);
        } else {
            let failures = self
                .cooldown
                .get(&finished.account)
                .map_or(0, |c| c.failures)
                .saturating_add(1);
            let wait = Duration::from_secs(1 << failures.saturating_sub(1).min(6))
                .min(Duration::from_secs(60));
            let until = later(SystemTime::now(), wait);
            self.cooldown
                .insert(finished.account.clone(), Cooldown { failures, until });
        }
        if let Some(account) = self
            .schedule
            .get(&finished.account)
            .map(|p| p.account.clone())
        {
            // Not again within a moment, whatever the status says: a status that did not move
            // (a refresh that found nothing to do, a file it could not write) would otherwise
            // start the account over and over without a pause.
            let not_before = later(SystemTime::now(), AGAIN_AFTER);
            let due = self
                .due(&finished.account, &account)
                .map(|due| due.max(not_before));
            if let Some(planned) = self.schedule.get_mut(&finished.account) {
                planned.due = due;
            }
        }
    }

    fn lock_of(&mut self, name: &str) -> Arc<Mutex<()>> {
        self.running.entry(name.to_string()).or_default().clone()
    }

    /// Starts an automatic refresh if the account is not being refreshed already and its token
    /// endpoint has a free slot; otherwise it stays due.
    fn start_automatic(&mut self, name: &str) {
        let Some(account) = self.schedule.get(name).map(|p| p.account.clone()) else {
            return;
        };
        let endpoint = account.provider.token_endpoint().to_string();
        if !self.limits.has_room(&endpoint) || stop::is_stopping() {
            return;
        }
        let Ok(turn) = self.lock_of(name).try_lock_owned() else {
            return;
        };
        let Some(slot) = self.limits.try_take(&endpoint) else {
            return;
        };
        let (store, notify, name) = (self.store.clone(), self.notify.clone(), name.to_string());
        let (finished, in_flight) = (self.finished.clone(), self.in_flight.clone());
        tokio::spawn(async move {
            let _in_flight = in_flight;
            let ok = {
                let (_turn, _slot) = (turn, slot);
                let trigger = RefreshTrigger::AheadOfExpiry;
                task::refresh(&store, &*notify, &name, Some(&account), trigger).await
            };
            let _ = finished.send(Finished { account: name, ok });
        });
    }

    /// A manual refresh waits for the account's running refresh, then for a slot at its token
    /// endpoint — behind the refreshes in flight, never behind the queue of automatic ones,
    /// which only ever take a slot that is free.
    fn start_manual(&mut self, name: &str) {
        if stop::is_stopping() {
            return;
        }
        let planned = self.schedule.get(name).map(|p| p.account.clone());
        let endpoint = match &planned {
            Some(account) => Some(account.provider.token_endpoint().to_string()),
            None => self.store.accounts().ok().and_then(|a| {
                a.accounts
                    .get(name)
                    .map(|a| a.provider.token_endpoint().to_string())
            }),
        };
        let slot = endpoint.map(|endpoint| self.limits.take(&endpoint));
        let lock = self.lock_of(name);
        let (store, notify, name) = (self.store.clone(), self.notify.clone(), name.to_string());
        let (finished, in_flight) = (self.finished.clone(), self.in_flight.clone());
        tokio::spawn(async move {
            let _in_flight = in_flight;
            let ok = {
                let _turn = lock.lock().await;
                // An account not in the accounts file needs no slot: its refresh says so at once.
                let _slot = match slot {
                    Some(slot) => slot.await,
                    None => None,
                };
                let trigger = RefreshTrigger::Manual;
                task::refresh(&store, &*notify, &name, planned.as_ref(), trigger).await
            };
            let _ = finished.send(Finished { account: name, ok });
        });
    }
}
