//! One refresh as the engine runs it: looks again whether it is still due (another process may
//! have done it), takes the account's lock and reads its record there (one read), refreshes
//! through the account's session, and tells how it went.

use std::sync::Arc;
use std::time::SystemTime;

use super::event::EngineEvent;
use super::schedule::next_refresh_at;
use crate::app::error::AccountError;
use crate::app::identity::learn_identity;
use crate::app::session::{Persistence, missing_record, session_with};
use crate::app::stop::Stopping;
use crate::app::under_lock::Held;
use crate::oauth::RefreshTrigger;
use crate::store::status::TokenInfo;
use crate::store::{Account, Store, StoreError};

/// One refresh, told through `notify`; whether it went well (or was not needed). `planned`: the
/// account as the engine last read it, served while the accounts file cannot be read.
pub(super) async fn refresh(
    store: &Arc<Store>,
    notify: &(dyn Fn(EngineEvent) + Send + Sync),
    name: &str,
    planned: Option<&Account>,
    trigger: RefreshTrigger,
) -> bool {
    let account = match settings(store, name, planned) {
        Ok(account) => account,
        // Removed since the schedule was read: nothing to do. (A manual refresh says why.)
        Err(e) if trigger != RefreshTrigger::Manual => {
            return matches!(e, StoreError::NoSuchAccount { .. });
        }
        Err(e) => {
            notify(EngineEvent::Finished {
                account: name.to_string(),
                trigger,
                error: Some(Arc::new(AccountError::from(e))),
            });
            return false;
        }
    };
    // Another process may have refreshed since the schedule was read.
    if trigger == RefreshTrigger::AheadOfExpiry && !still_due(store, name, &account, None) {
        return true;
    }
    let held = Held::take(store, name).await.map_err(AccountError::from);
    // … or between that look at its status and this read of its record, under the lock: the
    // record is the truth.
    if trigger == RefreshTrigger::AheadOfExpiry
        && let Ok(held) = &held
        && let Some(tokens) = held.record.as_ref().and_then(|r| r.tokens.as_ref())
    {
        let held = TokenInfo::of(tokens);
        if !still_due(store, name, &account, Some(&held)) {
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
    let result = match held {
        Ok(held) => refresh_held(store, name, &account, held, trigger).await,
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
    // Refused because the process is stopping: nothing was sent, nothing is to be told.
    if let Err(AccountError::OAuth(e)) = &result
        && Stopping::is(e)
    {
        return true;
    }
    let ok = result.is_ok();
    notify(EngineEvent::Finished {
        account: name.to_string(),
        trigger,
        error: result.err().map(Arc::new),
    });
    ok
}

/// Refreshes `name` from its record as read under the lock the engine holds.
async fn refresh_held(
    store: &Arc<Store>,
    name: &str,
    account: &Account,
    held: Held,
    trigger: RefreshTrigger,
) -> Result<(), AccountError> {
    let Some(record) = held.record.clone() else {
        return Err(missing_record(store, name).await);
    };
    if record.tokens.is_none() {
        return Err(AccountError::NotLinked(name.to_string()));
    }
    let persistence = Persistence::while_running();
    let session = session_with(store, name, account, &record, &persistence, Some(held))?;
    session.refresh_for(trigger).await?;
    learn_identity(store, name, &session).await;
    Ok(())
}

/// `name`'s settings as the accounts file says now; while it cannot be read, as `planned`.
fn settings(store: &Store, name: &str, planned: Option<&Account>) -> Result<Account, StoreError> {
    match (store.account(name), planned) {
        (Err(e), Some(planned)) if e.is_unusable_accounts_file() => Ok(planned.clone()),
        (result, _) => result,
    }
}

/// Whether `name` is due for a refresh now, by its status — with `held`, the tokens just read
/// from its record, in place of the status's account of them.
fn still_due(store: &Store, name: &str, account: &Account, held: Option<&TokenInfo>) -> bool {
    let mut status = store.status(name);
    match held {
        Some(held) => status.token = Some(held.clone()),
        // What a damaged status held is unknown: the record, read next, tells.
        None if status.unreadable => return true,
        None => {}
    }
    next_refresh_at(account, &status).is_some_and(|due| due <= SystemTime::now())
}
