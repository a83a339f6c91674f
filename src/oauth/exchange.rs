//! The back channel: code exchange and refresh requests to the token endpoint, with the chosen
//! client authentication, and the classification of what comes back.

use std::time::{Duration, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::header::AUTHORIZATION;
use serde::{Deserialize, Serialize};
use url::form_urlencoded;

use super::device::{DEVICE_CODE_GRANT, DeviceAuthorization, DevicePoll};
use super::error::{Error, ErrorCode, Grant};
use super::http;
use super::provider::Provider;
use super::redact::Secrets;
use super::secret::{AuthorizationCode, ClientSecret, DeviceCode, PkceVerifier, RefreshToken};
use super::token::{ResponseProblem, Tokens};

/// The secrets a session holds, asked for only when an error must be cut (see
/// [`Session::secrets`](super::Session::secrets)).
pub(crate) type Known<'a> = &'a (dyn Fn() -> Secrets + Sync);

/// How the client proves who it is at the token endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthMethod {
    /// `client_secret_basic`: HTTP Basic with the form-encoded id and secret (RFC 6749 §2.3.1).
    Basic,
    /// `client_secret_post`: id and secret in the form body.
    Post,
    /// A public client: the id in the body, no secret.
    None,
}

/// Everything needed to talk to one token endpoint as one client.
#[derive(Clone)]
pub(crate) struct TokenEndpoint {
    pub provider: Provider,
    pub client_id: String,
    pub client_secret: Option<ClientSecret>,
    pub auth_method: AuthMethod,
    pub http: reqwest::Client,
    pub timeout: Duration,
}

impl TokenEndpoint {
    /// The client's own secret, as it may come back in an answer: raw, encoded, or as the Basic
    /// header it was sent in.
    pub fn client_secrets(&self) -> Secrets {
        let mut secrets = Secrets::new();
        if let Some(secret) = &self.client_secret {
            secrets.add_client_secret(&self.client_id, secret.secret());
        }
        secrets
    }

    /// Everything an answer to `form` may echo: what the session knows (`known`, asked only
    /// when there is an error to cut), the client's secret, and the secrets the form carries.
    fn echoable(&self, known: Known<'_>, form: &[(&str, &str)]) -> Secrets {
        let mut secrets = self.client_secrets();
        secrets.add_all(&known()).add_sent(form);
        secrets
    }

    /// Exchanges an authorization code. Like every request here, its errors carry no secret of
    /// `known`, the client or the request, however the provider echoes them.
    pub async fn exchange_code(
        &self,
        code: &AuthorizationCode,
        redirect_uri: &str,
        verifier: Option<&PkceVerifier>,
        known: Known<'_>,
    ) -> Result<Tokens, Error> {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code.secret()),
            ("redirect_uri", redirect_uri),
        ];
        if let Some(verifier) = verifier {
            form.push(("code_verifier", verifier.secret()));
        }
        self.request(Grant::AuthorizationCode, form, None, known)
            .await
    }

    pub async fn refresh(
        &self,
        refresh_token: &RefreshToken,
        known: Known<'_>,
    ) -> Result<Tokens, Error> {
        let form = vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.secret()),
        ];
        self.request(Grant::RefreshToken, form, Some(refresh_token), known)
            .await
    }

    async fn request(
        &self,
        grant: Grant,
        form: Vec<(&str, &str)>,
        previous: Option<&RefreshToken>,
        known: Known<'_>,
    ) -> Result<Tokens, Error> {
        let sent = form.clone();
        self.post(self.provider.token_endpoint().clone(), form)
            .await
            .and_then(|response| classify(grant, response, previous))
            .map_err(|e| e.redacted(&self.echoable(known, &sent)))
    }

    /// The device authorization request (RFC 8628 §3.1): the scopes and extra parameters, with
    /// the client authenticated as at the token endpoint — and `client_id` in the body whatever
    /// the method: RFC 8628 asks for it only from a client that does not authenticate, but
    /// strict servers (django-oauth-toolkit) refuse a request without it even with HTTP Basic.
    pub async fn device_authorization(
        &self,
        scopes: &[String],
        extra: &[(String, String)],
        known: Known<'_>,
    ) -> Result<DeviceAuthorization, Error> {
        let endpoint = self
            .provider
            .device_authorization_endpoint()
            .ok_or(Error::NoDeviceEndpoint)?
            .clone();
        let scope = scopes.join(" ");
        let mut form = Vec::new();
        if !scope.is_empty() {
            form.push(("scope", scope.as_str()));
        }
        form.extend(extra.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let sent = form.clone();
        let answer = self
            .send(endpoint, form, ClientIdInBody::Always)
            .await
            .and_then(|response| {
                if !(200..300).contains(&response.status) {
                    return Err(error_answer(Grant::DeviceCode, response));
                }
                DeviceAuthorization::from_response(&response.url, response.status, &response.body)
            });
        answer.map_err(|e| e.redacted(&self.echoable(known, &sent)))
    }

    /// One poll of the token endpoint for a device code (RFC 8628 §3.4).
    pub async fn poll_device(&self, device_code: &DeviceCode, known: Known<'_>) -> DevicePoll {
        let form = vec![
            ("grant_type", DEVICE_CODE_GRANT),
            ("device_code", device_code.secret()),
        ];
        DevicePoll::from(self.request(Grant::DeviceCode, form, None, known).await)
    }

    /// Gives `token` back at the revocation endpoint (RFC 7009 §2.1); `hint` is its type. An
    /// unknown or already revoked token is success, as the RFC says.
    pub async fn revoke(&self, token: &str, hint: &str, known: Known<'_>) -> Result<(), Error> {
        let endpoint = self
            .provider
            .revocation_endpoint()
            .ok_or(Error::NoRevocationEndpoint)?
            .clone();
        let form = vec![("token", token), ("token_type_hint", hint)];
        let sent = form.clone();
        let answer = self.post(endpoint, form).await.and_then(|response| {
            if (200..300).contains(&response.status) {
                Ok(())
            } else {
                Err(error_answer(Grant::Revocation, response))
            }
        });
        answer.map_err(|e| e.redacted(&self.echoable(known, &sent)))
    }

    /// POSTs `form` to `url` with the client's authentication.
    pub(crate) async fn post(
        &self,
        url: url::Url,
        form: Vec<(&str, &str)>,
    ) -> Result<http::RawResponse, Error> {
        self.send(url, form, ClientIdInBody::UnlessBasic).await
    }

    async fn send(
        &self,
        url: url::Url,
        mut form: Vec<(&str, &str)>,
        client_id: ClientIdInBody,
    ) -> Result<http::RawResponse, Error> {
        let mut request = self.http.post(url).timeout(self.timeout);
        match (self.auth_method, &self.client_secret) {
            (AuthMethod::Basic, Some(secret)) => {
                request = request.header(AUTHORIZATION, basic_auth(&self.client_id, secret));
                // The id only, never the secret: that would be a second authentication method
                // (RFC 6749 §2.3), which servers refuse.
                if client_id == ClientIdInBody::Always {
                    form.push(("client_id", &self.client_id));
                }
            }
            (AuthMethod::Post, Some(secret)) => {
                form.push(("client_id", &self.client_id));
                form.push(("client_secret", secret.secret()));
            }
            _ => form.push(("client_id", &self.client_id)),
        }
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let request = request
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body);
        http::execute(&self.http, request, self.timeout).await
    }
}

/// Whether a request with HTTP Basic client authentication repeats `client_id` in its body (every
/// other method sends it there anyway).
#[derive(Clone, Copy, PartialEq, Eq)]
enum ClientIdInBody {
    Always,
    UnlessBasic,
}

fn basic_auth(client_id: &str, secret: &ClientSecret) -> String {
    let encode = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let pair = format!("{}:{}", encode(client_id), encode(secret.secret()));
    format!("Basic {}", STANDARD.encode(pair))
}

fn classify(
    grant: Grant,
    response: http::RawResponse,
    previous: Option<&RefreshToken>,
) -> Result<Tokens, Error> {
    if !(200..300).contains(&response.status) {
        return Err(error_answer(grant, response));
    }
    let http::RawResponse {
        url, status, body, ..
    } = response;
    Tokens::from_response(&body, SystemTime::now(), previous).map_err(|problem| match problem {
        ResponseProblem::OAuthError { error, description } => Error::Rejected {
            grant,
            status,
            error,
            description,
        },
        ResponseProblem::Malformed(reason) => Error::InvalidResponse {
            url,
            status,
            reason: reason.to_string(),
        },
    })
}

/// What an error status from a token-side endpoint means.
fn error_answer(grant: Grant, response: http::RawResponse) -> Error {
    let http::RawResponse {
        url, status, body, ..
    } = response;
    let error_body: Option<ErrorBody> = serde_json::from_slice(&body).ok();
    match error_body {
        Some(ErrorBody {
            error,
            error_description,
        }) => Error::Rejected {
            grant,
            status,
            error,
            description: error_description,
        },
        // A 401 that says nothing: at the code exchange, the client was not recognised; at a
        // refresh, the refresh token is dead (Verizon's documented meaning, and DESIGN §5).
        None if status == 401 => Error::Rejected {
            grant,
            status,
            error: match grant {
                Grant::AuthorizationCode | Grant::DeviceCode | Grant::Revocation => {
                    ErrorCode::InvalidClient
                }
                Grant::RefreshToken => ErrorCode::InvalidGrant,
            },
            description: None,
        },
        None => Error::InvalidResponse {
            url,
            status,
            reason: "an error status without an OAuth error body".into(),
        },
    }
}

/// An error answer's body (RFC 6749 §5.2): where a token-side endpoint's code is read.
#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorCode,
    error_description: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(status: u16, body: &str) -> http::RawResponse {
        http::RawResponse {
            url: "https://as.example/token".into(),
            status,
            body: body.as_bytes().to_vec(),
            date: None,
        }
    }

    #[test]
    fn basic_auth_form_encodes_id_and_secret() {
        let header = basic_auth("id:1", &ClientSecret::new("s&é"));
        let decoded = STANDARD
            .decode(header.trim_start_matches("Basic "))
            .unwrap();
        assert_eq!(String::from_utf8(decoded).unwrap(), "id%3A1:s%26%C3%A9");
    }

    /// The code is read once, here: what every later decision matches on.
    #[test]
    fn an_error_answers_code_is_read_as_its_variant_whatever_the_status() {
        let code =
            |status: u16, body: &str| match classify(Grant::DeviceCode, raw(status, body), None) {
                Err(Error::Rejected { error, .. }) => error,
                other => panic!("{status} {body}: {other:?}"),
            };
        assert_eq!(code(400, r#"{"error":"slow_down"}"#), ErrorCode::SlowDown);
        assert_eq!(
            code(200, "error=authorization_pending"),
            ErrorCode::AuthorizationPending,
            "form-encoded, in a 200"
        );
        assert_eq!(
            code(
                400,
                r#"{"error":"interaction_required","error_description":"d"}"#
            ),
            ErrorCode::Other("interaction_required".into()),
            "an extension's code is kept as sent"
        );
        assert_eq!(
            code(401, ""),
            ErrorCode::InvalidClient,
            "a bare 401 outside a refresh blames the client"
        );
    }

    #[test]
    fn error_bodies_are_classified() {
        let err = classify(
            Grant::RefreshToken,
            raw(400, r#"{"error":"invalid_grant"}"#),
            None,
        )
        .unwrap_err();
        assert!(err.needs_reauthorization(), "{err}");
        let err = classify(Grant::RefreshToken, raw(401, ""), None).unwrap_err();
        assert!(err.needs_reauthorization(), "{err}");
        let err = classify(
            Grant::RefreshToken,
            raw(200, r#"{"error":"invalid_grant"}"#),
            None,
        )
        .unwrap_err();
        assert!(
            err.needs_reauthorization(),
            "an error in a 200 body is still an error: {err}"
        );
        let err = classify(Grant::RefreshToken, raw(404, "<html>"), None).unwrap_err();
        assert!(
            matches!(err, Error::InvalidResponse { status: 404, .. }),
            "{err}"
        );
        let err = classify(
            Grant::RefreshToken,
            raw(200, r#"{"token_type":"bearer"}"#),
            None,
        )
        .unwrap_err();
        assert!(matches!(err, Error::InvalidResponse { .. }), "{err}");
    }
}
