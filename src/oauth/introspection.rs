//! Token introspection (RFC 7662): asking the provider whether a token is still active, and what
//! it grants. The request is the token endpoint's, client authentication included; the answer is
//! read leniently (times as numbers or numeric strings, a scope as a string or a list), except
//! `active`, which the RFC requires.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use super::error::Error;
use super::exchange::TokenEndpoint;
use super::http::RawResponse;
use super::token::seconds;

/// Which of the session's tokens to ask about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    Access,
    Refresh,
}

impl TokenKind {
    /// The `token_type_hint` (RFC 7662 §2.1).
    pub fn hint(self) -> &'static str {
        match self {
            TokenKind::Access => "access_token",
            TokenKind::Refresh => "refresh_token",
        }
    }
}

/// What the provider says of a token (RFC 7662 §2.2). Holds no token.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Introspection {
    /// Whether the token is live: issued by this provider, not expired, not revoked.
    pub active: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// When the token expires.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "rfc3339")]
    pub exp: Option<SystemTime>,
    /// When it was issued.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "rfc3339")]
    pub iat: Option<SystemTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// Every other member of the answer (`aud`, `iss`, `nbf`, provider extensions).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Introspection {
    /// Reads an introspection answer's JSON body; the reason, on failure, holds no secret.
    pub fn from_json(body: &[u8]) -> Result<Introspection, String> {
        let mut fields = match serde_json::from_slice(body) {
            Ok(Value::Object(fields)) => fields,
            Ok(_) => return Err("it is not a JSON object".into()),
            Err(e) => return Err(format!("it is not JSON ({e})")),
        };
        let active = match fields.remove("active") {
            Some(Value::Bool(active)) => active,
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => true,
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => false,
            Some(_) => return Err("`active` is not true or false".into()),
            None => return Err("`active` is missing (RFC 7662 requires it)".into()),
        };
        let mut text = |key: &str| match fields.remove(key) {
            Some(Value::String(s)) => Some(s),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(Value::Array(items)) if key == "scope" => Some(
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            Some(other) => {
                fields.insert(key.to_string(), other);
                None
            }
            None => None,
        };
        let scope = text("scope");
        let client_id = text("client_id");
        let sub = text("sub");
        let username = text("username");
        let token_type = text("token_type");
        let mut time = |key: &str| {
            let value = fields.remove(key)?;
            match seconds(&value).and_then(|s| UNIX_EPOCH.checked_add(Duration::from_secs(s))) {
                Some(at) => Some(at),
                None => {
                    fields.insert(key.to_string(), value);
                    None
                }
            }
        };
        let exp = time("exp");
        let iat = time("iat");
        Ok(Introspection {
            active,
            scope,
            client_id,
            exp,
            iat,
            sub,
            username,
            token_type,
            extra: fields,
        })
    }
}

/// As every time in tokendeck's JSON: RFC 3339, UTC, to the second.
fn rfc3339<S: Serializer>(at: &Option<SystemTime>, s: S) -> Result<S::Ok, S::Error> {
    match at {
        Some(t) => s.serialize_str(&crate::time::rfc3339(*t)),
        None => s.serialize_none(),
    }
}

impl TokenEndpoint {
    /// Asks the introspection endpoint about `token`, authenticated as at the token endpoint.
    pub(crate) async fn introspect(
        &self,
        token: &str,
        kind: TokenKind,
    ) -> Result<Introspection, Error> {
        let endpoint = self
            .provider
            .introspection_endpoint()
            .ok_or(Error::NoIntrospectionEndpoint)?
            .clone();
        let form = vec![("token", token), ("token_type_hint", kind.hint())];
        answer(self.post(endpoint, form).await?)
    }
}

fn answer(response: RawResponse) -> Result<Introspection, Error> {
    let RawResponse {
        url, status, body, ..
    } = response;
    match status {
        200..=299 => Introspection::from_json(&body).map_err(|reason| Error::InvalidResponse {
            url,
            status,
            reason,
        }),
        401 | 403 => Err(Error::IntrospectionRefused { url, status }),
        _ => Err(Error::InvalidResponse {
            url,
            status,
            reason: "an error status from the introspection endpoint".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> Option<SystemTime> {
        Some(UNIX_EPOCH + Duration::from_secs(secs))
    }

    #[test]
    fn reads_the_rfc_example() {
        let body = br#"{"active":true,"client_id":"l238j323ds-23ij4","username":"jdoe",
            "scope":"read write dolphin","sub":"Z5O3upPC88QrAjx00dis","aud":"https://protected.example.net/resource",
            "iss":"https://server.example.com/","exp":1419356238,"iat":1419350238,"extension_field":"twenty-seven"}"#;
        let i = Introspection::from_json(body).unwrap();
        assert!(i.active);
        assert_eq!(i.client_id.as_deref(), Some("l238j323ds-23ij4"));
        assert_eq!(i.username.as_deref(), Some("jdoe"));
        assert_eq!(i.scope.as_deref(), Some("read write dolphin"));
        assert_eq!(i.exp, at(1419356238));
        assert_eq!(i.iat, at(1419350238));
        assert_eq!(i.extra["extension_field"], "twenty-seven");
        assert!(i.extra.contains_key("aud") && !i.extra.contains_key("exp"));
        let json = serde_json::to_value(&i).unwrap();
        assert_eq!(
            json["exp"], "2014-12-23T17:37:18Z",
            "RFC 3339, as all JSON times"
        );
        assert_eq!(
            json["extension_field"], "twenty-seven",
            "extra members at the top"
        );
    }

    #[test]
    fn reads_leniently_what_servers_send() {
        let body = br#"{"active":"true","exp":"1419356238","iat":1419350238.5,"scope":["a","b"],"sub":42}"#;
        let i = Introspection::from_json(body).unwrap();
        assert!(i.active);
        assert_eq!(i.exp, at(1419356238), "a numeric string");
        assert_eq!(i.iat, at(1419350238), "a fraction");
        assert_eq!(i.scope.as_deref(), Some("a b"), "a list");
        assert_eq!(i.sub.as_deref(), Some("42"), "a number");
        let i =
            Introspection::from_json(br#"{"active":false,"exp":"soon","username":{}}"#).unwrap();
        assert!(!i.active);
        assert_eq!(i.exp, None);
        assert_eq!(
            i.extra["exp"], "soon",
            "unreadable values are kept as they came"
        );
        assert!(i.extra["username"].is_object());
        let json = serde_json::to_value(&i).unwrap();
        assert_eq!(json["active"], false);
    }

    #[test]
    fn active_is_required() {
        for body in [
            &br#"{"client_id":"c"}"#[..],
            br#"{"active":1}"#,
            br#"[true]"#,
            b"active=true",
        ] {
            assert!(
                Introspection::from_json(body).is_err(),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn a_refusal_says_the_provider_refused_this_client() {
        let raw = |status: u16| RawResponse {
            url: "https://as.example/introspect".into(),
            status,
            body: br#"{"error":"invalid_client"}"#.to_vec(),
            date: None,
        };
        for status in [401, 403] {
            let err = answer(raw(status)).unwrap_err();
            assert!(
                matches!(err, Error::IntrospectionRefused { .. }),
                "{status}: {err}"
            );
            assert!(err.to_string().contains("refused this client"), "{err}");
        }
        assert!(matches!(
            answer(raw(400)).unwrap_err(),
            Error::InvalidResponse { status: 400, .. }
        ));
    }
}
