//! The refresh engine: keeps every linked account fresh in the background. It refreshes ahead of
//! expiry and at a minimum interval, never more often than a quarter of a token's lifetime unless
//! asked, waits out the backoff after a failure, leaves accounts that need re-linking alone, and
//! wakes at least every 30 s to compare wall-clock time (so sleep and resume cannot skip a
//! refresh). Manual refreshes go through it too, one per account at a time; across processes the
//! store's lock does the same. What happens is told through a callback, as [`EngineEvent`]s.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::sync::{Mutex, mpsc, oneshot};

use super::account::{AccountError, Persistence, open_session};
use super::identity::learn_identity;
use crate::oauth::time::{earlier, later};
use crate::oauth::{RefreshTrigger, refresh_lead};
use crate::store::status::TokenInfo;
use crate::store::{Account, AccountStatus, Store};

/// The least time between refreshes of a token whose lifetime is unknown.
const UNKNOWN_LIFETIME_FLOOR: Duration = Duration::from_secs(60);

/// The longest the engine sleeps before looking at the clock again.
pub const MAX_SLEEP: Duration = Duration::from_secs(30);

/// What the engine reports. Never a token.
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
}

/// When `account` should next be refreshed, if at all.
pub fn next_refresh_at(account: &Account, status: &AccountStatus) -> Option<SystemTime> {
    let token = status.token.as_ref()?;
    if status.needs_relink || !token.has_refresh_token {
        return None;
    }
    let lifetime = token
        .expires_at
        .and_then(|at| at.duration_since(token.obtained_at).ok());
    let ahead_of_expiry = token
        .expires_at
        .map(|at| earlier(at, refresh_lead(lifetime.unwrap_or_default())));
    let at_least = account
        .refresh_at_least
        .map(|secs| later(token.obtained_at, Duration::from_secs(secs)));
    let due = match (ahead_of_expiry, at_least) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b)?,
    };
    // Never more often than a quarter-lifetime; a minute when the lifetime is unknown (a
    // hand-edited `refresh_at_least = 0` must not refresh back to back).
    let floor = later(
        token.obtained_at,
        lifetime.map_or(UNKNOWN_LIFETIME_FLOOR, |l| l / 4),
    );
    let due = due.max(floor);
    Some(match status.retry_at {
        Some(retry) => due.max(retry),
        None => due,
    })
}

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

/// Starts the engine on the current tokio runtime.
pub fn spawn(
    store: Arc<Store>,
    notify: impl Fn(EngineEvent) + Send + Sync + 'static,
) -> EngineHandle {
    let (requests, inbox) = mpsc::unbounded_channel();
    let (finished, done) = mpsc::unbounded_channel();
    let (in_flight, drained) = mpsc::channel(1);
    let engine = Engine {
        store,
        notify: Arc::new(notify),
        running: HashMap::new(),
        cooldown: HashMap::new(),
        finished,
        in_flight,
    };
    tokio::spawn(engine.run(inbox, done, drained));
    EngineHandle { requests }
}

struct Engine {
    store: Arc<Store>,
    notify: Arc<dyn Fn(EngineEvent) + Send + Sync>,
    /// One lock per account: a manual refresh waits for a running automatic one.
    running: HashMap<String, Arc<Mutex<()>>>,
    /// Failures the status file does not show (the keyring could not be read, say): no automatic
    /// attempt before this time, so that an account the store cannot mark is not retried in a loop.
    cooldown: HashMap<String, Cooldown>,
    /// Each refresh task says here that it ended, so the schedule is computed again at once from
    /// the new token: a refresh must never be followed by a `MAX_SLEEP` nap past the next due time.
    finished: mpsc::UnboundedSender<Finished>,
    /// Each refresh task holds a clone until it ends: once the engine drops its own, the
    /// receiver closes when the last refresh under way is done.
    in_flight: mpsc::Sender<()>,
}

struct Finished {
    account: String,
    ok: bool,
}

struct Cooldown {
    failures: u32,
    until: SystemTime,
}

impl Engine {
    async fn run(
        mut self,
        mut inbox: mpsc::UnboundedReceiver<Request>,
        mut done: mpsc::UnboundedReceiver<Finished>,
        mut drained: mpsc::Receiver<()>,
    ) {
        let stopped = loop {
            let now = SystemTime::now();
            let mut next_wake = later(now, MAX_SLEEP);
            if let Ok(accounts) = self.store.accounts() {
                self.cooldown
                    .retain(|name, _| accounts.accounts.contains_key(name));
                for (name, account) in &accounts.accounts {
                    let Some(due) = next_refresh_at(account, &self.store.status(name)) else {
                        continue;
                    };
                    let due = match self.cooldown.get(name) {
                        Some(cooldown) => due.max(cooldown.until),
                        None => due,
                    };
                    if due <= now {
                        self.start(name, RefreshTrigger::AheadOfExpiry);
                    } else {
                        next_wake = next_wake.min(due);
                    }
                }
            }
            let sleep = next_wake
                .duration_since(SystemTime::now())
                .unwrap_or_default()
                .max(Duration::from_millis(200));
            tokio::select! {
                _ = tokio::time::sleep(sleep) => {}
                request = inbox.recv() => match request {
                    Some(Request::RefreshNow(name)) => self.start(&name, RefreshTrigger::Manual),
                    Some(Request::Rescan) => {}
                    Some(Request::Stop(reply)) => break Some(reply),
                    None => break None,
                },
                Some(finished) = done.recv() => self.finished(finished),
            }
        };
        drop(self);
        // Every task's clone of `in_flight` dropped: nothing is left mid-refresh.
        while drained.recv().await.is_some() {}
        if let Some(reply) = stopped {
            let _ = reply.send(());
        }
    }

    /// A refresh ended: the loop computes the schedule again from the new token. A failure the
    /// status file may not show starts (or lengthens) this account's cool-down.
    fn finished(&mut self, finished: Finished) {
        if finished.ok {
            self.cooldown.remove(&finished.account);
            return;
        }
        let failures = self
            .cooldown
            .get(&finished.account)
            .map_or(0, |c| c.failures)
            .saturating_add(1);
        let wait = Duration::from_secs(1 << failures.saturating_sub(1).min(6))
            .min(Duration::from_secs(60));
        let until = later(SystemTime::now(), wait);
        self.cooldown
            .insert(finished.account, Cooldown { failures, until });
    }

    /// Starts a refresh unless an automatic one for the account is running already.
    fn start(&mut self, name: &str, trigger: RefreshTrigger) {
        let slot = self.running.entry(name.to_string()).or_default().clone();
        let Ok(guard) = slot.clone().try_lock_owned() else {
            if trigger == RefreshTrigger::AheadOfExpiry {
                return;
            }
            // A manual refresh waits its turn.
            let (store, notify, name) = (self.store.clone(), self.notify.clone(), name.to_string());
            let (finished, in_flight) = (self.finished.clone(), self.in_flight.clone());
            tokio::spawn(async move {
                let _in_flight = in_flight;
                let _turn = slot.lock().await;
                let ok = refresh(&store, &*notify, &name, trigger).await;
                let _ = finished.send(Finished { account: name, ok });
            });
            return;
        };
        let (store, notify, name) = (self.store.clone(), self.notify.clone(), name.to_string());
        let (finished, in_flight) = (self.finished.clone(), self.in_flight.clone());
        tokio::spawn(async move {
            let _in_flight = in_flight;
            let ok = {
                let _turn = guard;
                refresh(&store, &*notify, &name, trigger).await
            };
            let _ = finished.send(Finished { account: name, ok });
        });
    }
}

/// One refresh, told through `notify`; whether it went well (or was not needed).
async fn refresh(
    store: &Arc<Store>,
    notify: &(dyn Fn(EngineEvent) + Send + Sync),
    name: &str,
    trigger: RefreshTrigger,
) -> bool {
    // Another process may have refreshed since the schedule was read.
    if trigger == RefreshTrigger::AheadOfExpiry && !still_due(store, name, None) {
        return true;
    }
    let session = open_session(store, name, &Persistence::while_running()).await;
    // … or between that look at its status and this read of its record: the record is the
    // truth. (One that refreshes after this read is adopted under the lock, by the session.)
    if trigger == RefreshTrigger::AheadOfExpiry
        && let Ok(session) = &session
        && let Some(tokens) = session.tokens()
    {
        let held = TokenInfo::of(&tokens);
        if !still_due(store, name, Some(&held)) {
            // The status lags behind the record (written just after it, or not at all): bring
            // it forward, so the schedule is not computed from the old tokens again.
            let _ = store.update_status(name, |status| {
                if status
                    .token
                    .as_ref()
                    .is_none_or(|t| t.obtained_at < held.obtained_at)
                {
                    status.token = Some(held);
                }
            });
            return true;
        }
    }
    notify(EngineEvent::Started {
        account: name.to_string(),
        trigger,
    });
    let result = match session {
        Ok(session) if session.tokens().is_none() => Err(AccountError::NotLinked(name.to_string())),
        Ok(session) => {
            let result = session.refresh_for(trigger).await;
            if result.is_ok() {
                learn_identity(store, name, &session).await;
            }
            result.map_err(AccountError::from)
        }
        Err(e) => Err(e),
    };
    if let Err(e @ (AccountError::NotLinked(_) | AccountError::RecordMissing(_))) = &result {
        // The status says linked but the keyring has no tokens: the kernel keyring after a reboot,
        // or a record deleted by hand. Retrying cannot help; say what will.
        let reason = e.to_string();
        let _ = store.update_status(name, |status| {
            let kind = crate::oauth::ErrorKind::NeedsReauthorization;
            status.record_failure(kind, &reason, None, SystemTime::now());
        });
    }
    let ok = result.is_ok();
    notify(EngineEvent::Finished {
        account: name.to_string(),
        trigger,
        error: result.err().map(|e| e.to_string()),
    });
    ok
}

/// Whether `name` is due for a refresh now, by its status — with `held`, the tokens just read
/// from its record, in place of the status's account of them.
fn still_due(store: &Store, name: &str, held: Option<&TokenInfo>) -> bool {
    let Some(account) = store
        .accounts()
        .ok()
        .and_then(|a| a.accounts.get(name).cloned())
    else {
        return false;
    };
    let mut status = store.status(name);
    if let Some(held) = held {
        status.token = Some(held.clone());
    }
    next_refresh_at(&account, &status).is_some_and(|due| due <= SystemTime::now())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::{Provider, Tokens};
    use std::time::UNIX_EPOCH;

    fn account(refresh_at_least: Option<u64>) -> Account {
        Account {
            kind: "custom".into(),
            client_id: "id".into(),
            redirect_uri: "http://127.0.0.1:1/cb".into(),
            scopes: vec![],
            auth_method: crate::oauth::AuthMethod::None,
            params: Default::default(),
            api_url: None,
            refresh_at_least,
            hooks: Default::default(),
            provider: Provider::new("https://as.example/a", "https://as.example/t").unwrap(),
        }
    }

    fn status(lifetime: u64) -> (AccountStatus, SystemTime) {
        let t0 = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let tokens = Tokens::new("a", t0)
            .with_refresh_token("r")
            .with_expires_at(Some(t0 + Duration::from_secs(lifetime)));
        let mut status = AccountStatus::default();
        status.record_tokens(&tokens, false, t0);
        (status, t0)
    }

    #[test]
    fn refreshes_a_lead_before_expiry() {
        let (status, t0) = status(9 * 3600);
        let due = next_refresh_at(&account(None), &status).unwrap();
        assert_eq!(due, t0 + Duration::from_secs(9 * 3600 - 300));
    }

    #[test]
    fn short_tokens_are_not_refreshed_in_a_loop() {
        // pizauth's trap: a 90 s lead against 20 s tokens. Here: half the lifetime at most.
        let (status, t0) = status(20);
        let due = next_refresh_at(&account(None), &status).unwrap();
        assert_eq!(due, t0 + Duration::from_secs(10));
        // And never before a quarter of the lifetime, even when asked for "at least" often.
        let due = next_refresh_at(&account(Some(1)), &status).unwrap();
        assert_eq!(due, t0 + Duration::from_secs(5));
    }

    #[test]
    fn a_token_without_expiry_is_not_refreshed_back_to_back() {
        let t0 = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let mut status = AccountStatus::default();
        status.record_tokens(&Tokens::new("a", t0).with_refresh_token("r"), false, t0);
        let due = next_refresh_at(&account(Some(0)), &status).unwrap();
        assert_eq!(due, t0 + Duration::from_secs(60));
    }

    #[test]
    fn refresh_at_least_beats_a_far_expiry() {
        let (status, t0) = status(20 * 86_400);
        let due = next_refresh_at(&account(Some(7 * 86_400)), &status).unwrap();
        assert_eq!(due, t0 + Duration::from_secs(7 * 86_400));
    }

    #[test]
    fn backoff_and_dead_grants_are_respected() {
        let (mut status, t0) = status(3600);
        status.record_failure(
            crate::oauth::ErrorKind::Transient,
            "503",
            Some(Duration::from_secs(4000)),
            t0,
        );
        assert_eq!(
            next_refresh_at(&account(None), &status),
            Some(t0 + Duration::from_secs(4000))
        );
        status.record_failure(
            crate::oauth::ErrorKind::NeedsReauthorization,
            "gone",
            None,
            t0,
        );
        assert_eq!(next_refresh_at(&account(None), &status), None);
        assert_eq!(
            next_refresh_at(&account(None), &AccountStatus::default()),
            None
        );
    }
}
