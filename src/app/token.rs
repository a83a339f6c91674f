//! `token`: a valid access token for a script. A token its status says is fresh costs one
//! keyring read and no lock; one due is refreshed first, under the account's lock, from the one
//! read made there — unless a recent failure says to leave the server alone. One a client said
//! was refused (git's `erase`) is refreshed first whatever its expiry.

use std::sync::Arc;
use std::time::SystemTime;

use super::error::{AccountError, RelinkReason};
use super::refresh::explain;
use super::session::{Persistence, missing_record, read_record, session_with};
use super::under_lock::Held;
use crate::oauth::{RefreshTrigger, Tokens};
use crate::store::{AccountStatus, Health, Store};

/// A valid access token of `name`, refreshed first when it is due.
pub async fn valid_tokens(
    store: &Arc<Store>,
    name: &str,
    persistence: &Persistence,
) -> Result<Tokens, AccountError> {
    let account = store.accounts()?.get(name)?.clone();
    let status = store.status(name);
    if status.health(SystemTime::now()) == Health::Valid && status.suspect_since.is_none() {
        let record = read_record(store, name).await?;
        let tokens = usable(name, record.tokens, &status)?;
        if !tokens.is_refresh_due(SystemTime::now()) {
            return Ok(tokens);
        }
        // The status was behind the record: read it again under the lock.
    }
    let held = Held::take(store, name).await?;
    let Some(record) = held.record.clone() else {
        return Err(missing_record(store, name).await);
    };
    let status = store.status(name);
    let tokens = usable(name, record.tokens.clone(), &status)?;
    let now = SystemTime::now();
    let suspect = status.suspect_since.is_some();
    if !tokens.is_refresh_due(now) && !suspect {
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
        let seconds = status
            .retry_at
            .map_or(0, |at| crate::time::seconds_left(at, now));
        return Err(AccountError::BackingOff {
            name: name.to_string(),
            reason,
            seconds,
        });
    }
    let session = session_with(store, name, &account, &record, persistence, Some(held))?;
    let tokens = match suspect {
        // A client was refused with this token: refresh whatever its expiry says.
        true => session.refresh_for(RefreshTrigger::After401).await,
        false => session.valid_tokens().await,
    }
    .map_err(|e| explain(store, name, e))?;
    if tokens.is_expired(SystemTime::now()) {
        return Err(AccountError::NeedsRelink {
            name: name.to_string(),
            reason: RelinkReason::NoRefreshToken,
        });
    }
    Ok(tokens)
}

/// The tokens, if they may be handed out at all. A grant the server refused is dead, and so is
/// its access token (a 401 may have said so already): never hand out a token known to be
/// rejected.
fn usable(
    name: &str,
    tokens: Option<Tokens>,
    status: &AccountStatus,
) -> Result<Tokens, AccountError> {
    let tokens = tokens.ok_or_else(|| AccountError::NotLinked(name.to_string()))?;
    if status.needs_relink {
        return Err(AccountError::NeedsRelink {
            name: name.to_string(),
            reason: status
                .last_refresh
                .as_ref()
                .and_then(|r| r.error.clone())
                .map_or(RelinkReason::GrantRefused, RelinkReason::Recorded),
        });
    }
    Ok(tokens)
}

/// Marks the access token held now as refused by a client (git answered 401 with it), so that
/// the next [`valid_tokens`] refreshes first. The grant is kept: only a refresh can tell whether
/// it is dead.
pub fn mark_suspect(store: &Store, name: &str) -> Result<(), AccountError> {
    store.accounts()?.get(name)?;
    let now = SystemTime::now();
    store.update_status(name, |status| {
        if status.token.is_some() {
            status.suspect_since = Some(now);
        }
    })?;
    Ok(())
}
