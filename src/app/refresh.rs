//! `refresh`: an account refreshed now, whatever its expiry — under its lock, from the one read
//! of its record made there.

use std::sync::Arc;

use super::error::{AccountError, RelinkReason};
use super::identity::learn_identity;
use super::session::{Persistence, missing_record, session_with};
use super::under_lock::Held;
use crate::oauth::{self, Tokens};
use crate::store::Store;

/// Refreshes `name` now, whatever its expiry: one keyring read (under the account's lock), one
/// keyring write, the status written twice (the mark that the refresh is under way, then how it
/// went).
pub async fn refresh(
    store: &Arc<Store>,
    name: &str,
    persistence: &Persistence,
) -> Result<Tokens, AccountError> {
    let account = store.account(name)?;
    let held = Held::take(store, name).await?;
    let Some(record) = held.record.clone() else {
        return Err(missing_record(store, name).await);
    };
    if record.tokens.is_none() {
        return Err(AccountError::NotLinked(name.to_string()));
    }
    let session = session_with(store, name, &account, &record, persistence, Some(held))?;
    let tokens = session
        .refresh()
        .await
        .map_err(|e| explain(store, name, e))?;
    learn_identity(store, name, &session).await;
    Ok(tokens)
}

/// A refresh's error as the account sees it: a refused client is not a dead grant, and a dead
/// grant right after a refresh whose new tokens were lost has a known cause.
pub(crate) fn explain(store: &Store, name: &str, error: oauth::Error) -> AccountError {
    if error.setting() == Some(oauth::Setting::ClientCredentials) {
        return AccountError::ClientRefused {
            name: name.to_string(),
            error,
        };
    }
    if error.needs_reauthorization()
        && let Some(cause) = store.status(name).spent_token_cause()
    {
        return AccountError::NeedsRelink {
            name: name.to_string(),
            reason: RelinkReason::SpentToken {
                cause,
                answer: error.provider_answer(),
            },
        };
    }
    AccountError::OAuth(error)
}
