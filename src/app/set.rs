//! Changing an existing account's settings (the CLI's `set`): only what is given changes, checked
//! by the same rules as adding an account. Under the account's lock, so that no refresh writes its
//! record meanwhile: a new client secret goes into the keyring record beside the tokens, which stay
//! as they are, then the accounts file is rewritten atomically. New client credentials end the
//! backoff the old ones earned.

use std::collections::BTreeMap;
use std::fmt;

use crate::oauth::AuthMethod;
use crate::oauth::secret::{ClientSecret, REDACTED};
use crate::oauth::url_policy::UrlRole;
use crate::store::accounts::{Account, Accounts};
use crate::store::hooks::{self, HookChange};
use crate::store::lock::AccountLock;
use crate::store::new_account::{
    Field, NewAccountError, check_api_url, check_params, check_session,
};
use crate::store::{Store, StoreError};

/// The settings to change; `None` leaves one as it is.
#[derive(Clone, Default)]
pub struct AccountChange {
    pub client_secret: Option<String>,
    /// Replaces the scopes.
    pub scopes: Option<Vec<String>>,
    /// Replaces the extra authorization parameters.
    pub params: Option<Vec<(String, String)>>,
    pub redirect_uri: Option<String>,
    /// An empty one removes the API URL.
    pub api_url: Option<String>,
    pub auth_method: Option<AuthMethod>,
    /// Endpoints named by hand, each replacing the one the account has; an empty URL removes it.
    pub endpoints: Vec<(Endpoint, String)>,
    /// Hooks to set or remove (`--on EVENT=COMMAND`), in order.
    pub hooks: Vec<HookChange>,
}

/// The endpoints `set` can name (those `add` takes by hand beside a preset or discovery).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    DeviceAuthorization,
    Revocation,
    Introspection,
    Userinfo,
}

impl Endpoint {
    fn role(self) -> UrlRole {
        match self {
            Endpoint::DeviceAuthorization => UrlRole::DeviceAuthorizationEndpoint,
            Endpoint::Revocation => UrlRole::RevocationEndpoint,
            Endpoint::Introspection => UrlRole::IntrospectionEndpoint,
            Endpoint::Userinfo => UrlRole::UserinfoEndpoint,
        }
    }
}

/// A setting a change changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setting {
    Scopes,
    Params,
    RedirectUri,
    ApiUrl,
    Endpoint(Endpoint),
    Hooks,
    AuthMethod,
    ClientSecret,
}

/// Everything but the client secret.
impl fmt::Debug for AccountChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccountChange")
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| REDACTED),
            )
            .field("scopes", &self.scopes)
            .field("params", &self.params)
            .field("redirect_uri", &self.redirect_uri)
            .field("api_url", &self.api_url)
            .field("auth_method", &self.auth_method)
            .field("endpoints", &self.endpoints)
            .field("hooks", &self.hooks)
            .finish()
    }
}

/// What a change did, for the words that confirm it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changed {
    /// The settings changed, in the order given.
    pub settings: Vec<Setting>,
    /// The client secret was deleted: the account became a public client.
    pub secret_removed: bool,
    /// Something the authorization request carries changed: it applies from the next link.
    pub applies_at_next_link: bool,
    /// The client's credentials changed and the last refresh had failed: the next one may work.
    pub last_refresh_failed: bool,
}

impl AccountChange {
    pub fn is_empty(&self) -> bool {
        self.client_secret.is_none()
            && self.scopes.is_none()
            && self.params.is_none()
            && self.redirect_uri.is_none()
            && self.api_url.is_none()
            && self.auth_method.is_none()
            && self.endpoints.is_empty()
            && self.hooks.is_empty()
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
            let slot = accounts
                .accounts
                .get_mut(name)
                .ok_or_else(|| StoreError::NoSuchAccount(name.to_string()))?;
            *slot = updated;
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
        if let Some(scopes) = self.scopes {
            updated.scopes = scopes;
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
        changed.applies_at_next_link = !changed.settings.is_empty();
        if let Some(api_url) = self.api_url {
            if !api_url.is_empty() {
                check_api_url(&api_url)?;
            }
            updated.api_url = Some(api_url).filter(|u| !u.is_empty());
            changed.settings.push(Setting::ApiUrl);
        }
        for (endpoint, url) in self.endpoints {
            let before = updated.provider.clone();
            updated.provider = match url.trim() {
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
        Ok((updated, secret, changed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> Account {
        Account {
            auth_method: AuthMethod::None,
            ..crate::store::accounts::tests::account()
        }
    }

    #[test]
    fn only_what_is_given_changes() {
        let change = AccountChange {
            scopes: Some(vec!["api".into()]),
            ..AccountChange::default()
        };
        let (updated, secret, changed) = change.changed(&account(), None).unwrap();
        assert_eq!(updated.scopes, ["api"]);
        assert_eq!(updated.params, account().params, "parameters kept");
        assert_eq!(secret, None);
        assert_eq!(changed.settings, [Setting::Scopes]);
        assert!(changed.applies_at_next_link);
    }

    #[test]
    fn a_secret_for_a_public_client_makes_it_confidential_as_add_does() {
        let change = AccountChange {
            client_secret: Some("s3cret".into()),
            ..AccountChange::default()
        };
        let (updated, secret, changed) = change.changed(&account(), None).unwrap();
        assert_eq!(updated.auth_method, AuthMethod::Basic);
        assert_eq!(secret.as_deref(), Some("s3cret"));
        assert!(!changed.applies_at_next_link, "a secret applies at once");
        assert!(
            !format!(
                "{change:?}",
                change = AccountChange {
                    client_secret: Some("s3cret".into()),
                    ..AccountChange::default()
                }
            )
            .contains("s3cret")
        );
    }

    #[test]
    fn reserved_parameters_and_empty_values_are_refused() {
        let change = AccountChange {
            params: Some(vec![("state".into(), "x".into())]),
            ..AccountChange::default()
        };
        let err = change.changed(&account(), None).unwrap_err();
        assert!(
            matches!(
                err,
                NewAccountError::Invalid {
                    field: Field::Params,
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("`state`"), "{err}");
        let change = AccountChange {
            client_secret: Some(String::new()),
            ..AccountChange::default()
        };
        assert!(change.changed(&account(), None).is_err());
    }

    #[test]
    fn endpoints_are_named_by_hand_and_an_empty_one_is_removed() {
        let url = "https://as.example/revoke";
        let change = AccountChange {
            endpoints: vec![
                (Endpoint::Revocation, url.into()),
                (
                    Endpoint::Introspection,
                    "https://as.example/introspect".into(),
                ),
            ],
            ..AccountChange::default()
        };
        let (updated, _, changed) = change.changed(&account(), None).unwrap();
        assert_eq!(
            updated.provider.revocation_endpoint().map(|u| u.as_str()),
            Some(url)
        );
        assert_eq!(
            changed.settings,
            [
                Setting::Endpoint(Endpoint::Revocation),
                Setting::Endpoint(Endpoint::Introspection)
            ]
        );
        assert!(!changed.applies_at_next_link);
        let removal = AccountChange {
            endpoints: vec![(Endpoint::Revocation, String::new())],
            ..AccountChange::default()
        };
        let (removed, _, changed) = removal.changed(&updated, None).unwrap();
        assert_eq!(removed.provider.revocation_endpoint(), None);
        assert_eq!(changed.settings, [Setting::Endpoint(Endpoint::Revocation)]);
        let same = AccountChange {
            endpoints: vec![(Endpoint::Revocation, String::new())],
            ..AccountChange::default()
        };
        assert!(same.changed(&removed, None).unwrap().2.settings.is_empty());
        let plain = AccountChange {
            endpoints: vec![(Endpoint::Userinfo, "http://as.example/me".into())],
            ..AccountChange::default()
        };
        assert!(
            plain.changed(&account(), None).is_err(),
            "the URL policy holds"
        );
    }

    #[test]
    fn a_public_client_drops_its_secret() {
        let mut confidential = account();
        confidential.auth_method = AuthMethod::Basic;
        let change = AccountChange {
            auth_method: Some(AuthMethod::None),
            ..AccountChange::default()
        };
        let (updated, secret, changed) = change.changed(&confidential, Some("old".into())).unwrap();
        assert_eq!(updated.auth_method, AuthMethod::None);
        assert_eq!(secret, None);
        assert!(changed.secret_removed);
    }
}
