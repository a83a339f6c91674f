//! The demo server's token endpoint: client authentication, the `authorization_code` grant
//! (single-use codes bound to redirect URI and PKCE challenge) and the `refresh_token` grant
//! (rotation; a reused refresh token revokes its grant); and the revocation endpoint (RFC 7009).

use std::collections::HashMap;
use std::time::Instant;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hyper::StatusCode;
use hyper::header::WWW_AUTHENTICATE;
use sha2::{Digest, Sha256};

use super::server::{
    Books, CLIENT_ID, CLIENT_SECRET, RefreshToken, Reply, State, json, lock, oauth_error,
};
use crate::oauth::authorize::random_token;
use crate::oauth::device::DEVICE_CODE_GRANT;

impl State {
    pub(super) fn token(&self, authorization: Option<&str>, p: &HashMap<String, String>) -> Reply {
        if !client_authenticated(authorization, p) {
            return invalid_client();
        }
        let mut books = lock(&self.books);
        match p.get("grant_type").map(String::as_str) {
            Some(DEVICE_CODE_GRANT) => self.device_grant(&mut books, p),
            Some("authorization_code") => {
                let Some(code) = p.get("code") else {
                    return oauth_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_request",
                        "code is missing",
                    );
                };
                let Some(grant) = books.codes.remove(code) else {
                    if let Some(grant) = books.spent_codes.get(code).cloned() {
                        books.revoked.insert(grant);
                        return oauth_error(
                            StatusCode::BAD_REQUEST,
                            "invalid_grant",
                            "the code was already used; its tokens are revoked",
                        );
                    }
                    return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "unknown code");
                };
                if grant.expires < Instant::now() {
                    return oauth_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_grant",
                        "the code has expired",
                    );
                }
                if p.get("redirect_uri") != Some(&grant.redirect_uri) {
                    return oauth_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_grant",
                        "redirect_uri does not match the authorization request",
                    );
                }
                if let Some(challenge) = &grant.challenge {
                    let verifier = p.get("code_verifier").map_or("", String::as_str);
                    if URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) != *challenge {
                        return oauth_error(
                            StatusCode::BAD_REQUEST,
                            "invalid_grant",
                            "PKCE verification failed",
                        );
                    }
                }
                let grant_id = random_token();
                books.spent_codes.insert(code.clone(), grant_id.clone());
                self.issue(&mut books, &grant_id, &grant.scope)
            }
            Some("refresh_token") => {
                let Some(token) = p.get("refresh_token") else {
                    return oauth_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_request",
                        "refresh_token is missing",
                    );
                };
                let Some(rt) = books.refresh_tokens.get_mut(token) else {
                    return oauth_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_grant",
                        "unknown refresh token",
                    );
                };
                let (grant, scope, reused) = (rt.grant.clone(), rt.scope.clone(), rt.used);
                rt.used = true;
                if reused {
                    books.revoked.insert(grant);
                    return oauth_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_grant",
                        "refresh token reused: the grant is revoked",
                    );
                }
                if books.revoked.contains(&grant) {
                    return oauth_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_grant",
                        "the grant was revoked",
                    );
                }
                self.issue(&mut books, &grant, &scope)
            }
            Some(_) => oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "use authorization_code, refresh_token or the device_code grant",
            ),
            None => oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "grant_type is missing",
            ),
        }
    }

    pub(super) fn issue(&self, books: &mut Books, grant: &str, scope: &str) -> Reply {
        let (access, refresh) = (random_token(), random_token());
        books.access_tokens.insert(
            access.clone(),
            (grant.to_string(), Instant::now() + self.options.ttl),
        );
        books.refresh_tokens.insert(
            refresh.clone(),
            RefreshToken {
                grant: grant.to_string(),
                scope: scope.to_string(),
                used: false,
            },
        );
        let body = serde_json::json!({
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.options.ttl.as_secs(),
            "refresh_token": refresh,
            "scope": scope,
        });
        json(StatusCode::OK, &body)
    }

    /// RFC 7009: the client gives a token back. A refresh token ends its whole grant (its access
    /// tokens stop working too); an access token ends only itself. A token the server does not
    /// know — or no longer knows — is not an error: the client's goal is reached either way.
    pub(super) fn revoke(&self, authorization: Option<&str>, p: &HashMap<String, String>) -> Reply {
        if !client_authenticated(authorization, p) {
            return invalid_client();
        }
        let Some(token) = p.get("token").filter(|t| !t.is_empty()) else {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "token is missing",
            );
        };
        let mut books = lock(&self.books);
        if let Some(grant) = books.refresh_tokens.get(token).map(|rt| rt.grant.clone()) {
            books.revoked.insert(grant);
        } else {
            books.access_tokens.remove(token);
        }
        json(StatusCode::OK, &serde_json::json!({}))
    }
}

/// The answer to a client that failed to authenticate (RFC 6749 §5.2).
pub(super) fn invalid_client() -> Reply {
    let mut reply = oauth_error(
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        "client authentication failed",
    );
    reply.headers_mut().insert(
        WWW_AUTHENTICATE,
        "Basic realm=\"tokendeck demo\""
            .parse()
            .expect("a valid header"),
    );
    reply
}

/// HTTP Basic (form-encoded id and secret, RFC 6749 §2.3.1) or both in the body.
pub(super) fn client_authenticated(
    authorization: Option<&str>,
    p: &HashMap<String, String>,
) -> bool {
    let basic = authorization
        .and_then(|a| a.strip_prefix("Basic "))
        .and_then(|b| STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|pair| {
            let (id, secret) = pair.split_once(':')?;
            Some((decode(id), decode(secret)))
        });
    let (id, secret) = match basic {
        Some(pair) => pair,
        None => (
            p.get("client_id").cloned().unwrap_or_default(),
            p.get("client_secret").cloned().unwrap_or_default(),
        ),
    };
    id == CLIENT_ID && secret == CLIENT_SECRET
}

fn decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={text}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}
