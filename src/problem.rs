//! What went wrong, in the clause every front shares: the problem part of a message about an
//! application error, written once (and what became of a grant at a removal, which needs no
//! advice of any front). What to do next is each front's to add (`cli::words` names
//! a command, `tui::words` a key), because what a person can do depends on where they are.

use crate::app::attempt::spent_token;
use crate::app::link::RefreshTokenAdvice;
use crate::app::{AccountError, RelinkReason, Revocation};
use crate::oauth::error::clause;
use crate::oauth::session::Revoked;
use crate::oauth::{self, Setting};

/// Why an account must be linked again, in a clause.
pub fn relink_reason(reason: &RelinkReason) -> String {
    match reason {
        RelinkReason::Recorded(reason) => reason.clone(),
        RelinkReason::GrantRefused => "the provider refused the grant".into(),
        RelinkReason::SpentToken { cause, answer } => spent_token(cause, answer),
        RelinkReason::NoRefreshToken => {
            "the access token expired and no refresh token is held".into()
        }
    }
}

/// What stopped a use case on an account, without the advice that follows it. A store's or the
/// protocol's error is its own words (the advice a front adds goes after them).
pub fn account(error: &AccountError) -> String {
    match error {
        AccountError::Store(e) => e.to_string(),
        AccountError::OAuth(e) => e.to_string(),
        AccountError::NotLinked(name) => format!("{name:?} is not linked yet"),
        AccountError::RecordMissing(name) => format!(
            "the keyring holds no record of {name:?} (lost at a reboot, or deleted), so its tokens and client secret are gone"
        ),
        AccountError::RecordNotHere { name, backend } => format!(
            "the {backend} holds no record of {name:?}, and this home has not recorded which keyring it uses (it was made by an earlier tokendeck)"
        ),
        AccountError::NeedsRelink { name, reason } => format!(
            "{name:?} must be linked again: {}",
            relink_reason(reason).trim_end_matches('.')
        ),
        AccountError::ClientRefused { error, .. } => format!(
            "{}. The provider refused the client itself (its id, secret or authentication method), not the grant",
            clause(&error.problem())
        ),
        AccountError::BackingOff {
            name,
            reason,
            seconds,
        } => format!(
            "refreshing {name:?} failed a moment ago ({reason}) and its token has expired; tokendeck leaves the server alone for {} more, then tries again",
            match seconds {
                0 => "under a second".to_string(),
                s => crate::time::short_duration(*s),
            }
        ),
        AccountError::ReservedParam { key, .. } => {
            oauth::Error::Config(oauth::params::reserved_param_problem(key).unwrap_or_default())
                .to_string()
        }
    }
}

/// Why a link ended on a refusal, in a clause without advice: the answer cannot be fixed by
/// another, so any advice (link again, change a setting first) is the front's.
pub fn link_refused(error: &oauth::Error) -> String {
    let problem = error.problem();
    let problem = clause(&problem);
    match error.setting() {
        Some(Setting::ClientCredentials) => {
            format!("{problem}. The client secret (or the client authentication method) is wrong")
        }
        _ => problem.to_string(),
    }
}

/// What became of the grant at the provider after a removal, in one sentence. It names no
/// command and no key: every front says it alike.
pub fn revocation(revocation: &Revocation) -> String {
    match revocation {
        Revocation::Revoked(Revoked::RefreshToken) => "The grant was revoked at the provider.".into(),
        Revocation::Revoked(Revoked::AccessToken) => {
            "The access token was revoked at the provider (no refresh token was held).".into()
        }
        Revocation::Kept => "The grant at the provider was kept, as asked.".into(),
        Revocation::NeverLinked => "It was never linked, so there was no grant to give back.".into(),
        Revocation::NothingHeld => "The keyring held no tokens for it any more, so nothing could be revoked: a grant made earlier may stay valid at the provider until it expires; revoke tokendeck's access in your account settings there.".into(),
        Revocation::NoEndpoint => format!("{}.", oauth::Error::NoRevocationEndpoint),
        Revocation::Failed(e) => format!(
            "Revoking its grant at the provider failed: {}. Its tokens are gone from here all the same, so tokendeck cannot try again: the grant may stay valid at the provider until it expires; revoke tokendeck's access in your account settings there.",
            clause(&e.problem())
        ),
    }
}

/// What usually brings a refresh token, and whose word that is: "this provider wants the
/// offline_access scope with access_type=offline and prompt=consent". Each front adds how to ask
/// for it.
pub fn what_brings_a_refresh_token(advice: &RefreshTokenAdvice) -> String {
    let mut what = Vec::new();
    if let Some(scope) = &advice.add_scope {
        what.push(format!("the {scope} scope"));
    }
    if !advice.set_params.is_empty() {
        let params: Vec<String> = advice
            .set_params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        what.push(params.join(" and "));
    }
    let whose = match advice.from_preset {
        true => "this provider wants",
        false => "most OpenID Connect providers want",
    };
    format!("{whose} {}", what.join(" with "))
}
