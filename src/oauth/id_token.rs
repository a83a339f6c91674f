//! An ID token's claims checked as OpenID Connect Core says a client must: at a link against the
//! account (§3.1.3.7: issuer, audience, authorized party, expiry, issue time, the nonce sent with
//! the authorization request), and after a refresh against the ID token it would replace (§12.2:
//! the same issuer, subject, audience and authorized party, an `auth_time` that does not move
//! back). The signature is [`Jwt::verify`]'s business; these are the claims.

mod claims;
#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;
mod wording;

pub use claims::{Claim, Finding, Problem, Unchecked};
pub use wording::not_kept_message;
pub(crate) use wording::refused_message;

use std::time::{Duration, SystemTime};

use serde_json::{Map, Value};

use super::jwt::Jwt;
use super::provider::same_issuer;
use crate::time::from_unix_seconds;

/// How far apart this machine's clock and the provider's may be before a time claim counts
/// against a token (providers backdate `iat` by up to 5 minutes for the same reason).
pub const CLOCK_LEEWAY: Duration = Duration::from_secs(300);

/// What an ID token is checked against.
#[derive(Clone, Copy, Debug)]
pub struct Expected<'a> {
    /// The account's issuer; `None` for an account added by its endpoints, which names none.
    pub issuer: Option<&'a str>,
    pub client_id: &'a str,
    /// The nonce sent with the authorization request the token answers; `None` when none was (a
    /// device link, a link made before tokendeck sent one).
    pub nonce: Option<&'a str>,
}

/// Every claim's finding, in [`Claim`] order.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    pub findings: Vec<(Claim, Finding)>,
}

impl Check {
    pub fn problems(&self) -> impl Iterator<Item = &Problem> {
        self.findings.iter().filter_map(|(_, f)| match f {
            Finding::Wrong(problem) => Some(problem),
            _ => None,
        })
    }

    pub fn expired_at(&self) -> Option<SystemTime> {
        self.findings.iter().find_map(|(_, f)| match f {
            Finding::Expired { at } => Some(*at),
            _ => None,
        })
    }

    pub fn issued_ahead(&self) -> Option<Duration> {
        self.findings.iter().find_map(|(_, f)| match f {
            Finding::IssuedAhead { by } => Some(*by),
            _ => None,
        })
    }
}

/// OpenID Connect Core §3.1.3.7, items 2–5 and 9–11, at time `now`.
pub fn check(jwt: &Jwt, expected: &Expected<'_>, now: SystemTime) -> Check {
    let claims = jwt.claims();
    let mut findings = vec![(Claim::Iss, issuer(claims, expected.issuer))];
    let audiences = audiences(claims);
    findings.push((
        Claim::Aud,
        match &audiences {
            None => Finding::Wrong(Problem::Missing(Claim::Aud)),
            Some(aud) if aud.iter().any(|a| a == expected.client_id) => Finding::Holds,
            Some(aud) => Finding::Wrong(Problem::OtherAudience {
                aud: aud.clone(),
                client_id: expected.client_id.to_string(),
            }),
        },
    ));
    findings.push((
        Claim::Azp,
        match (text(claims, "azp"), &audiences) {
            (Some(azp), _) if azp == expected.client_id => Finding::Holds,
            (Some(azp), _) => Finding::Wrong(Problem::OtherAuthorizedParty {
                azp: azp.to_string(),
                client_id: expected.client_id.to_string(),
            }),
            (None, Some(aud)) if aud.len() > 1 => {
                Finding::Wrong(Problem::NoAuthorizedParty { aud: aud.clone() })
            }
            (None, _) => Finding::Unchecked(Unchecked::NotNeeded),
        },
    ));
    findings.push((
        Claim::Exp,
        match time(claims, "exp") {
            None => Finding::Wrong(Problem::Missing(Claim::Exp)),
            Some(at) if at <= now => Finding::Expired { at },
            Some(_) => Finding::Holds,
        },
    ));
    findings.push((
        Claim::Iat,
        match time(claims, "iat") {
            None => Finding::Wrong(Problem::Missing(Claim::Iat)),
            Some(at) => match at.duration_since(now) {
                Ok(by) if by > CLOCK_LEEWAY => Finding::IssuedAhead { by },
                _ => Finding::Holds,
            },
        },
    ));
    let nonce = text(claims, "nonce");
    findings.push((
        Claim::Nonce,
        match (expected.nonce, nonce) {
            (Some(sent), Some(got)) if sent == got => Finding::Holds,
            (Some(_), Some(_)) => Finding::Wrong(Problem::OtherNonce),
            (Some(_), None) => Finding::Wrong(Problem::NoNonce),
            (None, got) => Finding::Unchecked(Unchecked::NoNonceSent {
                present: got.is_some(),
            }),
        },
    ));
    Check { findings }
}

/// What refuses an ID token arriving with a link: any [`Problem`], and an expiry already past by
/// more than the leeway. An `iat` ahead of this clock is not refused: it says the clocks
/// disagree (inspect says so), not that the token is someone else's.
pub fn refused_at_link(raw: &str, expected: &Expected<'_>, now: SystemTime) -> Vec<Problem> {
    let Some(jwt) = Jwt::decode(raw) else {
        return vec![Problem::Unreadable];
    };
    let check = check(&jwt, expected, now);
    let mut problems: Vec<Problem> = check.problems().cloned().collect();
    if let Some(ago) = check
        .expired_at()
        .and_then(|at| now.duration_since(at).ok())
        .filter(|ago| *ago > CLOCK_LEEWAY)
    {
        problems.push(Problem::ExpiredOnArrival { ago });
    }
    problems
}

/// OpenID Connect Core §12.2: what refuses the ID token `new` from a refresh, which would replace
/// `previous` (`None`: no ID token was held, or none that could be read). It must name the same
/// issuer, subject, audience and authorized party, must not date the sign-in earlier, and
/// "otherwise the same rules apply" as at the link — the account's issuer and client; no nonce
/// was sent with a refresh (one the new token carries must be the old one's), and its times are
/// the provider's to set.
pub fn refused_after_refresh(
    previous: Option<&str>,
    new: &str,
    expected: &Expected<'_>,
) -> Vec<Problem> {
    let Some(new) = Jwt::decode(new) else {
        return vec![Problem::Unreadable];
    };
    let previous = previous.and_then(Jwt::decode);
    let before = previous.as_ref().map(Jwt::claims);
    let expected = Expected {
        nonce: before.and_then(|claims| text(claims, "nonce")),
        ..*expected
    };
    let mut problems: Vec<Problem> = check(&new, &expected, SystemTime::now())
        .findings
        .into_iter()
        .filter_map(|(claim, finding)| match (claim, finding) {
            // A refresh answer need not carry the nonce back.
            (Claim::Nonce, Finding::Wrong(Problem::NoNonce)) => None,
            (_, Finding::Wrong(problem)) => Some(problem),
            _ => None,
        })
        .collect();
    let Some(before) = before else {
        return problems;
    };
    let after = new.claims();
    for claim in [Claim::Iss, Claim::Sub, Claim::Aud, Claim::Azp] {
        let (was, is) = (shown(before, claim), shown(after, claim));
        // Another issuer or client is already said; the change adds the value it had.
        let said = problems.iter().any(|p| p.claim() == Some(claim));
        if was != is && !said {
            problems.push(Problem::Changed {
                claim,
                before: was,
                after: is,
            });
        }
    }
    if let (Some(was), Some(is)) = (time(before, "auth_time"), time(after, "auth_time"))
        && let Ok(by) = was.duration_since(is)
        && !by.is_zero()
    {
        problems.push(Problem::AuthTimeEarlier { by });
    }
    problems
}

/// Google's ID tokens may name their issuer without its scheme (its documentation says to accept
/// both); no other provider is known to.
const ISSUER_SPELLINGS: [(&str, &str); 1] =
    [("https://accounts.google.com", "accounts.google.com")];

fn issuer(claims: &Map<String, Value>, expected: Option<&str>) -> Finding {
    let Some(iss) = text(claims, "iss") else {
        return Finding::Wrong(Problem::Missing(Claim::Iss));
    };
    let Some(expected) = expected else {
        return Finding::Unchecked(Unchecked::NoIssuerKnown);
    };
    let other_spelling = ISSUER_SPELLINGS
        .iter()
        .any(|(issuer, spelling)| same_issuer(expected, issuer) && iss == *spelling);
    match same_issuer(iss, expected) || other_spelling {
        true => Finding::Holds,
        false => Finding::Wrong(Problem::OtherIssuer {
            iss: iss.to_string(),
            expected: expected.to_string(),
        }),
    }
}

fn text<'a>(claims: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    claims.get(name).and_then(Value::as_str)
}

/// `aud`: one string or an array of them (RFC 7519 §4.1.3).
fn audiences(claims: &Map<String, Value>) -> Option<Vec<String>> {
    match claims.get("aud")? {
        Value::String(one) => Some(vec![one.clone()]),
        Value::Array(many) if !many.is_empty() => many
            .iter()
            .map(|a| a.as_str().map(str::to_string))
            .collect(),
        _ => None,
    }
}

fn time(claims: &Map<String, Value>, name: &str) -> Option<SystemTime> {
    from_unix_seconds(claims.get(name)?.as_f64()?)
}

/// A claim as compared across a refresh: `aud` as its sorted list (order carries no meaning),
/// the others as written; absent as empty.
fn shown(claims: &Map<String, Value>, claim: Claim) -> String {
    match claim {
        Claim::Aud => {
            let mut aud = audiences(claims).unwrap_or_default();
            aud.sort();
            aud.join(", ")
        }
        other => text(claims, other.name()).unwrap_or_default().to_string(),
    }
}
