//! The command line's words: every outcome and error of the application layer as the CLI says
//! it, with the command that helps (`run \`tokendeck link NAME\``) — in this one place. The
//! application's errors carry data; their `Display` is implemented here: the problem in the
//! words every front shares ([`problem`](crate::problem)), then the command line's advice. The
//! TUI words them in its own module. What a command prints when it went well is in [`said`].

pub mod agent;
pub mod daemon;
pub mod exec;
pub mod forecast;
pub mod format;
pub mod git;
pub mod man;
pub mod said;
pub mod stop;

use std::fmt;

use crate::app::link::{LinkEnd, LinkFailed, LinkWay};
use crate::app::{AccountError, Revocation};
use crate::oauth::{self, ErrorKind, Setting};
use crate::problem;
use crate::store::StoreError;
use crate::store::keyring::BACKEND_VAR;
use crate::store::new_account::NewAccountError;

impl fmt::Display for AccountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let problem = problem::account(self);
        match self {
            AccountError::Store(e) => write!(f, "{}", store_error(e)),
            AccountError::OAuth(e) => write!(f, "{}", oauth_error(e)),
            AccountError::NotLinked(name) => {
                write!(f, "{problem}: run `tokendeck link {name}`")
            }
            AccountError::RecordMissing(name) => write!(
                f,
                "{problem}: `tokendeck remove {name}`, add it again, and link it"
            ),
            AccountError::RecordNotHere { name, .. } => write!(
                f,
                "{problem}: if {name:?} was added where no Secret Service answered, its record is in the Linux kernel keyring — run tokendeck with {BACKEND_VAR}=keyutils (or =secret-service) once to settle it; if the record is truly gone, `tokendeck remove {name}` and add it again"
            ),
            AccountError::NeedsRelink { name, .. } => {
                write!(f, "{problem}. Run `tokendeck link {name}`")
            }
            AccountError::ClientRefused { name, .. } => write!(
                f,
                "{problem}: fix it with `tokendeck set {name} --client-secret-stdin` (or `--auth-method`); the tokens are kept, and the next refresh uses the new setting"
            ),
            AccountError::BackingOff { .. } => write!(f, "{problem}"),
            AccountError::ReservedParam { name, .. } => write!(
                f,
                "{problem}: change the parameters with `tokendeck set {name} --param KEY=VALUE` (or clear them with `--no-params`), then link again"
            ),
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
    let problem = problem::link_refused(error);
    let flag = if way == LinkWay::Device {
        " --device"
    } else {
        ""
    };
    let relink = format!("run `tokendeck link {name}{flag}` again");
    if way == LinkWay::Device && error.offers_no_device_grant() {
        return format!(
            "{problem}. Link it with the authorization URL instead: run `tokendeck link {name} --no-device`"
        );
    }
    match (error.setting(), error.kind()) {
        (Some(Setting::ClientCredentials), _) => format!(
            "{problem}: fix it with `tokendeck set {name} --client-secret-stdin` (or `--auth-method`), then {relink}"
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
        (None, _) => format!("{problem}. To try again, run `tokendeck link {name}{flag}`"),
    }
}

/// What became of the grant at the provider, after a removal: one sentence, the same in every
/// front (it names no command).
impl fmt::Display for Revocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", problem::revocation(self))
    }
}

#[cfg(test)]
mod tests;
