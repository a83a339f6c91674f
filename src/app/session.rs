//! One account's session, wired to the store: its refresh guard takes the account's lock and
//! reads the record under it (another process may have refreshed), new tokens reach the keyring
//! before anyone uses them, and every attempt lands in the event log and the account's status.

use std::sync::Arc;

use super::attempt;
use super::error::AccountError;
pub use super::persistence::Persistence;
use super::timeout::request_timeout;
use super::under_lock::{self, Held, LockState};
use crate::oauth::params::is_reserved_param;
use crate::oauth::{self, Session, Tokens};
use crate::store::{Account, Record, Store, StoreError};

/// The keyring record of `name`; every account has one from the moment it is added.
pub(crate) async fn read_record(store: &Store, name: &str) -> Result<Record, AccountError> {
    let record = store
        .keyring()
        .await
        .map_err(StoreError::from)?
        .read(name)
        .await
        .map_err(StoreError::from)?;
    match record {
        Some(record) => Ok(record),
        None => Err(missing_record(store, name).await),
    }
}

/// Why `name` has no record: lost — or, in a home that never recorded its keyring, perhaps kept
/// in the other one, which is not a lost record and must not mark the account as needing a
/// re-link.
pub(crate) async fn missing_record(store: &Store, name: &str) -> AccountError {
    match store.keyring().await {
        Ok(keyring) if !store.home().keyring_choice_file().exists() => {
            AccountError::RecordNotHere {
                name: name.to_string(),
                backend: keyring.backend(),
            }
        }
        _ => AccountError::RecordMissing(name.to_string()),
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
    Ok(session_with(
        store,
        name,
        &account,
        &record,
        persistence,
        None,
    )?)
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
    Ok(session_with(
        store,
        name,
        account,
        &record,
        persistence,
        None,
    )?)
}

/// A session for `name`, its settings `account`, from `record`. With `handed`, the account's lock
/// is held already (and `record` was read under it): the session's first refresh takes it over
/// instead of taking the lock and reading the record again.
pub(crate) fn session_with(
    store: &Arc<Store>,
    name: &str,
    account: &Account,
    record: &Record,
    persistence: &Persistence,
    handed: Option<Held>,
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
    let name = name.to_string();
    let lock = LockState::default();
    let handed = Arc::new(std::sync::Mutex::new(handed));
    let on_retry = persistence.on_retry.clone();
    let on_refused = persistence.on_refused_id_token.clone();
    let secret = record.client_secret.clone();
    let (persist_store, persist_name, persist_lock) = (store.clone(), name.clone(), lock.clone());
    let (guard_store, guard_name, guard_lock) = (store.clone(), name.clone(), lock.clone());
    let (log_store, log_name) = (store.clone(), name.clone());
    let (retry_store, retry_name) = (store.clone(), name);
    builder
        .persist(move |tokens: Tokens| {
            let (store, name) = (persist_store.clone(), persist_name.clone());
            let (under_lock, fallback) = (persist_lock.secret(), secret.clone());
            async move {
                match under_lock {
                    // The secret read under the lock is current: no second read.
                    Some(secret) => store.write_tokens(&name, tokens, secret).await,
                    None => store.store_tokens(&name, tokens, fallback).await,
                }
            }
        })
        .refresh_guard(move || {
            let handed = handed.lock().unwrap_or_else(|e| e.into_inner()).take();
            under_lock::guard(
                guard_store.clone(),
                guard_name.clone(),
                handed,
                guard_lock.clone(),
            )
        })
        .on_refresh_attempt(move |report| {
            let clears_mark = under_lock::clears_mark(&lock);
            attempt::log(&log_store, &log_name, report, clears_mark);
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
                    status.record_unsaved(std::time::SystemTime::now());
                });
            }
            if let Some(tell) = &on_retry {
                tell(retry);
            }
        })
        .build()
}
