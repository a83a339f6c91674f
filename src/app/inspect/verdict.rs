//! The ID token's verdict: its signature and its claims together (OpenID Connect Core §3.1.3.7),
//! in one word for scripts and one sentence for people. "Verified" only when the provider signed
//! it AND it names this account's issuer and client and answers its sign-in's nonce; an expired
//! one is "expired" — what every ID token is an hour after the link — never "altered".

use std::time::SystemTime;

use serde::Serialize;

use crate::oauth::id_token::{self, Claim, Expected, Finding, Problem, Unchecked};
use crate::oauth::jwt::Jwt;

/// The verdict on an ID token, with every claim's check.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Verdict {
    /// `verified`, `expired`, `mismatch`, `issued_in_future`, or — its claims holding — the
    /// signature's own word when it did not verify (`invalid`, `no_matching_key`, `unsupported`,
    /// `not_checked`; `invalid` comes first whatever the claims say).
    pub verdict: &'static str,
    pub verdict_detail: String,
    pub claim_checks: Vec<ClaimCheck>,
}

/// One claim's check.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClaimCheck {
    pub claim: &'static str,
    /// `holds`, `mismatch`, `missing`, `not_checked`, `expired` or `issued_in_future`.
    pub result: &'static str,
    pub detail: String,
}

impl Verdict {
    /// The verdict on `jwt` whose signature check said `signature` (its word and sentence),
    /// against what this account expects, at `now`.
    pub fn of(
        jwt: &Jwt,
        signature: (&'static str, &str),
        expected: &Expected<'_>,
        now: SystemTime,
    ) -> Verdict {
        let check = id_token::check(jwt, expected, now);
        let claim_checks = check
            .findings
            .iter()
            .map(|(claim, finding)| ClaimCheck {
                claim: claim.name(),
                result: result(finding),
                detail: finding.describe(*claim),
            })
            .collect();
        let problems: Vec<&Problem> = check.problems().collect();
        let named = |wanted: fn(&Finding) -> bool| -> Vec<&'static str> {
            check
                .findings
                .iter()
                .filter(|(_, f)| wanted(f))
                .map(|(claim, _)| Claim::name(*claim))
                .collect()
        };
        let holding = named(|f| matches!(f, Finding::Holds));
        let unchecked = named(|f| {
            matches!(
                f,
                Finding::Unchecked(Unchecked::NoIssuerKnown | Unchecked::NoNonceSent { .. })
            )
        });
        let claims_hold = format!(
            "its claims ({}) hold{}",
            holding.join(", "),
            match unchecked.is_empty() {
                true => String::new(),
                false => format!(" ({} not checked)", unchecked.join(", ")),
            }
        );
        let (signature_word, signature_detail) = signature;
        let (verdict, verdict_detail) = if signature_word == "invalid" {
            ("invalid", signature_detail.to_string())
        } else if !problems.is_empty() {
            let all: Vec<String> = problems.iter().map(|p| p.describe()).collect();
            (
                "mismatch",
                format!("NOT this account's: {}", all.join("; ")),
            )
        } else if signature_word != "verified" {
            (
                signature_word,
                format!("{claims_hold}, but the signature is {signature_detail}"),
            )
        } else if let Some(by) = check.issued_ahead() {
            let finding = Finding::IssuedAhead { by }.describe(Claim::Iat);
            (
                "issued_in_future",
                format!(
                    "signed by the provider and {claims_hold}, but it was {finding} (see the clock below)"
                ),
            )
        } else if check.expired_at().is_some() {
            (
                "expired",
                format!(
                    "verified, and expired: signed by the provider and {claims_hold}; an ID token records the sign-in and lives an hour or so, and the refresh token keeps the account linked"
                ),
            )
        } else {
            (
                "verified",
                format!("verified: signed by the provider, and {claims_hold}"),
            )
        };
        Verdict {
            verdict,
            verdict_detail,
            claim_checks,
        }
    }

    /// The claims that do not fit the account, whose rows should catch the eye.
    pub fn failed_claims(&self) -> impl Iterator<Item = &str> {
        self.claim_checks
            .iter()
            .filter(|c| matches!(c.result, "mismatch" | "missing"))
            .map(|c| c.claim)
    }
}

fn result(finding: &Finding) -> &'static str {
    match finding {
        Finding::Holds => "holds",
        Finding::Unchecked(_) => "not_checked",
        Finding::Wrong(Problem::Missing(_)) => "missing",
        Finding::Wrong(_) => "mismatch",
        Finding::Expired { .. } => "expired",
        Finding::IssuedAhead { .. } => "issued_in_future",
    }
}
