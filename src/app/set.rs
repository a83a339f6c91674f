//! Changing an existing account's settings (the CLI's `set`): only what is given changes, checked
//! by the same rules as adding an account. Under the account's lock, so that no refresh writes its
//! record meanwhile: a new client secret goes into the keyring record beside the tokens, which stay
//! as they are, then the accounts file is rewritten atomically. New client credentials end the
//! backoff the old ones earned. A change the held grant was not made under (another client id,
//! token endpoint, authorization endpoint or scopes) keeps the tokens and says so, so that the
//! person knows to link again.

use std::collections::BTreeMap;

use crate::oauth::AuthMethod;
use crate::oauth::secret::ClientSecret;
use crate::store::accounts::{Account, Accounts};
use crate::store::hooks;
use crate::store::lock::AccountLock;
use crate::store::new_account::{
    Field, NewAccountError, check_api_url, check_params, check_session,
};
use crate::store::scopes::split_scopes;
use crate::store::{Store, StoreError};

mod what;

pub use what::{AccountChange, Changed, Endpoint, Setting};

impl AccountChange {
    pub fn is_empty(&self) -> bool {
        self.client_id.is_none()
            && self.client_secret.is_none()
            && self.scopes.is_none()
            && self.add_scopes.is_empty()
            && self.remove_scopes.is_empty()
            && self.params.is_none()
            && self.redirect_uri.is_none()
            && self.api_url.is_none()
            && self.mail_user.is_none()
            && self.auth_method.is_none()
            && self.endpoints.is_empty()
            && self.hooks.is_empty()
            && self.refresh_token_lifetime.is_none()
            && self.shared.is_none()
            && self.git_hosts.is_none()
            && self.git_user.is_none()
    }

    /// Checks the change against the account as stored now and writes it.
    pub async fn apply(self, store: &Store, name: &str) -> Result<Changed, NewAccountError> {
        store.accounts()?.get(name)?;
        let _lock = AccountLock::acquire(store.home(), name).await?;
        let account = store.accounts()?.get(name)?.clone();
        let credentials = self.client_secret.is_some() || self.auth_method.is_some();
        let mut record = match credentials {
            true => Some(store.record(name).await?),
            false => None,
        };
        let stored_secret = match &record {
            Some(record) => record
                .client_secret
                .as_ref()
                .map(|s| s.secret().to_string()),
            // Left as it is, unread: the checks only ask whether there is one, which the
            // account's client authentication method says.
            None => (account.auth_method != AuthMethod::None).then(String::new),
        };
        let (updated, secret, mut changed) = self.changed(&account, stored_secret)?;
        check_session(&updated, secret.as_deref())?;
        if let Some(record) = &mut record
            && record.client_secret.as_ref().map(ClientSecret::secret) != secret.as_deref()
        {
            record.client_secret = secret.map(ClientSecret::new);
            let keyring = store.keyring().await.map_err(StoreError::from)?;
            keyring
                .write(name, record)
                .await
                .map_err(StoreError::from)?;
        }
        Accounts::update(store.home(), |accounts| {
            // Removed since it was read: `get` words the error, with the names near it.
            accounts.get(name)?;
            if let Some(slot) = accounts.accounts.get_mut(name) {
                *slot = updated;
            }
            Ok(())
        })?;
        let credentials = changed.settings.contains(&Setting::ClientSecret)
            || changed.settings.contains(&Setting::AuthMethod);
        if credentials {
            // A refused client is not a dead grant: with the new credentials, the next refresh
            // may work, so no backoff from the old ones stands in its way.
            store.update_status(name, |status| {
                status.failures = 0;
                status.retry_at = None;
            })?;
            let status = store.status(name);
            changed.last_refresh_failed = status.last_refresh.as_ref().is_some_and(|r| !r.ok);
        }
        if store.status(name).token.is_some() {
            changed.grant_made_under_old = changed
                .settings
                .iter()
                .copied()
                .filter(|s| s.binds_the_grant())
                .collect();
        }
        Ok(changed)
    }

    /// The account and client secret after the change, checked field by field.
    fn changed(
        self,
        account: &Account,
        stored_secret: Option<String>,
    ) -> Result<(Account, Option<String>, Changed), NewAccountError> {
        let invalid = |field, message: &str| NewAccountError::Invalid {
            field,
            message: message.to_string(),
        };
        let mut updated = account.clone();
        let mut changed = Changed::default();
        if let Some(client_id) = self.client_id {
            let client_id = client_id.trim();
            if client_id.is_empty() {
                return Err(invalid(
                    Field::ClientId,
                    "the client id cannot be empty: copy it from the provider's app registration",
                ));
            }
            if client_id != account.client_id {
                updated.client_id = client_id.to_string();
                changed.settings.push(Setting::ClientId);
            }
        }
        updated.scopes = scopes_after(
            &account.scopes,
            self.scopes,
            &self.add_scopes,
            &self.remove_scopes,
        )?;
        if updated.scopes != account.scopes {
            changed.settings.push(Setting::Scopes);
        }
        if let Some(params) = self.params {
            let params: BTreeMap<String, String> = params.into_iter().collect();
            check_params(params.keys())?;
            updated.params = params;
            changed.settings.push(Setting::Params);
        }
        if let Some(uri) = self.redirect_uri {
            if uri.trim().is_empty() {
                return Err(invalid(
                    Field::RedirectUri,
                    "the callback URL cannot be empty: give the exact URL registered at the provider",
                ));
            }
            updated.redirect_uri = uri;
            changed.settings.push(Setting::RedirectUri);
        }
        if let Some(hosts) = self.git_hosts {
            updated.git.hosts = hosts;
            changed.settings.push(Setting::GitHosts);
        }
        if let Some(user) = self.git_user {
            updated.git.user = Some(user).filter(|u| !u.is_empty());
            changed.settings.push(Setting::GitUser);
        }
        if let Some(api_url) = self.api_url {
            if !api_url.is_empty() {
                check_api_url(&api_url)?;
            }
            updated.api_url = Some(api_url).filter(|u| !u.is_empty());
            changed.settings.push(Setting::ApiUrl);
        }
        if let Some(user) = self.mail_user {
            updated.mail_user = Some(user).filter(|u| !u.is_empty());
            changed.settings.push(Setting::MailUser);
        }
        for (endpoint, url) in self.endpoints {
            let before = updated.provider.clone();
            updated.provider = match url.trim() {
                "" if matches!(endpoint, Endpoint::Authorization | Endpoint::Token) => {
                    let field = match endpoint {
                        Endpoint::Authorization => Field::AuthorizeUrl,
                        _ => Field::TokenUrl,
                    };
                    return Err(invalid(
                        field,
                        "every account needs its authorization and token endpoints: give the URL, not an empty one",
                    ));
                }
                "" => before.clone().without_endpoint(endpoint.role()),
                url => before.clone().with_endpoint(endpoint.role(), url)?,
            };
            let setting = Setting::Endpoint(endpoint);
            if updated.provider != before && !changed.settings.contains(&setting) {
                changed.settings.push(setting);
            }
        }
        if !self.hooks.is_empty() {
            hooks::apply(&mut updated.hooks, &self.hooks);
            if updated.hooks != account.hooks {
                changed.settings.push(Setting::Hooks);
            }
        }
        if let Some(lifetime) = self.refresh_token_lifetime {
            updated.refresh_token_lifetime = Some(lifetime).filter(|s| *s > 0);
            if updated.refresh_token_lifetime != account.refresh_token_lifetime {
                changed.settings.push(Setting::RefreshTokenLifetime);
            }
        }
        if let Some(shared) = self.shared
            && shared != account.shared
        {
            updated.shared = shared;
            changed.settings.push(Setting::Shared);
            changed.shared = Some(shared);
        }
        let new_secret = self.client_secret;
        if new_secret.as_deref() == Some("") {
            return Err(invalid(
                Field::ClientSecret,
                "the new client secret is empty: pipe the secret in on standard input",
            ));
        }
        let mut secret = stored_secret;
        match (self.auth_method, &new_secret) {
            (Some(method), _) => updated.auth_method = method,
            // As when adding: a secret without a method authenticates with HTTP Basic.
            (None, Some(_)) if account.auth_method == AuthMethod::None => {
                updated.auth_method = AuthMethod::Basic
            }
            (None, _) => {}
        }
        if updated.auth_method != account.auth_method {
            changed.settings.push(Setting::AuthMethod);
        }
        if new_secret.is_some() {
            secret = new_secret;
            changed.settings.push(Setting::ClientSecret);
        } else if self.auth_method == Some(AuthMethod::None) && secret.is_some() {
            // A public client has no secret; asking for one is asking to drop it.
            secret = None;
            changed.secret_removed = true;
        }
        changed.applies_at_next_link = changed
            .settings
            .iter()
            .any(|s| s.in_the_authorization_request());
        Ok((updated, secret, changed))
    }
}

/// The scopes after a change: replaced (when `replace` is given), then `add` added and `remove`
/// taken out, every entry split on whitespace. A scope to remove that is not there is an error,
/// not a silent no-op: it is likely a typo.
fn scopes_after(
    scopes: &[String],
    replace: Option<Vec<String>>,
    add: &[String],
    remove: &[String],
) -> Result<Vec<String>, NewAccountError> {
    let base = replace.map_or_else(|| scopes.to_vec(), split_scopes);
    let mut after = split_scopes(base.iter().chain(add));
    for scope in split_scopes(remove) {
        let Some(at) = after.iter().position(|s| *s == scope) else {
            return Err(NewAccountError::Invalid {
                field: Field::Scopes,
                message: format!(
                    "{scope:?} is not among the scopes ({}), so it cannot be removed",
                    after.join(" ")
                ),
            });
        };
        after.remove(at);
    }
    Ok(after)
}

#[cfg(test)]
mod tests;
