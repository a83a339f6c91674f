//! Reading a token endpoint's answer: JSON or form-encoded, lenient where providers are sloppy
//! (`expires_in` as a string, `scope` as a list), strict where it matters (an `access_token`).

use std::time::{Duration, SystemTime};

use serde_json::Value;

use super::super::error::ErrorCode;
use super::super::secret::{AccessToken, IdToken, RefreshToken};
use super::body::{ResponseProblem, parse_body, seconds};
use super::refresh_life::refresh_expires_at;
use super::{MAX_EXPIRES_IN, Tokens};
use crate::time::later;

impl Tokens {
    /// Parses a successful token-endpoint body. `previous` is the refresh token sent, kept when a
    /// refresh answer omits a new one. Returns a reason (never containing a secret) on failure.
    pub(crate) fn from_response(
        body: &[u8],
        now: SystemTime,
        previous: Option<&RefreshToken>,
    ) -> Result<Tokens, ResponseProblem> {
        let mut fields = parse_body(body, "access_token=")?;
        if let Some(error) = fields.get("error").and_then(Value::as_str) {
            let description = fields
                .get("error_description")
                .and_then(Value::as_str)
                .map(str::to_string);
            return Err(ResponseProblem::OAuthError {
                error: ErrorCode::from(error),
                description,
            });
        }
        let access_token = match fields.remove("access_token") {
            Some(Value::String(s)) if !s.is_empty() => AccessToken::new(s),
            Some(_) => return Err(ResponseProblem::Malformed("`access_token` is not a string")),
            None => return Err(ResponseProblem::Malformed("there is no `access_token`")),
        };
        let token_type = match fields.remove("token_type") {
            Some(Value::String(t)) if t.eq_ignore_ascii_case("bearer") => "Bearer".to_string(),
            Some(Value::String(t)) if !t.is_empty() => t,
            _ => "Bearer".to_string(),
        };
        let (refresh_token, refresh_issued_at) = match fields.remove("refresh_token") {
            Some(Value::String(s)) if !s.is_empty() => (Some(RefreshToken::new(s)), Some(now)),
            // When the kept one was issued is the previous token set's to say (`succeeding`).
            _ => (previous.cloned(), None),
        };
        let refresh_expires_at = refresh_expires_at(&mut fields, now);
        let expires_at = fields
            .remove("expires_in")
            .and_then(|v| seconds(&v))
            // 0 says nothing useful (a token that is already dead would be refreshed on every
            // use): treat it, like a missing value, as an unknown expiry that a 401 will reveal.
            .filter(|s| (1..=MAX_EXPIRES_IN).contains(s))
            .map(|s| later(now, Duration::from_secs(s)));
        let scope = match fields.remove("scope") {
            Some(Value::String(s)) => Some(s),
            Some(Value::Array(items)) => Some(
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            _ => None,
        };
        let id_token = match fields.remove("id_token") {
            Some(Value::String(s)) => Some(IdToken::new(s)),
            _ => None,
        };
        Ok(Tokens {
            access_token,
            token_type,
            refresh_token,
            expires_at,
            obtained_at: now,
            scope,
            id_token,
            nonce: None,
            refresh_issued_at,
            refresh_expires_at,
            extra: fields,
        })
    }
}
