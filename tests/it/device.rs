//! The device authorization grant (RFC 8628) and revocation (RFC 7009) against the real
//! oidc-provider: approve, decline, expiry, `slow_down`, the three client authentications, tokens
//! persisted before use, a refresh afterwards; discovery of both endpoints; a revoked grant refused.

use crate::common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Browser, Client, Options, PASTE_REDIRECT, TestProvider, session};
use tokendeck::oauth::session::Revoked;
use tokendeck::{Error, ErrorKind, Provider, Session, Tokens};

fn with_device(server: &TestProvider) -> Provider {
    server
        .provider()
        .with_device_authorization_endpoint(&server.url("/device/auth"))
        .unwrap()
        .with_revocation_endpoint(&server.url("/token/revocation"))
        .unwrap()
}

fn device_session(server: &TestProvider, client: Client) -> (Session, Arc<Mutex<Vec<String>>>) {
    let persisted = Arc::new(Mutex::new(Vec::new()));
    let store = persisted.clone();
    let (id, secret, method) = client.credentials();
    let mut builder = Session::builder(with_device(server), id, PASTE_REDIRECT)
        .auth_method(method)
        .scopes(["openid", "offline_access", "api"])
        .persist(move |tokens: Tokens| {
            let store = store.clone();
            async move {
                store
                    .lock()
                    .unwrap()
                    .push(tokens.access_token().to_string());
                Ok::<_, std::io::Error>(())
            }
        });
    if let Some(secret) = secret {
        builder = builder.client_secret(secret);
    }
    (builder.build().unwrap(), persisted)
}

/// Starts a device authorization, has the test browser answer it (`approve` or abort), and
/// returns what polling ended with and how long it took.
async fn run(session: &Session, approve: bool) -> (Result<Tokens, Error>, Duration) {
    let authorization = session.device_authorization().await.unwrap();
    let url = authorization.url_to_open().to_string();
    assert!(
        url.contains(authorization.user_code()),
        "the complete URL carries the code: {url}"
    );
    let mut browser =
        tokio::spawn(async move { Browser::new().approve_device(&url, approve).await });
    let started = Instant::now();
    let polling = session.device_tokens(&authorization);
    tokio::pin!(polling);
    // Whichever ends first, the other must end soon after; a browser that fails says why.
    let result = tokio::select! {
        page = &mut browser => {
            page.expect("the test browser failed");
            tokio::time::timeout(Duration::from_secs(30), polling)
                .await
                .expect("polling went on after the browser answered")
        }
        result = &mut polling => {
            browser.await.expect("the test browser failed");
            result
        }
    };
    (result, started.elapsed())
}

#[tokio::test]
async fn each_client_authentication_links_by_device_and_refreshes_afterwards() {
    let server = TestProvider::start().await;
    for client in [Client::Basic, Client::Post, Client::Public] {
        let (session, persisted) = device_session(&server, client);
        let (result, _) = run(&session, true).await;
        let tokens = result.unwrap_or_else(|e| panic!("{client:?}: {e}"));
        assert!(
            tokens.refresh_token().is_some(),
            "{client:?}: offline_access"
        );
        assert_eq!(
            persisted.lock().unwrap().as_slice(),
            [tokens.access_token().to_string()],
            "{client:?}: persisted before it was returned"
        );
        let api = session
            .send(session.http().get(server.url("/api/me")))
            .await
            .unwrap();
        assert_eq!(api.status(), 200, "{client:?}");
        let refreshed = session.refresh().await.unwrap();
        assert_ne!(
            refreshed.access_token(),
            tokens.access_token(),
            "{client:?}"
        );
    }
    assert_eq!(
        server
            .count("grant urn:ietf:params:oauth:grant-type:device_code 200")
            .await,
        3
    );
}

/// Issue 19, item 10: like django-oauth-toolkit, the test server refuses a device authorization
/// request without `client_id` in its body, even from a client that authenticates with HTTP
/// Basic (RFC 8628 §3.1 asks for it only from clients that do not); tokendeck sends it, and only
/// the id — the secret stays in the Authorization header.
#[tokio::test]
async fn the_device_request_names_the_client_in_its_body_even_with_basic_authentication() {
    let server = TestProvider::start().await;
    let (id, secret, _) = Client::Basic.credentials();
    let bare = reqwest::Client::new()
        .post(server.url("/device/auth"))
        .basic_auth(id, secret)
        .form(&[("scope", "openid")])
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), 400, "the server's check is real");
    let refusal: serde_json::Value = bare.json().await.unwrap();
    assert_eq!(refusal["error_description"], "Missing client_id parameter.");
    assert_eq!(server.count("device auth without client_id").await, 1);

    let (session, _) = device_session(&server, Client::Basic);
    let (result, _) = run(&session, true).await;
    let tokens = result.expect("the device grant with HTTP Basic");
    assert!(tokens.refresh_token().is_some());
    assert_eq!(
        server.count("device auth without client_id").await,
        1,
        "tokendeck's request named the client"
    );
    // With the secret in the body too, oidc-provider would have refused two authentication
    // methods at once (`client authentication must only be provided using one mechanism`).
    assert_eq!(server.count("POST /device/auth").await, 2);
}

/// Issue 19, item 8: the device grant's ID token is checked as a code's is (no nonce: the device
/// grant sends none); one issued for another client ends the link with nothing stored.
#[tokio::test]
async fn a_device_link_whose_id_token_is_for_another_client_stores_nothing() {
    let server = TestProvider::start().await;
    server
        .change_next_id_token(
            "urn:ietf:params:oauth:grant-type:device_code",
            serde_json::json!({"aud": "post-client"}),
            0,
        )
        .await;
    let (session, persisted) = device_session(&server, Client::Basic);
    let (result, _) = run(&session, true).await;
    let error = result.expect_err("the ID token is another client's");
    assert!(matches!(error, Error::IdTokenRefused { .. }), "{error:?}");
    assert!(error.to_string().contains("aud is post-client"), "{error}");
    assert!(persisted.lock().unwrap().is_empty());
    assert!(session.tokens().is_none());
    // Without the change, the same client links, its ID token checked without a nonce.
    let (result, _) = run(&session, true).await;
    let tokens = result.unwrap();
    assert_eq!(tokens.nonce(), None);
    assert!(tokens.id_token().is_some());
}

#[tokio::test]
async fn a_declined_code_ends_the_wait_with_a_sentence() {
    let server = TestProvider::start().await;
    let (session, persisted) = device_session(&server, Client::Basic);
    let (result, _) = run(&session, false).await;
    let error = result.unwrap_err();
    assert!(matches!(error, Error::DeviceDenied { .. }), "{error:?}");
    assert_eq!(error.kind(), ErrorKind::NeedsReauthorization);
    let message = error.to_string();
    assert!(
        message.contains("declined") && message.contains("start the link again"),
        "{message}"
    );
    assert!(persisted.lock().unwrap().is_empty());
    assert!(session.tokens().is_none());
}

#[tokio::test]
async fn an_expired_code_ends_the_wait_when_it_expires() {
    let server = TestProvider::start_with(Options {
        device_ttl: 2,
        ..Options::default()
    })
    .await;
    let (session, _) = device_session(&server, Client::Basic);
    let authorization = session.device_authorization().await.unwrap();
    assert_eq!(authorization.valid_for(), Duration::from_secs(2));
    let started = Instant::now();
    let error = session.device_tokens(&authorization).await.unwrap_err();
    assert!(matches!(error, Error::DeviceExpired { .. }), "{error:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "no polling past the expiry"
    );
    assert!(
        error.to_string().contains("expired before it was approved"),
        "{error}"
    );
}

#[tokio::test]
async fn slow_down_adds_five_seconds_to_the_interval() {
    let server = TestProvider::start().await;
    let (session, _) = device_session(&server, Client::Basic);
    // The first poll is told to slow down; the next comes 1 + 5 s later.
    server
        .fault_body("/token", r#"{"error":"slow_down"}"#, "status=400")
        .await;
    let (result, took) = run(&session, true).await;
    result.unwrap();
    assert!(
        took >= Duration::from_secs(7),
        "polls at 1 s, then 1 + 6 s: took {took:?}"
    );
    // Loose: on a loaded machine the approval can land a poll (6 s) or two later.
    assert!(took < Duration::from_secs(20), "took {took:?}");
}

/// A busy token endpoint that says when to come back (503 with `Retry-After: 8`) is asked again
/// no sooner: the next poll comes 8 s later, not after the interval plus the 5 s a busy answer
/// without `Retry-After` adds (1 + 6 s).
#[tokio::test]
async fn a_busy_answer_s_retry_after_is_waited_before_the_next_poll() {
    let server = TestProvider::start().await;
    let (session, _) = device_session(&server, Client::Basic);
    server.fault("/token", 1, "status=503&retry_after=8").await;
    let (result, took) = run(&session, true).await;
    result.unwrap();
    assert_eq!(
        server.count("fault 503").await,
        1,
        "the busy answer was served"
    );
    assert!(
        took >= Duration::from_secs(9),
        "polls at 1 s, then 1 + 8 s: took {took:?}"
    );
    assert!(took < Duration::from_secs(25), "took {took:?}");
}

#[tokio::test]
async fn a_provider_without_a_device_endpoint_says_so() {
    let server = TestProvider::start().await;
    let session = session(&server, Client::Basic, PASTE_REDIRECT)
        .build()
        .unwrap();
    let error = session.device_authorization().await.unwrap_err();
    assert!(matches!(error, Error::NoDeviceEndpoint), "{error:?}");
}

#[tokio::test]
async fn discovery_finds_both_endpoints_and_revoking_ends_the_grant() {
    let server = TestProvider::start().await;
    let provider = Provider::discover(&server.issuer).await.unwrap();
    assert_eq!(
        provider.device_authorization_endpoint().map(|u| u.as_str()),
        Some(server.url("/device/auth").as_str())
    );
    assert_eq!(
        provider.revocation_endpoint().map(|u| u.as_str()),
        Some(server.url("/token/revocation").as_str())
    );
    let (id, secret, method) = Client::Basic.credentials();
    let session = Session::builder(provider, id, PASTE_REDIRECT)
        .auth_method(method)
        .client_secret(secret.unwrap())
        .scopes(["openid", "offline_access", "api"])
        .build()
        .unwrap();
    let (result, _) = run(&session, true).await;
    result.unwrap();
    assert_eq!(session.revoke().await.unwrap(), Some(Revoked::RefreshToken));
    let error = session.refresh().await.unwrap_err();
    assert!(error.needs_reauthorization(), "the grant is gone: {error}");
}
