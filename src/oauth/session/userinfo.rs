//! Who a [`Session`]'s account is, asked at the userinfo endpoint (OpenID Connect Core §5.3, or
//! GitHub's `/user`) with the access token.

use std::time::SystemTime;

use reqwest::header::{ACCEPT, CONTENT_TYPE, RETRY_AFTER};
use serde_json::{Map, Value};

use super::Session;
use crate::oauth::error::Error;
use crate::oauth::identity::jwt_claims;
use crate::oauth::retry_after::RetryAfter;
use crate::oauth::url_policy;
use crate::oauth::url_policy::endpoint_label;

/// No userinfo answer is larger: a few claims.
const MAX_USERINFO: usize = 64 << 10;

impl Session {
    /// The userinfo endpoint's claims about the account, asked with the access token (refreshed
    /// first only if it is due). A 401 is not answered with a refresh, as an API call's is: the
    /// userinfo endpoint also refuses tokens without the `openid` scope, for good, and a refresh
    /// spent on each attempt would be wasted. A signed answer (`application/jwt`) is read without
    /// checking its signature: its claims serve as a label, never as proof.
    pub async fn userinfo(&self) -> Result<Map<String, Value>, Error> {
        let endpoint = self
            .provider()
            .userinfo_endpoint()
            .ok_or(Error::NoUserinfoEndpoint)?
            .clone();
        let request = self
            .http()
            .get(endpoint)
            .header(ACCEPT, "application/json")
            .timeout(self.inner.endpoint.timeout)
            .build()
            .map_err(|e| Error::Request(e.without_url().to_string()))?;
        url_policy::check(url_policy::UrlRole::Api, request.url())?;
        let (tokens, _) = self.usable_tokens().await?;
        let response = self.execute(request, &tokens).await?;
        let url = endpoint_label(response.url());
        let status = response.status().as_u16();
        let jwt = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().starts_with("application/jwt"));
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| RetryAfter::parse(v, SystemTime::now()));
        match status {
            200..=299 => {}
            401 | 403 => return Err(Error::UserinfoRefused { url, status }),
            408 | 429 | 500..=599 => {
                return Err(Error::Unavailable {
                    url,
                    status,
                    retry_after,
                });
            }
            _ => {
                return Err(Error::InvalidResponse {
                    url,
                    status,
                    reason: "an error status from the userinfo endpoint".into(),
                });
            }
        }
        let body = self.read_body(response, MAX_USERINFO).await?;
        claims(&body, jwt).map_err(|reason| Error::InvalidResponse {
            url,
            status,
            reason: reason.into(),
        })
    }
}

/// A userinfo body's claims: a JSON object, or a JWT whose payload is one.
fn claims(body: &[u8], jwt: bool) -> Result<Map<String, Value>, &'static str> {
    if jwt {
        let text = std::str::from_utf8(body).map_err(|_| "the signed answer is not text")?;
        return jwt_claims(text).ok_or("the signed answer is not a JWT with claims");
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(claims)) => Ok(claims),
        Ok(_) => Err("the answer is not a JSON object"),
        Err(_) => Err("the answer is not JSON"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    #[test]
    fn reads_json_and_signed_answers() {
        let plain = claims(br#"{"sub":"1","email":"a@example.test"}"#, false).unwrap();
        assert_eq!(plain["email"], "a@example.test");
        let payload = URL_SAFE_NO_PAD.encode(r#"{"sub":"1","login":"octo"}"#);
        let signed = format!("eyJhbGciOiJSUzI1NiJ9.{payload}.c2ln");
        assert_eq!(claims(signed.as_bytes(), true).unwrap()["login"], "octo");
        assert!(claims(b"[1]", false).is_err());
        assert!(claims(b"<html>", false).is_err());
        assert!(claims(br#"{"sub":"1"}"#, true).is_err(), "said JWT, is not");
    }
}
