//! `tokendeck --demo`: the whole flow on one machine with no credentials. An embedded
//! authorization server on 127.0.0.1, a throwaway home with one demo account, the TUI, and a key
//! on the link screen that plays the browser's part. Kept apart from the product code: nothing
//! else depends on it.

mod device;
mod grants;
mod page;
pub mod server;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use server::{DemoOptions, DemoServer};

use crate::store::new_account::{NewAccount, Source};
use crate::store::{Account, Home, Store};
use crate::tui::effects::DemoBrowser;

/// The demo account's name.
pub const ACCOUNT: &str = "demo";

/// Runs the demo: server, home, account, TUI; afterwards deletes the demo's keyring record, and
/// the home too unless it was given. An account named `demo` that the demo did not make is never
/// touched: the demo refuses to start instead.
pub async fn run(home: Option<PathBuf>, ttl: Duration) -> Result<(), String> {
    let server = DemoServer::start(ttl)
        .await
        .map_err(|e| format!("the demo server could not start: {e}"))?;
    let (dir, throwaway) = match home {
        Some(dir) => (dir, false),
        None => {
            let unique = &crate::oauth::authorize::random_token()[..10];
            (
                std::env::temp_dir().join(format!("tokendeck-demo-{unique}")),
                true,
            )
        }
    };
    let store = Arc::new(Store::new(Home::rooted(&dir).map_err(|e| e.to_string())?));
    let result = match claim_account(&store, &server).await {
        Ok(()) => {
            let browser = browser(&server);
            let result = crate::tui::run(
                store.clone(),
                crate::tui::Options {
                    demo: Some(browser),
                },
            )
            .await
            .map_err(|e| format!("the terminal failed: {e}"));
            let cleanup = remove_own(&store).await.map(drop);
            result.and(cleanup)
        }
        Err(e) => Err(e),
    };
    if throwaway {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result
}

/// Makes the demo account in `store` for `server`, replacing one an earlier demo left (the
/// server's port is new each run, so it is stale) — and refusing, with nothing changed, when an
/// account of that name is not the demo's.
pub async fn claim_account(store: &Store, server: &DemoServer) -> Result<(), String> {
    remove_own(store).await?;
    demo_account(server)
        .create(store)
        .await
        .map_err(|e| e.to_string())
}

/// Removes the account named [`ACCOUNT`] if the demo made it; says whether there was one.
async fn remove_own(store: &Store) -> Result<bool, String> {
    let accounts = store.accounts().map_err(|e| e.to_string())?;
    match accounts.accounts.get(ACCOUNT) {
        None => Ok(false),
        Some(account) if is_demo_account(account) => {
            store.remove(ACCOUNT).await.map_err(|e| e.to_string())?;
            Ok(true)
        }
        Some(_) => Err(format!(
            "{} already has an account named {ACCOUNT:?} that the demo did not make, and the demo leaves it alone: run `tokendeck --demo` without --home (it then uses a throwaway home), or with another folder",
            store
                .home()
                .config_dir()
                .parent()
                .unwrap_or(store.home().config_dir())
                .display()
        )),
    }
}

/// The demo's own account: the demo client at a demo server, which listens on a loopback address.
fn is_demo_account(account: &Account) -> bool {
    let token = account.provider.token_endpoint();
    account.client_id == server::CLIENT_ID
        && crate::oauth::provider::is_loopback(token)
        && token.path() == "/token"
}

/// The demo account: the demo server's confidential client, a loopback callback on a free port.
pub fn demo_account(server: &DemoServer) -> NewAccount {
    NewAccount {
        name: ACCOUNT.into(),
        source: Some(Source::Custom {
            authorize: server.url("/authorize"),
            token: server.url("/token"),
        }),
        client_id: server::CLIENT_ID.into(),
        client_secret: Some(server::CLIENT_SECRET.into()),
        redirect_uri: Some("http://127.0.0.1:0/callback".into()),
        scopes: Some(vec!["profile".into()]),
        params: Vec::new(),
        auth_method: None,
        api_url: Some(server.url("/api/me")),
        device_authorization_url: None,
        revocation_url: None,
    }
}

/// What `A` says on another account's link screen: it would ask a real provider, which the demo
/// user cannot approve.
pub const NOT_THE_DEMO: &str = "A approves only the demo account's link, at the demo's own server. For this account, open the URL in a browser (o) or copy it (c).";

/// The link screen's `A`: approves an authorization URL of `server`'s, and says what to do
/// instead for any other provider's.
pub fn browser(server: &DemoServer) -> DemoBrowser {
    let authorize = server.url("/authorize");
    Arc::new(move |url: String| {
        let own = url.split('?').next() == Some(authorize.as_str());
        Box::pin(async move {
            if !own {
                return Err(NOT_THE_DEMO.to_string());
            }
            approve(url).await
        })
    })
}

/// Plays the browser: approves the authorization request at the demo server as the demo user,
/// then follows the redirect to the callback — where tokendeck's listener takes it.
pub async fn approve(authorize_url: String) -> Result<(), String> {
    let url = url::Url::parse(&authorize_url).map_err(|e| format!("not a URL: {e}"))?;
    let form: Vec<(String, String)> = url
        .query_pairs()
        .into_owned()
        .chain([("decision".to_string(), "approve".to_string())])
        .collect();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| e.to_string())?;
    let mut endpoint = url.clone();
    endpoint.set_query(None);
    let answer = http
        .post(endpoint)
        .form(&form)
        .send()
        .await
        .map_err(|e| format!("the demo server did not answer: {}", e.without_url()))?;
    let callback = answer
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| format!("the demo server did not approve (HTTP {})", answer.status()))?
        .to_string();
    http.get(&callback)
        .send()
        .await
        .map_err(|e| format!("the callback did not answer: {}", e.without_url()))?;
    Ok(())
}
