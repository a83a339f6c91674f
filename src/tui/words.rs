//! The TUI's words: the application's outcomes and errors as the TUI says them, with advice a
//! person can follow from the screen the message is shown on — the key that helps (`press l to
//! link it again`), never a command line, unless the TUI has no way to do it (it cannot change an
//! existing account's settings: then `tokendeck set …` in a shell is the only way, and the
//! message says so). The problem itself is in the words every front shares
//! ([`problem`](crate::problem)); the advice is this module's.

use crate::app::link::{LinkEnd, LinkFailed};
use crate::app::{AccountError, Revocation};
use crate::oauth::{self, ErrorKind, Setting};
use crate::problem;
use crate::store::StoreError;
use crate::store::keyring::BACKEND_VAR;
use crate::store::new_account::NewAccountError;

/// The screen a message is shown on: what its keys can do decides the advice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// The accounts screen, with the selected account's keys (`l`, `r`, `d`, `a`).
    Accounts,
    /// A screen over the accounts (inspect, link): their keys are an Esc away.
    OverAccounts,
}

/// Why the TUI cannot change a setting itself: said wherever a `tokendeck set` is advised.
const NO_SETTINGS_HERE: &str = "the TUI cannot change an existing account's settings";

/// An error about an account, with what to do next from where it is shown.
pub fn account_error(error: &AccountError, shown: Shown) -> String {
    let problem = problem::account(error);
    // Keys of the accounts screen: from a screen over it, Esc first.
    let keys = match shown {
        Shown::Accounts => "",
        Shown::OverAccounts => "back on the accounts screen (Esc), ",
    };
    match error {
        AccountError::Store(e) => store_error(e),
        AccountError::OAuth(_) | AccountError::BackingOff { .. } => problem,
        AccountError::NotLinked(_) => format!("{problem}: {keys}press l to link it"),
        AccountError::NeedsRelink { .. } => {
            format!(
                "{problem}. {}",
                sentence(&format!("{keys}press l to link it again"))
            )
        }
        AccountError::RecordMissing(_) => {
            format!("{problem}: {keys}remove it (d) and add it again (a), then link it (l)")
        }
        AccountError::RecordNotHere { name, .. } => format!(
            "{problem}: if {name:?} was added where no Secret Service answered, its record is in the Linux kernel keyring — quit and start tokendeck once with {BACKEND_VAR}=keyutils (or =secret-service) to settle it; if the record is truly gone, {keys}remove it (d) and add it again (a)"
        ),
        AccountError::ClientRefused { name, .. } => format!(
            "{problem}: {NO_SETTINGS_HERE}, so fix it in a shell with `tokendeck set {name} --client-secret-stdin` (or `--auth-method`); the tokens are kept, and the next refresh uses the new setting"
        ),
        AccountError::ReservedParam { name, .. } => format!(
            "{problem}: {NO_SETTINGS_HERE}, so change the parameters in a shell with `tokendeck set {name} --param KEY=VALUE` (or clear them with `--no-params`), then link it again"
        ),
    }
}

/// `text` begun with a capital, to stand as a sentence.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A store's error: its own words. The TUI reads the accounts file again by itself, so an
/// account gone meanwhile needs no advice.
pub fn store_error(error: &StoreError) -> String {
    error.to_string()
}

/// A link that ended, shown on the link screen — which offers `r` to start again and Esc to go
/// back under it: what went wrong, and what to do first when starting again is not enough.
pub fn link_ended(failed: &LinkFailed) -> String {
    let name = &failed.name;
    // A line of its own on the link screen: a sentence.
    sentence(&match &failed.end {
        LinkEnd::Refused(error) => {
            let problem = problem::link_refused(error);
            match (error.setting(), error.kind()) {
                (Some(Setting::ClientCredentials), _) => format!(
                    "{problem}: {NO_SETTINGS_HERE}, so fix it in a shell with `tokendeck set {name} --client-secret-stdin` (or `--auth-method`) before starting again."
                ),
                (Some(Setting::Scopes), _) => format!(
                    "{problem}. {NO_SETTINGS_HERE}: change the scopes in a shell with `tokendeck set {name} --scope S` (once for each scope) before starting again."
                ),
                (Some(Setting::AuthorizeParams), _) => format!(
                    "{problem}. Check the extra parameters and the callback URL; {NO_SETTINGS_HERE}: change them in a shell with `tokendeck set {name} --param KEY=VALUE` or `--redirect-uri URI` before starting again."
                ),
                (None, ErrorKind::Transient | ErrorKind::Ambiguous) => {
                    format!("{problem}. Wait a moment before starting again.")
                }
                (None, _) => format!("{problem}."),
            }
        }
        LinkEnd::PastesEnded => "The link was cancelled.".into(),
        LinkEnd::NotRecorded(e) => format!(
            "The tokens are in the keyring, but recording the link failed: {}",
            store_error(e)
        ),
    })
}

/// A link that could not start, shown on the link screen (`r` starts again, Esc goes back).
pub fn link_not_started(error: &AccountError) -> String {
    sentence(&account_error(error, Shown::OverAccounts))
}

/// A paste that did not work; the link goes on and takes another. The protocol's words already
/// say to paste the right answer.
pub fn paste_refused(error: &oauth::Error) -> String {
    sentence(&error.to_string())
}

/// What a refresh ended in — the engine's `Finished` event — for the accounts screen, where the
/// account is selected (`r` was pressed on it).
pub fn refresh_finished(account: &str, error: Option<&AccountError>) -> String {
    match error {
        None => format!("Refreshed {account}."),
        Some(e) => format!(
            "Refreshing {account} failed: {}",
            account_error(e, Shown::Accounts)
        ),
    }
}

/// Why the add form could not make the account, beside the field it is about. A name already
/// taken: the key that removes is `d` (the command line names `tokendeck remove`).
pub fn add_failed(error: &NewAccountError) -> String {
    match error {
        NewAccountError::Invalid { message, .. } => message.clone(),
        NewAccountError::UnknownPreset(id) => {
            format!("there is no preset {id:?}: pick one with ← and →")
        }
        NewAccountError::Store(StoreError::AccountExists(name)) => format!(
            "an account named {name:?} exists already: choose another name, or remove that one first (d on the accounts screen)"
        ),
        NewAccountError::Store(e) => store_error(e),
        NewAccountError::OAuth(e) => e.to_string(),
    }
}

pub fn linked(name: &str) -> String {
    format!("Linked {name}: its tokens are in the keyring.")
}

/// What became of the grant at the provider after a removal: these sentences name no command,
/// so every front says them alike.
pub fn revocation(revocation: &Revocation) -> String {
    problem::revocation(revocation)
}

/// The answer was larger than the API test (`t`) reads. The TUI shows only a line of it: the
/// whole answer is only to be had from a shell.
pub fn answer_too_large(name: &str, url: &str, limit_kib: usize) -> String {
    format!(
        "the answer is larger than the preview reads ({limit_kib} KiB): see it in a shell with `tokendeck call {name} {url}`"
    )
}

pub const NO_API_URL: &str = "no API URL is set for this account";

pub const NO_BROWSER: &str =
    "No browser could be opened here: copy the URL (c), or scan the code with a phone.";

/// `A` outside the demo (its key does nothing there, so this is a safeguard).
pub const NOT_THE_DEMO: &str = "The demo browser is only there in demo mode.";

/// A paste with no link running (the link screen offers `r` once a link has ended).
pub const NO_LINK: &str = "No link is in progress: press r to start one.";

pub fn holds_no_token(name: &str) -> String {
    format!("{name} holds no token yet: press l to link it.")
}

#[cfg(test)]
mod tests;

/// The badge of an account whose grant ends within the margin.
pub const RELINK_SOON_BADGE: &str = "relink soon";

/// Where a forecast of a grant's end comes from, in a word, for Details (`show` in a shell
/// names the document).
pub fn forecast_source(source: &crate::store::ForecastSource) -> &'static str {
    match source {
        crate::store::ForecastSource::Provider => "provider",
        crate::store::ForecastSource::Setting => "your setting",
        crate::store::ForecastSource::Preset { .. } => "preset",
    }
}

/// The banner over Details once a grant's forecast end is within the margin.
pub fn relink_soon(left: &str) -> String {
    format!("The grant ends {left}: press l to link it again before then.")
}
