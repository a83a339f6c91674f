//! What checking an ID token's claims can find, below both the checks and the words for them
//! (and the link error that carries the problems).

use std::time::{Duration, SystemTime};

/// The claims checked, in the order they are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    Iss,
    Sub,
    Aud,
    Azp,
    Exp,
    Iat,
    AuthTime,
    Nonce,
}

impl Claim {
    pub fn name(self) -> &'static str {
        match self {
            Claim::Iss => "iss",
            Claim::Sub => "sub",
            Claim::Aud => "aud",
            Claim::Azp => "azp",
            Claim::Exp => "exp",
            Claim::Iat => "iat",
            Claim::AuthTime => "auth_time",
            Claim::Nonce => "nonce",
        }
    }
}

/// What checking one claim found.
#[derive(Clone, Debug, PartialEq)]
pub enum Finding {
    Holds,
    /// There is nothing to compare it with.
    Unchecked(Unchecked),
    /// It does not fit this account.
    Wrong(Problem),
    /// `exp` is past: what every ID token comes to an hour or so after it is issued.
    Expired {
        at: SystemTime,
    },
    /// `iat` is ahead of this machine's clock by more than [`CLOCK_LEEWAY`](super::CLOCK_LEEWAY).
    IssuedAhead {
        by: Duration,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unchecked {
    /// The account names no issuer (it was added by its endpoints).
    NoIssuerKnown,
    /// No nonce was sent with the authorization request (or none was kept); `present`: the
    /// token carries one all the same.
    NoNonceSent { present: bool },
    /// No `azp`, which only a token for several audiences needs.
    NotNeeded,
}

/// Why an ID token cannot be taken as this account's.
#[derive(Clone, Debug, PartialEq)]
pub enum Problem {
    /// A claim OpenID Connect requires is absent (or not of its type).
    Missing(Claim),
    OtherIssuer {
        iss: String,
        expected: String,
    },
    OtherAudience {
        aud: Vec<String>,
        client_id: String,
    },
    OtherAuthorizedParty {
        azp: String,
        client_id: String,
    },
    /// Several audiences and no `azp` saying which of them it was issued to.
    NoAuthorizedParty {
        aud: Vec<String>,
    },
    /// Another nonce than the one sent: the token answers another sign-in.
    OtherNonce,
    /// A nonce was sent and the token carries none back.
    NoNonce,
    /// Already expired when it arrived, past the leeway: a clock is wrong, or it is a replay.
    ExpiredOnArrival {
        ago: Duration,
    },
    /// A refresh's ID token names another `iss`, `sub`, `aud` or `azp` than the one it would
    /// replace (§12.2).
    Changed {
        claim: Claim,
        before: String,
        after: String,
    },
    /// A refresh's ID token dates the sign-in earlier than the one it would replace.
    AuthTimeEarlier {
        by: Duration,
    },
    /// Not a JWT with a JSON payload.
    Unreadable,
}

impl Problem {
    /// The claim it is about, when it is about one.
    pub fn claim(&self) -> Option<Claim> {
        match self {
            Problem::Missing(claim) | Problem::Changed { claim, .. } => Some(*claim),
            Problem::OtherIssuer { .. } => Some(Claim::Iss),
            Problem::OtherAudience { .. } => Some(Claim::Aud),
            Problem::OtherAuthorizedParty { .. } | Problem::NoAuthorizedParty { .. } => {
                Some(Claim::Azp)
            }
            Problem::OtherNonce | Problem::NoNonce => Some(Claim::Nonce),
            Problem::ExpiredOnArrival { .. } => Some(Claim::Exp),
            Problem::AuthTimeEarlier { .. } => Some(Claim::AuthTime),
            Problem::Unreadable => None,
        }
    }
}
