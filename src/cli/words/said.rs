//! What a command says on stderr when things go as asked: an account added, linked, refreshed,
//! changed or removed, and the directions while a link waits. Data a script reads (a token, a
//! URL, a list, JSON) goes to stdout from the command's own module.

use std::net::SocketAddr;
use std::time::SystemTime;

use std::collections::BTreeMap;

use crate::app::link::RefreshTokenAdvice;
use crate::app::set::{Changed, Endpoint, Setting};
use crate::oauth::{DeviceAuthorization, Tokens};
use crate::text::{Lines, printable};
use crate::time::{seconds_left, short_duration};

pub fn added(name: &str) -> String {
    format!("Added {name:?}. Link it with: tokendeck link {name}")
}

/// A new account of a preset whose provider wants the client secret, added without one.
pub fn client_secret_needed(name: &str, provider: &str) -> String {
    format!(
        "tokendeck: warning: {provider} asks for the client secret even of a desktop app, and {name:?} has none, so linking it would fail: give the secret of that client with `tokendeck set {name} --client-secret-stdin` (it reads it from stdin)"
    )
}

/// A new account that answers git for its preset's hosts, which the person did not name.
pub fn git_hosts_from_preset(name: &str, hosts: &[String]) -> String {
    format!(
        "{name:?} answers git for {} (its preset's; `tokendeck git-credential` hands git its token there): `tokendeck set {name} --git-host ''` stops it.",
        hosts.join(", ")
    )
}

/// A remote that another account claims as well: git gets one token for it, chosen by name.
pub fn git_host_claimed_twice(name: &str, host: &str, also: &[&str]) -> String {
    let mut claimants: Vec<&str> = also.to_vec();
    claimants.push(name);
    claimants.sort_unstable();
    let quoted: Vec<String> = also.iter().map(|o| format!("{o:?}")).collect();
    let (others, claim) = match quoted.split_last() {
        Some((last, [])) => (last.clone(), "claims"),
        Some((last, rest)) => (format!("{} and {last}", rest.join(", ")), "claim"),
        None => (String::new(), "claims"),
    };
    format!(
        "{others} {claim} {host} for git too: git gets {:?}'s token there, the first by name. To tell them apart, give each its repositories' path (`tokendeck set NAME --git-host {host}/OWNER`, with git's credential.useHttpPath), or `--git-host ''` to one of them.",
        claimants[0]
    )
}

/// What `add --share` and `set --share` say: where the token will be handed out, and how.
pub fn shared_now(name: &str) -> String {
    format!(
        "{name:?} is shared: `tokendeck daemon --share` hands its access token (never its refresh token) to whoever reaches share.sock, such as an `ssh -R` forward."
    )
}

pub const NO_ACCOUNTS: &str =
    "No accounts yet. Add one with: tokendeck add NAME --preset google --client-id ID";

pub fn removed(name: &str) -> String {
    format!("Removed {name:?}: its tokens are gone from the keyring.")
}

pub fn linked(name: &str, tokens: &Tokens, now: SystemTime) -> String {
    let left = expiry(tokens, now, "the access token");
    format!("Linked {name:?}{left}.")
}

pub fn refreshed(name: &str, tokens: &Tokens, now: SystemTime) -> String {
    let left = expiry(tokens, now, "the new access token");
    format!("Refreshed {name:?}{left}.")
}

/// `; the access token expires in 59m 59s`, when it has an expiry.
fn expiry(tokens: &Tokens, now: SystemTime, which: &str) -> String {
    tokens
        .expires_at()
        .map(|at| {
            format!(
                "; {which} expires in {}",
                short_duration(seconds_left(at, now))
            )
        })
        .unwrap_or_default()
}

/// A link that brought no refresh token: when the account dies, and what usually brings one
/// (`params`: the account's parameters now, which `set --param` replaces as a whole).
pub fn no_refresh_token(
    name: &str,
    tokens: &Tokens,
    now: SystemTime,
    advice: &RefreshTokenAdvice,
    params: &BTreeMap<String, String>,
) -> String {
    let when = match tokens.expires_at() {
        Some(at) => format!(
            "when its access token expires in {}",
            short_duration(seconds_left(at, now))
        ),
        None => "when its access token expires".into(),
    };
    let warning =
        format!("no refresh token was issued, so {name:?} will need linking again {when}.");
    if advice.is_empty() {
        return format!(
            "{warning} It already asks for what usually brings one; the app's settings at the provider decide (GitHub, for one, issues refresh tokens only to apps with expiring user tokens)."
        );
    }
    let mut command = format!("tokendeck set {name}");
    if let Some(scope) = &advice.add_scope {
        command.push_str(&format!(" --add-scope {scope}"));
    }
    if !advice.set_params.is_empty() {
        let mut all = params.clone();
        all.extend(advice.set_params.iter().cloned());
        for (k, v) in &all {
            command.push_str(&format!(" --param {k}={v}"));
        }
    }
    format!(
        "{warning} To get one, {}: run `{command}`, then `tokendeck link {name}`.",
        crate::problem::what_brings_a_refresh_token(advice)
    )
}

/// The directions under the authorization URL.
pub fn open_the_url(drawn: bool, listening: Option<SocketAddr>) -> [String; 2] {
    let scan = if drawn { " (or scan the code)" } else { "" };
    [
        format!("\nOpen the URL above in a browser{scan} and approve access."),
        match listening {
            Some(addr) => format!(
                "Waiting for the browser on {addr} — or paste the code or the address the browser lands on, then press Enter."
            ),
            None => {
                "Then paste the code, or the whole address the browser lands on, and press Enter."
                    .into()
            }
        },
    ]
}

pub fn no_browser_for_the_url(drawn: bool) -> String {
    let phone = if drawn {
        ", or scan the code with a phone"
    } else {
        ""
    };
    format!("(No browser could be opened here: copy the URL{phone}.)")
}

pub const PASTE_AGAIN: &str = "Paste again, or press Ctrl-C to give up.";

/// The directions under a device code's URL.
pub fn approve_the_code(
    authorization: &DeviceAuthorization,
    drawn: bool,
    now: SystemTime,
) -> [String; 2] {
    let scan = if drawn {
        " (or scan the code with a phone)"
    } else {
        ""
    };
    let code = printable(authorization.user_code(), Lines::One);
    [
        match authorization.verification_uri_complete() {
            Some(_) => format!(
                "\nOpen the URL above on any device{scan}, check that it shows the code {code}, and approve."
            ),
            None => format!("\nOpen the URL above on any device{scan} and enter the code {code}."),
        },
        format!(
            "Waiting for the approval; the code expires in {}.",
            short_duration(seconds_left(authorization.expires_at(), now))
        ),
    ]
}

/// New tokens the keyring did not take yet, held while it is tried again.
pub fn holding_unsaved(cause: &str, patience: std::time::Duration) -> String {
    format!(
        "the new tokens could not be saved yet ({}); holding them and trying again for up to {}",
        cause.trim_end_matches('.'),
        short_duration(patience.as_secs())
    )
}

pub const NO_BROWSER_FOR_THE_CODE: &str =
    "(No browser could be opened here: open the URL on another device.)";

/// What `set` says it changed, and what follows from it.
pub fn changed(name: &str, changed: &Changed) -> Vec<String> {
    if changed.settings.is_empty() && !changed.secret_removed {
        return vec![format!(
            "{name:?} already had these settings; nothing changed."
        )];
    }
    // Sharing is said on its own line, with what it means.
    let mut what = changed
        .settings
        .iter()
        .filter(|s| **s != Setting::Shared)
        .map(|s| setting(*s))
        .collect::<Vec<_>>()
        .join(", ");
    if changed.secret_removed {
        if !what.is_empty() {
            what.push_str("; ");
        }
        what.push_str("the client secret was deleted (a public client has none)");
    }
    let mut lines = Vec::new();
    if !what.is_empty() {
        lines.push(format!("Changed {name:?}: {what}."));
    }
    match changed.shared {
        Some(true) => lines.push(shared_now(name)),
        Some(false) => lines.push(format!(
            "{name:?} is no longer shared: share.sock refuses its token from now on."
        )),
        None => {}
    }
    if changed.last_refresh_failed {
        lines.push(format!(
            "Its tokens are kept. Its last refresh failed; `tokendeck refresh {name}` tries again with the new settings."
        ));
    }
    if !changed.grant_made_under_old.is_empty() {
        let old = changed
            .grant_made_under_old
            .iter()
            .map(|s| setting(*s))
            .collect::<Vec<_>>()
            .join(", ");
        // A refresh token belongs to the client and token endpoint that issued it.
        let refresh = match changed
            .grant_made_under_old
            .iter()
            .any(|s| matches!(s, Setting::ClientId | Setting::Endpoint(Endpoint::Token)))
        {
            true => " Refreshing them will most likely be refused.",
            false => "",
        };
        lines.push(format!(
            "The tokens held were granted under the old {old}: they are kept, but a grant under the new settings needs a new link: run `tokendeck link {name}`.{refresh}"
        ));
    } else if changed.applies_at_next_link {
        lines.push(format!(
            "The authorization request changed: it takes effect when you link again with `tokendeck link {name}`."
        ));
    }
    lines
}

/// A setting, in the words that confirm a change.
fn setting(setting: Setting) -> &'static str {
    match setting {
        Setting::ClientId => "client id",
        Setting::Scopes => "scopes",
        Setting::Params => "extra parameters",
        Setting::RedirectUri => "callback URL",
        Setting::ApiUrl => "API URL",
        Setting::MailUser => "mail user",
        Setting::Endpoint(Endpoint::Authorization) => "authorization endpoint",
        Setting::Endpoint(Endpoint::Token) => "token endpoint",
        Setting::Endpoint(Endpoint::DeviceAuthorization) => "device authorization endpoint",
        Setting::Endpoint(Endpoint::Revocation) => "revocation endpoint",
        Setting::Endpoint(Endpoint::Introspection) => "introspection endpoint",
        Setting::Endpoint(Endpoint::Userinfo) => "userinfo endpoint",
        Setting::Hooks => "hooks",
        Setting::RefreshTokenLifetime => "refresh token lifetime",
        Setting::Shared => "sharing",
        Setting::GitHosts => "git hosts",
        Setting::GitUser => "git user",
        Setting::AuthMethod => "client authentication",
        Setting::ClientSecret => "client secret",
    }
}
