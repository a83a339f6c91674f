//! What the provider's refusals mean: which account setting to change when it refused the
//! client's configuration rather than one attempt, the problem in words without advice (for a
//! caller whose situation calls for other advice), and the provider's own text fit into ours.

use super::error::{Error, ErrorCode};

/// An account setting the provider refused, so that a caller can name the one to change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setting {
    /// The client id, client secret or client authentication method.
    ClientCredentials,
    /// The scopes requested.
    Scopes,
    /// The extra authorization parameters (and the rest of the authorization request).
    AuthorizeParams,
}

impl Error {
    /// The setting the provider refused, when it refused the client's configuration rather than
    /// this one attempt: what to change before trying again.
    pub fn setting(&self) -> Option<Setting> {
        match self {
            Error::Rejected { error, .. } if error.refuses_client() => {
                Some(Setting::ClientCredentials)
            }
            Error::AuthorizationDenied { error, .. } => match error {
                ErrorCode::UnauthorizedClient => Some(Setting::ClientCredentials),
                ErrorCode::InvalidScope => Some(Setting::Scopes),
                ErrorCode::InvalidRequest | ErrorCode::UnsupportedResponseType => {
                    Some(Setting::AuthorizeParams)
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// What went wrong, without the advice: for a caller whose situation calls for other advice
    /// than the message's (a link that has ended, the browser's page).
    pub fn problem(&self) -> String {
        match self {
            Error::AuthorizationDenied { error, description } => {
                with_description(&denial(error), description.as_deref())
            }
            Error::IssuerMismatch { expected, got } => {
                format!("the answer names {got:?} as its issuer, not this provider ({expected:?})")
            }
            Error::MissingIssuer { expected } => format!(
                "the answer carries no `iss`, although {expected:?} says it always sends one (RFC 9207)"
            ),
            Error::MissingCode => "the provider's answer carries no code".into(),
            Error::StateMismatch => "the `state` in the pasted address does not match the authorization URL shown here, so it belongs to another attempt (or was forged)".into(),
            Error::MissingState => "the pasted address carries no `state`, so nothing shows that it answers the authorization URL shown here".into(),
            Error::Rejected {
                status,
                error,
                description,
                ..
            } => format!(
                "the provider rejected the request (HTTP {status}, {})",
                with_description(error.as_str(), description.as_deref())
            ),
            // The same facts as these variants' messages, without "tokendeck will try again".
            Error::Unreachable { url, reason } => format!("could not connect to {url}: {reason}"),
            Error::Timeout { url, seconds } => format!("no answer from {url} within {seconds} s"),
            Error::ConnectionLost { url, reason } => {
                format!("the connection to {url} broke before the answer arrived ({reason})")
            }
            Error::Unavailable { url, status, .. } => {
                format!("{url} is temporarily unavailable (HTTP {status})")
            }
            Error::DeviceDenied { description } => with_description(
                "the sign-in was declined at the provider",
                description.as_deref(),
            ),
            Error::DeviceExpired { valid_for } => format!(
                "the code expired before it was approved (it was valid for {})",
                crate::time::short_duration(valid_for.as_secs())
            ),
            other => other.to_string(),
        }
    }
}

/// Text from the provider, made fit to go inside a sentence: a description that ends with its own
/// full stop would otherwise end in two (`use "S256"..`).
pub(crate) fn clause(text: &str) -> &str {
    text.trim_end().trim_end_matches(['.', '。']).trim_end()
}

pub(super) fn with_description(what: &str, description: Option<&str>) -> String {
    match description.map(clause).filter(|d| !d.is_empty()) {
        Some(d) => format!("{what}: {d}"),
        None => what.to_string(),
    }
}

fn denial(error: &ErrorCode) -> String {
    match error {
        ErrorCode::AccessDenied => "access was denied at the provider".into(),
        ErrorCode::InvalidScope => {
            "the provider refused the scopes requested (invalid_scope)".into()
        }
        _ => format!("the provider refused the authorization ({error})"),
    }
}

pub(super) fn denied_message(error: &ErrorCode, description: Option<&str>) -> String {
    let what = with_description(&denial(error), description);
    let advice = match error {
        ErrorCode::AccessDenied => "Open the authorization URL again to retry",
        code if code.is_temporary() => "Wait a moment, then open the authorization URL again",
        ErrorCode::InvalidScope => "Change the scopes requested, then authorize again",
        ErrorCode::UnauthorizedClient => {
            "Check the client id and the client's registration at the provider, then authorize again"
        }
        ErrorCode::InvalidRequest | ErrorCode::UnsupportedResponseType => {
            "Check the extra authorization parameters and the callback URL, then authorize again"
        }
        _ => "Open the authorization URL again to retry",
    };
    format!("{what}. {advice}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::error::rejected;
    use crate::oauth::{ErrorKind, Grant};

    #[test]
    fn a_providers_full_stop_is_not_doubled() {
        let denied = Error::AuthorizationDenied {
            error: "invalid_request".into(),
            description: Some("use \"S256\". ".into()),
        };
        let rejected = Error::Rejected {
            grant: Grant::AuthorizationCode,
            status: 400,
            error: "invalid_request".into(),
            description: Some("use \"S256\".".into()),
        };
        for msg in [denied.to_string(), denied.problem(), rejected.to_string()] {
            assert!(msg.contains("use \"S256\""), "{msg}");
            assert!(!msg.contains(".."), "{msg}");
        }
    }

    #[test]
    fn a_refused_client_configuration_names_the_setting_to_change() {
        let at_link = rejected(Grant::AuthorizationCode, 401, "invalid_client");
        assert_eq!(at_link.kind(), ErrorKind::Configuration);
        assert!(
            !at_link.needs_reauthorization(),
            "linking again cannot fix it"
        );
        assert_eq!(at_link.setting(), Some(Setting::ClientCredentials));
        let denied = |error: &str| Error::AuthorizationDenied {
            error: error.into(),
            description: None,
        };
        assert_eq!(denied("invalid_scope").setting(), Some(Setting::Scopes));
        assert_eq!(denied("invalid_scope").kind(), ErrorKind::Configuration);
        assert_eq!(
            denied("invalid_request").setting(),
            Some(Setting::AuthorizeParams)
        );
        assert_eq!(
            denied("access_denied").kind(),
            ErrorKind::NeedsReauthorization
        );
        assert_eq!(
            denied("temporarily_unavailable").kind(),
            ErrorKind::Transient
        );
        let msg = denied("invalid_scope").to_string();
        assert!(msg.contains("Change the scopes"), "{msg}");
    }
}
