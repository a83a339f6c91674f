//! A provider's endpoints read from its issuer: OpenID Connect Discovery's document, or, where a
//! server has none, RFC 8414's authorization server metadata (the same fields at another
//! address). A server may also list some endpoints only in the second (django-oauth-toolkit's
//! revocation and introspection endpoints): those are taken from it when the first lacks them.

use serde::Deserialize;
use url::Url;

use super::{Provider, endpoint_url, same_issuer};
use crate::oauth::error::Error;
use crate::oauth::http;
use crate::oauth::url_policy::UrlRole;

/// Where OpenID Connect Discovery §4 puts the document: the well-known path appended to the issuer
/// (`https://h/tenant/.well-known/openid-configuration`).
pub(crate) fn openid_configuration_url(issuer: &Url) -> String {
    format!(
        "{}/.well-known/openid-configuration",
        issuer.as_str().trim_end_matches('/')
    )
}

/// Where RFC 8414 §3.1 puts it: the well-known path inserted between the host and the issuer's
/// path, without the path's terminating `/` (`https://h/.well-known/oauth-authorization-server/tenant`).
pub(crate) fn authorization_server_metadata_url(issuer: &Url) -> String {
    format!(
        "{}/.well-known/oauth-authorization-server{}",
        issuer.origin().ascii_serialization(),
        issuer.path().trim_end_matches('/')
    )
}

/// The fields of either document that tokendeck uses (RFC 8414 §2 and OpenID Connect Discovery
/// §3 share their names).
#[derive(Deserialize)]
struct Metadata {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    userinfo_endpoint: Option<String>,
    revocation_endpoint: Option<String>,
    introspection_endpoint: Option<String>,
    device_authorization_endpoint: Option<String>,
    jwks_uri: Option<String>,
    code_challenge_methods_supported: Option<Vec<String>>,
    authorization_response_iss_parameter_supported: Option<bool>,
}

impl Metadata {
    /// Endpoints RFC 8414 metadata may list where OpenID Connect's document does not.
    fn lacks_oauth_endpoints(&self) -> bool {
        self.revocation_endpoint.is_none()
            || self.introspection_endpoint.is_none()
            || self.device_authorization_endpoint.is_none()
    }

    fn fill_from(&mut self, other: Metadata) {
        self.revocation_endpoint = self
            .revocation_endpoint
            .take()
            .or(other.revocation_endpoint);
        self.introspection_endpoint = self
            .introspection_endpoint
            .take()
            .or(other.introspection_endpoint);
        self.device_authorization_endpoint = self
            .device_authorization_endpoint
            .take()
            .or(other.device_authorization_endpoint);
    }
}

/// What one well-known address answered.
enum Answer {
    Document(Vec<u8>),
    /// A 4xx: this server has no such document (servers answer 404, some 400 or 403).
    Missing(u16),
}

impl Provider {
    /// Reads the provider's metadata from its issuer: `ISSUER/.well-known/openid-configuration`,
    /// else RFC 8414's `/.well-known/oauth-authorization-server` (with the issuer's path after
    /// it). Either must describe that issuer (OpenID Connect Discovery §4.3, RFC 8414 §3.3: the
    /// document's `issuer` is the one asked for, give or take the trailing `/` a person may
    /// type); the document's own spelling is kept.
    pub async fn discover(issuer: &str) -> Result<Self, Error> {
        let fail = |reason: String| Error::Discovery {
            issuer: issuer.to_string(),
            reason,
        };
        let issuer_url = endpoint_url(UrlRole::Issuer, issuer)?;
        let client = http::protocol_client(http::DEFAULT_TIMEOUT)?;
        let openid_url = openid_configuration_url(&issuer_url);
        let oauth_url = authorization_server_metadata_url(&issuer_url);
        let read = |url: &str, body: &[u8]| -> Result<Metadata, Error> {
            let doc: Metadata = serde_json::from_slice(body)
                .map_err(|e| fail(format!("the document at {url} is not valid metadata: {e}")))?;
            if !same_issuer(&doc.issuer, issuer_url.as_str()) {
                return Err(fail(format!(
                    "the document at {url} names another issuer ({:?}); use exactly that issuer URL",
                    doc.issuer
                )));
            }
            Ok(doc)
        };
        let doc = match fetch(&client, &openid_url).await? {
            Answer::Document(body) => {
                let mut doc = read(&openid_url, &body)?;
                // Optional: an answer that is not this issuer's metadata adds nothing.
                if doc.lacks_oauth_endpoints()
                    && let Ok(Answer::Document(body)) = fetch(&client, &oauth_url).await
                    && let Ok(more) = read(&oauth_url, &body)
                {
                    doc.fill_from(more);
                }
                doc
            }
            Answer::Missing(openid_status) => match fetch(&client, &oauth_url).await? {
                Answer::Document(body) => read(&oauth_url, &body)?,
                Answer::Missing(oauth_status) => {
                    return Err(fail(format!(
                        "it serves no metadata: {openid_url} answered HTTP {openid_status} and {oauth_url} HTTP {oauth_status}. Check the issuer URL, or give the endpoints with --authorize-url and --token-url"
                    )));
                }
            },
        };
        Provider::from_metadata(doc)
    }

    fn from_metadata(doc: Metadata) -> Result<Provider, Error> {
        endpoint_url(UrlRole::Issuer, &doc.issuer)?;
        let optional = |what, url: Option<String>| url.map(|u| endpoint_url(what, &u)).transpose();
        let mut provider = Provider::new(&doc.authorization_endpoint, &doc.token_endpoint)?;
        provider.issuer = Some(doc.issuer);
        provider.iss_parameter_supported = doc
            .authorization_response_iss_parameter_supported
            .unwrap_or(false);
        provider.userinfo_endpoint = optional(UrlRole::UserinfoEndpoint, doc.userinfo_endpoint)?;
        provider.revocation_endpoint =
            optional(UrlRole::RevocationEndpoint, doc.revocation_endpoint)?;
        provider.introspection_endpoint =
            optional(UrlRole::IntrospectionEndpoint, doc.introspection_endpoint)?;
        provider.device_authorization_endpoint = optional(
            UrlRole::DeviceAuthorizationEndpoint,
            doc.device_authorization_endpoint,
        )?;
        provider.jwks_uri = optional(UrlRole::JwksUri, doc.jwks_uri)?;
        // Servers that list their PKCE methods without S256 would reject a challenge.
        provider.pkce = doc
            .code_challenge_methods_supported
            .is_none_or(|methods| methods.iter().any(|m| m == "S256"));
        Ok(provider)
    }
}

/// GETs a well-known address. A redirect is not followed (nor taken for a missing document): it
/// is an error, as from any protocol endpoint.
async fn fetch(client: &reqwest::Client, url: &str) -> Result<Answer, Error> {
    let response = http::execute(client, client.get(url), http::DEFAULT_TIMEOUT).await?;
    match response.status {
        200 => Ok(Answer::Document(response.body)),
        status @ 400..=499 => Ok(Answer::Missing(status)),
        status => Err(Error::InvalidResponse {
            url: response.url,
            status,
            reason: "a metadata document was expected".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(issuer: &str) -> (String, String) {
        let url = Url::parse(issuer).unwrap();
        (
            openid_configuration_url(&url),
            authorization_server_metadata_url(&url),
        )
    }

    /// RFC 8414 §3.1 inserts the well-known path before the issuer's path; OpenID Connect
    /// appends it. A trailing `/` changes neither.
    #[test]
    fn well_known_addresses_with_and_without_a_path_and_a_trailing_slash() {
        for issuer in ["https://as.example", "https://as.example/"] {
            assert_eq!(
                urls(issuer),
                (
                    "https://as.example/.well-known/openid-configuration".into(),
                    "https://as.example/.well-known/oauth-authorization-server".into()
                ),
                "{issuer}"
            );
        }
        for issuer in ["https://as.example/tenant", "https://as.example/tenant/"] {
            assert_eq!(
                urls(issuer),
                (
                    "https://as.example/tenant/.well-known/openid-configuration".into(),
                    "https://as.example/.well-known/oauth-authorization-server/tenant".into()
                ),
                "{issuer}"
            );
        }
        let (_, oauth) = urls("http://127.0.0.1:8080/realms/a/b");
        assert_eq!(
            oauth,
            "http://127.0.0.1:8080/.well-known/oauth-authorization-server/realms/a/b"
        );
    }
}
