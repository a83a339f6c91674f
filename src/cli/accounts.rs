//! `add`, `list`, `status`, `remove`: defining accounts and reading their state.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::{Value, json};

use super::shared::{read_secret, warn_about_keyring};
use super::words::{self, said};
use super::{AddArgs, CliError};
use crate::app::status::{self, AccountState};
use crate::store::new_account::{NewAccount, Source};
use crate::store::{Forecast, Store, StoreError, TimeLeft};
use crate::text::{FORMAT_VERSION, Lines, printable, printable_json};
use crate::time::{rfc3339, short_duration};

pub async fn add(store: &Arc<Store>, args: AddArgs) -> Result<(), CliError> {
    let client_secret = if args.client_secret_stdin {
        Some(read_secret()?)
    } else {
        None
    };
    let source = match (args.preset, args.issuer, args.authorize_url, args.token_url) {
        (Some(id), ..) => Source::Preset(id),
        (None, Some(issuer), ..) => Source::Issuer(issuer),
        (None, None, Some(authorize), Some(token)) => Source::Custom { authorize, token },
        _ => {
            return Err(CliError::Usage(
                "give --preset, --issuer, or --authorize-url with --token-url".into(),
            ));
        }
    };
    let name = args.name.clone();
    let args_share = args.share;
    let git_hosts_given = !args.git_hosts.is_empty();
    let account = NewAccount {
        name: args.name,
        source: Some(source),
        client_id: args.client_id,
        client_secret,
        redirect_uri: args.redirect_uri,
        scopes: (!args.scopes.is_empty()).then_some(args.scopes),
        params: args.params,
        auth_method: args.auth_method.map(Into::into),
        api_url: args.api_url,
        mail_user: args.mail_user,
        device_authorization_url: args.device_authorization_url,
        revocation_url: args.revocation_url,
        userinfo_url: args.userinfo_url,
        introspection_url: args.introspection_url,
        hooks: {
            let mut hooks = crate::store::Hooks::new();
            crate::store::hooks::apply(&mut hooks, &args.on);
            hooks
        },
        refresh_token_lifetime: args.refresh_token_lifetime.filter(|s| *s > 0),
        shared: args.share,
        // None: the preset's; `--git-host ""` alone: none at all.
        git_hosts: (!args.git_hosts.is_empty()).then(|| {
            args.git_hosts
                .into_iter()
                .filter(|h| !h.is_empty())
                .collect()
        }),
        git_user: args.git_user.filter(|u| !u.is_empty()),
    };
    let secret_required_by = account.client_secret_required_by();
    account.create(store).await?;
    warn_about_keyring(store).await;
    eprintln!("{}", said::added(&name));
    if let Some(provider) = secret_required_by {
        eprintln!("{}", said::client_secret_needed(&name, &provider));
    }
    if args_share {
        eprintln!("{}", said::shared_now(&name));
    }
    for line in git_claims(store, &name, git_hosts_given) {
        eprintln!("{line}");
    }
    Ok(())
}

/// What a new account's git remotes mean: those its preset gave it (the person did not name
/// them), and any another account claims too — git then gets one of their tokens, not both.
fn git_claims(store: &Store, name: &str, given: bool) -> Vec<String> {
    let Ok(claims) = crate::app::git::claims_of(store, name) else {
        return Vec::new();
    };
    let mut lines = Vec::new();
    if !given && !claims.is_empty() {
        let hosts: Vec<String> = claims.iter().map(|c| c.host.clone()).collect();
        lines.push(said::git_hosts_from_preset(name, &hosts));
    }
    for claim in claims.iter().filter(|c| !c.also.is_empty()) {
        let also: Vec<&str> = claim.also.iter().map(String::as_str).collect();
        lines.push(said::git_host_claimed_twice(name, &claim.host, &also));
    }
    lines
}

/// The columns of `list` for a person.
const LIST_HEADER: [&str; 5] = ["NAME", "PROVIDER", "STATUS", "TIME LEFT", "IDENTITY"];

pub fn list(store: &Store, json: bool) -> Result<(), CliError> {
    let accounts = status::all(store)?;
    let now = SystemTime::now();
    if json {
        let rows: Vec<Value> = accounts
            .iter()
            .map(
                |AccountState {
                     name,
                     account,
                     status,
                 }| {
                    json!({
                        "format_version": FORMAT_VERSION,
                        "name": name,
                        "kind": account.kind,
                        "client_id": account.client_id,
                        "token_endpoint": account.provider.token_endpoint().as_str(),
                        "status": status.health(now),
                        "identity": status.identity,
                    })
                },
            )
            .collect();
        println!("{}", printable_json(&Value::Array(rows).to_string()));
        return Ok(());
    }
    if accounts.is_empty() {
        eprintln!("{}", said::NO_ACCOUNTS);
        return Ok(());
    }
    // A header row names the columns, as `ps` and `gh auth status` do; the name column is as
    // wide as the longest name, so that a long one does not push its row out of line.
    let width = accounts
        .iter()
        .map(|a| a.name.chars().count())
        .chain([LIST_HEADER[0].len(), 19])
        .max()
        .unwrap_or(19);
    // The provider column too, for a preset's id longer than most (`microsoft-mail`).
    let kinds = accounts
        .iter()
        .map(|a| a.account.kind.chars().count())
        .chain([10])
        .max()
        .unwrap_or(10);
    let row = |cells: [&str; 5]| {
        let [name, kind, health, left, identity] = cells;
        format!("{name:<width$} {kind:<kinds$} {health:<14} {left:<18} {identity}")
            .trim_end()
            .to_string()
    };
    println!("{}", row(LIST_HEADER));
    for AccountState {
        name,
        account,
        status,
    } in &accounts
    {
        let identity = status.identity.as_deref().unwrap_or("");
        println!(
            "{}",
            row([
                name,
                &printable(&account.kind, Lines::One),
                status.health(now).label(),
                &TimeLeft::of(status, now).label(),
                &printable(identity, Lines::One),
            ])
        );
    }
    Ok(())
}

pub fn status(store: &Store, name: Option<&str>, json: bool) -> Result<(), CliError> {
    if json {
        let out = status_facts(store, name)?;
        println!("{}", printable_json(&out.to_string()));
        return Ok(());
    }
    let accounts = match name {
        Some(name) => vec![status::one(store, name)?],
        None => status::all(store)?,
    };
    let now = SystemTime::now();
    let margin = store.accounts()?.relink_margin();
    // The scope and the last error are the provider's words, replayed from the status file.
    let zone = crate::time::local_zone();
    for AccountState {
        name,
        account,
        status,
    } in &accounts
    {
        let forecast = Forecast::of(account, status);
        // A grant without a refresh token dies with its access token: said on the first line.
        let no_refresh = match &status.token {
            Some(token) if !token.has_refresh_token => ", no refresh token",
            _ => "",
        };
        println!(
            "{name}: {}, {}{no_refresh}",
            status.health(now).label(),
            TimeLeft::of(status, now).label()
        );
        if let Some(note) = status.unsaved_note() {
            println!("  {note}");
        }
        if let Some(identity) = &status.identity {
            println!("  identity: {}", printable(identity, Lines::One));
        }
        if let Some(token) = &status.token {
            if let Some(at) = token.expires_at {
                println!(
                    "  expires: {} ({})",
                    crate::time::date_time(at, &zone),
                    crate::time::relative(at, now)
                );
            }
            println!(
                "  scope: {}",
                printable(
                    token.scope.as_deref().unwrap_or("(not reported)"),
                    Lines::One
                )
            );
            println!(
                "  refresh token: {}",
                if token.has_refresh_token {
                    "held"
                } else {
                    "none"
                }
            );
        }
        if let Some(forecast) = &forecast {
            println!(
                "  grant ends: {}",
                words::forecast::when(forecast, now, &zone)
            );
            if let Some(warning) = words::forecast::warning(name, forecast, margin, now) {
                eprintln!("tokendeck: warning: {warning}");
            }
        }
        if let Some(last) = &status.last_refresh {
            let outcome = match &last.error {
                None => "ok".to_string(),
                Some(e) => format!("failed: {}", printable(e, Lines::One)),
            };
            println!(
                "  last refresh: {} ({} ago), {outcome}",
                crate::time::date_time(last.at, &zone),
                ago(last.at, now)
            );
        }
    }
    Ok(())
}

/// What `status --json` prints, and the agent's `status` answers: one account's status, or a list
/// of every account's.
pub(super) fn status_facts(store: &Store, name: Option<&str>) -> Result<Value, StoreError> {
    let accounts = match name {
        Some(name) => vec![status::one(store, name)?],
        None => status::all(store)?,
    };
    let now = SystemTime::now();
    let margin = store.accounts()?.relink_margin();
    let mut rows = accounts.iter().map(|state| status_json(state, margin, now));
    Ok(match name {
        Some(_) => rows.next().unwrap_or(Value::Null),
        None => Value::Array(rows.collect()),
    })
}

/// The stable JSON shape of one account's status (documented in the README).
fn status_json(state: &AccountState, margin: Duration, now: SystemTime) -> Value {
    let (name, status) = (&state.name, &state.status);
    let forecast = Forecast::of(&state.account, status);
    let token = status.token.as_ref();
    let expires_at = token.and_then(|t| t.expires_at);
    json!({
        "format_version": FORMAT_VERSION,
        "name": name,
        "status": status.health(now),
        "identity": status.identity,
        "expires_at": expires_at.map(rfc3339),
        "seconds_left": expires_at.map(|at| crate::time::seconds_until(at, now)),
        "obtained_at": token.map(|t| rfc3339(t.obtained_at)),
        "scope": token.and_then(|t| t.scope.clone()),
        "token_type": token.map(|t| t.token_type.clone()),
        "has_refresh_token": token.is_some_and(|t| t.has_refresh_token),
        "unsaved_since": status.unsaved_since.map(rfc3339),
        "refresh_token_expires_at": forecast.as_ref().map(|f| rfc3339(f.dies_at)),
        "refresh_token_expires_source": forecast.as_ref().map(|f| f.source.id()),
        "relink_soon": forecast.as_ref().is_some_and(|f| f.is_near(now, margin)),
        "last_refresh": status.last_refresh.as_ref().map(|r| json!({
            "at": rfc3339(r.at),
            "ok": r.ok,
            "error": r.error,
        })),
    })
}

/// Removes `name`, revoking its grant first unless `revoke` is off. A failed revocation is said
/// (and the exit status stays 0: the account is gone, as asked).
pub async fn remove(store: &Arc<Store>, name: &str, revoke: bool) -> Result<(), CliError> {
    let revocation = crate::app::remove_account(store, name, revoke).await?;
    eprintln!("{}", said::removed(name));
    let sentence = revocation.to_string();
    let sentence = printable(&sentence, Lines::One);
    match revocation.is_failure() {
        true => eprintln!("tokendeck: {sentence}"),
        false => eprintln!("{sentence}"),
    }
    Ok(())
}

fn ago(at: SystemTime, now: SystemTime) -> String {
    short_duration(now.duration_since(at).map_or(0, |d| d.as_secs()))
}
