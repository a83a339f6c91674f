//! Everything that can go wrong in the protocol, classified the way a caller has to act on it
//! (DESIGN.md §5): retry later, send the user to re-link, or tell them an answer was lost.
//! Every message says what to do next and carries no secret.

use std::sync::Arc;
use std::time::Duration;

/// Any error a persistence hook may return.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Which request a token-endpoint error came from; the advice differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grant {
    AuthorizationCode,
    RefreshToken,
}

/// How a caller should react to an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// Try again later (back off); nothing is wrong with the account.
    Transient,
    /// The grant is gone: the user must authorize (link) again. Stored records are kept.
    NeedsReauthorization,
    /// The request was sent but its answer was lost: a rotating server may already have spent the
    /// old refresh token. Worth one retry; if that fails, re-link.
    Ambiguous,
    /// The provider refused the client's configuration (its credentials, scopes or authorization
    /// parameters): neither retrying nor linking again helps until a setting is changed — which
    /// one, [`Error::setting`] says.
    Configuration,
    /// A mistake in input or configuration that retrying will not fix.
    Other,
}

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

#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("{what} {url:?} is not usable: {reason}")]
    InvalidUrl {
        what: &'static str,
        url: String,
        reason: String,
    },

    #[error("invalid configuration: {0}")]
    Config(String),

    #[error("nothing was pasted: paste the code, or the whole address the browser was sent to")]
    NothingPasted,

    #[error("the pasted text is not a code or a redirect address: {0}")]
    UnreadablePaste(String),

    #[error(
        "no authorization is in progress: open the authorization URL first, then paste what the provider returned"
    )]
    NoPendingAuthorization,

    #[error(
        "the pasted address has no `code` parameter: approve access in the browser, then copy the whole address it lands on"
    )]
    MissingCode,

    #[error("{}: open the latest authorization URL and paste its answer", self.problem())]
    StateMismatch,

    #[error(
        "{}: paste the whole address the browser lands on, or the code alone",
        self.problem()
    )]
    MissingState,

    #[error(
        "{}, so it may come from another site and was refused: open the authorization URL again and sign in at this provider only",
        self.problem()
    )]
    IssuerMismatch { expected: String, got: String },

    #[error(
        "{}, so it may come from another site and was refused: paste the whole address the browser lands on, or open the authorization URL again",
        self.problem()
    )]
    MissingIssuer { expected: String },

    #[error("{}", denied_message(error, description.as_deref()))]
    AuthorizationDenied {
        error: String,
        description: Option<String>,
    },

    #[error(
        "could not connect to {url}: {reason}. Check the network and the provider's address, then try again"
    )]
    Unreachable { url: String, reason: String },

    #[error(
        "no answer from {url} within {seconds} s. The request may have reached the server; tokendeck will try again"
    )]
    Timeout { url: String, seconds: u64 },

    #[error(
        "the connection to {url} broke before the answer arrived ({reason}). The request may have reached the server; tokendeck will try again"
    )]
    ConnectionLost { url: String, reason: String },

    #[error(
        "{url} is temporarily unavailable (HTTP {status}){}; try again later",
        retry_hint(retry_after)
    )]
    Unavailable {
        url: String,
        status: u16,
        retry_after: Option<Duration>,
    },

    #[error("{}", rejected_message(*grant, *status, error, description.as_deref()))]
    Rejected {
        grant: Grant,
        status: u16,
        error: String,
        description: Option<String>,
    },

    #[error("the answer from {url} (HTTP {status}) could not be understood: {reason}")]
    InvalidResponse {
        url: String,
        status: u16,
        reason: String,
    },

    #[error("OpenID Connect discovery at {issuer} failed: {reason}")]
    Discovery { issuer: String, reason: String },

    #[error("the account must be linked again: {0}")]
    DeadGrant(String),

    #[error("no refresh token is held: link the account again to get one")]
    NoRefreshToken,

    #[error("not linked yet: open the authorization URL and paste what the provider returns")]
    NotAuthorized,

    #[error("the new tokens could not be saved, so they were not used: {0}")]
    Persist(Arc<BoxError>),

    #[error("the token store could not be used: {0}")]
    Store(Arc<BoxError>),

    #[error("the API request could not be sent: {0}")]
    Request(String),
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Unreachable { .. } | Error::Unavailable { .. } => ErrorKind::Transient,
            Error::Timeout { .. } | Error::ConnectionLost { .. } => ErrorKind::Ambiguous,
            Error::Rejected {
                grant: Grant::AuthorizationCode,
                error,
                ..
            } if is_client_error(error) => ErrorKind::Configuration,
            Error::Rejected { status, error, .. } if is_dead_grant(*status, error) => {
                ErrorKind::NeedsReauthorization
            }
            Error::AuthorizationDenied { error, .. } => match error.as_str() {
                "server_error" | "temporarily_unavailable" => ErrorKind::Transient,
                _ if self.setting().is_some() => ErrorKind::Configuration,
                _ => ErrorKind::NeedsReauthorization,
            },
            Error::DeadGrant(_) | Error::NoRefreshToken | Error::NotAuthorized => {
                ErrorKind::NeedsReauthorization
            }
            _ => ErrorKind::Other,
        }
    }

    /// Worth retrying later. Ambiguous failures (a timeout, a broken connection) count too: the
    /// server may have been only slow.
    pub fn is_transient(&self) -> bool {
        matches!(self.kind(), ErrorKind::Transient | ErrorKind::Ambiguous)
    }

    /// The user must authorize again; retrying will not help.
    pub fn needs_reauthorization(&self) -> bool {
        self.kind() == ErrorKind::NeedsReauthorization
    }

    /// The request may have been processed even though no answer arrived.
    pub fn is_ambiguous(&self) -> bool {
        self.kind() == ErrorKind::Ambiguous
    }

    /// The setting the provider refused, when it refused the client's configuration rather than
    /// this one attempt: what to change before trying again.
    pub fn setting(&self) -> Option<Setting> {
        match self {
            Error::Rejected { error, .. } if is_client_error(error) => {
                Some(Setting::ClientCredentials)
            }
            Error::AuthorizationDenied { error, .. } => match error.as_str() {
                "unauthorized_client" => Some(Setting::ClientCredentials),
                "invalid_scope" => Some(Setting::Scopes),
                "invalid_request" | "unsupported_response_type" => Some(Setting::AuthorizeParams),
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
                with_description(error, description.as_deref())
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
            other => other.to_string(),
        }
    }

    /// How long the server asked us to wait, when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Unavailable { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    pub(crate) fn persist(error: BoxError) -> Self {
        Error::Persist(Arc::new(error))
    }

    pub(crate) fn store(error: BoxError) -> Self {
        Error::Store(Arc::new(error))
    }

    /// The storage error behind a [`Persist`](Error::Persist) or [`Store`](Error::Store) error.
    pub fn storage_cause(&self) -> Option<&(dyn std::error::Error + Send + Sync + 'static)> {
        match self {
            Error::Persist(e) | Error::Store(e) => Some(e.as_ref().as_ref()),
            _ => None,
        }
    }
}

fn is_dead_grant(status: u16, error: &str) -> bool {
    status == 401
        || matches!(
            error,
            "invalid_grant" | "invalid_client" | "unauthorized_client"
        )
}

fn is_client_error(error: &str) -> bool {
    matches!(error, "invalid_client" | "unauthorized_client")
}

/// Text from the provider, made fit to go inside a sentence: a description that ends with its own
/// full stop would otherwise end in two (`use "S256"..`).
pub(crate) fn clause(text: &str) -> &str {
    text.trim_end().trim_end_matches(['.', '。']).trim_end()
}

fn with_description(what: &str, description: Option<&str>) -> String {
    match description.map(clause).filter(|d| !d.is_empty()) {
        Some(d) => format!("{what}: {d}"),
        None => what.to_string(),
    }
}

fn denial(error: &str) -> String {
    match error {
        "access_denied" => "access was denied at the provider".into(),
        "invalid_scope" => "the provider refused the scopes requested (invalid_scope)".into(),
        _ => format!("the provider refused the authorization ({error})"),
    }
}

fn denied_message(error: &str, description: Option<&str>) -> String {
    let what = with_description(&denial(error), description);
    let advice = match error {
        "access_denied" => "Open the authorization URL again to retry",
        "server_error" | "temporarily_unavailable" => {
            "Wait a moment, then open the authorization URL again"
        }
        "invalid_scope" => "Change the scopes requested, then authorize again",
        "unauthorized_client" => {
            "Check the client id and the client's registration at the provider, then authorize again"
        }
        "invalid_request" | "unsupported_response_type" => {
            "Check the extra authorization parameters and the callback URL, then authorize again"
        }
        _ => "Open the authorization URL again to retry",
    };
    format!("{what}. {advice}")
}

fn rejected_message(grant: Grant, status: u16, error: &str, description: Option<&str>) -> String {
    let detail = with_description(error, description);
    let advice = match (grant, error) {
        (_, "invalid_client") | (_, "unauthorized_client") => {
            "check the client id, the client secret and the client authentication method"
        }
        (Grant::AuthorizationCode, "invalid_grant") => {
            "the code is wrong, expired or already used: open the authorization URL again and paste the new answer"
        }
        (Grant::RefreshToken, _) if is_dead_grant(status, error) => {
            "the refresh token is no longer valid (expired, revoked or already used): link the account again"
        }
        _ => "check the account's settings, then try again",
    };
    format!("the provider rejected the request (HTTP {status}, {detail}); {advice}")
}

fn retry_hint(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!(", it asks to wait {} s", d.as_secs()),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejected(grant: Grant, status: u16, error: &str) -> Error {
        Error::Rejected {
            grant,
            status,
            error: error.into(),
            description: None,
        }
    }

    #[test]
    fn classification_follows_the_design() {
        assert!(rejected(Grant::RefreshToken, 400, "invalid_grant").needs_reauthorization());
        assert!(rejected(Grant::RefreshToken, 401, "whatever").needs_reauthorization());
        assert!(!rejected(Grant::RefreshToken, 400, "invalid_scope").needs_reauthorization());
        let busy = Error::Unavailable {
            url: "u".into(),
            status: 503,
            retry_after: None,
        };
        assert!(busy.is_transient() && !busy.is_ambiguous());
        let lost = Error::Timeout {
            url: "u".into(),
            seconds: 1,
        };
        assert!(lost.is_transient() && lost.is_ambiguous());
        assert_eq!(Error::StateMismatch.kind(), ErrorKind::Other);
    }

    #[test]
    fn messages_tell_what_to_do() {
        let msg = rejected(Grant::AuthorizationCode, 400, "invalid_grant").to_string();
        assert!(msg.contains("open the authorization URL again"), "{msg}");
        let msg = rejected(Grant::RefreshToken, 400, "invalid_grant").to_string();
        assert!(msg.contains("link the account again"), "{msg}");
        let msg = Error::AuthorizationDenied {
            error: "access_denied".into(),
            description: Some("The user said no".into()),
        }
        .to_string();
        assert!(msg.starts_with("access was denied") && msg.contains("The user said no"));
    }

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
