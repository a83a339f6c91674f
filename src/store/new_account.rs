//! Making an account from what a person gave (the CLI's `add`, the TUI's form): preset defaults,
//! OpenID Connect discovery, the checks a link would make, then the store.

use std::collections::BTreeMap;

mod check;

pub(crate) use check::{check_api_url, check_params, check_session};

use super::accounts::{Account, validate_name};
use super::{Store, StoreError};
use crate::oauth::presets::Preset;
use crate::oauth::url_policy::UrlRole;
use crate::oauth::{self, AuthMethod, ConfigField, Provider};

/// Where the browser is sent back to unless the user says otherwise: a fixed port, so that it
/// can be registered at providers that compare callback URLs exactly.
pub const DEFAULT_REDIRECT_URI: &str = "http://127.0.0.1:8765/callback";

/// Where the endpoints come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Preset(String),
    Issuer(String),
    Custom { authorize: String, token: String },
}

/// Which input a problem is about, so a form can show it beside the field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    Name,
    /// The preset, or the issuer to discover.
    Source,
    AuthorizeUrl,
    TokenUrl,
    ClientId,
    ClientSecret,
    RedirectUri,
    Scopes,
    Params,
    ApiUrl,
}

#[derive(Debug, thiserror::Error)]
pub enum NewAccountError {
    #[error("{message}")]
    Invalid { field: Field, message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    OAuth(#[from] oauth::Error),
}

impl NewAccountError {
    /// The field the problem is about, when there is one.
    pub fn field(&self) -> Option<Field> {
        match self {
            NewAccountError::Invalid { field, .. } => Some(*field),
            NewAccountError::Store(StoreError::InvalidName(_) | StoreError::AccountExists(_)) => {
                Some(Field::Name)
            }
            NewAccountError::OAuth(oauth::Error::InvalidUrl { what, .. }) => Some(url_field(*what)),
            NewAccountError::OAuth(oauth::Error::Discovery { .. }) => Some(Field::Source),
            NewAccountError::OAuth(oauth::Error::InvalidConfig { field, .. }) => {
                Some(config_field(*field))
            }
            _ => None,
        }
    }
}

/// The form field a URL problem belongs to. Exhaustive, so a new kind of URL must be placed.
fn url_field(role: UrlRole) -> Field {
    match role {
        UrlRole::Callback => Field::RedirectUri,
        UrlRole::Api => Field::ApiUrl,
        UrlRole::AuthorizationEndpoint => Field::AuthorizeUrl,
        UrlRole::TokenEndpoint => Field::TokenUrl,
        UrlRole::UserinfoEndpoint
        | UrlRole::RevocationEndpoint
        | UrlRole::IntrospectionEndpoint
        | UrlRole::DeviceAuthorizationEndpoint
        | UrlRole::JwksUri
        | UrlRole::Verification
        | UrlRole::Issuer
        | UrlRole::Endpoint
        | UrlRole::RedirectTarget => Field::Source,
    }
}

/// The form field a client setting is typed in. Exhaustive, like [`url_field`].
fn config_field(field: ConfigField) -> Field {
    match field {
        ConfigField::ClientId => Field::ClientId,
        ConfigField::ClientSecret => Field::ClientSecret,
        ConfigField::AuthorizeParams => Field::Params,
    }
}

#[derive(Clone, Default)]
pub struct NewAccount {
    pub name: String,
    pub source: Option<Source>,
    pub client_id: String,
    pub client_secret: Option<String>,
    pub redirect_uri: Option<String>,
    /// `None` takes the preset's.
    pub scopes: Option<Vec<String>>,
    /// Added to (and overriding) the preset's.
    pub params: Vec<(String, String)>,
    pub auth_method: Option<AuthMethod>,
    pub api_url: Option<String>,
    /// The device authorization endpoint (RFC 8628), over the preset's or discovery's.
    pub device_authorization_url: Option<String>,
    /// The revocation endpoint (RFC 7009), over the preset's or discovery's.
    pub revocation_url: Option<String>,
    /// The userinfo endpoint, over the preset's or discovery's.
    pub userinfo_url: Option<String>,
    /// The introspection endpoint (RFC 7662), over discovery's.
    pub introspection_url: Option<String>,
    /// Commands run on the account's events (`--on EVENT=COMMAND`).
    pub hooks: super::hooks::Hooks,
}

/// Everything but the client secret.
impl std::fmt::Debug for NewAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAccount")
            .field("name", &self.name)
            .field("source", &self.source)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self
                    .client_secret
                    .as_ref()
                    .map(|_| crate::oauth::secret::REDACTED),
            )
            .field("redirect_uri", &self.redirect_uri)
            .field("scopes", &self.scopes)
            .field("params", &self.params)
            .field("hooks", &self.hooks)
            .finish_non_exhaustive()
    }
}

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
            (Some(scopes), _) => scopes,
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
            refresh_at_least: preset.as_ref().and_then(|p| p.refresh_at_least),
            hooks: self.hooks,
            provider,
        };
        check_session(&account, secret.as_deref())?;
        store.add(&self.name, account, secret).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::Session;

    fn field_of(result: Result<Session, oauth::Error>) -> Option<Field> {
        NewAccountError::OAuth(result.expect_err("the builder refuses this")).field()
    }

    /// Rewording a message cannot move its error to another field: the routing reads the
    /// error's type, which these real failures carry.
    #[test]
    fn errors_land_on_their_field_by_type() {
        let provider = Provider::new("https://as.example/auth", "https://as.example/token")
            .expect("valid endpoints");
        let builder = |client_id: &str, redirect: &str| {
            Session::builder(provider.clone(), client_id, redirect)
        };
        let cb = DEFAULT_REDIRECT_URI;
        assert_eq!(field_of(builder(" ", cb).build()), Some(Field::ClientId));
        assert_eq!(
            field_of(builder("c", cb).auth_method(AuthMethod::Basic).build()),
            Some(Field::ClientSecret)
        );
        assert_eq!(
            field_of(
                builder("c", cb)
                    .auth_method(AuthMethod::None)
                    .client_secret("s")
                    .build()
            ),
            Some(Field::ClientSecret)
        );
        assert_eq!(
            field_of(builder("c", "not a url").build()),
            Some(Field::RedirectUri)
        );
        let endpoint = Provider::new("https://as.example/auth", "http://as.example/token");
        assert_eq!(
            NewAccountError::OAuth(endpoint.expect_err("plain http")).field(),
            Some(Field::TokenUrl)
        );
        let api = check_api_url("http://api.example/me").expect_err("plain http");
        assert_eq!(api.field(), Some(Field::ApiUrl));
    }

    #[test]
    fn every_client_setting_has_its_own_field() {
        let fields: std::collections::HashSet<Field> =
            ConfigField::ALL.into_iter().map(config_field).collect();
        assert_eq!(
            fields.len(),
            ConfigField::ALL.len(),
            "two settings share a field"
        );
        for field in ConfigField::ALL {
            let error = oauth::Error::InvalidConfig {
                field,
                message: "any words at all".into(),
            };
            assert_eq!(
                NewAccountError::OAuth(error).field(),
                Some(config_field(field))
            );
        }
    }
}
