//! What a person gives to make an account (the CLI's `add`, the TUI's form), and which of it a
//! problem is about: below both the checks and the making of the account.

use crate::oauth::url_policy::UrlRole;
use crate::oauth::{self, AuthMethod, ConfigField};
use crate::store::error::StoreError;
use crate::store::hooks::Hooks;

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

/// Why an account cannot be made (or changed). Its words for a person are each front's: the
/// command line's `Display` (`cli::words`) is the one fronts show until they word it themselves.
#[derive(Debug)]
pub enum NewAccountError {
    Invalid {
        field: Field,
        message: String,
    },
    /// No preset has this id.
    UnknownPreset(String),
    Store(StoreError),
    OAuth(oauth::Error),
}

impl std::error::Error for NewAccountError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            NewAccountError::Store(e) => Some(e),
            NewAccountError::OAuth(e) => Some(e),
            NewAccountError::Invalid { .. } | NewAccountError::UnknownPreset(_) => None,
        }
    }
}

impl From<StoreError> for NewAccountError {
    fn from(e: StoreError) -> Self {
        NewAccountError::Store(e)
    }
}

impl From<oauth::Error> for NewAccountError {
    fn from(e: oauth::Error) -> Self {
        NewAccountError::OAuth(e)
    }
}

impl NewAccountError {
    /// The field the problem is about, when there is one.
    pub fn field(&self) -> Option<Field> {
        match self {
            NewAccountError::Invalid { field, .. } => Some(*field),
            NewAccountError::UnknownPreset(_) => Some(Field::Source),
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
    /// The address mail clients log in as (XOAUTH2).
    pub mail_user: Option<String>,
    /// The device authorization endpoint (RFC 8628), over the preset's or discovery's.
    pub device_authorization_url: Option<String>,
    /// The revocation endpoint (RFC 7009), over the preset's or discovery's.
    pub revocation_url: Option<String>,
    /// The userinfo endpoint, over the preset's or discovery's.
    pub userinfo_url: Option<String>,
    /// The introspection endpoint (RFC 7662), over discovery's.
    pub introspection_url: Option<String>,
    /// Commands run on the account's events (`--on EVENT=COMMAND`).
    pub hooks: Hooks,
    /// How long its refresh tokens live, in seconds, when the provider does not say.
    pub refresh_token_lifetime: Option<u64>,
    /// Whether the daemon's share.sock hands out its access token (`add --share`).
    pub shared: bool,
    /// The git remotes its tokens are for (`HOST[:PORT][/PATH]`, checked by the front); `None`
    /// takes the preset's, an empty list claims none.
    pub git_hosts: Option<Vec<String>>,
    /// The user name git gets with the token (none: `oauth2`).
    pub git_user: Option<String>,
}

impl NewAccount {
    /// Who refuses this account's client without its secret, when it has none and its preset's
    /// provider does (Google, even for a desktop app): said as the account is added.
    pub fn client_secret_required_by(&self) -> Option<String> {
        match (&self.source, self.client_secret.as_deref()) {
            (Some(Source::Preset(id)), None | Some("")) => {
                oauth::presets::Preset::find(id)?.client_secret_required_by
            }
            _ => None,
        }
    }
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
            .field("shared", &self.shared)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::{Provider, Session};
    use crate::store::new_account::check_api_url;

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
