//! Adding an account from what a person gave (the CLI's `add`, the TUI's form): preset defaults,
//! OpenID Connect discovery, the checks a link would make, then the store.

use std::collections::BTreeMap;

use crate::oauth::presets::Preset;
use crate::oauth::{AuthMethod, Provider};
use crate::store::accounts::{Account, validate_name};
use crate::store::new_account::{
    DEFAULT_REDIRECT_URI, Field, NewAccount, NewAccountError, Source, check_api_url, check_params,
    check_session,
};
use crate::store::{Store, StoreError};

impl NewAccount {
    /// Checks, resolves (discovery may ask the network) and stores the account. The first
    /// problem [`NewAccount::check`] finds is the error.
    pub async fn create(self, store: &Store) -> Result<(), NewAccountError> {
        validate_name(&self.name)?;
        if store.accounts()?.accounts.contains_key(&self.name) {
            return Err(StoreError::AccountExists(self.name).into());
        }
        if let Some(problem) = self.check().into_iter().next() {
            return Err(problem);
        }
        let preset = match &self.source {
            Some(Source::Preset(id)) => Preset::find(id),
            _ => None,
        };
        let (kind, mut provider) = match (&self.source, &preset) {
            (Some(Source::Preset(_)), Some(preset)) => (preset.id.clone(), preset.provider()?),
            (Some(Source::Issuer(issuer)), _) => {
                ("issuer".to_string(), Provider::discover(issuer).await?)
            }
            (Some(Source::Custom { authorize, token }), _) => {
                ("custom".to_string(), Provider::new(authorize, token)?)
            }
            _ => {
                return Err(NewAccountError::Invalid {
                    field: Field::Source,
                    message: "choose a preset, an OpenID Connect issuer, or custom endpoints"
                        .into(),
                });
            }
        };
        if let Some(url) = self
            .device_authorization_url
            .as_deref()
            .filter(|u| !u.is_empty())
        {
            provider = provider.with_device_authorization_endpoint(url)?;
        }
        if let Some(url) = self.revocation_url.as_deref().filter(|u| !u.is_empty()) {
            provider = provider.with_revocation_endpoint(url)?;
        }
        if let Some(url) = self.userinfo_url.as_deref().filter(|u| !u.is_empty()) {
            provider = provider.with_userinfo_endpoint(url)?;
        }
        if let Some(url) = self.introspection_url.as_deref().filter(|u| !u.is_empty()) {
            provider = provider.with_introspection_endpoint(url)?;
        }
        let secret = self.client_secret.filter(|s| !s.is_empty());
        let scopes = match (self.scopes, &preset) {
            (Some(scopes), _) => crate::store::scopes::split_scopes(scopes),
            (None, Some(preset)) => preset.scopes.clone(),
            (None, None) => Vec::new(),
        };
        let mut params: BTreeMap<String, String> = preset
            .as_ref()
            .map(|p| p.params.clone())
            .unwrap_or_default();
        params.retain(|_, value| !value.is_empty()); // a preset's blanks are only hints
        params.extend(self.params);
        check_params(params.keys())?;
        let auth_method = match (self.auth_method, &secret, &preset) {
            (Some(method), ..) => method,
            (None, None, _) => AuthMethod::None,
            (None, Some(_), Some(preset)) if preset.auth_method != AuthMethod::None => {
                preset.auth_method
            }
            (None, Some(_), _) => AuthMethod::Basic,
        };
        let git_hosts = match (self.git_hosts, &preset) {
            (Some(hosts), _) => hosts,
            (None, Some(preset)) => preset.git_hosts.clone(),
            (None, None) => Vec::new(),
        };
        let api_url = self
            .api_url
            .filter(|u| !u.is_empty())
            .or(preset.as_ref().and_then(|p| p.api_url.clone()));
        if let Some(api_url) = &api_url {
            check_api_url(api_url)?;
        }
        let account = Account {
            kind,
            client_id: self.client_id.trim().to_string(),
            redirect_uri: self
                .redirect_uri
                .filter(|u| !u.is_empty())
                .or(preset.as_ref().and_then(|p| p.redirect_uri.clone()))
                .unwrap_or_else(|| DEFAULT_REDIRECT_URI.to_string()),
            scopes,
            auth_method,
            params,
            api_url,
            mail_user: self.mail_user.filter(|u| !u.is_empty()),
            refresh_at_least: preset.as_ref().and_then(|p| p.refresh_at_least),
            refresh_token_lifetime: self.refresh_token_lifetime,
            shared: self.shared,
            git: crate::store::git::GitAccess {
                hosts: git_hosts,
                user: self.git_user,
            },
            hooks: self.hooks,
            provider,
        };
        check_session(&account, secret.as_deref())?;
        store.add(&self.name, account, secret).await?;
        Ok(())
    }
}
