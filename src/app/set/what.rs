//! What a change of settings names: the settings, the endpoints among them, and what the change
//! did, for the words that confirm it.

use std::fmt;

use crate::oauth::AuthMethod;
use crate::oauth::secret::REDACTED;
use crate::oauth::url_policy::UrlRole;
use crate::store::hooks::HookChange;

/// The settings to change; `None` leaves one as it is.
#[derive(Clone, Default)]
pub struct AccountChange {
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    /// Replaces the scopes (each entry split on whitespace).
    pub scopes: Option<Vec<String>>,
    /// Scopes added to the list (after a replacement, if any).
    pub add_scopes: Vec<String>,
    /// Scopes taken out of the list; each must be in it.
    pub remove_scopes: Vec<String>,
    /// Replaces the extra authorization parameters.
    pub params: Option<Vec<(String, String)>>,
    pub redirect_uri: Option<String>,
    /// An empty one removes the API URL.
    pub api_url: Option<String>,
    /// An empty one removes the mail user.
    pub mail_user: Option<String>,
    pub auth_method: Option<AuthMethod>,
    /// Endpoints named by hand, each replacing the one the account has; an empty URL removes it.
    pub endpoints: Vec<(Endpoint, String)>,
    /// Hooks to set or remove (`--on EVENT=COMMAND`), in order.
    pub hooks: Vec<HookChange>,
    /// How long refresh tokens live, in seconds, for the forecast; 0 removes the setting.
    pub refresh_token_lifetime: Option<u64>,
    /// Whether the daemon's share.sock hands out the account's access token.
    pub shared: Option<bool>,
    /// Replaces the git remotes the tokens are for (empty: none).
    pub git_hosts: Option<Vec<String>>,
    /// The user name git gets; an empty one returns to the default.
    pub git_user: Option<String>,
}

/// The endpoints `set` can name: those `add` takes by hand beside a preset or discovery, and the
/// two every account has (which cannot be removed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    Authorization,
    Token,
    DeviceAuthorization,
    Revocation,
    Introspection,
    Userinfo,
}

impl Endpoint {
    pub(super) fn role(self) -> UrlRole {
        match self {
            Endpoint::Authorization => UrlRole::AuthorizationEndpoint,
            Endpoint::Token => UrlRole::TokenEndpoint,
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
    ClientId,
    Scopes,
    Params,
    RedirectUri,
    ApiUrl,
    MailUser,
    Endpoint(Endpoint),
    Hooks,
    AuthMethod,
    ClientSecret,
    RefreshTokenLifetime,
    /// Whether share.sock hands out its access token.
    Shared,
    GitHosts,
    GitUser,
}

/// Everything but the client secret.
impl fmt::Debug for AccountChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccountChange")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| REDACTED),
            )
            .field("scopes", &self.scopes)
            .field("add_scopes", &self.add_scopes)
            .field("remove_scopes", &self.remove_scopes)
            .field("params", &self.params)
            .field("redirect_uri", &self.redirect_uri)
            .field("api_url", &self.api_url)
            .field("mail_user", &self.mail_user)
            .field("auth_method", &self.auth_method)
            .field("endpoints", &self.endpoints)
            .field("hooks", &self.hooks)
            .field("refresh_token_lifetime", &self.refresh_token_lifetime)
            .field("shared", &self.shared)
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
    /// The settings changed that the held grant was made under (client id, token or
    /// authorization endpoint, scopes), in the order given; empty when no tokens are held. The
    /// tokens are kept; only linking again makes a grant under the new settings.
    pub grant_made_under_old: Vec<Setting>,
    /// Whether the account is shared now, when that changed.
    pub shared: Option<bool>,
}

impl Setting {
    /// Whether a grant was made under this setting: a new one takes a new link.
    pub fn binds_the_grant(self) -> bool {
        matches!(
            self,
            Setting::ClientId
                | Setting::Scopes
                | Setting::Endpoint(Endpoint::Authorization | Endpoint::Token)
        )
    }

    /// Whether the authorization request carries this setting.
    pub(super) fn in_the_authorization_request(self) -> bool {
        matches!(
            self,
            Setting::ClientId
                | Setting::Scopes
                | Setting::Params
                | Setting::RedirectUri
                | Setting::Endpoint(Endpoint::Authorization)
        )
    }
}
