//! ID tokens of the real oidc-provider checked against the keys it publishes: the key set's URL
//! comes from discovery, the signature verifies with the provider's key `test`, one claim changed
//! does not, and the key set's answer carries the provider's clock.

mod common;

use std::time::{Duration, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{Client, PASTE_REDIRECT, TestProvider, link};
use serde_json::Value;
use tokendeck::oauth::jwt::{Jwt, Signature};
use tokendeck::{Error, Provider, Session};

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
