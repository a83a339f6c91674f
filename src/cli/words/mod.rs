//! The command line's words: every outcome and error of the application layer as the CLI says
//! it, with the command that helps (`run \`tokendeck link NAME\``) — in this one place. The
//! application's errors carry data; their `Display` is implemented here, and until the TUI words
//! them itself it shows these too. What a command prints when it went well is in [`said`].

pub mod daemon;
pub mod said;
pub mod stop;

use std::fmt;

use crate::app::attempt::spent_token;
use crate::app::link::{LinkEnd, LinkFailed, LinkWay};
use crate::app::{AccountError, RelinkReason, Revocation};
use crate::oauth::error::clause;
use crate::oauth::session::Revoked;
use crate::oauth::{self, ErrorKind, Setting};
use crate::store::StoreError;
use crate::store::keyring::BACKEND_VAR;
use crate::store::new_account::NewAccountError;

impl fmt::Display for AccountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AccountError::Store(e) => write!(f, "{}", store_error(e)),
            AccountError::OAuth(e) => write!(f, "{}", oauth_error(e)),
            AccountError::NotLinked(name) => {
                write!(f, "{name:?} is not linked yet: run `tokendeck link {name}`")
            }
            AccountError::RecordMissing(name) => write!(
                f,
                "the keyring holds no record of {name:?} (lost at a reboot, or deleted), so its tokens and client secret are gone: `tokendeck remove {name}`, add it again, and link it"
            ),
            AccountError::RecordNotHere { name, backend } => write!(
                f,
                "the {backend} holds no record of {name:?}, and this home has not recorded which keyring it uses (it was made by an earlier tokendeck): if {name:?} was added where no Secret Service answered, its record is in the Linux kernel keyring — run tokendeck with {BACKEND_VAR}=keyutils (or =secret-service) once to settle it; if the record is truly gone, `tokendeck remove {name}` and add it again"
            ),
            AccountError::NeedsRelink { name, reason } => write!(
                f,
                "{name:?} must be linked again: {}. Run `tokendeck link {name}`",
                relink_reason(reason).trim_end_matches('.')
            ),
            AccountError::ClientRefused { name, error } => write!(
                f,
                "{}. The provider refused the client itself (its id, secret or authentication method), not the grant: fix it with `tokendeck set {name} --client-secret-stdin` (or `--auth-method`); the tokens are kept, and the next refresh uses the new setting",
                clause(&error.problem())
            ),
            AccountError::BackingOff {
                name,
                reason,
                seconds,
            } => write!(
                f,
                "refreshing {name:?} failed a moment ago ({reason}) and its token has expired; tokendeck leaves the server alone for {} more, then tries again",
                match seconds {
                    0 => "under a second".to_string(),
                    s => crate::time::short_duration(*s),
                }
            ),
            AccountError::ReservedParam { name, key } => write!(
                f,
                "{}",
                oauth::Error::Config(format!(
                    "{}: change the parameters with `tokendeck set {name} --param KEY=VALUE` (or clear them with `--no-params`), then link again",
                    oauth::params::reserved_param_problem(key).unwrap_or_default()
                ))
            ),
        }
    }
}

/// Why an account must be linked again, in a clause.
fn relink_reason(reason: &RelinkReason) -> String {
    match reason {
        RelinkReason::Recorded(reason) => reason.clone(),
        RelinkReason::GrantRefused => "the provider refused the grant".into(),
        RelinkReason::SpentToken { cause, answer } => spent_token(cause, answer),
        RelinkReason::NoRefreshToken => {
            "the access token expired and no refresh token is held".into()
        }
    }
}

/// A store's error, with the command that helps where there is one.
pub fn store_error(error: &StoreError) -> String {
    format!("{error}{}", store_advice(error))
}

/// The command that helps with a store's error (or the near names), to follow its words.
fn store_advice(error: &StoreError) -> String {
    match error {
        StoreError::NoSuchAccount { nearest, .. } if !nearest.is_empty() => {
            let names: Vec<String> = nearest.iter().map(|n| format!("{n:?}")).collect();
            format!("; did you mean {}?", or_list(&names))
        }
        StoreError::NoSuchAccount { .. } => {
            ": `tokendeck list` shows the accounts there are".into()
        }
        StoreError::AccountExists(_) => ", or `tokendeck remove` it first".into(),
        _ => String::new(),
    }
}

/// `"a"`, `"a" or "b"`, `"a", "b" or "c"`.
fn or_list(items: &[String]) -> String {
    match items.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// A protocol error; one caused by the store (an account removed while a refresh waited for
/// its lock) ends with the store's advice.
pub fn oauth_error(error: &oauth::Error) -> String {
    let text = error.to_string();
    match error
        .storage_cause()
        .and_then(|cause| cause.downcast_ref::<StoreError>())
    {
        Some(cause) if text.ends_with(&cause.to_string()) => text + &store_advice(cause),
        _ => text,
    }
}

impl fmt::Display for NewAccountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NewAccountError::Invalid { message, .. } => write!(f, "{message}"),
            NewAccountError::UnknownPreset(id) => {
                write!(
                    f,
                    "there is no preset {id:?}: `tokendeck add --help` lists them"
                )
            }
            NewAccountError::Store(e) => write!(f, "{}", store_error(e)),
            NewAccountError::OAuth(e) => write!(f, "{}", oauth_error(e)),
        }
    }
}

/// A link that ended: nothing listens or waits for a paste any more, so the advice is to link
/// again — after changing the setting the provider refused, when it refused one.
impl fmt::Display for LinkFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.end {
            LinkEnd::Refused(error) => write!(f, "{}", ended(&self.name, error, self.way)),
            LinkEnd::PastesEnded => write!(f, "nothing was pasted before standard input ended"),
            LinkEnd::NotRecorded(e) => write!(f, "{}", store_error(e)),
        }
    }
}

fn ended(name: &str, error: &oauth::Error, way: LinkWay) -> String {
    let problem = error.problem();
    let problem = clause(&problem);
    let flag = if way == LinkWay::Device {
        " --device"
    } else {
        ""
    };
    let relink = format!("run `tokendeck link {name}{flag}` again");
    match (error.setting(), error.kind()) {
        (Some(Setting::ClientCredentials), _) => format!(
            "{problem}. The client secret (or the client authentication method) is wrong: fix it with `tokendeck set {name} --client-secret-stdin` (or `--auth-method`), then {relink}"
        ),
        (Some(Setting::Scopes), _) => format!(
            "{problem}. Change the scopes with `tokendeck set {name} --scope S` (repeat it for each scope), then {relink}"
        ),
        (Some(Setting::AuthorizeParams), _) => format!(
            "{problem}. Check the extra parameters and the callback URL, change them with `tokendeck set {name} --param KEY=VALUE` or `--redirect-uri URI`, then {relink}"
        ),
        (None, ErrorKind::Transient | ErrorKind::Ambiguous) => {
            format!("{problem}. Wait a moment, then {relink}")
        }
        (None, _) => format!("{problem}. To try again, {relink}"),
    }
}

/// What became of the grant at the provider, after a removal: one sentence.
impl fmt::Display for Revocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Revocation::Revoked(Revoked::RefreshToken) => {
                write!(f, "The grant was revoked at the provider.")
            }
            Revocation::Revoked(Revoked::AccessToken) => write!(
                f,
                "The access token was revoked at the provider (no refresh token was held)."
            ),
            Revocation::Kept => write!(f, "The grant at the provider was kept, as asked."),
            Revocation::NeverLinked => write!(
                f,
                "It was never linked, so there was no grant to give back."
            ),
            Revocation::NothingHeld => write!(
                f,
                "The keyring held no tokens for it any more, so nothing could be revoked: a grant made earlier may stay valid at the provider until it expires; revoke tokendeck's access in your account settings there."
            ),
            Revocation::NoEndpoint => write!(f, "{}.", oauth::Error::NoRevocationEndpoint),
            Revocation::Failed(e) => write!(
                f,
                "Revoking its grant at the provider failed: {}. Its tokens are gone from here all the same, so tokendeck cannot try again: the grant may stay valid at the provider until it expires; revoke tokendeck's access in your account settings there.",
                clause(&e.problem())
            ),
        }
    }
}

#[cfg(test)]
mod tests;
