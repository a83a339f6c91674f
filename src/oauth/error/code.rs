//! What a provider's refusal is made of, below every use of it: its error code as one type —
//! read once, where an answer is read (a token endpoint's body, a device poll, a revocation, the
//! `error=` of an authorization response), and matched as variants everywhere else; written back,
//! the exact string the provider sent — and the request it answered.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An OAuth 2.0 `error` code. The RFCs' codes are variants; any other code (an extension, a
/// provider's own) is [`Other`](ErrorCode::Other), exactly as sent. Made from text with
/// [`From`], which never puts a code a variant stands for into `Other`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    // RFC 6749 §5.2 (token endpoint) and §4.1.2.1 (authorization response).
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
    InvalidScope,
    AccessDenied,
    UnsupportedResponseType,
    ServerError,
    TemporarilyUnavailable,
    // RFC 8628 §3.5: polling for a device code's tokens (`access_denied` is 6749's).
    AuthorizationPending,
    SlowDown,
    ExpiredToken,
    // RFC 7009 §2.2.1: revocation.
    UnsupportedTokenType,
    /// A code none of these RFCs defines.
    Other(String),
}

/// Which request a token-endpoint error came from; the advice differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grant {
    AuthorizationCode,
    RefreshToken,
    /// The device authorization request, and polling for its tokens (RFC 8628).
    DeviceCode,
    /// Giving a token back at the revocation endpoint (RFC 7009).
    Revocation,
}

impl ErrorCode {
    /// The code as the provider wrote it.
    pub fn as_str(&self) -> &str {
        match self {
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::InvalidClient => "invalid_client",
            ErrorCode::InvalidGrant => "invalid_grant",
            ErrorCode::UnauthorizedClient => "unauthorized_client",
            ErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            ErrorCode::InvalidScope => "invalid_scope",
            ErrorCode::AccessDenied => "access_denied",
            ErrorCode::UnsupportedResponseType => "unsupported_response_type",
            ErrorCode::ServerError => "server_error",
            ErrorCode::TemporarilyUnavailable => "temporarily_unavailable",
            ErrorCode::AuthorizationPending => "authorization_pending",
            ErrorCode::SlowDown => "slow_down",
            ErrorCode::ExpiredToken => "expired_token",
            ErrorCode::UnsupportedTokenType => "unsupported_token_type",
            ErrorCode::Other(code) => code,
        }
    }

    /// The client itself was refused (its credentials, or what it is registered for), not one
    /// grant: changing the client's settings can fix it, linking again cannot.
    pub fn refuses_client(&self) -> bool {
        matches!(
            self,
            ErrorCode::InvalidClient | ErrorCode::UnauthorizedClient
        )
    }

    /// The provider is having trouble: the same request may succeed later.
    pub fn is_temporary(&self) -> bool {
        matches!(
            self,
            ErrorCode::ServerError | ErrorCode::TemporarilyUnavailable
        )
    }
}

impl From<&str> for ErrorCode {
    fn from(code: &str) -> ErrorCode {
        match code {
            "invalid_request" => ErrorCode::InvalidRequest,
            "invalid_client" => ErrorCode::InvalidClient,
            "invalid_grant" => ErrorCode::InvalidGrant,
            "unauthorized_client" => ErrorCode::UnauthorizedClient,
            "unsupported_grant_type" => ErrorCode::UnsupportedGrantType,
            "invalid_scope" => ErrorCode::InvalidScope,
            "access_denied" => ErrorCode::AccessDenied,
            "unsupported_response_type" => ErrorCode::UnsupportedResponseType,
            "server_error" => ErrorCode::ServerError,
            "temporarily_unavailable" => ErrorCode::TemporarilyUnavailable,
            "authorization_pending" => ErrorCode::AuthorizationPending,
            "slow_down" => ErrorCode::SlowDown,
            "expired_token" => ErrorCode::ExpiredToken,
            "unsupported_token_type" => ErrorCode::UnsupportedTokenType,
            other => ErrorCode::Other(other.to_string()),
        }
    }
}

impl From<String> for ErrorCode {
    fn from(code: String) -> ErrorCode {
        match ErrorCode::from(code.as_str()) {
            ErrorCode::Other(_) => ErrorCode::Other(code),
            known => known,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// As the string the provider sent: `"invalid_grant"`, never `"InvalidGrant"`.
impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ErrorCode, D::Error> {
        String::deserialize(d).map(ErrorCode::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The codes of RFC 6749, RFC 8628 and RFC 7009, as the RFCs spell them.
    const RFC_CODES: [&str; 14] = [
        "invalid_request",
        "invalid_client",
        "invalid_grant",
        "unauthorized_client",
        "unsupported_grant_type",
        "invalid_scope",
        "access_denied",
        "unsupported_response_type",
        "server_error",
        "temporarily_unavailable",
        "authorization_pending",
        "slow_down",
        "expired_token",
        "unsupported_token_type",
    ];

    #[test]
    fn every_code_reads_as_its_variant_and_writes_back_the_same() {
        let mut variants = Vec::new();
        for code in RFC_CODES {
            let variant = ErrorCode::from(code);
            assert!(!matches!(variant, ErrorCode::Other(_)), "{code}");
            assert_eq!(ErrorCode::from(code.to_string()), variant, "{code}");
            assert_eq!(variant.as_str(), code);
            assert_eq!(variant.to_string(), code);
            let json = serde_json::to_string(&variant).unwrap();
            assert_eq!(
                json,
                format!("\"{code}\""),
                "JSON keeps the provider's spelling"
            );
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), variant);
            assert!(
                !variants.contains(&variant),
                "{code} has a variant of its own"
            );
            variants.push(variant);
        }
    }

    #[test]
    fn an_unknown_code_is_kept_exactly_as_sent() {
        for sent in [
            "interaction_required",
            "Invalid_Grant",
            "invalid_grant ",
            "",
        ] {
            let code = ErrorCode::from(sent);
            assert_eq!(code, ErrorCode::Other(sent.to_string()), "{sent:?}");
            assert_eq!(code.as_str(), sent);
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), code);
        }
    }

    #[test]
    fn only_the_client_codes_refuse_the_client_and_only_the_server_codes_are_temporary() {
        let refusing: Vec<_> = RFC_CODES
            .into_iter()
            .filter(|c| ErrorCode::from(*c).refuses_client())
            .collect();
        assert_eq!(refusing, ["invalid_client", "unauthorized_client"]);
        let temporary: Vec<_> = RFC_CODES
            .into_iter()
            .filter(|c| ErrorCode::from(*c).is_temporary())
            .collect();
        assert_eq!(temporary, ["server_error", "temporarily_unavailable"]);
    }
}
