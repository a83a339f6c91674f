//! `tokendeck --demo`: the whole flow on one machine with no credentials. An embedded
//! authorization server on 127.0.0.1, a throwaway home with one demo account, the TUI, and a key
//! on the link screen that plays the browser's part, for the authorization code flow and the
//! device grant alike. Kept apart from the product code: nothing else depends on it.

mod browser;
mod device;
mod grants;
pub mod leftovers;
mod page;
pub mod server;
mod words;

use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;

pub use browser::{approve, browser};
pub use server::{DemoOptions, DemoServer};
pub use words::{DemoError, NOT_THE_DEMO};

use crate::store::new_account::{NewAccount, Source};
use crate::store::{Account, Home, Store};

/// The demo account's name.
pub const ACCOUNT: &str = "demo";

/// Runs the demo: server, home, account, TUI; afterwards deletes the demo's keyring records, and
/// the home too unless it was given — however the TUI ended: `q`, Ctrl-C, SIGTERM, SIGHUP (its
/// terminal gone), or a panic. What a demo killed outright left behind is removed first. An
/// account named `demo` that the demo did not make is never touched: the demo refuses to start
/// instead.
pub async fn run(home: Option<PathBuf>, ttl: Duration) -> Result<(), DemoError> {
    leftovers::sweep().await;
    let server = DemoServer::start(ttl)
        .await
        .map_err(DemoError::ServerDidNotStart)?;
    let (dir, throwaway) = match home {
        Some(dir) => (dir, None),
        None => {
            let throwaway = leftovers::Throwaway::make().map_err(DemoError::NoThrowawayHome)?;
            (throwaway.dir().to_path_buf(), Some(throwaway))
        }
    };
    let store = Arc::new(Store::new(Home::rooted(&dir).map_err(DemoError::Store)?));
    let (ran, cleanup) = match claim(&store, &server).await {
        Ok(()) => {
            let options = crate::tui::Options {
                demo: Some(browser(&server)),
            };
            let ran = AssertUnwindSafe(crate::tui::run(store.clone(), options))
                .catch_unwind()
                .await;
            // Refreshes under way hold the account's lock: they end (against the demo server,
            // at once) before it is removed.
            let stop = crate::app::stop::begin();
            stop.settled(crate::app::stop::patience()).await;
            let cleanup = match &throwaway {
                Some(_) => Ok(()),
                None => remove_own(&store).await.map(drop),
            };
            (Ok(ran), cleanup)
        }
        Err(e) => (Err(e), Ok(())),
    };
    let removed = match throwaway {
        Some(throwaway) => throwaway.remove().await.map_err(DemoError::Cleanup),
        None => Ok(()),
    };
    match ran {
        // Cleaned up: now the panic goes on (its message is out already, the terminal restored).
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Ok(Ok(result)) => result
            .map_err(DemoError::Terminal)
            .and(cleanup)
            .and(removed),
        Err(e) => Err(e),
    }
}

/// Makes the demo account in `store` for `server`, replacing one an earlier demo left (the
/// server's port is new each run, so it is stale) — and refusing, with nothing changed, when an
/// account of that name is not the demo's.
pub async fn claim_account(store: &Store, server: &DemoServer) -> Result<(), String> {
    claim(store, server).await.map_err(|e| e.to_string())
}

async fn claim(store: &Store, server: &DemoServer) -> Result<(), DemoError> {
    remove_own(store).await?;
    demo_account(server)
        .create(store)
        .await
        .map_err(DemoError::Add)
}

/// Removes the account named [`ACCOUNT`] if the demo made it; says whether there was one.
async fn remove_own(store: &Store) -> Result<bool, DemoError> {
    let accounts = store.accounts().map_err(DemoError::Store)?;
    match accounts.accounts.get(ACCOUNT) {
        None => Ok(false),
        Some(account) if is_demo_account(account) => {
            store.remove(ACCOUNT).await.map_err(DemoError::Store)?;
            Ok(true)
        }
        Some(_) => Err(DemoError::NotTheDemos {
            home: store
                .home()
                .config_dir()
                .parent()
                .unwrap_or(store.home().config_dir())
                .to_path_buf(),
        }),
    }
}

/// The demo's own account: the demo client at a demo server, which listens on a loopback address.
fn is_demo_account(account: &Account) -> bool {
    let token = account.provider.token_endpoint();
    account.client_id == server::CLIENT_ID
        && crate::oauth::provider::is_loopback(token)
        && token.path() == "/token"
}

/// The demo account: the demo server's confidential client, a loopback callback on a free port,
/// and the server's device authorization and revocation endpoints, so that it links either way
/// and removing it gives the grant back.
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
        mail_user: None,
        device_authorization_url: Some(server.url("/device/code")),
        revocation_url: Some(server.url("/revoke")),
        userinfo_url: None,
        introspection_url: None,
        hooks: Default::default(),
        refresh_token_lifetime: None,
        shared: false,
        ..Default::default()
    }
}
