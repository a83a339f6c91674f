//! Where a provider's endpoints are: given by hand, from a preset, or by discovery (OpenID
//! Connect's, else RFC 8414's).

mod discovery;

use serde::{Deserialize, Serialize};
use url::Url;

use super::error::Error;
pub(crate) use super::url_policy::is_loopback;
use super::url_policy::{self, UrlRole};

/// The seed SDK's platform (DESIGN.md §2).
const VERIZON_AUTHORIZE: &str = "https://api.cloudapi.verizon.com/cloud/1/oauth2/authorize";
const VERIZON_TOKEN: &str = "https://api.cloudapi.verizon.com/cloud/1/oauth2/token";

/// An authorization server's endpoints and the protocol features it accepts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Provider {
    authorization_endpoint: Url,
    token_endpoint: Url,
    /// Kept as the provider writes it (byte for byte, as RFC 9207 compares it): a URL parser
    /// would add a `/` to `https://as.example`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    userinfo_endpoint: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    revocation_endpoint: Option<Url>,
    /// Where a token's state can be asked (RFC 7662), when the provider lets this client ask.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    introspection_endpoint: Option<Url>,
    /// Where the device authorization grant starts (RFC 8628), when the provider offers it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    device_authorization_endpoint: Option<Url>,
    /// Where the provider publishes the public keys its tokens are signed with (a JWKS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    jwks_uri: Option<Url>,
    #[serde(default = "yes")]
    pkce: bool,
    /// Discovery said `authorization_response_iss_parameter_supported`: every answer carries
    /// `iss` (RFC 9207), so an answer without it is refused.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    iss_parameter_supported: bool,
}

fn yes() -> bool {
    true
}

impl Provider {
    /// A provider from its two endpoints. Both must be absolute `https` URLs (`http` only on a
    /// loopback address, where nothing crosses a network).
    pub fn new(authorization_endpoint: &str, token_endpoint: &str) -> Result<Self, Error> {
        Ok(Provider {
            authorization_endpoint: endpoint_url(
                UrlRole::AuthorizationEndpoint,
                authorization_endpoint,
            )?,
            token_endpoint: endpoint_url(UrlRole::TokenEndpoint, token_endpoint)?,
            issuer: None,
            userinfo_endpoint: None,
            revocation_endpoint: None,
            introspection_endpoint: None,
            device_authorization_endpoint: None,
            jwks_uri: None,
            pkce: true,
            iss_parameter_supported: false,
        })
    }

    /// Verizon Personal Cloud Storage, the seed SDK's platform.
    pub fn verizon_cloud() -> Self {
        Provider::new(VERIZON_AUTHORIZE, VERIZON_TOKEN)
            .expect("the built-in Verizon endpoints are valid URLs")
    }

    /// The device authorization endpoint (RFC 8628 §3.1), for linking without a browser here.
    pub fn with_device_authorization_endpoint(mut self, url: &str) -> Result<Self, Error> {
        self.device_authorization_endpoint =
            Some(endpoint_url(UrlRole::DeviceAuthorizationEndpoint, url)?);
        Ok(self)
    }

    /// The revocation endpoint (RFC 7009), where a grant is given back on removal.
    pub fn with_revocation_endpoint(mut self, url: &str) -> Result<Self, Error> {
        self.revocation_endpoint = Some(endpoint_url(UrlRole::RevocationEndpoint, url)?);
        Ok(self)
    }

    /// Where the provider's signing keys are (its `jwks_uri`), to check an ID token's signature.
    pub fn with_jwks_uri(mut self, url: &str) -> Result<Self, Error> {
        self.jwks_uri = Some(endpoint_url(UrlRole::JwksUri, url)?);
        Ok(self)
    }

    /// The userinfo endpoint (OpenID Connect Core §5.3, or GitHub's `/user`), where the account's
    /// identity is asked when the ID token does not name it.
    pub fn with_userinfo_endpoint(mut self, url: &str) -> Result<Self, Error> {
        self.userinfo_endpoint = Some(endpoint_url(UrlRole::UserinfoEndpoint, url)?);
        Ok(self)
    }

    /// The introspection endpoint (RFC 7662), where a token's state is asked.
    pub fn with_introspection_endpoint(mut self, url: &str) -> Result<Self, Error> {
        self.introspection_endpoint = Some(endpoint_url(UrlRole::IntrospectionEndpoint, url)?);
        Ok(self)
    }

    /// Sets an endpoint by its role, as a person names it by hand: one of the optional ones
    /// (userinfo, revocation, introspection, device authorization, key set), or the authorization
    /// or token endpoint of a provider that moved them.
    pub fn with_endpoint(mut self, role: UrlRole, url: &str) -> Result<Self, Error> {
        match role {
            UrlRole::AuthorizationEndpoint => {
                self.authorization_endpoint = endpoint_url(role, url)?;
                Ok(self)
            }
            UrlRole::TokenEndpoint => {
                self.token_endpoint = endpoint_url(role, url)?;
                Ok(self)
            }
            UrlRole::UserinfoEndpoint => self.with_userinfo_endpoint(url),
            UrlRole::RevocationEndpoint => self.with_revocation_endpoint(url),
            UrlRole::IntrospectionEndpoint => self.with_introspection_endpoint(url),
            UrlRole::DeviceAuthorizationEndpoint => self.with_device_authorization_endpoint(url),
            UrlRole::JwksUri => self.with_jwks_uri(url),
            other => Err(Error::InvalidUrl {
                what: other,
                url: url.to_string(),
                reason: "it is not an endpoint that can be changed after the account is added"
                    .into(),
            }),
        }
    }

    /// Forgets one of the optional endpoints: the feature behind it (revocation on removal, the
    /// device grant, …) then says it has none.
    pub fn without_endpoint(mut self, role: UrlRole) -> Self {
        match role {
            UrlRole::UserinfoEndpoint => self.userinfo_endpoint = None,
            UrlRole::RevocationEndpoint => self.revocation_endpoint = None,
            UrlRole::IntrospectionEndpoint => self.introspection_endpoint = None,
            UrlRole::DeviceAuthorizationEndpoint => self.device_authorization_endpoint = None,
            UrlRole::JwksUri => self.jwks_uri = None,
            _ => {}
        }
        self
    }

    /// For the rare provider that rejects a `code_challenge`.
    pub fn without_pkce(mut self) -> Self {
        self.pkce = false;
        self
    }

    /// The issuer identifier; when known, an `iss` in the callback must match it (RFC 9207).
    pub fn with_issuer(mut self, issuer: &str) -> Result<Self, Error> {
        endpoint_url(UrlRole::Issuer, issuer)?;
        self.issuer = Some(issuer.trim().to_string());
        Ok(self)
    }

    /// Every answer from this provider carries `iss` (RFC 9207 §3); one without it is refused.
    /// Needs [`with_issuer`](Self::with_issuer); discovery sets it when the provider says so.
    pub fn requiring_iss(mut self) -> Self {
        self.iss_parameter_supported = true;
        self
    }

    pub fn authorization_endpoint(&self) -> &Url {
        &self.authorization_endpoint
    }

    pub fn token_endpoint(&self) -> &Url {
        &self.token_endpoint
    }

    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// Answers must carry `iss` (the provider said it always sends one).
    pub fn requires_iss(&self) -> bool {
        self.iss_parameter_supported && self.issuer.is_some()
    }

    pub fn userinfo_endpoint(&self) -> Option<&Url> {
        self.userinfo_endpoint.as_ref()
    }

    pub fn revocation_endpoint(&self) -> Option<&Url> {
        self.revocation_endpoint.as_ref()
    }

    pub fn introspection_endpoint(&self) -> Option<&Url> {
        self.introspection_endpoint.as_ref()
    }

    pub fn device_authorization_endpoint(&self) -> Option<&Url> {
        self.device_authorization_endpoint.as_ref()
    }

    pub fn jwks_uri(&self) -> Option<&Url> {
        self.jwks_uri.as_ref()
    }

    pub fn uses_pkce(&self) -> bool {
        self.pkce
    }

    /// Applies the URL policy to every endpoint, for a provider read back from a file a person
    /// may have edited; a failure names the field as the file spells it.
    pub fn check_urls(&self) -> Result<(), (&'static str, Error)> {
        let endpoints = [
            (
                "authorization_endpoint",
                UrlRole::AuthorizationEndpoint,
                Some(&self.authorization_endpoint),
            ),
            (
                "token_endpoint",
                UrlRole::TokenEndpoint,
                Some(&self.token_endpoint),
            ),
            (
                "userinfo_endpoint",
                UrlRole::UserinfoEndpoint,
                self.userinfo_endpoint.as_ref(),
            ),
            (
                "revocation_endpoint",
                UrlRole::RevocationEndpoint,
                self.revocation_endpoint.as_ref(),
            ),
            (
                "introspection_endpoint",
                UrlRole::IntrospectionEndpoint,
                self.introspection_endpoint.as_ref(),
            ),
            (
                "device_authorization_endpoint",
                UrlRole::DeviceAuthorizationEndpoint,
                self.device_authorization_endpoint.as_ref(),
            ),
            ("jwks_uri", UrlRole::JwksUri, self.jwks_uri.as_ref()),
        ];
        for (field, what, url) in endpoints {
            if let Some(url) = url {
                url_policy::check(what, url).map_err(|e| (field, e))?;
            }
        }
        if let Some(issuer) = &self.issuer {
            url_policy::parse(UrlRole::Issuer, issuer).map_err(|e| ("issuer", e))?;
        }
        Ok(())
    }
}

/// Issuer identifiers compare as strings (RFC 9207 §2.4, OpenID Connect Discovery §4.3), except
/// for one trailing `/`: people type it, and issuers stored by older versions of tokendeck went
/// through a URL parser that adds it.
pub(crate) fn same_issuer(a: &str, b: &str) -> bool {
    let trim = |s: &str| s.strip_suffix('/').unwrap_or(s).to_string();
    a == b || trim(a) == trim(b)
}

/// Parses an endpoint URL and refuses what would leak credentials or cannot work.
pub(crate) fn endpoint_url(what: UrlRole, raw: &str) -> Result<Url, Error> {
    let url = url_policy::parse(what, raw)?;
    let invalid = |reason: &str| Error::InvalidUrl {
        what,
        url: raw.to_string(),
        reason: reason.to_string(),
    };
    if url.fragment().is_some() {
        return Err(invalid("an endpoint cannot have a #fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "credentials do not belong in the URL; give them as client id and secret",
        ));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_endpoints() {
        assert!(Provider::new("https://as.example/auth", "https://as.example/token").is_ok());
        assert!(Provider::new("http://127.0.0.1:9/auth", "http://localhost:9/token").is_ok());
        for bad in [
            "http://as.example/token",
            "ftp://as.example/token",
            "as.example/token",
            "",
            "https://user:pw@as.example/token",
            "https://as.example/token#x",
        ] {
            let err = Provider::new("https://as.example/auth", bad).unwrap_err();
            assert!(
                matches!(
                    err,
                    Error::InvalidUrl {
                        what: UrlRole::TokenEndpoint,
                        ..
                    }
                ),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn endpoints_read_back_from_a_file_are_checked_and_named() {
        let mut provider = Provider::new("https://as.example/a", "https://as.example/t").unwrap();
        assert!(provider.check_urls().is_ok());
        provider.token_endpoint = Url::parse("http://as.example/t").unwrap();
        let (field, err) = provider.check_urls().unwrap_err();
        assert_eq!(field, "token_endpoint");
        assert!(err.to_string().contains("use https"), "{err}");
        provider.token_endpoint = Url::parse("http://127.0.0.1:9/t").unwrap();
        provider.revocation_endpoint = Some(Url::parse("http://as.example/r").unwrap());
        assert_eq!(provider.check_urls().unwrap_err().0, "revocation_endpoint");
        provider.revocation_endpoint = None;
        provider.jwks_uri = Some(Url::parse("http://as.example/keys").unwrap());
        assert_eq!(provider.check_urls().unwrap_err().0, "jwks_uri");
        assert!(
            provider
                .with_jwks_uri("ftp://as.example/keys")
                .is_err_and(|e| e.to_string().contains("jwks_uri"))
        );
    }

    #[test]
    fn issuers_compare_as_strings_give_or_take_one_trailing_slash() {
        assert!(same_issuer("https://as.example/o", "https://as.example/o/"));
        assert!(same_issuer("https://as.example", "https://as.example/"));
        assert!(!same_issuer(
            "https://as.example/o",
            "https://as.example/o//"
        ));
        assert!(!same_issuer("https://as.example/o", "https://AS.example/o"));
        assert!(!same_issuer(
            "https://as.example/o",
            "https://as.example/other"
        ));
        let p = Provider::new("https://as.example/a", "https://as.example/t")
            .unwrap()
            .with_issuer("https://as.example")
            .unwrap();
        assert_eq!(p.issuer(), Some("https://as.example"), "kept as written");
        assert!(!p.requires_iss());
        assert!(p.requiring_iss().requires_iss());
    }

    #[test]
    fn verizon_preset_has_the_seed_endpoints() {
        let p = Provider::verizon_cloud();
        assert_eq!(p.authorization_endpoint().as_str(), VERIZON_AUTHORIZE);
        assert_eq!(p.token_endpoint().as_str(), VERIZON_TOKEN);
        assert!(p.uses_pkce());
    }
}
