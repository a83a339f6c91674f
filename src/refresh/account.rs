//! One account's session, wired to the store: the refresh guard takes the account's file lock and
//! re-reads its record (another process may have refreshed), new tokens reach the keyring before
//! anyone uses them, and every attempt lands in the event log and the account's status.

use std::sync::Arc;
use std::time::SystemTime;

use crate::oauth::{self, RefreshGuard, RefreshOutcome, RefreshReport, Session, Tokens};
use crate::store::{Account, AccountLock, Event, Outcome, Record, Store, StoreError};

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
    #[error("{name:?} must be linked again ({reason}): run `tokendeck link {name}`")]
    NeedsRelink { name: String, reason: String },
    #[error(
        "refreshing {name:?} failed a moment ago ({reason}) and its token has expired; tokendeck leaves the server alone for {seconds} s more, then tries again"
    )]
    BackingOff {
        name: String,
        reason: String,
        seconds: u64,
    },
}

/// The keyring record of `name`; every account has one from the moment it is added.
async fn read_record(store: &Store, name: &str) -> Result<Record, AccountError> {
    store
        .keyring()
        .await
        .map_err(StoreError::from)?
        .read(name)
        .await
        .map_err(StoreError::from)?
        .ok_or_else(|| AccountError::RecordMissing(name.to_string()))
}

/// A session for `name`, resuming from its keyring record.
pub async fn open_session(store: &Arc<Store>, name: &str) -> Result<Session, AccountError> {
    let account = store.accounts()?.get(name)?.clone();
    let record = read_record(store, name).await?;
    Ok(session_with(store, name, &account, &record)?)
}

/// A valid access token for a script: one keyring read when the token is fresh; otherwise a
/// refresh, exclusive across processes — unless a recent failure says to leave the server alone.
pub async fn valid_tokens(store: &Arc<Store>, name: &str) -> Result<Tokens, AccountError> {
    let account = store.accounts()?.get(name)?.clone();
    let record = read_record(store, name).await?;
    let tokens = record
        .tokens
        .clone()
        .ok_or_else(|| AccountError::NotLinked(name.to_string()))?;
    let now = SystemTime::now();
    if !tokens.is_refresh_due(now) {
        return Ok(tokens);
    }
    let status = store.status(name);
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
            .and_then(|at| at.duration_since(now).ok())
            .map_or(0, |d| d.as_secs() + 1);
        return Err(AccountError::BackingOff {
            name: name.to_string(),
            reason,
            seconds,
        });
    }
    let session = session_with(store, name, &account, &record)?;
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
pub async fn force_refresh(store: &Arc<Store>, name: &str) -> Result<Tokens, AccountError> {
    let session = open_session(store, name).await?;
    if session.tokens().is_none() {
        return Err(AccountError::NotLinked(name.to_string()));
    }
    session.refresh().await.map_err(|e| explain(store, name, e))
}

/// A dead grant right after an interrupted refresh has a known cause: say it.
fn explain(store: &Store, name: &str, error: oauth::Error) -> AccountError {
    if error.needs_reauthorization() && store.status(name).interrupted {
        return AccountError::NeedsRelink {
            name: name.to_string(),
            reason: format!(
                "an earlier refresh was interrupted after the server had already rotated the refresh token, so the stored one is spent ({error})"
            ),
        };
    }
    AccountError::OAuth(error)
}

fn session_with(
    store: &Arc<Store>,
    name: &str,
    account: &Account,
    record: &Record,
) -> Result<Session, oauth::Error> {
    let mut builder = Session::builder(
        account.provider.clone(),
        &account.client_id,
        &account.redirect_uri,
    )
    .auth_method(account.auth_method)
    .scopes(account.scopes.clone());
    for (key, value) in &account.params {
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
    let (persist_store, guard_store, log_store) = (store.clone(), store.clone(), store.clone());
    let (persist_name, guard_name, log_name) =
        (name.to_string(), name.to_string(), name.to_string());
    let secret = record.client_secret.clone();
    builder
        .persist(move |tokens: Tokens| {
            let (store, name) = (persist_store.clone(), persist_name.clone());
            let record = Record {
                client_secret: secret.clone(),
                tokens: Some(tokens),
            };
            async move { store.save_tokens(&name, &record).await }
        })
        .refresh_guard(move || {
            let (store, name) = (guard_store.clone(), guard_name.clone());
            async move {
                let lock = AccountLock::acquire(store.home(), &name).await?;
                // Removed while this refresh waited: its record must not come back, nor its lock
                // file stay.
                if let Err(e) = store.accounts().and_then(|a| a.get(&name).map(drop)) {
                    let _ = lock.delete_file();
                    return Err(e);
                }
                let stored = store
                    .keyring()
                    .await?
                    .read(&name)
                    .await?
                    .and_then(|r| r.tokens);
                store.update_status(&name, |status| {
                    status.interrupted = status.refresh_started_at.is_some();
                    status.refresh_started_at = Some(SystemTime::now());
                })?;
                let in_flight = InFlight {
                    store,
                    name,
                    _lock: lock,
                };
                Ok::<_, StoreError>(RefreshGuard {
                    stored,
                    hold: Box::new(in_flight),
                })
            }
        })
        .on_refresh_attempt(move |report| log_attempt(&log_store, &log_name, report))
        .build()
}

/// Held over a refresh: the account's lock, and the status mark that the refresh is under way.
/// Dropped normally, it clears the mark before the lock is released; a process killed midway
/// leaves the mark for the next refresh to find.
struct InFlight {
    store: Arc<Store>,
    name: String,
    _lock: AccountLock,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let _ = self
            .store
            .update_status(&self.name, |status| status.refresh_started_at = None);
    }
}

/// Writes an attempt to the event log and the account's status. A log that cannot be written
/// must not undo a refresh that worked, so failures here are dropped.
fn log_attempt(store: &Store, name: &str, report: &RefreshReport<'_>) {
    let now = SystemTime::now();
    let (outcome, tokens, error) = match report.outcome {
        RefreshOutcome::Refreshed(t) => (Outcome::Ok, Some(t), None),
        RefreshOutcome::Adopted(t) => (Outcome::Adopted, Some(t), None),
        RefreshOutcome::Failed(e) => (Outcome::Failed, None, Some(e)),
    };
    let mut event = Event::new(name, report.trigger.into(), outcome);
    event.expires_at = tokens.and_then(Tokens::expires_at);
    if let Some(error) = error {
        event.error_kind = Some(error.kind().into());
        event.message = Some(error.to_string());
    }
    // The status first: a TUI that sees the event reads the status at once.
    let _ = store.update_status(name, |status| match (tokens, error) {
        (Some(tokens), _) => status.record_tokens(tokens, outcome == Outcome::Ok, now),
        (None, Some(error)) => {
            status.record_failure(error.kind(), &error.to_string(), error.retry_after(), now)
        }
        (None, None) => {}
    });
    let _ = store.log().append(&event);
}
