//! What the provider's refusals mean for the account: which setting to change when it refused
//! the client's configuration rather than one attempt, and the problem in words without advice
//! (for a caller whose situation calls for other advice).

use super::error::wording::{denial, with_description};
use super::error::{Error, ErrorCode, Setting};

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

    /// Whether the provider offers no device grant to this client (no endpoint, or the grant
    /// type refused): asking again by the device grant cannot help.
    pub fn offers_no_device_grant(&self) -> bool {
        matches!(
            self,
            Error::NoDeviceEndpoint
                | Error::Rejected {
                    grant: super::error::Grant::DeviceCode,
                    error: ErrorCode::UnsupportedGrantType,
                    ..
                }
        )
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
            Error::Timeout { url, seconds } => format!(
                "no answer from {url} within {}",
                crate::time::short_duration(*seconds)
            ),
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
            Error::NoDeviceEndpoint => {
                "the provider offers no device authorization endpoint for this account".into()
            }
            other => other.to_string(),
        }
    }
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
