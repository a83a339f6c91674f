//! The refresh engine without the TUI: it refreshes ahead of expiry, and marks an account whose
//! keyring record vanished as needing a re-link instead of retrying forever.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::cli::Deck;
use common::{Options, TestProvider};
use tokendeck::oauth::RefreshTrigger;
use tokendeck::refresh::{EngineEvent, engine};
use tokendeck::store::{Health, Home, Store};
use tokio::sync::mpsc;

async fn linked_store(server: &TestProvider) -> (Deck, Arc<Store>) {
    let deck = Deck::new();
    deck.add(server, "work").await;
    assert!(deck.link("work").await.status.success());
    let store = Arc::new(Store::new(Home::rooted(deck.home()).unwrap()));
    (deck, store)
}

async fn next_finished(events: &mut mpsc::UnboundedReceiver<EngineEvent>) -> EngineEvent {
    loop {
        let event = tokio::time::timeout(Duration::from_secs(15), events.recv())
            .await
            .expect("the engine reported within 15 s")
            .expect("the engine runs");
        if matches!(event, EngineEvent::Finished { .. }) {
            return event;
        }
    }
}

#[tokio::test]
async fn refreshes_ahead_of_expiry_and_on_request() {
    // 4 s tokens: due 2 s after they are issued.
    let server = TestProvider::start_with(Options {
        access_ttl: 4,
        ..Options::default()
    })
    .await;
    let (_deck, store) = linked_store(&server).await;
    let (tx, mut events) = mpsc::unbounded_channel();
    let handle = engine::spawn(store.clone(), move |event| {
        let _ = tx.send(event);
    });

    let finished = next_finished(&mut events).await;
    assert_eq!(
        finished,
        EngineEvent::Finished {
            account: "work".into(),
            trigger: RefreshTrigger::AheadOfExpiry,
            error: None
        }
    );
    handle.refresh_now("work");
    let finished = next_finished(&mut events).await;
    assert!(
        matches!(
            finished,
            EngineEvent::Finished {
                trigger: RefreshTrigger::Manual,
                error: None,
                ..
            }
        ),
        "{finished:?}"
    );

    let triggers: Vec<_> = store
        .log()
        .read_all()
        .into_iter()
        .map(|e| e.trigger)
        .collect();
    assert!(
        triggers.contains(&tokendeck::store::Trigger::AheadOfExpiry),
        "{triggers:?}"
    );
    assert_eq!(
        store.status("work").health(std::time::SystemTime::now()),
        Health::Valid
    );
}

#[tokio::test]
async fn a_vanished_keyring_record_means_relink_not_retry() {
    let server = TestProvider::start_with(Options {
        access_ttl: 4,
        ..Options::default()
    })
    .await;
    let (_deck, store) = linked_store(&server).await;
    store.keyring().await.unwrap().delete("work").await.unwrap();

    let (tx, mut events) = mpsc::unbounded_channel();
    let _handle = engine::spawn(store.clone(), move |event| {
        let _ = tx.send(event);
    });
    let finished = next_finished(&mut events).await;
    assert!(
        matches!(&finished, EngineEvent::Finished { error: Some(e), .. } if e.contains("holds no record")),
        "{finished:?}"
    );
    let status = store.status("work");
    assert_eq!(
        status.health(std::time::SystemTime::now()),
        Health::NeedsRelink
    );
    assert!(
        tokendeck::refresh::next_refresh_at(&store.accounts().unwrap().accounts["work"], &status)
            .is_none()
    );
}
