//! ID tokens of the real oidc-provider checked against the keys it publishes: the key set's URL
//! comes from discovery, the signature verifies with the provider's key `test`, one claim changed
//! does not, and the key set's answer carries the provider's clock. Issue 19, item 8: their claims
//! checked as OpenID Connect Core says — at a link (§3.1.3.7: the nonce sent, this client, this
//! issuer; an ID token that fails refuses the whole answer) and after a refresh (§12.2: the same
//! user, client and issuer, a sign-in not dated earlier; one that fails is not kept, the rest of
//! the answer is).

use crate::common;

use std::time::{Duration, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::sync::{Arc, Mutex};

use common::{Browser, Client, PASTE_REDIRECT, TestProvider, link};
use serde_json::{Value, json};
use tokendeck::oauth::RefreshOutcome;
use tokendeck::oauth::id_token::Problem;
use tokendeck::oauth::jwt::{Jwt, Signature};
use tokendeck::{Error, Provider, Session, Tokens};

/// A session at `provider` for the test server's confidential client, with an ID token's scopes.
fn session(provider: Provider) -> Session {
    let (id, secret, method) = Client::Basic.credentials();
    Session::builder(provider, id, PASTE_REDIRECT)
        .auth_method(method)
        .client_secret(secret.unwrap())
        .scopes(["openid", "offline_access", "api"])
        .build()
        .unwrap()
}

/// `token` with its payload replaced by `claims`, header and signature kept.
fn with_claims(token: &str, claims: &serde_json::Map<String, Value>) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let payload = URL_SAFE_NO_PAD.encode(Value::Object(claims.clone()).to_string());
    format!("{}.{payload}.{}", parts[0], parts[2])
}

#[tokio::test]
async fn the_id_token_verifies_with_the_key_discovery_points_to_and_an_altered_one_does_not() {
    let server = TestProvider::start().await;
    let provider = Provider::discover(&server.issuer).await.unwrap();
    let jwks_uri = provider
        .jwks_uri()
        .expect("oidc-provider publishes jwks_uri");
    assert!(jwks_uri.as_str().starts_with(&server.issuer), "{jwks_uri}");
    let session = session(provider);
    let tokens = link(&session).await;

    let asked_at = SystemTime::now();
    let fetched = session.jwks().await.unwrap().expect("a key set");
    assert_eq!(fetched.value.len(), 1, "{:?}", fetched.value);
    let date = fetched.server_date.expect("the answer has a Date header");
    // `Date` has whole seconds: the server's clock, read while this machine's said `asked_at`.
    let skew = match date.duration_since(asked_at) {
        Ok(ahead) => ahead,
        Err(behind) => behind.duration(),
    };
    assert!(skew < Duration::from_secs(3), "{skew:?}");

    let raw = tokens.id_token().expect("an ID token for the openid scope");
    let id_token = Jwt::decode(raw).expect("an ID token is a JWT");
    assert_eq!(id_token.claims()["iss"], server.issuer.as_str());
    assert_eq!(id_token.claims()["aud"], "basic-client");
    let verified = Signature::Verified {
        alg: "RS256".into(),
        kid: Some("test".into()),
    };
    assert_eq!(id_token.verify(&fetched.value), verified);
    assert_eq!(
        id_token.verify(&fetched.value).describe(),
        "verified with the provider's key `test` (RS256)"
    );

    let mut claims = id_token.claims().clone();
    claims.insert("sub".into(), "someone-else".into());
    let altered = Jwt::decode(&with_claims(raw, &claims)).unwrap();
    assert_eq!(altered.claims()["sub"], "someone-else");
    let invalid = Signature::Invalid {
        alg: "RS256".into(),
        kid: Some("test".into()),
    };
    assert_eq!(altered.verify(&fetched.value), invalid);
    assert!(
        Jwt::decode(tokens.access_token()).is_none(),
        "oidc-provider's access tokens are opaque"
    );
}

#[tokio::test]
async fn a_provider_without_a_key_set_url_has_nothing_to_fetch() {
    let server = TestProvider::start().await;
    let session = session(server.provider());
    assert!(session.provider().jwks_uri().is_none());
    assert!(session.jwks().await.unwrap().is_none());
}

#[tokio::test]
async fn a_key_set_url_that_answers_something_else_says_what_to_do() {
    let server = TestProvider::start().await;
    for (path, status, said) in [
        ("/.well-known/openid-configuration", 200, "no `keys` list"),
        (
            "/no-such-keys",
            404,
            "did not send the provider's signing keys",
        ),
    ] {
        let provider = server.provider().with_jwks_uri(&server.url(path)).unwrap();
        let err = session(provider).jwks().await.unwrap_err();
        assert!(
            matches!(err, Error::InvalidResponse { status: s, .. } if s == status),
            "{path}: {err:?}"
        );
        let message = err.to_string();
        assert!(
            message.contains(said) && message.contains("check the key set URL (jwks_uri)"),
            "{message}"
        );
    }
}

/// A session at the test server (by discovery: its issuer known) whose persisted token sets and
/// refresh reports are kept for the test to read.
struct Watched {
    session: Session,
    persisted: Arc<Mutex<Vec<Tokens>>>,
    refused: Arc<Mutex<Vec<Vec<Problem>>>>,
}

async fn watched(server: &TestProvider) -> Watched {
    let persisted = Arc::new(Mutex::new(Vec::new()));
    let refused = Arc::new(Mutex::new(Vec::new()));
    let (id, secret, method) = Client::Basic.credentials();
    let (store, reports) = (persisted.clone(), refused.clone());
    let session = Session::builder(
        Provider::discover(&server.issuer).await.unwrap(),
        id,
        PASTE_REDIRECT,
    )
    .auth_method(method)
    .client_secret(secret.unwrap())
    .scopes(["openid", "offline_access", "api"])
    .persist(move |tokens: Tokens| {
        let store = store.clone();
        async move {
            store.lock().unwrap().push(tokens);
            Ok::<_, std::io::Error>(())
        }
    })
    .on_refresh_attempt(move |report| {
        if let RefreshOutcome::Refreshed(_) = report.outcome {
            reports
                .lock()
                .unwrap()
                .push(report.refused_id_token.to_vec());
        }
    })
    .build()
    .unwrap();
    Watched {
        session,
        persisted,
        refused,
    }
}

fn claims(raw: &str) -> serde_json::Map<String, Value> {
    Jwt::decode(raw).unwrap().claims().clone()
}

/// The nonce goes out with the authorization URL and comes back in the ID token, which is kept
/// with the nonce it was checked against.
#[tokio::test]
async fn the_nonce_sent_with_the_sign_in_comes_back_in_the_id_token() {
    let server = TestProvider::start().await;
    let watched = watched(&server).await;
    let url = watched.session.authorize_url();
    let sent = url::Url::parse(&url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "nonce")
        .map(|(_, v)| v.into_owned())
        .expect("an OpenID Connect request carries a nonce");
    let redirect = Browser::new().authorize(&url, PASTE_REDIRECT).await;
    let tokens = watched.session.token(&redirect).await.unwrap();
    assert_eq!(claims(tokens.id_token().unwrap())["nonce"], sent.as_str());
    assert_eq!(tokens.nonce(), Some(sent.as_str()));
    let again = watched.session.authorize_url();
    assert!(!again.contains(&sent), "a fresh nonce each time");
}

/// §3.1.3.7: an ID token that answers another sign-in, or was issued for another client, refuses
/// the link — nothing is persisted, the session stays unlinked — and the error names it.
#[tokio::test]
async fn a_link_whose_id_token_does_not_fit_is_refused_and_nothing_is_stored() {
    let server = TestProvider::start().await;
    for (change, said) in [
        (
            json!({"nonce": "another-sign-in"}),
            "its nonce is not the one sent with this account's sign-in",
        ),
        (json!({"nonce": null}), "it carries no nonce"),
        (
            json!({"aud": "post-client"}),
            "issued for another client: aud is post-client, this account's client is basic-client",
        ),
        (
            json!({"iss": "https://elsewhere.example"}),
            "issued by another provider: iss is https://elsewhere.example",
        ),
    ] {
        let watched = watched(&server).await;
        server
            .change_next_id_token("authorization_code", change.clone(), 0)
            .await;
        let redirect = Browser::new()
            .authorize(&watched.session.authorize_url(), PASTE_REDIRECT)
            .await;
        let error = watched.session.token(&redirect).await.unwrap_err();
        assert!(
            matches!(error, Error::IdTokenRefused { .. }),
            "{change}: {error:?}"
        );
        let message = error.to_string();
        assert!(
            message.contains(said) && message.contains("nothing was stored"),
            "{change}: {message}"
        );
        assert!(watched.persisted.lock().unwrap().is_empty(), "{change}");
        assert!(watched.session.tokens().is_none(), "{change}");
    }
    assert_eq!(server.count("id token changed authorization_code").await, 4);
}

/// §12.2: a refresh whose ID token names another user (or dates the sign-in earlier, or another
/// client) keeps the account's ID token — and stores the answer's new access and refresh tokens
/// all the same: the provider rotated the refresh token, and the grant must not be lost.
#[tokio::test]
async fn a_refreshs_id_token_for_someone_else_is_not_kept_but_its_tokens_are() {
    let server = TestProvider::start().await;
    let watched = watched(&server).await;
    let linked = link(&watched.session).await;
    let linked_id = linked.id_token().unwrap().to_string();

    for (change, shift, said) in [
        (
            json!({"sub": "mallory"}),
            0,
            "sub was test-user, is mallory",
        ),
        (json!({}), -3600, "auth_time moved back"),
        (json!({"aud": "post-client"}), 0, "aud is post-client"),
    ] {
        let before = watched.session.tokens().unwrap();
        server
            .change_next_id_token("refresh_token", change.clone(), shift)
            .await;
        let refreshed = watched.session.refresh().await.unwrap();
        assert_ne!(refreshed.access_token(), before.access_token(), "{change}");
        assert_ne!(
            refreshed.refresh_token(),
            before.refresh_token(),
            "{change}"
        );
        assert!(
            refreshed.id_token() == Some(linked_id.as_str()),
            "{change}: the account's ID token is kept"
        );
        assert_eq!(
            watched.persisted.lock().unwrap().last(),
            Some(&refreshed),
            "{change}: persisted"
        );
        let problems = watched.refused.lock().unwrap().last().cloned().unwrap();
        let words: Vec<String> = problems.iter().map(Problem::describe).collect();
        assert!(words.join("; ").contains(said), "{change}: {words:?}");
    }
    assert_eq!(server.count("id token changed refresh_token").await, 3);

    // The grant lives on: the rotated refresh token works, and a fitting ID token (here with a
    // claim the linked one lacks) is taken.
    server
        .change_next_id_token("refresh_token", json!({"acr": "fitting"}), 0)
        .await;
    let refreshed = watched.session.refresh().await.unwrap();
    let renewed = claims(refreshed.id_token().unwrap());
    assert_eq!(
        renewed["acr"], "fitting",
        "a fitting ID token replaces the old one"
    );
    assert_eq!(renewed["sub"], "test-user");
    assert_eq!(watched.refused.lock().unwrap().last(), Some(&Vec::new()));
    assert_eq!(server.count("refresh token reused").await, 0);
}
