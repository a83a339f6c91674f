//! Refreshing against the real oidc-provider: after a 401, ahead of expiry, by hand; one refresh
//! for many callers; rotation; revocation; transient and ambiguous failures; persist before use.

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Client, Options, PASTE_REDIRECT, TestProvider, link, session};
use tokendeck::{Error, Session, Tokens};

const REFRESHES: &str = "grant refresh_token 200";

/// A linked session whose `on_refreshed` calls are counted.
async fn linked(server: &TestProvider) -> (Session, Tokens, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let session = session(server, Client::Basic, PASTE_REDIRECT)
        .on_refreshed(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        })
        .build()
        .unwrap();
    let tokens = link(&session).await;
    (session, tokens, calls)
}

async fn get_me(session: &Session, server: &TestProvider) -> reqwest::StatusCode {
    session
        .send(session.http().get(server.url("/api/me")))
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn a_401_refreshes_once_retries_once_and_calls_on_refreshed_once() {
    let server = TestProvider::start().await;
    let events = Arc::new(Mutex::new(Vec::<String>::new()));
    let (persisted, refreshed) = (events.clone(), events.clone());
    let session = session(&server, Client::Basic, PASTE_REDIRECT)
        .persist(move |tokens: Tokens| {
            let events = persisted.clone();
            async move {
                tokio::task::yield_now().await;
                events
                    .lock()
                    .unwrap()
                    .push(format!("persist {}", tokens.access_token()));
                Ok::<_, std::io::Error>(())
            }
        })
        .on_refreshed(move |tokens| {
            refreshed
                .lock()
                .unwrap()
                .push(format!("refreshed {}", tokens.access_token()))
        })
        .build()
        .unwrap();
    let first = link(&session).await;
    server.revoke_access_token(first.access_token()).await;

    assert_eq!(get_me(&session, &server).await, 200);
    assert_eq!(server.count("api 401").await, 1);
    assert_eq!(server.count("api 200").await, 1);
    assert_eq!(server.count(REFRESHES).await, 1);
    let new = session.tokens().unwrap();
    assert_ne!(new.access_token(), first.access_token());
    let events = events.lock().unwrap().clone();
    assert_eq!(
        events,
        [
            format!("persist {}", first.access_token()),
            format!("persist {}", new.access_token()),
            format!("refreshed {}", new.access_token()),
        ],
        "persisted before on_refreshed, once per change"
    );
}

#[tokio::test]
async fn a_second_401_after_the_retry_is_returned_not_looped_on() {
    let server = TestProvider::start().await;
    let (session, _, calls) = linked(&server).await;
    server.fault("/api/me", 5, "status=401").await;
    assert_eq!(get_me(&session, &server).await, 401);
    assert_eq!(server.count(REFRESHES).await, 1);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(
        server.count("api fault").await,
        2,
        "one request, one retry, no loop"
    );
}

#[tokio::test]
async fn concurrent_sends_on_an_expired_token_cost_one_token_request() {
    let server = TestProvider::start_with(Options {
        access_ttl: 2,
        ..Options::default()
    })
    .await;
    let (session, tokens, calls) = linked(&server).await;
    common::past_expiry(&tokens).await;

    for result in concurrent_gets(&session, &server, 100).await {
        assert_eq!(result.unwrap().status(), 200);
    }
    assert_eq!(
        server.count(REFRESHES).await,
        1,
        "one token request for 100 callers"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(server.count("refresh token reused").await, 0);
}

#[tokio::test]
async fn concurrent_401s_share_one_refresh() {
    let server = TestProvider::start().await;
    let (session, tokens, calls) = linked(&server).await;
    server.revoke_access_token(tokens.access_token()).await;

    for result in concurrent_gets(&session, &server, 100).await {
        assert_eq!(result.unwrap().status(), 200);
    }
    assert!(server.count("api 401").await >= 1);
    assert_eq!(server.count(REFRESHES).await, 1);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn callers_waiting_on_a_failed_refresh_share_its_error() {
    let server = TestProvider::start_with(Options {
        access_ttl: 2,
        ..Options::default()
    })
    .await;
    let (session, tokens, _) = linked(&server).await;
    common::past_expiry(&tokens).await;
    server.fault("/token", 1000, "status=503").await;

    for result in concurrent_gets(&session, &server, 20).await {
        let err = result.unwrap_err();
        assert!(
            matches!(err, Error::Unavailable { status: 503, .. }),
            "{err:?}"
        );
    }
    assert_eq!(
        server.count("POST /token").await,
        2,
        "the code exchange and one refresh attempt"
    );
}

#[tokio::test]
async fn manual_refresh_rotates_and_the_old_refresh_token_is_rejected() {
    let server = TestProvider::start().await;
    let (session, first, calls) = linked(&server).await;
    let seen = Arc::new(Mutex::new(None));
    let slot = seen.clone();
    session.set_on_refreshed(move |tokens| *slot.lock().unwrap() = Some(tokens.clone()));

    let second = session.refresh().await.unwrap();
    assert_ne!(second.refresh_token(), first.refresh_token(), "rotated");
    assert_eq!(
        seen.lock().unwrap().as_ref(),
        Some(&second),
        "the replaced callback ran"
    );
    assert_eq!(
        calls.load(Ordering::SeqCst),
        0,
        "the builder's callback was replaced"
    );
    let third = session.refresh().await.unwrap();
    assert_ne!(
        third.refresh_token(),
        second.refresh_token(),
        "the new one works"
    );

    let stale = Session::builder(server.provider(), "basic-client", PASTE_REDIRECT)
        .client_secret("basic-secret-value")
        .tokens(first)
        .build()
        .unwrap();
    let err = stale.refresh().await.unwrap_err();
    assert!(err.needs_reauthorization(), "{err:?}");
    assert!(err.to_string().contains("link the account again"), "{err}");
    assert_eq!(server.count("refresh token reused").await, 1);
}

#[tokio::test]
async fn a_revoked_refresh_token_needs_reauthorization_and_keeps_the_record() {
    let server = TestProvider::start().await;
    let (session, tokens, calls) = linked(&server).await;
    server
        .revoke_refresh_token(Client::Basic, tokens.refresh_token().unwrap())
        .await;

    let err = session.refresh().await.unwrap_err();
    assert!(
        err.needs_reauthorization() && !err.is_transient(),
        "{err:?}"
    );
    assert_eq!(
        session.tokens().as_ref(),
        Some(&tokens),
        "nothing is deleted"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

/// A 401 that says nothing means the refresh token is dead (Verizon's documented meaning); one
/// that says `invalid_client` refuses the client, which linking again would not fix.
#[tokio::test]
async fn a_bare_401_from_the_token_endpoint_needs_reauthorization_a_refused_client_does_not() {
    let server = TestProvider::start().await;
    let (session, _, _) = linked(&server).await;
    server.fault_body("/token", "", "status=401").await;
    let err = session.refresh().await.unwrap_err();
    assert!(err.needs_reauthorization(), "{err:?}");

    let (session, _, _) = linked(&server).await;
    server.fault("/token", 1, "status=401").await;
    let err = session.refresh().await.unwrap_err();
    assert_eq!(err.kind(), tokendeck::ErrorKind::Configuration, "{err:?}");
    assert_eq!(
        err.setting(),
        Some(tokendeck::oauth::Setting::ClientCredentials)
    );
    assert!(err.to_string().contains("client secret"), "{err}");
}

#[tokio::test]
async fn a_503_is_transient_and_honours_retry_after() {
    let server = TestProvider::start().await;
    let (session, tokens, calls) = linked(&server).await;
    server.fault("/token", 1, "status=503&retry_after=7").await;

    let err = session.refresh().await.unwrap_err();
    assert!(
        err.is_transient() && !err.is_ambiguous() && !err.needs_reauthorization(),
        "{err:?}"
    );
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
    assert!(err.to_string().contains("HTTP 503"), "{err}");
    assert_eq!(session.tokens().as_ref(), Some(&tokens));
    assert_eq!(calls.load(Ordering::SeqCst), 0);

    session
        .refresh()
        .await
        .expect("works once the server is back");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_timeout_is_transient_and_ambiguous() {
    let server = TestProvider::start().await;
    let session = session(&server, Client::Basic, PASTE_REDIRECT)
        .timeout(Duration::from_millis(700))
        .build()
        .unwrap();
    link(&session).await;
    // The server rotates the refresh token, but its answer arrives too late.
    server.fault("/token", 1, "delay_after_ms=3000").await;

    let err = session.refresh().await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(err.is_transient() && err.is_ambiguous(), "{err:?}");
    assert!(
        err.to_string().contains("may have reached the server"),
        "{err}"
    );

    // It had: the retry presents a spent refresh token, and the server revokes the grant.
    let retry = session.refresh().await.unwrap_err();
    assert!(retry.needs_reauthorization(), "{retry:?}");
    assert_eq!(server.count("refresh token reused").await, 1);
}

#[tokio::test]
async fn tokens_that_cannot_be_persisted_are_not_used_until_saved() {
    let server = TestProvider::start().await;
    let failures_left = Arc::new(AtomicUsize::new(0));
    let calls = Arc::new(AtomicUsize::new(0));
    let (left, counter) = (failures_left.clone(), calls.clone());
    let session = session(&server, Client::Basic, PASTE_REDIRECT)
        .persist(move |_tokens: Tokens| {
            let fail = left
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok();
            async move {
                if fail {
                    Err(std::io::Error::other("the keyring is locked"))
                } else {
                    Ok(())
                }
            }
        })
        .on_refreshed(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        })
        // No patience: the first failure gives up (the store may come back later).
        .persist_patience(Some(Duration::ZERO))
        .build()
        .unwrap();
    let first = link(&session).await;

    failures_left.store(1, Ordering::SeqCst);
    let err = session.refresh().await.unwrap_err();
    assert!(matches!(err, Error::Persist(_)), "{err:?}");
    assert!(
        err.to_string().contains("could not be saved")
            && err.to_string().contains("keyring is locked")
    );
    assert_eq!(
        calls.load(Ordering::SeqCst),
        0,
        "on_refreshed waits for persistence"
    );
    let kept = session.tokens().unwrap();
    assert_ne!(
        kept.refresh_token(),
        first.refresh_token(),
        "the rotated token is kept in memory, not lost"
    );

    // The next use saves it first, then sends with it: no second refresh needed.
    assert_eq!(get_me(&session, &server).await, 200);
    assert_eq!(server.count(REFRESHES).await, 1);
}

/// A store that is away for a moment: the new tokens are held and saved once it is back, and the
/// refresh succeeds — the rotated refresh token is never dropped.
#[tokio::test]
async fn persisting_is_retried_while_patience_lasts() {
    let server = TestProvider::start().await;
    let failures_left = Arc::new(AtomicUsize::new(0));
    let retries = Arc::new(Mutex::new(Vec::new()));
    let (left, told) = (failures_left.clone(), retries.clone());
    let session = session(&server, Client::Basic, PASTE_REDIRECT)
        .persist(move |_tokens: Tokens| {
            let fail = left
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok();
            async move {
                if fail {
                    Err(std::io::Error::other("the keyring is locked"))
                } else {
                    Ok(())
                }
            }
        })
        .persist_patience(Some(Duration::from_secs(10)))
        .on_persist_retry(move |retry| {
            told.lock().unwrap().push((retry.attempt, retry.retry_in));
        })
        .build()
        .unwrap();
    let first = link(&session).await;

    failures_left.store(3, Ordering::SeqCst);
    let refreshed = session.refresh().await.expect("saved on the fourth try");
    assert_ne!(refreshed.refresh_token(), first.refresh_token());
    let told = retries.lock().unwrap().clone();
    let attempts: Vec<u32> = told.iter().map(|(attempt, _)| *attempt).collect();
    assert_eq!(attempts, [1, 2, 3]);
    assert!(told[0].1 < told[2].1, "backs off: {told:?}");
    assert_eq!(server.count(REFRESHES).await, 1);
    assert_eq!(server.count("refresh token reused").await, 0);
}

#[tokio::test]
async fn sending_before_linking_says_to_link() {
    let server = TestProvider::start().await;
    let session = session(&server, Client::Basic, PASTE_REDIRECT)
        .build()
        .unwrap();
    let err = session
        .send(session.http().get(server.url("/api/me")))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::NotAuthorized) && err.needs_reauthorization(),
        "{err:?}"
    );
    let err = session.refresh().await.unwrap_err();
    assert!(matches!(err, Error::NotAuthorized), "{err:?}");
}

/// `count` GETs of the protected API at once, through clones of one session.
async fn concurrent_gets(
    session: &Session,
    server: &TestProvider,
    count: usize,
) -> Vec<Result<reqwest::Response, Error>> {
    let handles: Vec<_> = (0..count)
        .map(|_| {
            let (session, url) = (session.clone(), server.url("/api/me"));
            tokio::spawn(async move { session.send(session.http().get(url)).await })
        })
        .collect();
    let mut results = Vec::with_capacity(count);
    for handle in handles {
        results.push(handle.await.unwrap());
    }
    results
}

/// Two holders of one account (as two processes would be) coordinating through a shared store
/// and lock: the second adopts the first one's refresh instead of spending a rotated token.
#[tokio::test]
async fn a_refresh_by_another_holder_is_adopted_not_repeated() {
    use tokendeck::oauth::{RefreshGuard, RefreshOutcome, RefreshTrigger};

    let server = TestProvider::start().await;
    let stored = Arc::new(Mutex::new(None::<Tokens>));
    let lock = Arc::new(tokio::sync::Mutex::new(()));
    let reports = Arc::new(Mutex::new(Vec::<String>::new()));
    let holder = |tokens: Option<Tokens>| {
        let (save_to, read_from, lock, reports) = (
            stored.clone(),
            stored.clone(),
            lock.clone(),
            reports.clone(),
        );
        let mut builder = session(&server, Client::Basic, PASTE_REDIRECT)
            .persist(move |tokens: Tokens| {
                let save_to = save_to.clone();
                async move {
                    *save_to.lock().unwrap() = Some(tokens);
                    Ok::<_, std::io::Error>(())
                }
            })
            .refresh_guard(move || {
                let (lock, read_from) = (lock.clone(), read_from.clone());
                async move {
                    let held = lock.lock_owned().await;
                    let stored = read_from.lock().unwrap().clone();
                    Ok::<_, std::io::Error>(RefreshGuard {
                        stored,
                        hold: Box::new(held),
                    })
                }
            })
            .on_refresh_attempt(move |report| {
                let outcome = match report.outcome {
                    RefreshOutcome::Refreshed(_) => "refreshed",
                    RefreshOutcome::Adopted(_) => "adopted",
                    RefreshOutcome::Failed(_) => "failed",
                };
                reports
                    .lock()
                    .unwrap()
                    .push(format!("{:?} {outcome}", report.trigger));
            });
        if let Some(tokens) = tokens {
            builder = builder.tokens(tokens);
        }
        builder.build().unwrap()
    };
    let first = holder(None);
    let original = link(&first).await;
    let second = holder(Some(original.clone()));

    let rotated = first.refresh().await.unwrap();
    server.revoke_access_token(original.access_token()).await;
    assert_eq!(get_me(&second, &server).await, 200);

    assert_eq!(
        second.tokens().unwrap().access_token(),
        rotated.access_token(),
        "adopted"
    );
    assert_eq!(
        server.count(REFRESHES).await,
        1,
        "only the first holder asked the server"
    );
    assert_eq!(server.count("refresh token reused").await, 0);
    let expected = [
        format!("{:?} refreshed", RefreshTrigger::Manual),
        format!("{:?} adopted", RefreshTrigger::After401),
    ];
    assert_eq!(*reports.lock().unwrap(), expected);
}
