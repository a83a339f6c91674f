//! `show`: one account's settings for a person (a label and a value a line, the scopes one per
//! line) or as one JSON object — never a secret or a token, which `show` does not even read: the
//! keyring is asked only whether a client secret is there.

use std::time::SystemTime;

use serde_json::{Value, json};

use super::CliError;
use super::words::{forecast, store_error};
use crate::app::show::{self, AccountSettings};
use crate::oauth::AuthMethod;
use crate::store::{Forecast, Store, TimeLeft};
use crate::text::{FORMAT_VERSION, Lines, printable, printable_json};
use crate::time::{rfc3339, short_duration};

pub async fn show(store: &Store, name: &str, json: bool) -> Result<(), CliError> {
    let settings = show::settings(store, name).await?;
    let now = SystemTime::now();
    match json {
        true => println!("{}", printable_json(&as_json(&settings, now).to_string())),
        // The file may have been edited by hand: every value is escaped before a terminal sees it.
        false => {
            for line in for_a_person(&settings, now) {
                println!("{}", printable(&line, Lines::One));
            }
        }
    }
    Ok(())
}

/// The URLs an account may have, by label and JSON key.
fn urls(settings: &AccountSettings) -> [(&'static str, &'static str, Option<String>); 7] {
    let provider = &settings.account.provider;
    let url = |u: Option<&url::Url>| u.map(url::Url::to_string);
    [
        (
            "authorize URL",
            "authorize_url",
            url(Some(provider.authorization_endpoint())),
        ),
        (
            "token URL",
            "token_url",
            url(Some(provider.token_endpoint())),
        ),
        (
            "device URL",
            "device_authorization_url",
            url(provider.device_authorization_endpoint()),
        ),
        (
            "revocation URL",
            "revocation_url",
            url(provider.revocation_endpoint()),
        ),
        (
            "introspection URL",
            "introspection_url",
            url(provider.introspection_endpoint()),
        ),
        (
            "userinfo URL",
            "userinfo_url",
            url(provider.userinfo_endpoint()),
        ),
        ("API URL", "api_url", settings.account.api_url.clone()),
    ]
}

fn auth_method(method: AuthMethod) -> &'static str {
    match method {
        AuthMethod::Basic => "basic",
        AuthMethod::Post => "post",
        AuthMethod::None => "none",
    }
}

fn for_a_person(settings: &AccountSettings, now: SystemTime) -> Vec<String> {
    let account = &settings.account;
    let row = |label: &str, value: &str| {
        format!("  {:<19}{value}", format!("{label}:"))
            .trim_end()
            .to_string()
    };
    let mut lines = vec![settings.name.clone()];
    let provider = match (&settings.preset, account.provider.issuer()) {
        (Some(preset), _) => format!("{} (preset {})", preset.name, preset.id),
        (None, Some(issuer)) if account.kind == "issuer" => format!("discovered from {issuer}"),
        _ => format!("{} (endpoints given by hand)", account.kind),
    };
    lines.push(row("provider", &provider));
    lines.push(row("client id", &account.client_id));
    let secret = match &settings.keyring {
        Ok(record) if record.client_secret_stored => "stored in the keyring".to_string(),
        Ok(_) => "none".to_string(),
        Err(e) => format!("unknown: {}", store_error(e)),
    };
    lines.push(row("client secret", &secret));
    lines.push(row("client auth", auth_method(account.auth_method)));
    match account.scopes.as_slice() {
        [] => lines.push(row("scopes", "(none)")),
        scopes => {
            lines.push(row("scopes", ""));
            lines.extend(scopes.iter().map(|s| format!("    {s}")));
        }
    }
    for (label, _, url) in urls(settings) {
        lines.push(row(label, url.as_deref().unwrap_or("(none)")));
    }
    lines.push(row("redirect URI", &account.redirect_uri));
    let params: Vec<String> = account
        .params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    lines.push(row("parameters", &list_or_none(&params)));
    let hooks: Vec<String> = account
        .hooks
        .iter()
        .map(|(event, command)| format!("{}={command}", event.name()))
        .collect();
    lines.push(row("hooks", &list_or_none(&hooks)));
    // Only where git was set up: most accounts are never git's.
    if !account.git.hosts.is_empty() {
        lines.push(row("git hosts", &account.git.hosts.join(", ")));
        lines.push(row("git user", account.git.user()));
    }
    let keyring = match &settings.keyring {
        Ok(record) => record.backend.id().to_string(),
        Err(_) => "(could not be reached)".to_string(),
    };
    lines.push(row("keyring", &keyring));
    let status = &settings.status;
    // The time left only where there is one (not linked: no "-" after it).
    let left = TimeLeft::of(status, now).label();
    let token = match left.as_str() {
        "-" | "" => status.health(now).label().to_string(),
        left => format!("{}, {left}", status.health(now).label()),
    };
    lines.push(row("token", &token));
    if let Some(identity) = &status.identity {
        lines.push(row("identity", identity));
    }
    if let Some(user) = &account.mail_user {
        lines.push(row("mail user", user));
    }
    if let Some(token) = &status.token {
        if let Some(lifetime) = access_lifetime(settings) {
            lines.push(row("access token life", &short_duration(lifetime)));
        }
        let refresh = match token.has_refresh_token {
            true => "held",
            false => "none: link again when the access token expires",
        };
        lines.push(row("refresh token", refresh));
    }
    if let Some(forecast) = Forecast::of(account, status) {
        let zone = crate::time::local_zone();
        lines.push(row("grant ends", &forecast::when(&forecast, now, &zone)));
    }
    if let Some(lifetime) = account.refresh_token_lifetime {
        lines.push(row("refresh token life", &short_duration(lifetime)));
    }
    lines.push(row(
        "shared",
        match account.shared {
            true => "yes: `tokendeck daemon --share` hands out its access token",
            false => "no",
        },
    ));
    if let Some(every) = account.refresh_at_least {
        lines.push(row(
            "refresh at least",
            &format!("every {}", short_duration(every)),
        ));
    }
    lines
}

fn list_or_none(items: &[String]) -> String {
    match items.is_empty() {
        true => "(none)".into(),
        false => items.join(", "),
    }
}

/// How long the held access token was issued for, in seconds.
fn access_lifetime(settings: &AccountSettings) -> Option<u64> {
    let token = settings.status.token.as_ref()?;
    let at = token.expires_at?;
    Some(at.duration_since(token.obtained_at).ok()?.as_secs())
}

/// The stable JSON shape of `show --json` (documented in the README).
fn as_json(settings: &AccountSettings, now: SystemTime) -> Value {
    let account = &settings.account;
    let status = &settings.status;
    let token = status.token.as_ref();
    let forecast = Forecast::of(account, status);
    let mut object = json!({
        "format_version": FORMAT_VERSION,
        "name": settings.name,
        "kind": account.kind,
        "preset": settings.preset.as_ref().map(|p| &p.name),
        "issuer": account.provider.issuer(),
        "client_id": account.client_id,
        "client_secret_stored": settings.keyring.as_ref().ok().map(|r| r.client_secret_stored),
        "auth_method": auth_method(account.auth_method),
        "scopes": account.scopes,
        "redirect_uri": account.redirect_uri,
        "mail_user": account.mail_user,
        "params": account.params,
        "hooks": account.hooks.iter().map(|(e, c)| (e.name().to_string(), Value::from(c.as_str()))).collect::<serde_json::Map<_, _>>(),
        "keyring": settings.keyring.as_ref().ok().map(|r| r.backend.id()),
        "status": status.health(now),
        "identity": status.identity,
        "obtained_at": token.map(|t| rfc3339(t.obtained_at)),
        "expires_at": token.and_then(|t| t.expires_at).map(rfc3339),
        "access_token_lifetime_seconds": access_lifetime(settings),
        "has_refresh_token": token.is_some_and(|t| t.has_refresh_token),
        "refresh_at_least_seconds": account.refresh_at_least,
        "refresh_token_lifetime_seconds": account.refresh_token_lifetime,
        "refresh_token_expires_at": forecast.as_ref().map(|f| rfc3339(f.dies_at)),
        "refresh_token_expires_source": forecast.as_ref().map(|f| f.source.id()),
        "shared": account.shared,
        "git_hosts": account.git.hosts,
        "git_user": account.git.user(),
    });
    for (_, key, url) in urls(settings) {
        object[key] = json!(url);
    }
    object
}
