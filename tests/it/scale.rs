//! The engine with many accounts due together, against the real provider: at most N token
//! requests in flight per endpoint as the provider counts them, all refreshed; and refreshes of
//! accounts that fall due together spread over a small window rather than the same second.

use crate::common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use common::{Browser, Options, TestProvider};
use tokendeck::app::link::{LinkSession, LinkWay, Prompt};
use tokendeck::app::{EngineEvent, EngineHandle, Persistence, engine, next_refresh_at};
use tokendeck::store::new_account::{NewAccount, Source};
use tokendeck::store::{Home, Store};
use tokio::sync::mpsc;

const ACCOUNTS: usize = 40;

/// A home with `ACCOUNTS` accounts linked to `server` through the library, eight at a time.
async fn linked_home(server: &TestProvider) -> (tempfile::TempDir, Arc<Store>, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::new(Home::rooted(dir.path()).unwrap()));
    let names: Vec<String> = (0..ACCOUNTS).map(|i| format!("user{i:02}")).collect();
    for name in &names {
        NewAccount {
            name: name.clone(),
            source: Some(Source::Custom {
                authorize: server.url("/auth"),
                token: server.url("/token"),
            }),
            client_id: "basic-client".into(),
            client_secret: Some("basic-secret-value".into()),
            redirect_uri: Some("http://127.0.0.1:0/callback".into()),
            scopes: Some(vec!["openid".into(), "offline_access".into(), "api".into()]),
            ..Default::default()
        }
        .create(&store)
        .await
        .unwrap();
    }
    for chunk in names.chunks(8) {
        let links = chunk.iter().map(|name| {
            let store = store.clone();
            async move {
                let link = LinkSession::start(
                    &store,
                    name,
                    LinkWay::Loopback,
                    &Persistence::while_running(),
                )
                .await
                .unwrap();
                let Prompt::Url {
                    url,
                    listening: Some(addr),
                } = link.prompt()
                else {
                    panic!("a loopback link listens")
                };
                let callback = format!("http://{addr}/callback");
                let redirect = Browser::new().authorize(url, &callback).await;
                let (paste, pastes) = mpsc::unbounded_channel();
                paste.send(redirect).unwrap();
                link.run(&store, pastes, drop).await.unwrap();
            }
        });
        futures_util::future::join_all(links).await;
    }
    (dir, store, names)
}

/// When each account is due by its status (without the spread).
fn due_times(store: &Store, names: &[String]) -> HashMap<String, SystemTime> {
    let accounts = store.accounts().unwrap();
    names
        .iter()
        .map(|name| {
            let due = next_refresh_at(&accounts.accounts[name], &store.status(name)).unwrap();
            (name.clone(), due)
        })
        .collect()
}

/// Waits for `count` successful automatic refreshes; when each started.
async fn refreshed(
    events: &mut mpsc::UnboundedReceiver<(SystemTime, EngineEvent)>,
    count: usize,
    limit: Duration,
) -> HashMap<String, SystemTime> {
    let mut started = HashMap::new();
    let mut done = 0;
    let deadline = Instant::now() + limit;
    while done < count {
        let left = deadline.saturating_duration_since(Instant::now());
        let (at, event) = tokio::time::timeout(left, events.recv())
            .await
            .unwrap_or_else(|_| panic!("only {done} of {count} refreshed within {limit:?}"))
            .unwrap();
        match event {
            EngineEvent::Started { account, .. } => {
                started.insert(account, at);
            }
            EngineEvent::Finished { error: None, .. } => done += 1,
            EngineEvent::Finished { account, error, .. } => panic!("{account}: {error:?}"),
            other => panic!("the accounts file was read fine: {other:?}"),
        }
    }
    started
}

fn engine_with(
    store: &Arc<Store>,
    per_endpoint: usize,
) -> (
    EngineHandle,
    mpsc::UnboundedReceiver<(SystemTime, EngineEvent)>,
) {
    let (tx, events) = mpsc::unbounded_channel();
    let handle = engine::spawn_with(store.clone(), per_endpoint, move |event| {
        let _ = tx.send((SystemTime::now(), event));
    });
    (handle, events)
}

#[tokio::test]
async fn forty_due_together_meet_at_most_four_requests_at_the_provider() {
    // 20 s tokens: due 10 s after they are issued.
    let server = TestProvider::start_with(Options {
        access_ttl: 20,
        ..Options::default()
    })
    .await;
    let (_dir, store, names) = linked_home(&server).await;
    // Every account overdue before the engine starts: all forty are due at once.
    let last_due = *due_times(&store, &names).values().max().unwrap();
    let wait = last_due
        .duration_since(SystemTime::now())
        .unwrap_or_default();
    tokio::time::sleep(wait + Duration::from_millis(1100)).await;
    // Each token request takes 300 ms at the server, so requests let through together overlap
    // there and its count sees them.
    server
        .fault("/token", ACCOUNTS as u32, "delay_after_ms=300")
        .await;
    let reset = server.url("/__test/reset-token-in-flight-max");
    assert_eq!(reqwest::get(reset).await.unwrap().status(), 204);

    let (handle, mut events) = engine_with(&store, 4);
    refreshed(&mut events, ACCOUNTS, Duration::from_secs(30)).await;
    handle.stop(Duration::from_secs(5)).await;

    let max = server.count("token in flight max").await;
    assert!(max <= 4, "the provider saw {max} token requests at once");
    assert!(
        max >= 2,
        "the limit of 4 was not used ({max} at most): the test proves nothing"
    );
    assert_eq!(
        server.count("grant refresh_token 200").await,
        ACCOUNTS as u64
    );
    assert_eq!(server.count("refresh token reused").await, 0);
}

#[tokio::test]
async fn accounts_due_together_are_spread_over_a_window() {
    // 60 s tokens: a 30 s lead, so a 3 s window.
    let server = TestProvider::start_with(Options {
        access_ttl: 60,
        ..Options::default()
    })
    .await;
    let (_dir, store, names) = linked_home(&server).await;
    let due = due_times(&store, &names);
    // No limit to speak of: what spreads the refreshes here is the schedule alone.
    let (handle, mut events) = engine_with(&store, 1000);
    let started = refreshed(&mut events, ACCOUNTS, Duration::from_secs(45)).await;
    handle.stop(Duration::from_secs(5)).await;

    let offsets: Vec<f64> = names
        .iter()
        .map(|name| {
            let late = started[name].duration_since(due[name]).unwrap_or_else(|_| {
                panic!("{name} was refreshed before it was due");
            });
            late.as_secs_f64()
        })
        .collect();
    let (min, max) = offsets
        .iter()
        .fold((f64::MAX, 0f64), |(lo, hi), &o| (lo.min(o), hi.max(o)));
    // Each account a different distance into the 3 s window (and a little for the engine's
    // 200 ms floor between looks), not all in the same second.
    assert!(max - min >= 1.5, "refreshes not spread: {offsets:?}");
    assert!(max <= 3.6, "refreshed well past the window: {offsets:?}");
}
