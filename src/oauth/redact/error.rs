//! Redaction applied to an [`Error`]: the fields that carry outside text, each cut.

use std::borrow::Cow;

use super::Secrets;
use crate::oauth::error::{Error, ErrorCode};

impl Error {
    /// This error with every secret in `secrets` cut out of the outside text it carries (the
    /// provider's error code and description, a reason read from an answer, a URL it gave).
    pub fn redacted(self, secrets: &Secrets) -> Error {
        if secrets.is_empty() {
            return self;
        }
        let cut = |text: String| match secrets.redact(&text) {
            Cow::Borrowed(_) => text,
            Cow::Owned(cut) => cut,
        };
        let cut_opt = |text: Option<String>| text.map(cut);
        // Only a code no RFC defines is the provider's own text, and can echo a secret.
        let cut_code = |code: ErrorCode| match code {
            ErrorCode::Other(text) => ErrorCode::from(cut(text)),
            known => known,
        };
        match self {
            Error::InvalidUrl { what, url, reason } => Error::InvalidUrl {
                what,
                url: cut(url),
                reason: cut(reason),
            },
            Error::UnreadablePaste(text) => Error::UnreadablePaste(cut(text)),
            Error::IssuerMismatch { expected, got } => Error::IssuerMismatch {
                expected,
                got: cut(got),
            },
            Error::AuthorizationDenied { error, description } => Error::AuthorizationDenied {
                error: cut_code(error),
                description: cut_opt(description),
            },
            Error::Unreachable { url, reason } => Error::Unreachable {
                url,
                reason: cut(reason),
            },
            Error::ConnectionLost { url, reason } => Error::ConnectionLost {
                url,
                reason: cut(reason),
            },
            Error::Rejected {
                grant,
                status,
                error,
                description,
            } => Error::Rejected {
                grant,
                status,
                error: cut_code(error),
                description: cut_opt(description),
            },
            Error::InvalidResponse {
                url,
                status,
                reason,
            } => Error::InvalidResponse {
                url,
                status,
                reason: cut(reason),
            },
            Error::InvalidKeySet(reason) => Error::InvalidKeySet(cut(reason)),
            Error::Discovery { issuer, reason } => Error::Discovery {
                issuer,
                reason: cut(reason),
            },
            Error::DeadGrant(reason) => Error::DeadGrant(cut(reason)),
            Error::DeviceDenied { description } => Error::DeviceDenied {
                description: cut_opt(description),
            },
            Error::Request(reason) => Error::Request(cut(reason)),
            other => other,
        }
    }
}
