//! What a URL is for, below both the URL policy and the errors that name a URL: the one type
//! they share.

/// What a URL is for: an error names it, and a form shows the error beside the field it came
/// from by matching on this, never on a message's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UrlRole {
    AuthorizationEndpoint,
    TokenEndpoint,
    UserinfoEndpoint,
    RevocationEndpoint,
    IntrospectionEndpoint,
    DeviceAuthorizationEndpoint,
    /// Where the provider publishes its signing keys (`jwks_uri`).
    JwksUri,
    /// Where the user approves a device authorization (`verification_uri`).
    Verification,
    Issuer,
    /// Where the browser is sent back to (`redirect_uri`).
    Callback,
    /// Where API requests through a session go.
    Api,
    /// A protocol request's URL, whichever endpoint it was read from.
    Endpoint,
    /// Where a server redirected an API request.
    RedirectTarget,
}

impl UrlRole {
    pub fn label(self) -> &'static str {
        match self {
            UrlRole::AuthorizationEndpoint => "authorization endpoint",
            UrlRole::TokenEndpoint => "token endpoint",
            UrlRole::UserinfoEndpoint => "userinfo endpoint",
            UrlRole::RevocationEndpoint => "revocation endpoint",
            UrlRole::IntrospectionEndpoint => "introspection endpoint",
            UrlRole::DeviceAuthorizationEndpoint => "device authorization endpoint",
            UrlRole::JwksUri => "key set URL (jwks_uri)",
            UrlRole::Verification => "verification URL",
            UrlRole::Issuer => "issuer",
            UrlRole::Callback => "callback URL",
            UrlRole::Api => "API URL",
            UrlRole::Endpoint => "endpoint",
            UrlRole::RedirectTarget => "redirect target",
        }
    }
}

impl std::fmt::Display for UrlRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}
