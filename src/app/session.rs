//! One account's session, wired to the store: the refresh guard takes the account's file lock and
//! re-reads its record (another process may have refreshed), new tokens reach the keyring before
//! anyone uses them, and every attempt lands in the event log and the account's status.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::identity::learn_identity;
pub use super::persistence::Persistence;
use super::{attempt, stop};
use crate::oauth::params::is_reserved_param;
use crate::oauth::{self, BoxError, RefreshGuard, Session, Tokens};
use crate::store::{Account, AccountLock, Record, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    OAuth(#[from] oauth::Error),
    #[error("{0:?} is not linked yet: run `tokendeck link {0}`")]
    NotLinked(String),
    #[error(
        "the keyring holds no record of {0:?} (lost at a reboot, or deleted), so its tokens and client secret are gone: `tokendeck remove {0}`, add it again, and link it"
    )]
    RecordMissing(String),
    #[error(
        "the {backend} holds no record of {name:?}, and this home has not recorded which keyring it uses (it was made by an earlier tokendeck): if {name:?} was added where no Secret Service answered, its record is in the Linux kernel keyring — run tokendeck with {}=keyutils (or =secret-service) once to settle it; if the record is truly gone, `tokendeck remove {name}` and add it again",
        crate::store::keyring::BACKEND_VAR
    )]
    RecordNotHere {
        name: String,
        backend: crate::store::Backend,
    },
    #[error("{name:?} must be linked again: {}. Run `tokendeck link {name}`", reason.trim_end_matches('.'))]
    NeedsRelink { name: String, reason: String },
    #[error(
        "{}. The provider refused the client itself (its id, secret or authentication method), not the grant: fix it with `tokendeck set {name} --client-secret-stdin` (or `--auth-method`); the tokens are kept, and the next refresh uses the new setting",
        oauth::error::clause(problem)
    )]
    ClientRefused { name: String, problem: String },
    #[error(
        "refreshing {name:?} failed a moment ago ({reason}) and its token has expired; tokendeck leaves the server alone for {} more, then tries again",
        match seconds { 0 => "under a second".to_string(), s => crate::time::short_duration(*s) }
    )]
    BackingOff {
        name: String,
        reason: String,
        seconds: u64,
    },
}

/// Environment variable: how long a request to the token endpoint may take, in seconds (1–600;
/// 30 when unset), for providers on slow links — and tests of what a timeout does.
pub const TIMEOUT_VAR: &str = "TOKENDECK_TIMEOUT";

/// The timeout `TOKENDECK_TIMEOUT` asks for, if it is set to one.
pub(crate) fn request_timeout() -> Option<Duration> {
    let seconds: u64 = std::env::var(TIMEOUT_VAR).ok()?.trim().parse().ok()?;
    (1..=600)
        .contains(&seconds)
        .then(|| Duration::from_secs(seconds))
}

/// The keyring record of `name`; every account has one from the moment it is added.
async fn read_record(store: &Store, name: &str) -> Result<Record, AccountError> {
    let keyring = store.keyring().await.map_err(StoreError::from)?;
    match keyring.read(name).await.map_err(StoreError::from)? {
        Some(record) => Ok(record),
        // A home that never recorded its keyring may keep its records in the other one: that
        // is not a lost record, and must not mark the account as needing a re-link.
        None if !store.home().keyring_choice_file().exists() => Err(AccountError::RecordNotHere {
            name: name.to_string(),
            backend: keyring.backend(),
        }),
        None => Err(AccountError::RecordMissing(name.to_string())),
    }
}

/// A session for `name`, resuming from its keyring record.
pub async fn open_session(
    store: &Arc<Store>,
    name: &str,
    persistence: &Persistence,
) -> Result<Session, AccountError> {
    let account = store.account(name)?;
    let record = read_record(store, name).await?;
    Ok(session_with(store, name, &account, &record, persistence)?)
}

/// A session for `name` from its keyring record, with `account`'s settings in place of the stored
/// ones: for a look at the account with endpoints learned since it was added (`inspect`).
pub async fn open_session_as(
    store: &Arc<Store>,
    name: &str,
    account: &Account,
    persistence: &Persistence,
) -> Result<Session, AccountError> {
    let record = read_record(store, name).await?;
    Ok(session_with(store, name, account, &record, persistence)?)
}

/// A valid access token for a script: one keyring read when the token is fresh; otherwise a
/// refresh, exclusive across processes — unless a recent failure says to leave the server alone.
pub async fn valid_tokens(
    store: &Arc<Store>,
    name: &str,
    persistence: &Persistence,
) -> Result<Tokens, AccountError> {
    let account = store.accounts()?.get(name)?.clone();
    let record = read_record(store, name).await?;
    let tokens = record
        .tokens
        .clone()
        .ok_or_else(|| AccountError::NotLinked(name.to_string()))?;
    let now = SystemTime::now();
    let status = store.status(name);
    // A grant the server refused is dead, and so is its access token (a 401 may have said so
    // already): never hand out a token known to be rejected.
    if status.needs_relink {
        return Err(AccountError::NeedsRelink {
            name: name.to_string(),
            reason: status
                .last_refresh
                .and_then(|r| r.error)
                .unwrap_or_else(|| "the provider refused the grant".into()),
        });
    }
    if !tokens.is_refresh_due(now) {
        return Ok(tokens);
    }
    if status.backing_off(now) {
        if !tokens.is_expired(now) {
            return Ok(tokens);
        }
        let reason = status
            .last_refresh
            .and_then(|r| r.error)
            .unwrap_or_else(|| "unknown error".into());
        if status.needs_relink {
            return Err(AccountError::NeedsRelink {
                name: name.to_string(),
                reason,
            });
        }
        let seconds = status
            .retry_at
            .map_or(0, |at| crate::time::seconds_left(at, now));
        return Err(AccountError::BackingOff {
            name: name.to_string(),
            reason,
            seconds,
        });
    }
    let session = session_with(store, name, &account, &record, persistence)?;
    let tokens = session
        .valid_tokens()
        .await
        .map_err(|e| explain(store, name, e))?;
    if tokens.is_expired(SystemTime::now()) {
        return Err(AccountError::NeedsRelink {
            name: name.to_string(),
            reason: "the access token expired and no refresh token is held".into(),
        });
    }
    Ok(tokens)
}

/// Refreshes `name` now, whatever its expiry.
pub async fn force_refresh(
    store: &Arc<Store>,
    name: &str,
    persistence: &Persistence,
) -> Result<Tokens, AccountError> {
    let session = open_session(store, name, persistence).await?;
    if session.tokens().is_none() {
        return Err(AccountError::NotLinked(name.to_string()));
    }
    let tokens = session
        .refresh()
        .await
        .map_err(|e| explain(store, name, e))?;
    learn_identity(store, name, &session).await;
    Ok(tokens)
}

/// A refresh token refused after `cause`, in one sentence.
pub(super) fn spent_token_message(cause: &str, error: &oauth::Error) -> String {
    format!(
        "{cause}; so the stored refresh token was already spent, and the provider now refuses it ({})",
        error.provider_answer()
    )
}

/// A dead grant right after a refresh whose new tokens were lost has a known cause: say it.
fn explain(store: &Store, name: &str, error: oauth::Error) -> AccountError {
    if error.setting() == Some(oauth::Setting::ClientCredentials) {
        return AccountError::ClientRefused {
            name: name.to_string(),
            problem: error.problem(),
        };
    }
    if error.needs_reauthorization()
        && let Some(cause) = store.status(name).spent_token_cause()
    {
        return AccountError::NeedsRelink {
            name: name.to_string(),
            reason: spent_token_message(&cause, &error),
        };
    }
    AccountError::OAuth(error)
}

pub(super) fn session_with(
    store: &Arc<Store>,
    name: &str,
    account: &Account,
    record: &Record,
    persistence: &Persistence,
) -> Result<Session, oauth::Error> {
    let mut builder = Session::builder(
        account.provider.clone(),
        &account.client_id,
        &account.redirect_uri,
    )
    .auth_method(account.auth_method)
    .scopes(account.scopes.clone());
    if let Some(timeout) = request_timeout() {
        builder = builder.timeout(timeout);
    }
    // An extra parameter tokendeck now refuses (an account added before it did) matters only to
    // the authorization URL, which the link flow checks; refreshes and API calls go on.
    for (key, value) in account.params.iter().filter(|(k, _)| !is_reserved_param(k)) {
        builder = builder.authorize_param(key, value);
    }
    if let Some(secret) = &record.client_secret {
        builder = builder.client_secret(secret.secret());
    }
    let status = store.status(name);
    if status.needs_relink {
        let reason = status.last_refresh.and_then(|r| r.error);
        builder =
            builder.dead_grant(reason.unwrap_or_else(|| "an earlier refresh was refused".into()));
    }
    if let Some(tokens) = &record.tokens {
        builder = builder.tokens(tokens.clone());
    }
    let (persist_store, guard_store, log_store, retry_store) =
        (store.clone(), store.clone(), store.clone(), store.clone());
    let (persist_name, guard_name, log_name, retry_name) = (
        name.to_string(),
        name.to_string(),
        name.to_string(),
        name.to_string(),
    );
    let on_retry = persistence.on_retry.clone();
    let on_refused = persistence.on_refused_id_token.clone();
    let secret = record.client_secret.clone();
    builder
        .persist(move |tokens: Tokens| {
            let (store, name, secret) =
                (persist_store.clone(), persist_name.clone(), secret.clone());
            async move { store.store_tokens(&name, tokens, secret).await }
        })
        .refresh_guard(move || {
            let (store, name) = (guard_store.clone(), guard_name.clone());
            async move {
                let lock = AccountLock::acquire(store.home(), &name).await?;
                // Removed while this refresh waited: its record must not come back, nor its lock
                // file stay.
                if let Err(e) = store.still_listed(&name) {
                    let _ = lock.delete_file();
                    return Err(e.into());
                }
                let stored = store
                    .keyring()
                    .await
                    .map_err(StoreError::from)?
                    .read(&name)
                    .await
                    .map_err(StoreError::from)?
                    .and_then(|r| r.tokens);
                // From here the token request goes out: a stop of this process waits for it to
                // be stored — or, once it has begun, sends nothing.
                let under_way = stop::enter(&name)?;
                store.update_status(&name, |status| {
                    // Kept until new tokens are stored: a later attempt that never reached the server
                    // does not make the killed one's spent token less spent.
                    status.interrupted |= status.refresh_started_at.is_some();
                    status.refresh_started_at = Some(SystemTime::now());
                })?;
                let in_flight = InFlight {
                    store,
                    name,
                    under_way,
                    _lock: lock,
                };
                Ok::<_, BoxError>(RefreshGuard {
                    stored,
                    hold: Box::new(in_flight),
                })
            }
        })
        .on_refresh_attempt(move |report| {
            attempt::log(&log_store, &log_name, report);
            if let Some(tell) = on_refused
                .as_ref()
                .filter(|_| !report.refused_id_token.is_empty())
            {
                tell(report.refused_id_token);
            }
        })
        .persist_patience(persistence.patience)
        .on_persist_retry(move |retry| {
            if retry.attempt == 1 {
                // On disk at once: if the process ends before the keyring is back, the next
                // failure can say what happened.
                let _ = retry_store.update_status(&retry_name, |status| {
                    status.record_unsaved(SystemTime::now());
                });
            }
            if let Some(tell) = &on_retry {
                tell(retry);
            }
        })
        .build()
}

/// Held over a refresh: the account's lock, its place among the refreshes a stop waits for, and
/// the status mark that the refresh is under way. Dropped normally, it clears the mark before the
/// lock is released; a process killed midway — or a stop that gave up on it — leaves the mark for
/// the next refresh to find.
struct InFlight {
    store: Arc<Store>,
    name: String,
    under_way: stop::UnderWay,
    _lock: AccountLock,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if self.under_way.cut_short() {
            return;
        }
        let _ = self
            .store
            .update_status(&self.name, |status| status.refresh_started_at = None);
    }
}
