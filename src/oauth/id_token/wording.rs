//! The findings in words, shared by the faces that show them (`inspect` in the CLI and the TUI)
//! and the error a refused link ends with. Claim values come from the token, text from outside:
//! escape them (`crate::text`) before a terminal sees them.

use super::claims::{Claim, Finding, Problem, Unchecked};
use crate::time::short_duration;

impl Problem {
    /// One clause, naming the claim and, where there are any, both values.
    pub fn describe(&self) -> String {
        match self {
            Problem::Missing(claim) => format!(
                "it carries no usable `{}`, which OpenID Connect requires",
                claim.name()
            ),
            Problem::OtherIssuer { iss, expected } => format!(
                "issued by another provider: iss is {iss}, this account's issuer is {expected}"
            ),
            Problem::OtherAudience { aud, client_id } => format!(
                "issued for another client: aud is {}, this account's client is {client_id}",
                aud.join(", ")
            ),
            Problem::OtherAuthorizedParty { azp, client_id } => format!(
                "issued to another client: azp is {azp}, this account's client is {client_id}"
            ),
            Problem::NoAuthorizedParty { aud } => format!(
                "issued for several audiences ({}) with no azp to say which client it was issued to",
                aud.join(", ")
            ),
            Problem::OtherNonce => {
                "its nonce is not the one sent with this account's sign-in: it answers another sign-in".into()
            }
            Problem::NoNonce => {
                "it carries no nonce, though one was sent with the sign-in: nothing ties it to this sign-in".into()
            }
            Problem::ExpiredOnArrival { ago } => format!(
                "it had expired {} before it arrived, by this machine's clock",
                short_duration(ago.as_secs())
            ),
            Problem::Changed {
                claim,
                before,
                after,
            } => {
                let what = match claim {
                    Claim::Sub => "another user",
                    Claim::Iss => "another issuer",
                    Claim::Aud => "another audience",
                    _ => "another authorized party",
                };
                let value = |v: &str| match v.is_empty() {
                    true => "none".to_string(),
                    false => v.to_string(),
                };
                format!(
                    "it names {what} than the account's ID token: {} was {}, is {}",
                    claim.name(),
                    value(before),
                    value(after)
                )
            }
            Problem::AuthTimeEarlier { by } => format!(
                "it dates the sign-in {} earlier than the account's ID token does (auth_time moved back)",
                short_duration(by.as_secs())
            ),
            Problem::Unreadable => "it is not a readable JWT".into(),
        }
    }

    /// What to do about a link refused for this problem.
    pub(crate) fn advice(&self) -> &'static str {
        match self {
            Problem::OtherNonce => {
                "start the link again and sign in from its own authorization URL"
            }
            Problem::ExpiredOnArrival { .. } => {
                "check this machine's clock (e.g. enable NTP), then link again"
            }
            Problem::OtherAudience { .. }
            | Problem::OtherAuthorizedParty { .. }
            | Problem::NoAuthorizedParty { .. } => {
                "check that the account's client id is the one registered at the provider"
            }
            Problem::OtherIssuer { .. } => {
                "check the account's issuer: add the account again with the issuer the provider names"
            }
            Problem::NoNonce | Problem::Missing(_) | Problem::Unreadable => {
                "this provider's ID tokens do not follow OpenID Connect: leave `openid` out of the account's scopes to link without one"
            }
            Problem::Changed { .. } | Problem::AuthTimeEarlier { .. } => {
                "link the account again if it should now be another user"
            }
        }
    }
}

impl Finding {
    /// For the claim's row: a few words when it holds, the problem when it does not.
    pub fn describe(&self, claim: Claim) -> String {
        match self {
            Finding::Holds => match claim {
                Claim::Iss => "the account's issuer",
                Claim::Aud | Claim::Azp => "this account's client",
                Claim::Exp => "not yet expired",
                Claim::Iat => "not in the future",
                Claim::Nonce => "the one sent with the account's sign-in",
                Claim::Sub | Claim::AuthTime => "holds",
            }
            .into(),
            Finding::Unchecked(Unchecked::NoIssuerKnown) => {
                "not checked: the account names no issuer (it was added by its endpoints)".into()
            }
            Finding::Unchecked(Unchecked::NoNonceSent { present: true }) => {
                "not checked: tokendeck kept no nonce for this sign-in (a device link, or one made before tokendeck sent nonces)".into()
            }
            Finding::Unchecked(Unchecked::NoNonceSent { present: false }) => {
                "none, and none was sent (a device link, or one made before tokendeck sent nonces)"
                    .into()
            }
            Finding::Unchecked(Unchecked::NotNeeded) => {
                "absent, as it may be with one audience".into()
            }
            Finding::Wrong(problem) => problem.describe(),
            Finding::Expired { .. } => {
                "expired, as ID tokens do an hour or so after they are issued".into()
            }
            Finding::IssuedAhead { by } => format!(
                "issued {} ahead of this machine's clock: one of the two clocks is wrong",
                short_duration(by.as_secs())
            ),
        }
    }
}

/// What a refresh whose answer's ID token was refused says (the event log, `tokendeck refresh`).
pub fn not_kept_message(problems: &[Problem]) -> String {
    let all = problems
        .iter()
        .map(Problem::describe)
        .collect::<Vec<_>>()
        .join("; ");
    format!(
        "the ID token in the refresh answer was not kept ({all}); its access and refresh tokens were, and the account keeps its earlier ID token"
    )
}

/// The message of a link that refused its ID token: every problem, then what to do about the
/// first.
pub(crate) fn refused_message(problems: &[Problem]) -> String {
    let all = problems
        .iter()
        .map(Problem::describe)
        .collect::<Vec<_>>()
        .join("; ");
    let advice = problems.first().map_or("link again", Problem::advice);
    format!("the provider's ID token was refused ({all}), so nothing was stored: {advice}")
}
