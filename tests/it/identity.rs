//! Who an account is, from userinfo when the ID token names only its `sub`, and token
//! introspection (RFC 7662), against the real oidc-provider: it puts scope claims (`email`) in
//! userinfo and not in the ID token, so only userinfo can say `test-user@example.test`.

use crate::common;

use common::cli::{Deck, text};
use common::{Client, PASTE_REDIRECT, TestProvider, link};
use serde_json::Value;
use tokendeck::oauth::TokenKind;
use tokendeck::{Error, Provider, Session, Tokens};

const EMAIL: &str = "test-user@example.test";

/// `add` for the basic client with `--scope` for each of `scopes` beyond the deck's own
/// (openid offline_access api), and the server's userinfo endpoint unless `userinfo` is false.
async fn add(deck: &Deck, server: &TestProvider, scopes: &[&str], userinfo: bool) {
    let me = server.url("/me");
    let mut extra: Vec<&str> = scopes.iter().flat_map(|s| ["--scope", *s]).collect();
    if userinfo {
        extra.extend(["--userinfo-url", me.as_str()]);
    }
    let out = deck
        .add_with(server, "work", "basic-secret-value", &extra)
        .await;
    assert!(out.status.success(), "add: {}", text(&out.stderr));
}

async fn identity(deck: &Deck) -> Value {
    let status: Value =
        serde_json::from_str(&deck.ok(&["status", "work", "--json"]).await).unwrap();
    status["identity"].clone()
}

#[tokio::test]
async fn a_link_with_the_email_scope_is_named_by_userinfo_and_a_refresh_keeps_it() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    add(&deck, &server, &["email"], true).await;
    let out = deck.link("work").await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(identity(&deck).await, EMAIL);
    assert_eq!(server.count("GET /me").await, 1);
    assert!(deck.ok(&["list"]).await.contains(EMAIL));

    // The refreshed ID token names only `sub` again: it must not replace the email, and a known
    // identity is not asked again.
    let out = deck.run(&["refresh", "work"], "").await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(server.count("grant refresh_token 200").await, 1);
    assert_eq!(identity(&deck).await, EMAIL);
    assert_eq!(server.count("GET /me").await, 1);
}

#[tokio::test]
async fn without_a_userinfo_endpoint_the_id_token_says_only_sub() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    add(&deck, &server, &["email"], false).await;
    assert!(deck.link("work").await.status.success());
    assert_eq!(
        identity(&deck).await,
        "test-user",
        "the ID token has no email"
    );
    assert_eq!(server.count("GET /me").await, 0);
}

#[tokio::test]
async fn a_link_with_openid_alone_is_named_by_sub() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    add(&deck, &server, &[], true).await;
    assert!(deck.link("work").await.status.success());
    assert_eq!(identity(&deck).await, "test-user");
    assert_eq!(server.count("GET /me").await, 1, "asked, and said only sub");
}

#[tokio::test]
async fn a_failing_userinfo_never_fails_the_link_and_the_next_refresh_asks_again() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    add(&deck, &server, &["email"], true).await;
    server.fault("/me", 1, "status=500").await;
    let out = deck.link("work").await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(server.count("fault 500").await, 1, "userinfo was asked");
    assert_eq!(identity(&deck).await, "test-user");
    assert!(
        !text(&out.stderr).contains("500"),
        "nothing said: {}",
        text(&out.stderr)
    );

    let out = deck.run(&["refresh", "work"], "").await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(identity(&deck).await, EMAIL, "learned after the refresh");
}

#[tokio::test]
async fn a_userinfo_answer_about_another_subject_is_not_taken() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    add(&deck, &server, &["email"], true).await;
    let body = r#"{"sub":"someone-else","email":"mallory@example.test"}"#;
    server.fault_body("/me", body, "status=200").await;
    assert!(deck.link("work").await.status.success());
    assert_eq!(server.count("GET /me").await, 1);
    assert_eq!(identity(&deck).await, "test-user");
}

/// A session for `client` whose provider names the introspection and revocation endpoints.
fn session(server: &TestProvider, client: Client, scopes: &[&str]) -> Session {
    let provider = server
        .provider()
        .with_introspection_endpoint(&server.url("/token/introspection"))
        .unwrap()
        .with_revocation_endpoint(&server.url("/token/revocation"))
        .unwrap()
        .with_userinfo_endpoint(&server.url("/me"))
        .unwrap();
    let (id, secret, method) = client.credentials();
    let mut builder = Session::builder(provider, id, PASTE_REDIRECT)
        .auth_method(method)
        .scopes(scopes.iter().copied());
    if let Some(secret) = secret {
        builder = builder.client_secret(secret);
    }
    builder.build().unwrap()
}

#[tokio::test]
async fn introspection_says_a_live_token_is_active_and_a_revoked_one_is_not() {
    let server = TestProvider::start().await;
    for client in [Client::Basic, Client::Post, Client::Public] {
        let session = session(&server, client, &["openid", "offline_access", "api"]);
        let tokens = link(&session).await;
        let access = session.introspect(TokenKind::Access).await.unwrap();
        assert!(access.active, "{client:?}: {access:?}");
        assert_eq!(access.client_id.as_deref(), Some(client.credentials().0));
        let scope = access.scope.clone().unwrap_or_default();
        assert!(scope.split(' ').any(|s| s == "api"), "{scope}");
        let (exp, expires_at) = (access.exp.unwrap(), tokens.expires_at().unwrap());
        let apart = exp
            .max(expires_at)
            .duration_since(exp.min(expires_at))
            .unwrap();
        assert!(
            apart.as_secs() <= 5,
            "exp {exp:?}, expires_at {expires_at:?}"
        );
        assert_eq!(access.sub.as_deref(), Some("test-user"));
        let json = serde_json::to_string(&access).unwrap();
        assert!(!json.contains(tokens.access_token()), "{json}");
        let refresh = session.introspect(TokenKind::Refresh).await.unwrap();
        assert!(refresh.active, "{client:?}: {refresh:?}");

        session.revoke().await.unwrap();
        let access = session.introspect(TokenKind::Access).await.unwrap();
        assert!(!access.active, "{client:?}: revoked with its grant");
        assert_eq!(
            access.client_id, None,
            "an inactive answer says nothing more"
        );
        let refresh = session.introspect(TokenKind::Refresh).await.unwrap();
        assert!(!refresh.active, "{client:?}");
    }
    assert_eq!(server.count("POST /token/introspection").await, 12);
}

#[tokio::test]
async fn introspection_without_an_endpoint_or_refused_says_so() {
    let server = TestProvider::start().await;
    let session = common::session(&server, Client::Basic, PASTE_REDIRECT)
        .build()
        .unwrap();
    let tokens = link(&session).await;
    let err = session.introspect(TokenKind::Access).await.unwrap_err();
    assert!(matches!(err, Error::NoIntrospectionEndpoint), "{err:?}");
    assert!(
        err.to_string().contains("no introspection endpoint"),
        "{err}"
    );
    assert_eq!(server.count("POST /token/introspection").await, 0);

    let session = self::session(&server, Client::Basic, &["openid", "api"]);
    let tokens_here = link(&session).await;
    server.fault("/token/introspection", 1, "status=403").await;
    let err = session.introspect(TokenKind::Access).await.unwrap_err();
    assert!(
        matches!(err, Error::IntrospectionRefused { status: 403, .. }),
        "{err:?}"
    );
    let (message, debug) = (err.to_string(), format!("{err:?}"));
    assert!(message.contains("refused this client"), "{message}");
    for token in [tokens.access_token(), tokens_here.access_token()] {
        assert!(!message.contains(token) && !debug.contains(token));
    }
    // The test server issues a refresh token with every grant: a session without one.
    session.set_tokens(Some(Tokens::new("at", std::time::SystemTime::now())));
    let err = session.introspect(TokenKind::Refresh).await.unwrap_err();
    assert!(matches!(err, Error::NoRefreshToken), "{err:?}");
}

#[tokio::test]
async fn discovery_reads_the_userinfo_and_introspection_endpoints() {
    let server = TestProvider::start().await;
    let provider = Provider::discover(&server.issuer).await.unwrap();
    assert_eq!(
        provider.introspection_endpoint().map(|u| u.as_str()),
        Some(server.url("/token/introspection").as_str())
    );
    assert_eq!(
        provider.userinfo_endpoint().map(|u| u.as_str()),
        Some(server.url("/me").as_str())
    );
}

#[tokio::test]
async fn userinfo_a_401_spends_no_refresh_and_a_jwt_is_read() {
    let server = TestProvider::start().await;
    let session = session(
        &server,
        Client::Basic,
        &["openid", "offline_access", "email"],
    );
    let tokens = link(&session).await;
    let claims = session.userinfo().await.unwrap();
    assert_eq!(claims["email"], EMAIL);
    assert_eq!(claims["sub"], "test-user");

    // A refused token is said, not answered with a refresh: a userinfo endpoint that refuses
    // (no `openid` scope, say) would otherwise cost a refresh on every attempt.
    server.revoke_access_token(tokens.access_token()).await;
    let err = session.userinfo().await.unwrap_err();
    assert!(
        matches!(err, Error::UserinfoRefused { status: 401, .. }),
        "{err:?}"
    );
    assert_eq!(server.count("grant refresh_token 200").await, 0);
    session.refresh().await.unwrap();
    let claims = session.userinfo().await.unwrap();
    assert_eq!(claims["email"], EMAIL, "with the new token");

    // A signed answer: its payload is read (not trusted: it is only a label).
    let payload = base64_url(r#"{"sub":"test-user","preferred_username":"signed"}"#);
    let jwt = format!("eyJhbGciOiJSUzI1NiJ9.{payload}.c2ln");
    server
        .fault(
            "/me",
            1,
            &format!("status=200&content_type=application/jwt&body={jwt}"),
        )
        .await;
    let claims = session.userinfo().await.unwrap();
    assert_eq!(claims["preferred_username"], "signed");

    server.fault("/me", 1, "status=500").await;
    let err = session.userinfo().await.unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    server.fault("/me", 1, "status=200&body=%5B1%5D").await;
    let err = session.userinfo().await.unwrap_err();
    assert!(matches!(err, Error::InvalidResponse { .. }), "{err:?}");
}

fn base64_url(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}
