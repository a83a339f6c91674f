//! Removing an account, as both faces do it: the grant is given back at the provider first
//! (RFC 7009), when it can be, and the event log says how that went; then the record, the
//! configuration and the status are deleted. A revocation that fails never stops the removal:
//! the user asked to forget the account, and is told what stays valid at the provider.

use std::sync::Arc;

use super::account::{AccountError, Persistence, open_session};
use super::hooks;
use crate::oauth::{self, Secrets, session::Revoked};
use crate::store::{Event, HookEvent, Outcome, Store, Trigger};

/// What happened to the grant at the provider.
#[derive(Debug)]
pub enum Revocation {
    Revoked(Revoked),
    /// The user asked to keep it (`--keep-grant`).
    Kept,
    /// No tokens were held: nothing to give back.
    NothingHeld,
    /// The provider has no revocation endpoint tokendeck knows of.
    NoEndpoint,
    Failed(oauth::Error),
}

impl Revocation {
    /// One sentence for the user, after the removal.
    pub fn describe(&self) -> Option<String> {
        match self {
            Revocation::Revoked(Revoked::RefreshToken) => {
                Some("The grant was revoked at the provider.".into())
            }
            Revocation::Revoked(Revoked::AccessToken) => Some(
                "The access token was revoked at the provider (no refresh token was held).".into(),
            ),
            Revocation::Kept => Some("The grant at the provider was kept, as asked.".into()),
            Revocation::NothingHeld => None,
            Revocation::NoEndpoint => Some(oauth::Error::NoRevocationEndpoint.to_string() + "."),
            Revocation::Failed(e) => Some(format!("Revoking the grant failed: {e}.")),
        }
    }

    /// Whether the user should hear about it as a problem.
    pub fn is_failure(&self) -> bool {
        matches!(self, Revocation::Failed(_) | Revocation::NoEndpoint)
    }
}

/// Removes `name`: revokes its grant first when `revoke` is set and the provider allows it,
/// then deletes everything tokendeck kept for it.
pub async fn remove_account(
    store: &Arc<Store>,
    name: &str,
    revoke: bool,
) -> Result<Revocation, AccountError> {
    let accounts = store.accounts()?;
    let account = accounts.get(name)?.clone();
    // Read now: the account's own hook goes with it.
    let hook = accounts.hook(name, HookEvent::Removed).map(str::to_string);
    // Read before they are deleted, to cut out of the hook's stderr.
    let secrets = match &hook {
        Some(_) => secrets_of(store, name, &account.client_id).await,
        None => Secrets::new(),
    };
    let revocation = if !revoke {
        Revocation::Kept
    } else if account.provider.revocation_endpoint().is_none() {
        Revocation::NoEndpoint
    } else {
        give_back(store, name).await
    };
    if let Some(event) = revocation_event(name, &revocation) {
        let _ = store.log().append(&event);
    }
    store.remove(name).await?;
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
async fn secrets_of(store: &Store, name: &str, client_id: &str) -> Secrets {
    let mut secrets = Secrets::new();
    let Ok(keyring) = store.keyring().await else {
        return secrets;
    };
    if let Ok(Some(record)) = keyring.read(name).await {
        if let Some(secret) = &record.client_secret {
            secrets.add_client_secret(client_id, secret.secret());
        }
        if let Some(tokens) = &record.tokens {
            secrets.add_tokens(tokens);
        }
    }
    secrets
}

async fn give_back(store: &Arc<Store>, name: &str) -> Revocation {
    let session = match open_session(store, name, &Persistence::while_running()).await {
        Ok(session) => session,
        Err(AccountError::NotLinked(_) | AccountError::RecordMissing(_)) => {
            return Revocation::NothingHeld;
        }
        Err(AccountError::OAuth(e)) => return Revocation::Failed(e),
        Err(e) => return Revocation::Failed(oauth::Error::Config(e.to_string())),
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
        Revocation::NoEndpoint | Revocation::Kept | Revocation::NothingHeld => return None,
    };
    let mut event = Event::new(name, Trigger::Revoke, outcome);
    event.message = message;
    if let Revocation::Failed(e) = revocation {
        event.error_kind = Some(e.kind().into());
    }
    Some(event)
}
