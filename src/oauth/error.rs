//! Everything that can go wrong in the protocol, classified the way a caller has to act on it
//! (DESIGN.md §5): retry later, send the user to re-link, or tell them an answer was lost.
//! Every message says what to do next and carries no secret.

use std::sync::Arc;
use std::time::Duration;

pub use code::{ErrorCode, Grant};
pub(crate) use wording::clause;
use wording::{denied_message, is_dead_grant, rejected_message, retry_hint, size};

mod code;
pub(super) mod wording;
use super::retry_after::RetryAfter;

/// Any error a persistence hook may return.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Which of the client's settings a configuration problem is about, so that a form can show it
/// beside that field (a match on this, never on the message's words).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConfigField {
    ClientId,
    /// The client secret, or the client authentication method that needs (or refuses) one.
    ClientSecret,
    /// The extra authorization parameters.
    AuthorizeParams,
}

impl ConfigField {
    pub const ALL: [ConfigField; 3] = [
        ConfigField::ClientId,
        ConfigField::ClientSecret,
        ConfigField::AuthorizeParams,
    ];
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

#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("{what} {url:?} is not usable: {reason}")]
    InvalidUrl {
        what: super::url_policy::UrlRole,
        url: String,
        reason: String,
    },

    /// Something outside the client's settings (the HTTP client could not start).
    #[error("invalid configuration: {0}")]
    Config(String),

    #[error("invalid configuration: {message}")]
    InvalidConfig { field: ConfigField, message: String },

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
        error: ErrorCode,
        description: Option<String>,
    },

    #[error(
        "could not connect to {url}: {reason}. Check the network and the provider's address, then try again"
    )]
    Unreachable { url: String, reason: String },

    #[error(
        "no answer from {url} within {}. The request may have reached the server; it can be tried again later",
        crate::time::short_duration(*seconds)
    )]
    Timeout { url: String, seconds: u64 },

    #[error(
        "the connection to {url} broke before the answer arrived ({reason}). The request may have reached the server; it can be tried again later"
    )]
    ConnectionLost { url: String, reason: String },

    #[error(
        "{url} is temporarily unavailable (HTTP {status}){}; try again later",
        retry_hint(retry_after)
    )]
    Unavailable {
        url: String,
        status: u16,
        retry_after: Option<RetryAfter>,
    },

    #[error("{}", rejected_message(*grant, *status, error, description.as_deref()))]
    Rejected {
        grant: Grant,
        status: u16,
        error: ErrorCode,
        description: Option<String>,
    },

    #[error("the answer from {url} (HTTP {status}) could not be understood: {reason}")]
    InvalidResponse {
        url: String,
        status: u16,
        reason: String,
    },

    #[error(
        "the provider's signing keys could not be read ({0}): check its key set URL (jwks_uri), or discover the provider again"
    )]
    InvalidKeySet(String),

    /// The ID token that came with a link does not fit the account (OpenID Connect Core
    /// §3.1.3.7): nothing from that answer was kept.
    #[error("{}", super::id_token::refused_message(problems))]
    IdTokenRefused {
        problems: Vec<super::id_token::Problem>,
    },

    #[error("discovery of {issuer}'s endpoints failed: {reason}")]
    Discovery { issuer: String, reason: String },

    #[error("the account must be linked again: {0}")]
    DeadGrant(String),

    #[error(
        "the provider offers no device authorization endpoint for this account: link it with the authorization URL instead"
    )]
    NoDeviceEndpoint,

    #[error(
        "no revocation endpoint is known for this provider, so the grant stays valid there until it expires; revoke tokendeck's access in your account settings at the provider"
    )]
    NoRevocationEndpoint,

    #[error(
        "no userinfo endpoint is known for this provider, so tokendeck cannot ask who the account is; give the account its userinfo URL"
    )]
    NoUserinfoEndpoint,

    #[error(
        "{url} refused the access token (HTTP {status}); userinfo may need a scope the account lacks (`openid` at an OpenID Connect provider): add it to the account's scopes and link again"
    )]
    UserinfoRefused { url: String, status: u16 },

    #[error(
        "no introspection endpoint (RFC 7662) is known for this provider, so a token's state cannot be asked there; check the token with an API call instead"
    )]
    NoIntrospectionEndpoint,

    #[error(
        "{url} refused this client's introspection request (HTTP {status}): many providers let only resource servers introspect tokens; check the token with an API call instead"
    )]
    IntrospectionRefused { url: String, status: u16 },

    #[error("{}: start the link again and approve it", self.problem())]
    DeviceDenied { description: Option<String> },

    #[error("{}: start the link again and approve it sooner", self.problem())]
    DeviceExpired { valid_for: Duration },

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

    /// The refresh's caller left before its turn (nothing was sent), or the program shut down
    /// under it.
    #[error(
        "the refresh was stopped before it ended, as tokendeck was stopping; the next refresh tells whether the stored refresh token still works"
    )]
    Interrupted,

    #[error(
        "the answer from {url} is larger than {}, so tokendeck stopped reading it: ask the API for less (a narrower query, a smaller page)",
        size(*limit)
    )]
    AnswerTooLarge { url: String, limit: usize },
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Unreachable { .. } | Error::Unavailable { .. } => ErrorKind::Transient,
            Error::Timeout { .. } | Error::ConnectionLost { .. } => ErrorKind::Ambiguous,
            // The client itself was refused: linking again cannot fix that, changing its
            // credentials can (`tokendeck set`). The grant may well be alive.
            Error::Rejected { error, .. } if error.refuses_client() => ErrorKind::Configuration,
            Error::Rejected { status, error, .. } if is_dead_grant(*status, error) => {
                ErrorKind::NeedsReauthorization
            }
            // Not token-endpoint codes in RFC 6749, but some servers answer them there.
            Error::Rejected { error, .. } if error.is_temporary() => ErrorKind::Transient,
            Error::AuthorizationDenied { error, .. } if error.is_temporary() => {
                ErrorKind::Transient
            }
            Error::AuthorizationDenied { .. } if self.setting().is_some() => {
                ErrorKind::Configuration
            }
            Error::AuthorizationDenied { .. } => ErrorKind::NeedsReauthorization,
            Error::DeadGrant(_)
            | Error::NoRefreshToken
            | Error::NotAuthorized
            | Error::DeviceDenied { .. }
            | Error::DeviceExpired { .. } => ErrorKind::NeedsReauthorization,
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

    /// How long the server asked us to wait, when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Unavailable { retry_after, .. } => retry_after.map(|r| r.wait),
            _ => None,
        }
    }

    /// What the provider said, in its own terms (`invalid_grant: grant request is invalid`),
    /// without tokendeck's advice; the whole message for errors that are not its answers.
    pub fn provider_answer(&self) -> String {
        match self {
            Error::Rejected {
                error,
                description: Some(d),
                ..
            } => format!("{error}: {d}"),
            Error::Rejected { error, .. } => error.to_string(),
            other => other.to_string(),
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

/// A token-endpoint refusal without a description, for tests of how one reads.
#[cfg(test)]
pub(crate) fn rejected(grant: Grant, status: u16, error: &str) -> Error {
    Error::Rejected {
        grant,
        status,
        error: error.into(),
        description: None,
    }
}

#[cfg(test)]
mod tests;
