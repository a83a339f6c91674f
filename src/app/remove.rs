//! Removing an account, as both faces do it: the grant is given back at the provider first
//! (RFC 7009), when it can be, and the event log says how that went; then the record, the
//! configuration and the status are deleted. All of it under the account's lock, so that no
//! refresh runs in between: the token given back is the one the provider holds now, not one a
//! refresh in another process has just replaced (and stored again after the removal). A
//! revocation that fails never stops the removal: the user asked to forget the account, and is
//! told what stays valid at the provider.

use std::sync::Arc;

use super::error::AccountError;
use super::hooks;
use super::session::{Persistence, session_with};
use crate::oauth::{self, Secrets, session::Revoked};
use crate::store::{AccountLock, Event, HookEvent, Outcome, Record, Store, Trigger};

/// What happened to the grant at the provider.
#[derive(Debug)]
pub enum Revocation {
    Revoked(Revoked),
    /// The user asked to keep it (`--keep-grant`).
    Kept,
    /// The account was never linked: there was no grant.
    NeverLinked,
    /// It was linked once, but the keyring held no tokens any more (lost at a reboot, say):
    /// nothing could be given back.
    NothingHeld,
    /// The provider has no revocation endpoint tokendeck knows of.
    NoEndpoint,
    Failed(oauth::Error),
}

impl Revocation {
    /// Whether the user should hear about it as a problem.
    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            Revocation::Failed(_) | Revocation::NoEndpoint | Revocation::NothingHeld
        )
    }
}

/// Removes `name`: revokes its grant first when `revoke` is set and the provider allows it,
/// then deletes everything tokendeck kept for it — all under the account's lock, taken after a
/// refresh under way has stored what it got.
pub async fn remove_account(
    store: &Arc<Store>,
    name: &str,
    revoke: bool,
) -> Result<Revocation, AccountError> {
    store.accounts()?.get(name)?;
    let lock = AccountLock::acquire(store.home(), name).await?;
    // Read under the lock: another process may have removed it, or refreshed it, meanwhile.
    let accounts = store.accounts()?;
    let account = accounts.get(name)?.clone();
    // Read now: the account's own hook goes with it.
    let hook = accounts.hook(name, HookEvent::Removed).map(str::to_string);
    let record = store.record(name).await?;
    // Read before they are deleted, to cut out of the hook's stderr.
    let secrets = match &hook {
        Some(_) => secrets_of(&record, &account.client_id),
        None => Secrets::new(),
    };
    let revocation = if record.tokens.is_none() {
        match store.status(name).token {
            None => Revocation::NeverLinked,
            Some(_) => Revocation::NothingHeld,
        }
    } else if !revoke {
        Revocation::Kept
    } else if account.provider.revocation_endpoint().is_none() {
        Revocation::NoEndpoint
    } else {
        give_back(store, name, &account, &record).await
    };
    if let Some(event) = revocation_event(name, &revocation) {
        let _ = store.log().append(&event);
    }
    store.remove_locked(name, lock).await?;
    if let Some(command) = hook {
        hooks::spawn(
            store,
            name,
            HookEvent::Removed,
            command,
            hooks::Facts {
                secrets,
                ..hooks::Facts::default()
            },
        );
    }
    Ok(revocation)
}

/// What `name`'s keyring record holds: its client secret and tokens.
fn secrets_of(record: &Record, client_id: &str) -> Secrets {
    let mut secrets = Secrets::new();
    if let Some(secret) = &record.client_secret {
        secrets.add_client_secret(client_id, secret.secret());
    }
    if let Some(tokens) = &record.tokens {
        secrets.add_tokens(tokens);
    }
    secrets
}

/// Revokes with the record read under the lock. The session is used for the revocation request
/// alone: nothing in it refreshes (which would wait for the lock this caller holds).
async fn give_back(
    store: &Arc<Store>,
    name: &str,
    account: &crate::store::Account,
    record: &Record,
) -> Revocation {
    let persistence = Persistence::while_running();
    let session = match session_with(store, name, account, record, &persistence, None) {
        Ok(session) => session,
        Err(e) => return Revocation::Failed(e),
    };
    match session.revoke().await {
        Ok(Some(revoked)) => Revocation::Revoked(revoked),
        Ok(None) => Revocation::NothingHeld,
        Err(oauth::Error::NoRevocationEndpoint) => Revocation::NoEndpoint,
        Err(e) => Revocation::Failed(e),
    }
}

fn revocation_event(name: &str, revocation: &Revocation) -> Option<Event> {
    let (outcome, message) = match revocation {
        Revocation::Revoked(Revoked::RefreshToken) => (Outcome::Ok, None),
        Revocation::Revoked(Revoked::AccessToken) => {
            (Outcome::Ok, Some("only the access token was held".into()))
        }
        Revocation::Failed(e) => (Outcome::Failed, Some(e.to_string())),
        // Nothing was attempted: the removal's own line is the record.
        Revocation::NoEndpoint
        | Revocation::Kept
        | Revocation::NeverLinked
        | Revocation::NothingHeld => return None,
    };
    let mut event = Event::new(name, Trigger::Revoke, outcome);
    event.message = message;
    if let Revocation::Failed(e) = revocation {
        event.error_kind = Some(e.kind().into());
    }
    Some(event)
}
