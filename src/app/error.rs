//! What stops a use case, as data a front can word and act on: the account, the cause, the kind of
//! failure. No sentence is made here: the problem clause every front shares is `crate::problem`'s,
//! and the advice each front's (`Display`, the command line's, is in `cli::words`; the TUI's
//! words are `tui::words`).

use crate::oauth;
use crate::store::{Backend, StoreError};

/// Why a use case on one account could not be done.
#[derive(Debug)]
pub enum AccountError {
    Store(StoreError),
    OAuth(oauth::Error),
    /// The account has never been linked (its record holds no tokens).
    NotLinked(String),
    /// The keyring holds no record of it: lost at a reboot, or deleted.
    RecordMissing(String),
    /// The keyring in use holds no record of it, and the home has not recorded which keyring it
    /// uses (made by an earlier tokendeck): the record may be in the other one.
    RecordNotHere {
        name: String,
        backend: Backend,
    },
    /// The grant is dead: only linking again helps.
    NeedsRelink {
        name: String,
        reason: RelinkReason,
    },
    /// The provider refused the client itself (its id, secret or authentication method), not the
    /// grant: the tokens are kept, and a changed setting is used by the next refresh.
    ClientRefused {
        name: String,
        error: oauth::Error,
    },
    /// A refresh failed a moment ago and the token has expired: the server is left alone for
    /// `seconds` more.
    BackingOff {
        name: String,
        /// The failure, as the account's status recorded it.
        reason: String,
        seconds: u64,
    },
    /// An extra authorization parameter repeats one tokendeck sends itself (an account added
    /// before that was refused): the account cannot be linked until it is changed.
    ReservedParam {
        name: String,
        key: String,
    },
}

/// Why an account must be linked again.
#[derive(Clone, Debug, PartialEq)]
pub enum RelinkReason {
    /// The failure the account's status recorded (the provider's refusal, as logged).
    Recorded(String),
    /// Its status says the grant is dead, without saying why.
    GrantRefused,
    /// The provider refused the stored refresh token, which a refresh whose answer never reached
    /// the keyring had spent: `cause` is that refresh, as the status tells it; `answer` the
    /// provider's refusal.
    SpentToken { cause: String, answer: String },
    /// The access token expired and no refresh token is held.
    NoRefreshToken,
}

impl std::error::Error for AccountError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AccountError::Store(e) => Some(e),
            AccountError::OAuth(e) | AccountError::ClientRefused { error: e, .. } => Some(e),
            _ => None,
        }
    }
}

impl From<StoreError> for AccountError {
    fn from(e: StoreError) -> Self {
        AccountError::Store(e)
    }
}

impl From<oauth::Error> for AccountError {
    fn from(e: oauth::Error) -> Self {
        AccountError::OAuth(e)
    }
}
