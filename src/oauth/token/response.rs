//! Reading a token endpoint's answer: JSON or form-encoded, lenient where providers are sloppy
//! (`expires_in` as a string, `scope` as a list), strict where it matters (an `access_token`).

use std::time::{Duration, SystemTime};

use serde_json::{Map, Value};

use super::super::error::ErrorCode;
use super::super::secret::{AccessToken, IdToken, RefreshToken};
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
        let refresh_token = match fields.remove("refresh_token") {
            Some(Value::String(s)) if !s.is_empty() => Some(RefreshToken::new(s)),
            _ => previous.cloned(),
        };
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
            extra: fields,
        })
    }
}

/// Why a token-endpoint body was not a token set.
#[derive(Debug, PartialEq)]
pub(crate) enum ResponseProblem {
    OAuthError {
        error: ErrorCode,
        description: Option<String>,
    },
    Malformed(&'static str),
}

impl ResponseProblem {
    /// Why the body was not usable, for a message (an error answer's code, never a secret).
    pub(crate) fn reason(&self) -> &str {
        match self {
            ResponseProblem::OAuthError { error, .. } => error.as_str(),
            ResponseProblem::Malformed(reason) => reason,
        }
    }
}

/// JSON first; some providers (GitHub without `Accept`) answer form-encoded — recognised by
/// `marker` (the success answer's first field, `access_token=`) or an `error=`.
pub(crate) fn parse_body(body: &[u8], marker: &str) -> Result<Map<String, Value>, ResponseProblem> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => return Ok(map),
        Ok(_) => return Err(ResponseProblem::Malformed("the body is not a JSON object")),
        Err(_) => {}
    }
    let text = std::str::from_utf8(body)
        .map_err(|_| ResponseProblem::Malformed("the body is neither JSON nor text"))?;
    if !text.contains(marker) && !text.contains("error=") {
        return Err(ResponseProblem::Malformed("the body is not JSON"));
    }
    Ok(url::form_urlencoded::parse(text.trim().as_bytes())
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect())
}

/// `expires_in` as a number or a numeric string; negative or garbage is ignored.
pub(crate) fn seconds(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        Value::String(s) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| *f >= 0.0)
            .map(|f| f as u64),
        _ => None,
    }
}
