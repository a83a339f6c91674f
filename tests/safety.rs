//! What tokendeck refuses to do however it is asked: send a token or a secret over plain http,
//! wait on an API for ever or read an endless answer, or leave a removed account's pieces behind
//! for a refresh to write back. Against the real oidc-provider and the real keyring.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::cli::{Deck, text};
use common::{TestProvider, eventually};
use tokendeck::store::{Home, Keyring, Store};

/// What `remove` leaves: nothing. It waits for a refresh under way (which once wrote the record
/// back after `remove` had deleted it), and a refresh that comes after it finds the account gone.
#[tokio::test]
async fn remove_waits_for_a_refresh_and_leaves_nothing_behind() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    deck.add(&server, "work").await;
    assert!(deck.link("work").await.status.success());
    let home = Home::rooted(deck.home()).unwrap();
    let keyring = Keyring::open(home.keyring_service()).await.unwrap();

    // A refresh that takes 2 s at the server, and a remove asked for meanwhile.
    server.fault("/token", 1, "delay_before_ms=2000").await;
    let before = server.count("POST /token").await;
    let refresh = deck
        .command(&["refresh", "work"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    eventually(Duration::from_secs(10), async || {
        server.count("POST /token").await > before
    })
    .await;
    let removed = deck.run(&["remove", "work"], "").await;
    assert!(removed.status.success(), "{}", text(&removed.stderr));
    let refreshed = refresh.wait_with_output().await.unwrap();
    assert!(refreshed.status.success(), "{}", text(&refreshed.stderr));
    assert_eq!(server.count("grant refresh_token 200").await, 1);
    assert_nothing_left(&home, &keyring, "work").await;

    // A session opened before `remove`, refreshing after it: refused, and nothing comes back.
    deck.add(&server, "home").await;
    assert!(deck.link("home").await.status.success());
    let store = Arc::new(Store::new(home.clone()));
    let session = tokendeck::refresh::open_session(&store, "home")
        .await
        .unwrap();
    store.remove("home").await.unwrap();
    let refreshes = server.count("POST /token").await;
    let err = session.refresh().await.unwrap_err();
    assert!(
        err.to_string().contains("no account is named \"home\""),
        "{err}"
    );
    assert_eq!(server.count("POST /token").await, refreshes, "nothing sent");
    assert_nothing_left(&home, &keyring, "home").await;
}

async fn assert_nothing_left(home: &Home, keyring: &Keyring, name: &str) {
    assert_eq!(keyring.read(name).await.unwrap(), None, "no record");
    assert!(!home.status_file(name).exists(), "no status file");
    assert!(!home.lock_file(name).exists(), "no lock file");
    let accounts = std::fs::read_to_string(home.accounts_file()).unwrap_or_default();
    assert!(
        !accounts.contains(&format!("[accounts.{name}")),
        "{accounts}"
    );
}
