//! The refresh engine without the TUI: it refreshes ahead of expiry, and marks an account whose
//! keyring record vanished as needing a re-link instead of retrying forever.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use common::cli::Deck;
use common::{Options, TestProvider};
use tokendeck::app::{AccountError, EngineEvent, engine};
use tokendeck::oauth::RefreshTrigger;
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
    assert!(
        matches!(
            &finished,
            EngineEvent::Finished {
                account,
                trigger: RefreshTrigger::AheadOfExpiry,
                error: None
            } if account == "work"
        ),
        "{finished:?}"
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
        matches!(&finished, EngineEvent::Finished { error: Some(e), .. } if matches!(e.as_ref(), AccountError::RecordMissing(_))),
        "{finished:?}"
    );
    let status = store.status("work");
    assert_eq!(
        status.health(std::time::SystemTime::now()),
        Health::NeedsRelink
    );
    assert!(
        tokendeck::app::next_refresh_at(&store.accounts().unwrap().accounts["work"], &status)
            .is_none()
    );
}

/// The keyring stops answering while the engine stores a refresh (Secret Service only: the
/// daemon is stopped with SIGSTOP for 5 s). The engine holds the new tokens, the account shows
/// "not saved" meanwhile, and once the keyring is back they are stored: no refresh token is lost
/// or reused.
#[tokio::test]
#[ignore = "runs alone: it stops the Secret Service every other test uses; tests/run runs it on its own"]
async fn the_engine_holds_tokens_the_keyring_cannot_take_yet() {
    if std::env::var("TOKENDECK_KEYRING").as_deref() != Ok("secret-service") {
        return;
    }
    let daemon = common::secret_service_pid();
    let server = TestProvider::start_with(Options {
        access_ttl: 4,
        ..Options::default()
    })
    .await;
    let (_deck, store) = linked_store(&server).await;
    // The answer comes 1.5 s late, so the keyring can be stopped while the request is out.
    server.fault("/token", 1, "delay_before_ms=1500").await;
    let (tx, mut events) = mpsc::unbounded_channel();
    let _handle = engine::spawn(store.clone(), move |event| {
        let _ = tx.send(event);
    });
    common::eventually(Duration::from_secs(10), async || {
        server.count("POST /token").await > 1
    })
    .await;
    common::signal(daemon, "STOP");
    // Stopped until the engine says it holds tokens the keyring has not taken.
    common::eventually(Duration::from_secs(20), async || {
        store.status("work").health(std::time::SystemTime::now()) == Health::Unsaved
    })
    .await;
    common::signal(daemon, "CONT");
    let finished = next_finished(&mut events).await;
    assert!(
        matches!(finished, EngineEvent::Finished { error: None, .. }),
        "{finished:?}"
    );
    let status = store.status("work");
    assert!(status.unsaved_since.is_none(), "{status:?}");
    // The stored record holds the rotated token: the next refresh uses it without a reuse.
    let finished = next_finished(&mut events).await;
    assert!(
        matches!(finished, EngineEvent::Finished { error: None, .. }),
        "{finished:?}"
    );
    assert_eq!(server.count("refresh token reused").await, 0);
}

/// Another process's refresh reaches the keyring just before its status file: an engine that
/// scheduled from the old status reads the new record, and must not refresh it again (beside a
/// daemon, that would be a double refresh). It brings the status forward instead.
#[tokio::test]
async fn a_record_newer_than_its_status_is_not_refreshed_again() {
    // 20 s tokens: the record is due 10 s after the link.
    let server = TestProvider::start_with(Options {
        access_ttl: 20,
        ..Options::default()
    })
    .await;
    let (_deck, store) = linked_store(&server).await;
    let held = store.status("work").token.unwrap();
    // The status tells of tokens 15 s older: due already, by its account.
    store
        .update_status("work", |status| {
            let token = status.token.as_mut().unwrap();
            token.obtained_at -= Duration::from_secs(15);
            token.expires_at = token.expires_at.map(|at| at - Duration::from_secs(15));
        })
        .unwrap();
    let before = server.count("grant refresh_token 200").await;

    let _handle = engine::spawn(store.clone(), |_| {});
    common::eventually(Duration::from_secs(5), async || {
        store.status("work").token.as_ref() == Some(&held)
    })
    .await;
    assert_eq!(server.count("grant refresh_token 200").await, before);
}

/// What each kind of refresh costs: `tokendeck refresh`, `tokendeck token` on a token due, and
/// the engine ahead of expiry each read the keyring once (under the account's lock), write it
/// once, and write the account's status twice — the mark that a refresh is under way, then how
/// it went. A Secret Service read is a D-Bus round trip; a status write is a file renamed into
/// place, which every TUI and daemon of the home notices.
#[tokio::test]
async fn a_refresh_reads_the_keyring_once_and_writes_the_status_twice() {
    // 4 s tokens: due 2 s after they are issued.
    let server = TestProvider::start_with(Options {
        access_ttl: 4,
        ..Options::default()
    })
    .await;
    let (_deck, store) = linked_store(&server).await;
    let budget = tokendeck::store::Calls {
        keyring_reads: 1,
        keyring_writes: 1,
        status_writes: 2,
    };
    let persistence = tokendeck::app::Persistence::while_running();

    let before = store.calls();
    let refreshes = server.count("grant refresh_token 200").await;
    tokendeck::app::refresh(&store, "work", &persistence)
        .await
        .unwrap();
    let manual = store.calls() - before;
    assert_eq!(server.count("grant refresh_token 200").await, refreshes + 1);

    // Due 2 s after that refresh: `token` refreshes it first.
    common::eventually(Duration::from_secs(5), async || {
        let status = store.status("work");
        status.health(std::time::SystemTime::now()) == Health::Expiring
    })
    .await;
    let before = store.calls();
    tokendeck::app::valid_tokens(&store, "work", &persistence)
        .await
        .unwrap();
    let token = store.calls() - before;
    assert_eq!(server.count("grant refresh_token 200").await, refreshes + 2);

    let (tx, mut events) = mpsc::unbounded_channel();
    let before = store.calls();
    let engine_store = store.clone();
    let _handle = tokendeck::app::engine::spawn(store.clone(), move |event| {
        if matches!(event, tokendeck::app::EngineEvent::Finished { .. }) {
            let _ = tx.send((event, engine_store.calls()));
        }
    });
    let (finished, after) = tokio::time::timeout(Duration::from_secs(15), events.recv())
        .await
        .expect("the engine refreshed within 15 s")
        .unwrap();
    assert!(
        matches!(
            finished,
            tokendeck::app::EngineEvent::Finished { error: None, .. }
        ),
        "{finished:?}"
    );
    let automatic = after - before;
    assert_eq!(server.count("grant refresh_token 200").await, refreshes + 3);

    println!("refresh: {manual:?}\ntoken: {token:?}\nengine: {automatic:?}");
    assert_eq!(
        [manual, token, automatic],
        [budget; 3],
        "refresh, token, engine"
    );
}

/// One line in the event log per refresh: a session that finds, after a 401, that another
/// process has already refreshed adopts its tokens and writes no line of its own (the line is
/// the refresher's).
#[tokio::test]
async fn a_refresh_another_process_made_is_adopted_and_logged_once() {
    let server = TestProvider::start().await;
    let (deck, store) = linked_store(&server).await;
    let since = std::time::SystemTime::now();
    let held = tokendeck::app::open_session(
        &store,
        "work",
        &tokendeck::app::Persistence::while_running(),
    )
    .await
    .unwrap();
    let original = held.tokens().unwrap();
    let before = server.count("grant refresh_token 200").await;
    // Another process refreshes; the provider forgets the access token this session holds.
    let out = deck.run(&["refresh", "work"], "").await;
    assert!(out.status.success(), "{}", common::cli::text(&out.stderr));
    server.revoke_access_token(original.access_token()).await;
    let answer = held
        .send(held.http().get(server.url("/api/me")))
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_ne!(
        held.tokens().unwrap().access_token(),
        original.access_token()
    );
    assert_eq!(server.count("grant refresh_token 200").await, before + 1);
    assert_eq!(server.count("refresh token reused").await, 0);
    let lines: Vec<String> = store
        .log()
        .read_all()
        .into_iter()
        .filter(|e| e.time >= since)
        .map(|e| format!("{:?} {:?}", e.trigger, e.outcome))
        .collect();
    assert_eq!(lines, ["Manual Ok"], "one line, the refresher's");
}
