//! Reading the body of a token-side endpoint's answer (a token, a device code, an introspection):
//! JSON or form-encoded, numbers or numeric strings, and the OAuth error it may carry instead.

use serde_json::{Map, Value};

use crate::oauth::error::ErrorCode;

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
