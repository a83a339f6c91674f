//! The authorization code flow against the real oidc-provider: every client authentication
//! method, the pasted answer in all its forms, the loopback listener, and the answers to refuse.

use crate::common;

use std::time::{Duration, SystemTime};

use common::{Browser, Client, Options, PASTE_REDIRECT, TestProvider, link, session};
use tokendeck::{Error, ErrorCode, Provider, Session};

async fn full_flow(client: Client) {
    let server = TestProvider::start().await;
    let session = session(&server, client, PASTE_REDIRECT).build().unwrap();
    let tokens = link(&session).await;

    assert!(!tokens.access_token().is_empty());
    assert!(
        tokens.refresh_token().is_some(),
        "offline access yields a refresh token"
    );
    let expires_at = tokens.expires_at().expect("oidc-provider sends expires_in");
    let left = expires_at.duration_since(SystemTime::now()).unwrap();
    assert!(
        left > Duration::from_secs(3500) && left <= Duration::from_secs(3600),
        "{left:?}"
    );
    assert_eq!(tokens.token_type(), "Bearer");
    assert!(tokens.scope().unwrap().contains("api"));
    assert_eq!(session.tokens().as_ref(), Some(&tokens));
    let debug = format!("{session:?} {tokens:?}");
    for secret in [
        tokens.access_token(),
        tokens.refresh_token().unwrap(),
        "secret-value",
    ] {
        assert!(
            !debug.contains(secret),
            "a secret leaked into Debug: {debug}"
        );
    }

    let response = session
        .send(session.http().get(server.url("/api/me")))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<serde_json::Value>().await.unwrap()["sub"],
        "test-user"
    );
    assert_eq!(server.count("grant authorization_code 200").await, 1);
}

#[tokio::test]
async fn full_flow_with_client_secret_basic() {
    full_flow(Client::Basic).await;
}

#[tokio::test]
async fn full_flow_with_client_secret_post() {
    full_flow(Client::Post).await;
}

#[tokio::test]
async fn full_flow_with_a_public_client_and_pkce() {
    full_flow(Client::Public).await;
}

#[tokio::test]
async fn the_query_string_alone_is_accepted_too() {
    let server = TestProvider::start().await;
    let session = session(&server, Client::Basic, PASTE_REDIRECT)
        .build()
        .unwrap();
    let redirect = Browser::new()
        .authorize(&session.authorize_url(), PASTE_REDIRECT)
        .await;
    let query = url::Url::parse(&redirect)
        .unwrap()
        .query()
        .unwrap()
        .to_string();
    let tokens = session.token(&format!("  {query}\n")).await.unwrap();
    assert!(!tokens.access_token().is_empty());
}

#[tokio::test]
async fn a_state_mismatch_is_refused_without_an_exchange() {
    let server = TestProvider::start().await;
    let session = session(&server, Client::Basic, PASTE_REDIRECT)
        .build()
        .unwrap();
    let old_url = session.authorize_url();
    let old_answer = Browser::new().authorize(&old_url, PASTE_REDIRECT).await;
    let _newer_url = session.authorize_url();

    let err = session.token(&old_answer).await.unwrap_err();
    assert!(matches!(err, Error::StateMismatch), "{err}");
    assert!(
        err.to_string()
            .contains("open the latest authorization URL"),
        "{err}"
    );
    assert_eq!(
        server.count("POST /token").await,
        0,
        "nothing was sent to the token endpoint"
    );
    assert!(session.tokens().is_none());
}

#[tokio::test]
async fn access_denied_in_the_pasted_url_is_reported_with_the_providers_words() {
    let server = TestProvider::start().await;
    let session = session(&server, Client::Basic, PASTE_REDIRECT)
        .authorize_param("login_hint", "deny")
        .build()
        .unwrap();
    let redirect = Browser::new()
        .authorize(&session.authorize_url(), PASTE_REDIRECT)
        .await;
    assert!(redirect.contains("error=access_denied"), "{redirect}");

    let err = session.token(&redirect).await.unwrap_err();
    assert!(
        matches!(&err, Error::AuthorizationDenied { error: ErrorCode::AccessDenied, description }
            if description.as_deref() == Some("The user denied the request.")),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("access was denied at the provider: The user denied"),
        "{err}"
    );
    assert!(err.needs_reauthorization());
    assert_eq!(server.count("POST /token").await, 0);
}

#[tokio::test]
async fn a_wrong_code_gets_a_clear_error_and_the_flow_can_be_retried() {
    let server = TestProvider::start().await;
    let session = session(&server, Client::Basic, PASTE_REDIRECT)
        .build()
        .unwrap();
    let url = session.authorize_url();
    let err = session.token("not-the-real-code").await.unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Rejected {
                error: ErrorCode::InvalidGrant,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("open the authorization URL again"),
        "{err}"
    );

    // The same URL still works: nothing had to be typed again.
    let redirect = Browser::new().authorize(&url, PASTE_REDIRECT).await;
    assert!(session.token(&redirect).await.is_ok());
}

#[tokio::test]
async fn a_code_cannot_be_exchanged_twice() {
    let server = TestProvider::start().await;
    let session = session(&server, Client::Basic, PASTE_REDIRECT)
        .build()
        .unwrap();
    let redirect = Browser::new()
        .authorize(&session.authorize_url(), PASTE_REDIRECT)
        .await;
    session.token(&redirect).await.unwrap();
    let err = session.token(&redirect).await.unwrap_err();
    assert!(matches!(err, Error::NoPendingAuthorization), "{err:?}");
}

#[tokio::test]
async fn a_wrong_client_secret_says_to_check_the_credentials() {
    let server = TestProvider::start().await;
    let session = tokendeck::Session::builder(server.provider(), "basic-client", PASTE_REDIRECT)
        .client_secret("wrong-secret")
        .scopes(["openid", "api"])
        .build()
        .unwrap();
    let redirect = Browser::new()
        .authorize(&session.authorize_url(), PASTE_REDIRECT)
        .await;
    let err = session.token(&redirect).await.unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Rejected {
                error: ErrorCode::InvalidClient,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("check the client id, the client secret"),
        "{err}"
    );
    assert!(!format!("{err} {err:?}").contains("wrong-secret"));
}

#[tokio::test]
async fn the_loopback_listener_completes_the_flow_by_itself() {
    let server = TestProvider::start().await;
    let session = session(&server, Client::Public, "http://127.0.0.1:0/callback")
        .build()
        .unwrap();
    let listener = session.listen().await.unwrap();
    let port = listener.local_addr().port();
    assert_eq!(
        session.redirect_uri(),
        format!("http://127.0.0.1:{port}/callback")
    );
    let url = session.authorize_url();
    assert!(
        url.contains(&format!("127.0.0.1%3A{port}")),
        "the real port is in the URL: {url}"
    );

    let redirect_uri = session.redirect_uri();
    let browser = tokio::spawn(async move {
        // Strays first: another path, then an answer from an older attempt.
        let http = reqwest::Client::new();
        let other = http
            .get(format!("http://127.0.0.1:{port}/favicon.ico"))
            .send()
            .await
            .unwrap();
        assert_eq!(other.status(), 404);
        let stale = http
            .get(format!(
                "http://127.0.0.1:{port}/callback?code=x&state=stale"
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(stale.status(), 400);
        let page = Browser::new().complete(&url, &redirect_uri).await;
        assert_eq!(page.status(), 200);
        page.text().await.unwrap()
    });
    let tokens = tokio::time::timeout(
        Duration::from_secs(20),
        session.wait_for_callback(&listener),
    )
    .await
    .expect("the listener completes")
    .unwrap();
    let page = browser.await.unwrap();
    assert!(page.contains("You can close this tab"), "{page}");
    assert!(!tokens.access_token().is_empty());
    assert_eq!(server.count("grant authorization_code 200").await, 1);
}

#[tokio::test]
async fn the_loopback_listener_reports_a_denial() {
    let server = TestProvider::start().await;
    let session = session(&server, Client::Public, "http://127.0.0.1:0/callback")
        .authorize_param("login_hint", "deny")
        .build()
        .unwrap();
    let listener = session.listen().await.unwrap();
    let url = session.authorize_url();
    let redirect_uri = session.redirect_uri();
    let browser = tokio::spawn(async move {
        Browser::new()
            .complete(&url, &redirect_uri)
            .await
            .text()
            .await
    });
    let err = session.wait_for_callback(&listener).await.unwrap_err();
    assert!(matches!(err, Error::AuthorizationDenied { .. }), "{err:?}");
    assert!(
        browser
            .await
            .unwrap()
            .unwrap()
            .contains("Authorization refused")
    );
}

#[tokio::test]
async fn waiting_for_the_browser_can_be_cancelled() {
    let server = TestProvider::start().await;
    // A loopback address of its own: on 127.0.0.1 another test's listener may take the port the
    // moment it is let go, and answer the check below.
    let session = session(&server, Client::Public, "http://127.0.0.77:0/callback")
        .build()
        .unwrap();
    let listener = session.listen().await.unwrap();
    let _url = session.authorize_url();
    let waited = tokio::time::timeout(
        Duration::from_millis(200),
        session.wait_for_callback(&listener),
    )
    .await;
    assert!(waited.is_err(), "nothing arrived, so the wait was cut off");
    let addr = listener.local_addr();
    drop(listener);
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "the port is closed once dropped"
    );
}

#[tokio::test]
async fn discovery_reads_the_endpoints() {
    let server = TestProvider::start().await;
    let provider = Provider::discover(&server.issuer).await.unwrap();
    assert_eq!(
        provider.authorization_endpoint().as_str(),
        server.url("/auth")
    );
    assert_eq!(provider.token_endpoint().as_str(), server.url("/token"));
    assert_eq!(
        provider.userinfo_endpoint().unwrap().as_str(),
        server.url("/me")
    );
    assert!(provider.uses_pkce());

    let err = Provider::discover(&server.url("/elsewhere"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Discovery { .. }), "{err:?}");
}

/// A session for the test server's basic client at `provider`, with an ID token's scopes.
fn basic_session(provider: Provider) -> Session {
    let (id, secret, method) = Client::Basic.credentials();
    Session::builder(provider, id, PASTE_REDIRECT)
        .auth_method(method)
        .client_secret(secret.unwrap())
        .scopes(["openid", "offline_access", "api"])
        .build()
        .unwrap()
}

/// Issue 19, item 10: a server with no OpenID Connect discovery document is read from its RFC
/// 8414 metadata, and what that lists works.
#[tokio::test]
async fn discovery_falls_back_to_rfc_8414_metadata_when_openid_configuration_is_missing() {
    let server = TestProvider::start_with(Options {
        discovery: "oauth",
        ..Options::default()
    })
    .await;
    let openid = reqwest::get(server.url("/.well-known/openid-configuration"))
        .await
        .unwrap();
    assert_eq!(
        openid.status(),
        404,
        "the server has no OpenID Connect document"
    );
    let provider = Provider::discover(&server.issuer).await.unwrap();
    assert_eq!(provider.issuer(), Some(server.issuer.as_str()));
    assert_eq!(provider.token_endpoint().as_str(), server.url("/token"));
    for (endpoint, path) in [
        (provider.revocation_endpoint(), "/token/revocation"),
        (provider.introspection_endpoint(), "/token/introspection"),
        (provider.device_authorization_endpoint(), "/device/auth"),
        (provider.jwks_uri(), "/jwks"),
    ] {
        assert_eq!(
            endpoint.map(|u| u.as_str()),
            Some(server.url(path).as_str())
        );
    }
    assert_eq!(
        server
            .count("GET /.well-known/oauth-authorization-server")
            .await,
        1
    );
    let session = basic_session(provider);
    let tokens = link(&session).await;
    assert!(tokens.id_token().is_some());
    assert!(
        session
            .introspect(tokendeck::oauth::TokenKind::Access)
            .await
            .unwrap()
            .active
    );
}

/// RFC 8414 §3.1: for an issuer with a path, the well-known path goes between the host and the
/// issuer's path (the server answers nowhere else), with or without a trailing `/` typed.
#[tokio::test]
async fn an_issuers_path_goes_after_the_well_known_path_with_or_without_a_trailing_slash() {
    let server = TestProvider::start_with(Options {
        discovery: "oauth",
        issuer_path: "/tenant",
        ..Options::default()
    })
    .await;
    assert!(server.issuer.ends_with("/tenant"), "{}", server.issuer);
    let appended = reqwest::get(server.url("/.well-known/oauth-authorization-server"))
        .await
        .unwrap();
    assert_eq!(appended.status(), 404, "only the RFC's address answers");
    for typed in [server.issuer.clone(), format!("{}/", server.issuer)] {
        let provider = Provider::discover(&typed).await.unwrap();
        assert_eq!(
            provider.issuer(),
            Some(server.issuer.as_str()),
            "the document's spelling is kept ({typed})"
        );
        assert_eq!(provider.token_endpoint().as_str(), server.url("/token"));
    }
    let session = basic_session(Provider::discover(&server.issuer).await.unwrap());
    link(&session).await;
    let api = session
        .send(session.http().get(server.url("/api/me")))
        .await
        .unwrap();
    assert_eq!(api.status(), 200);
}

/// django-oauth-toolkit lists its revocation and introspection endpoints only in its RFC 8414
/// metadata: discovery takes them from there when OpenID Connect's document lacks them.
#[tokio::test]
async fn endpoints_listed_only_in_rfc_8414_metadata_are_taken_from_it() {
    let server = TestProvider::start_with(Options {
        discovery: "split",
        ..Options::default()
    })
    .await;
    let openid: serde_json::Value = reqwest::get(server.url("/.well-known/openid-configuration"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(openid.get("revocation_endpoint").is_none(), "{openid}");
    assert!(openid.get("introspection_endpoint").is_none(), "{openid}");
    let provider = Provider::discover(&server.issuer).await.unwrap();
    assert_eq!(
        provider.revocation_endpoint().map(|u| u.as_str()),
        Some(server.url("/token/revocation").as_str())
    );
    assert_eq!(
        provider.introspection_endpoint().map(|u| u.as_str()),
        Some(server.url("/token/introspection").as_str())
    );
}

/// RFC 8414 §3.3, as OpenID Connect Discovery §4.3: metadata naming another issuer is refused.
#[tokio::test]
async fn rfc_8414_metadata_that_names_another_issuer_is_refused() {
    let server = TestProvider::start_with(Options {
        discovery: "oauth",
        ..Options::default()
    })
    .await;
    let forged = serde_json::json!({
        "issuer": "https://as.example",
        "authorization_endpoint": "https://as.example/auth",
        "token_endpoint": "https://as.example/token",
    });
    server
        .fault_body(
            "/.well-known/oauth-authorization-server",
            &forged.to_string(),
            "status=200",
        )
        .await;
    let err = Provider::discover(&server.issuer).await.unwrap_err();
    assert!(matches!(err, Error::Discovery { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message
            .contains("oauth-authorization-server names another issuer (\"https://as.example\")"),
        "{message}"
    );
    let err = Provider::discover(&server.url("/elsewhere"))
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("serves no metadata") && message.contains("HTTP 404"),
        "{message}"
    );
}

#[tokio::test]
async fn an_unreachable_server_is_a_transient_error() {
    let server = TestProvider::start().await;
    let session = session(&server, Client::Basic, PASTE_REDIRECT)
        .build()
        .unwrap();
    let redirect = Browser::new()
        .authorize(&session.authorize_url(), PASTE_REDIRECT)
        .await;
    let issuer = server.issuer.clone();
    drop(server);
    common::eventually(Duration::from_secs(10), async || {
        reqwest::get(&issuer).await.is_err_and(|e| e.is_connect())
    })
    .await;
    let err = session.token(&redirect).await.unwrap_err();
    assert!(matches!(err, Error::Unreachable { .. }), "{err:?}");
    assert!(err.is_transient() && !err.is_ambiguous());
    assert!(err.to_string().contains("Check the network"), "{err}");
}
