//! For the daemon benchmark (benches/daemon_scale.sh): makes a home with many accounts linked to
//! the test authorization server (tests/provider), fast and through the application's own link
//! flow — the same `NewAccount` and `LinkSession` the CLI calls — with a "browser" that follows
//! the server's auto-approving login and consent, whose answer is handed over as a paste. `--remove` takes them all out again
//! (keyring records included: the kernel keyring outlives the home's folder).
//!
//! Usage: link_many --home DIR --issuer URL [--count 1000] [--parallel 16]
//!        link_many --home DIR --remove

use std::sync::Arc;
use std::time::Instant;

use futures_util::StreamExt;
use tokendeck::app::Persistence;
use tokendeck::app::link::{LinkSession, LinkWay, Prompt};
use tokendeck::store::new_account::{NewAccount, Source};
use tokendeck::store::{Home, Store};

#[tokio::main]
async fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let (mut home, mut issuer, mut count, mut parallel, mut remove) =
        (None, None, 1000usize, 16usize, false);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--home" => home = Some(value()?),
            "--issuer" => issuer = Some(value()?),
            "--count" => count = value()?.parse().map_err(|e| format!("--count: {e}"))?,
            "--parallel" => parallel = value()?.parse().map_err(|e| format!("--parallel: {e}"))?,
            "--remove" => remove = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let home =
        Home::rooted(home.ok_or("--home DIR is needed")?.as_ref()).map_err(|e| e.to_string())?;
    let store = Arc::new(Store::new(home));
    if remove {
        return remove_all(&store).await;
    }
    let issuer = issuer.ok_or("--issuer URL is needed")?;
    let names: Vec<String> = (0..count).map(|i| format!("user{i:04}")).collect();
    let started = Instant::now();
    for name in &names {
        NewAccount {
            name: name.clone(),
            source: Some(Source::Custom {
                authorize: format!("{issuer}/auth"),
                token: format!("{issuer}/token"),
            }),
            client_id: "basic-client".into(),
            client_secret: Some("basic-secret-value".into()),
            redirect_uri: Some("http://127.0.0.1:0/callback".into()),
            scopes: Some(vec!["openid".into(), "offline_access".into(), "api".into()]),
            ..Default::default()
        }
        .create(&store)
        .await
        .map_err(|e| format!("{name}: {e}"))?;
    }
    eprintln!(
        "link_many: {count} accounts added in {:.1?}",
        started.elapsed()
    );
    let started = Instant::now();
    let failures: Vec<String> = futures_util::stream::iter(names)
        .map(|name| {
            let store = store.clone();
            async move { link(&store, &name).await.err() }
        })
        .buffer_unordered(parallel.max(1))
        .filter_map(|failure| async move { failure })
        .collect()
        .await;
    eprintln!(
        "link_many: {count} accounts linked in {:.1?}",
        started.elapsed()
    );
    match failures.first() {
        None => Ok(()),
        Some(first) => Err(format!(
            "{} links failed; the first: {first}",
            failures.len()
        )),
    }
}

async fn link(store: &Arc<Store>, name: &str) -> Result<(), String> {
    let persistence = Persistence::while_running();
    let link = LinkSession::start(store, name, LinkWay::Loopback, &persistence)
        .await
        .map_err(|e| format!("{name}: {e}"))?;
    let Prompt::Url {
        url,
        listening: Some(addr),
    } = link.prompt()
    else {
        return Err(format!("{name}: no loopback listener"));
    };
    let redirect = approve(url, &format!("http://{addr}/callback")).await?;
    let (pastes, pasted) = tokio::sync::mpsc::unbounded_channel();
    let _ = pastes.send(redirect);
    link.run(store, pasted, drop)
        .await
        .map(drop)
        .map_err(|e| format!("{name}: {e}"))
}

/// Follows the server's redirects with a cookie jar until one leads to `callback`.
async fn approve(url: &str, callback: &str) -> Result<String, String> {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?;
    let mut current = url::Url::parse(url).map_err(|e| e.to_string())?;
    for _ in 0..20 {
        if current.as_str().starts_with(callback) {
            return Ok(current.into());
        }
        let response = http
            .get(current.clone())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let location = response
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .ok_or(format!(
                "{} without a redirect at {current}",
                response.status()
            ))?;
        current = current.join(location).map_err(|e| e.to_string())?;
    }
    Err("more than 20 redirects".into())
}

async fn remove_all(store: &Store) -> Result<(), String> {
    let names: Vec<String> = match store.accounts() {
        Ok(accounts) => accounts.accounts.into_keys().collect(),
        Err(e) => return Err(e.to_string()),
    };
    let mut failed = 0;
    for name in &names {
        if let Err(e) = store.remove(name).await {
            failed += 1;
            eprintln!("link_many: {name}: {e}");
        }
    }
    eprintln!("link_many: {} accounts removed", names.len() - failed);
    Ok(())
}
