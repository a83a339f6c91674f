//! `add`, `list`, `status`, `remove`: defining accounts and reading their state.

use std::io::Read;
use std::sync::Arc;
use std::time::SystemTime;

use serde_json::{Value, json};

use super::{AddArgs, CliError, warn_about_keyring};
use crate::oauth::presets::Preset;
use crate::oauth::{AuthMethod, Provider, Session};
use crate::store::{Account, AccountStatus, Store, validate_name};

/// Where the browser is sent back to unless the user says otherwise: a fixed port, so that it
/// can be registered at providers that compare callback URLs exactly.
pub const DEFAULT_REDIRECT_URI: &str = "http://127.0.0.1:8765/callback";

pub async fn add(store: &Arc<Store>, args: AddArgs) -> Result<(), CliError> {
    validate_name(&args.name)?;
    if store.accounts()?.accounts.contains_key(&args.name) {
        return Err(crate::store::StoreError::AccountExists(args.name).into());
    }
    let secret = if args.client_secret_stdin {
        Some(read_secret()?)
    } else {
        None
    };
    let preset = args
        .preset
        .map(|id| {
            let id = format!("{id:?}").to_lowercase();
            Preset::find(&id).ok_or_else(|| CliError::Usage(format!("no preset {id:?}")))
        })
        .transpose()?;
    let (kind, provider) = match (&preset, &args.issuer, &args.authorize_url, &args.token_url) {
        (Some(preset), ..) => (preset.id.clone(), preset.provider()?),
        (None, Some(issuer), ..) => ("issuer".to_string(), Provider::discover(issuer).await?),
        (None, None, Some(authorize), Some(token)) => {
            ("custom".to_string(), Provider::new(authorize, token)?)
        }
        _ => {
            return Err(CliError::Usage(
                "give --preset, --issuer, or --authorize-url with --token-url".into(),
            ));
        }
    };
    let scopes = match (&preset, args.scopes.is_empty()) {
        (Some(preset), true) => preset.scopes.clone(),
        _ => args.scopes,
    };
    let mut params = preset
        .as_ref()
        .map(|p| p.params.clone())
        .unwrap_or_default();
    params.retain(|_, value| !value.is_empty()); // a preset's blanks are only hints
    params.extend(args.params);
    let auth_method = match (args.auth_method, &secret, &preset) {
        (Some(method), ..) => method.into(),
        (None, None, _) => AuthMethod::None,
        (None, Some(_), Some(preset)) if preset.auth_method != AuthMethod::None => {
            preset.auth_method
        }
        (None, Some(_), _) => AuthMethod::Basic,
    };
    let account = Account {
        kind,
        client_id: args.client_id,
        redirect_uri: args
            .redirect_uri
            .unwrap_or_else(|| DEFAULT_REDIRECT_URI.to_string()),
        scopes,
        auth_method,
        params,
        api_url: args.api_url.or(preset.and_then(|p| p.api_url)),
        provider,
    };
    if let Some(api_url) = &account.api_url {
        url::Url::parse(api_url)
            .map_err(|e| CliError::Usage(format!("--api-url {api_url:?}: {e}")))?;
    }
    // The same checks a link will make, now, before anything is stored.
    let mut check = Session::builder(
        account.provider.clone(),
        &account.client_id,
        &account.redirect_uri,
    )
    .auth_method(account.auth_method);
    if let Some(secret) = &secret {
        check = check.client_secret(secret);
    }
    check.build()?;

    store.add(&args.name, account, secret).await?;
    warn_about_keyring(store).await;
    eprintln!("Added {0:?}. Link it with: tokendeck link {0}", args.name);
    Ok(())
}

/// The client secret from standard input: one line, or all of it, without the final newline.
fn read_secret() -> Result<String, CliError> {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).map_err(|e| {
        CliError::Io(format!(
            "could not read the client secret from standard input: {e}"
        ))
    })?;
    let secret = text.trim_end_matches(['\r', '\n']).to_string();
    if secret.is_empty() {
        return Err(CliError::Usage(
            "--client-secret-stdin was given but standard input was empty: pipe the secret in, e.g. `pass show app | tokendeck add …`".into(),
        ));
    }
    Ok(secret)
}

pub fn list(store: &Store, json: bool) -> Result<(), CliError> {
    let accounts = store.accounts()?;
    let now = SystemTime::now();
    if json {
        let rows: Vec<Value> = accounts
            .accounts
            .iter()
            .map(|(name, account)| {
                json!({
                    "name": name,
                    "kind": account.kind,
                    "client_id": account.client_id,
                    "token_endpoint": account.provider.token_endpoint().as_str(),
                    "status": store.status(name).health(now),
                })
            })
            .collect();
        println!("{}", Value::Array(rows));
        return Ok(());
    }
    if accounts.accounts.is_empty() {
        eprintln!(
            "No accounts yet. Add one with: tokendeck add NAME --preset google --client-id ID"
        );
        return Ok(());
    }
    for (name, account) in &accounts.accounts {
        let status = store.status(name);
        println!(
            "{name:<20} {:<10} {:<14} {}",
            account.kind,
            status.health(now).label(),
            time_left(&status, now)
        );
    }
    Ok(())
}

pub fn status(store: &Store, name: Option<&str>, json: bool) -> Result<(), CliError> {
    let accounts = store.accounts()?;
    let names: Vec<String> = match name {
        Some(name) => {
            accounts.get(name)?;
            vec![name.to_string()]
        }
        None => accounts.accounts.keys().cloned().collect(),
    };
    let now = SystemTime::now();
    let rows: Vec<Value> = names
        .iter()
        .map(|name| status_json(name, &store.status(name), now))
        .collect();
    if json {
        let out = match name {
            Some(_) => rows.into_iter().next().unwrap_or(Value::Null),
            None => Value::Array(rows),
        };
        println!("{out}");
        return Ok(());
    }
    for name in &names {
        let status = store.status(name);
        println!(
            "{name}: {}, {}",
            status.health(now).label(),
            time_left(&status, now)
        );
        if let Some(token) = &status.token {
            println!(
                "  scope: {}",
                token.scope.as_deref().unwrap_or("(not reported)")
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
        if let Some(last) = &status.last_refresh {
            let outcome = match &last.error {
                None => "ok".to_string(),
                Some(e) => format!("failed: {e}"),
            };
            println!("  last refresh: {} ago, {outcome}", ago(last.at, now));
        }
    }
    Ok(())
}

/// The stable JSON shape of one account's status (documented in the README).
fn status_json(name: &str, status: &AccountStatus, now: SystemTime) -> Value {
    let token = status.token.as_ref();
    let expires_at = token.and_then(|t| t.expires_at);
    json!({
        "name": name,
        "status": status.health(now),
        "expires_at": expires_at.map(rfc3339),
        "seconds_left": expires_at.map(|at| seconds_between(now, at)),
        "obtained_at": token.map(|t| rfc3339(t.obtained_at)),
        "scope": token.and_then(|t| t.scope.clone()),
        "token_type": token.map(|t| t.token_type.clone()),
        "has_refresh_token": token.is_some_and(|t| t.has_refresh_token),
        "last_refresh": status.last_refresh.as_ref().map(|r| json!({
            "at": rfc3339(r.at),
            "ok": r.ok,
            "error": r.error,
        })),
    })
}

pub async fn remove(store: &Arc<Store>, name: &str) -> Result<(), CliError> {
    store.remove(name).await?;
    eprintln!("Removed {name:?}: its tokens are gone from the keyring.");
    Ok(())
}

pub(super) fn rfc3339(t: SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}

/// Seconds from `now` to `at`, negative once past.
fn seconds_between(now: SystemTime, at: SystemTime) -> i64 {
    match at.duration_since(now) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

fn time_left(status: &AccountStatus, now: SystemTime) -> String {
    match status.token.as_ref().and_then(|t| t.expires_at) {
        Some(at) => match at.duration_since(now) {
            Ok(left) => format!("expires in {}", short_duration(left.as_secs())),
            Err(e) => format!("expired {} ago", short_duration(e.duration().as_secs())),
        },
        None if status.token.is_some() => "no expiry given".into(),
        None => "-".into(),
    }
}

fn ago(at: SystemTime, now: SystemTime) -> String {
    short_duration(now.duration_since(at).map_or(0, |d| d.as_secs()))
}

/// `42s`, `3m 05s`, `2h 10m`, `3d 4h`.
pub fn short_duration(secs: u64) -> String {
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m {:02}s", secs / 60, secs % 60),
        3600..86_400 => format!("{}h {:02}m", secs / 3600, secs % 3600 / 60),
        _ => format!("{}d {}h", secs / 86_400, secs % 86_400 / 3600),
    }
}
