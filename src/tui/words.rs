//! The TUI's words: the application's outcomes and errors as the TUI says them, with advice a
//! person can follow from the screen the message is shown on — the key that helps (`press l to
//! link it again`, `press e to change the scopes`), never a command line, unless the TUI has no
//! way to do it (it does not change a client's authentication method: then `tokendeck set …` in
//! a shell is the way, and the message says so). The problem itself is in the words every front
//! shares ([`problem`](crate::problem)); the advice is this module's.

use std::time::SystemTime;

use crate::app::link::{LinkEnd, LinkFailed, RefreshTokenAdvice};
use crate::app::set::{Changed, Endpoint, Setting as Changeable};
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
            "{problem}: {keys}press e to change the client ID or secret (the authentication method only `tokendeck set {name} --auth-method` changes); the tokens are kept, and the next refresh uses the new setting"
        ),
        AccountError::ReservedParam { .. } => format!(
            "{problem}: {keys}press e to change the extra parameters, then l to link it again"
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
                    "{problem}: back on the accounts screen (Esc), press e to change the client ID or secret (the authentication method only `tokendeck set {name} --auth-method` changes), then l to link again."
                ),
                (Some(Setting::Scopes), _) => format!(
                    "{problem}. Back on the accounts screen (Esc), press e to change the scopes, then l to link again."
                ),
                (Some(Setting::AuthorizeParams), _) => format!(
                    "{problem}. Check the extra parameters and the callback URL: back on the accounts screen (Esc), press e to change them, then l to link again."
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

/// A link that brought no refresh token, said on the accounts screen it returns to: when the
/// account dies, and what usually brings one — changed with `e`, then linked again with `l`.
pub fn linked_without_refresh_token(
    name: &str,
    expires_at: Option<SystemTime>,
    now: SystemTime,
    advice: &RefreshTokenAdvice,
) -> String {
    let when = match expires_at {
        Some(at) => format!(
            "when its access token expires (in {})",
            crate::time::short_duration(crate::time::seconds_left(at, now))
        ),
        None => "when its access token expires".into(),
    };
    let warning =
        format!("Linked {name}, but no refresh token was issued: it must be linked again {when}.");
    if advice.is_empty() {
        return format!(
            "{warning} It asks for what usually brings one; the app's settings at the provider decide."
        );
    }
    format!(
        "{warning} To get one, {}: press e to add it, then l.",
        problem::what_brings_a_refresh_token(advice)
    )
}

/// A new account, with the git remotes its preset claims for it and who else claims them.
/// Added from a preset whose provider wants the client secret, without one.
pub fn client_secret_needed(provider: &str) -> String {
    format!(
        "{provider} asks for the client secret even of a desktop app, so linking would fail: press e and enter it."
    )
}

pub fn added(name: &str, git: &[crate::app::git::Claim]) -> String {
    let mut text = format!("Added {name}. Press l to link it.");
    if !git.is_empty() {
        let hosts: Vec<&str> = git.iter().map(|c| c.host.as_str()).collect();
        text.push_str(&format!(
            " It answers git for {} (its preset's).",
            hosts.join(", ")
        ));
    }
    for claim in git.iter().filter(|c| !c.also.is_empty()) {
        let mut claimants: Vec<&str> = claim.also.iter().map(String::as_str).collect();
        let others = match claimants.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
            _ => claimants.join(""),
        };
        claimants.push(name);
        claimants.sort_unstable();
        text.push_str(&format!(
            " {others} {} {} too: git gets {}'s token there, the first by name.",
            if claim.also.len() == 1 {
                "claims"
            } else {
                "claim"
            },
            claim.host,
            claimants[0]
        ));
    }
    text
}

/// Esc on the edit form.
pub fn edit_cancelled(name: &str) -> String {
    format!("Edit of {name} cancelled; nothing changed.")
}

/// Enter on the edit form with nothing changed.
pub fn nothing_changed(name: &str) -> String {
    format!("{name} already had these settings; nothing changed.")
}

/// What the edit form changed, and what follows: a grant made under the old client ID,
/// endpoints or scopes is kept but needs a new link (`l`); a change to the authorization
/// request applies from the next link; new credentials after a failed refresh may make `r` work.
pub fn edited(name: &str, changed: &Changed) -> String {
    // Sharing is said on its own, below, with what it means.
    let what = changed
        .settings
        .iter()
        .filter(|s| **s != Changeable::Shared)
        .map(|s| setting(*s))
        .collect::<Vec<_>>()
        .join(", ");
    let mut text = match what.is_empty() {
        true => String::new(),
        false => format!("Changed {name}: {what}."),
    };
    if !changed.grant_made_under_old.is_empty() {
        let old = changed
            .grant_made_under_old
            .iter()
            .map(|s| setting(*s))
            .collect::<Vec<_>>()
            .join(", ");
        // A refresh token belongs to the client and token endpoint that issued it.
        let refused = changed.grant_made_under_old.iter().any(|s| {
            matches!(
                s,
                Changeable::ClientId | Changeable::Endpoint(Endpoint::Token)
            )
        });
        let refresh = match refused {
            true => " (refreshing them will most likely be refused)",
            false => "",
        };
        text.push_str(&format!(
            " The tokens held were granted under the old {old}: they are kept{refresh}, but a grant under the new settings needs a new link: press l to link it again."
        ));
    } else if changed.applies_at_next_link {
        text.push_str(" It takes effect when you link again (l).");
    }
    if changed.last_refresh_failed {
        text.push_str(" Its last refresh failed: press r to try again with the new settings.");
    }
    match changed.shared {
        Some(true) => text.push_str(&format!(
            " {name} is shared over ssh now: a daemon started with --share hands its access tokens (never its refresh token) to whoever reaches share.sock."
        )),
        Some(false) => text.push_str(&format!(
            " {name} is no longer shared: share.sock refuses its tokens from now on."
        )),
        None => {}
    }
    text.trim_start().to_string()
}

/// A setting as the edit form labels it.
fn setting(setting: Changeable) -> &'static str {
    match setting {
        Changeable::ClientId => "client ID",
        Changeable::Scopes => "scopes",
        Changeable::Params => "extra parameters",
        Changeable::RedirectUri => "callback URL",
        Changeable::ApiUrl => "API URL",
        Changeable::MailUser => "mail user",
        Changeable::Endpoint(Endpoint::Authorization) => "authorization URL",
        Changeable::Endpoint(Endpoint::Token) => "token URL",
        Changeable::Endpoint(Endpoint::DeviceAuthorization) => "device authorization URL",
        Changeable::Endpoint(Endpoint::Revocation) => "revocation URL",
        Changeable::Endpoint(Endpoint::Introspection) => "introspection URL",
        Changeable::Endpoint(Endpoint::Userinfo) => "userinfo URL",
        Changeable::Hooks => "hooks",
        Changeable::AuthMethod => "client authentication",
        Changeable::ClientSecret => "client secret",
        Changeable::RefreshTokenLifetime => "refresh token lifetime",
        Changeable::Shared => "sharing",
        Changeable::GitHosts => "git hosts",
        Changeable::GitUser => "git user",
    }
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
