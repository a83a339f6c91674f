//! Issue 12, item 2: `tokendeck inspect` against the real oidc-provider — the ID token decoded and
//! its signature verified with the keys discovery names, a tampered one not, introspection live
//! and then not after revocation, times on the user's clock, and no token value anywhere.
//! Issue 19, item 8: the ID token's verdict — "verified" only when the signature and the claims
//! (iss, aud, azp, exp, iat, nonce) hold; another client's named as such though its signature
//! verifies; an expired one "expired"; a link whose ID token does not fit stores nothing; a
//! refresh whose ID token names someone else keeps the account's, stores the rest, and says so.

use crate::common;

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use common::cli::{Deck, text};
use common::{Options, TestProvider};
use tokendeck::store::{Home, Store};

/// `work`, added by discovery from the test server's issuer and linked.
async fn discovered(server: &TestProvider) -> Deck {
    let deck = Deck::new();
    deck.add_discovered(server, "work").await;
    assert!(deck.link("work").await.status.success());
    deck
}

async fn inspect_json(deck: &Deck, args: &[&str]) -> Value {
    let mut all = vec!["inspect", "work", "--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&deck.ok(&all).await).unwrap()
}

/// The stored tokens, read from the keyring as tokendeck keeps them.
async fn stored(deck: &Deck) -> (Arc<Store>, Value) {
    let store = Arc::new(Store::new(Home::rooted(deck.home()).unwrap()));
    let record = store.record("work").await.unwrap();
    let tokens = serde_json::to_value(record.tokens.unwrap()).unwrap();
    (store, tokens)
}

#[tokio::test]
async fn the_id_token_is_decoded_and_its_signature_verified() {
    let server = TestProvider::start().await;
    let deck = discovered(&server).await;
    let report = inspect_json(&deck, &[]).await;

    let id = &report["id_token"];
    assert_eq!(id["format"], "jwt", "{report:#}");
    assert_eq!(id["signature"], "verified", "{report:#}");
    assert_eq!(id["header"]["alg"], "RS256");
    assert_eq!(id["header"]["kid"], "test");
    assert_eq!(id["claims"]["sub"], "test-user");
    assert_eq!(id["claims"]["iss"], server.issuer.as_str());
    assert_eq!(id["claims"]["aud"], "basic-client");
    assert!(id["times"]["exp"].as_str().unwrap().ends_with('Z'));
    // oidc-provider's access tokens are opaque: shown as such, by length only.
    assert_eq!(report["access_token"]["format"], "opaque");
    assert!(report["access_token"]["length"].as_u64().unwrap() > 20);
    assert_eq!(report["keys"]["state"], "fetched");
    assert_eq!(report["keys"]["count"], 1);
    let granted: Vec<&str> = report["scopes"]["granted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(
        granted.contains(&"openid") && granted.contains(&"api"),
        "{granted:?}"
    );
    // oidc-provider leaves offline_access out of `scope`; the refresh token is that grant.
    assert_eq!(
        report["scopes"]["dropped"],
        serde_json::json!([]),
        "{report:#}"
    );
    // Same machine, same clock: the provider's Date agrees to within a couple of seconds.
    let skew = &report["clock_skew"];
    assert_eq!(skew["source"], "server_date");
    assert!(skew["seconds"].as_i64().unwrap().abs() <= 2, "{skew}");
    assert_eq!(skew["warning"], false);
    assert_eq!(report["introspection"], Value::Null, "only on request");

    // No token's value, in JSON or in text.
    let (_store, tokens) = stored(&deck).await;
    let text = deck.ok(&["inspect", "work"]).await;
    let json = report.to_string();
    for key in ["access_token", "refresh_token", "id_token"] {
        let secret = tokens[key].as_str().unwrap();
        assert!(!json.contains(secret), "{key} in --json");
        assert!(!text.contains(secret), "{key} in the text");
        // Not even the signature part of a JWT.
        let last = secret.rsplit('.').next().unwrap();
        assert!(!text.contains(last) && !json.contains(last), "{key}'s tail");
    }
    assert!(text.contains("verified with the provider's key"), "{text}");
}

#[tokio::test]
async fn a_tampered_id_token_is_not_called_verified() {
    let server = TestProvider::start().await;
    let deck = discovered(&server).await;
    let (store, mut tokens) = stored(&deck).await;
    let id = tokens["id_token"].as_str().unwrap().to_string();
    let parts: Vec<&str> = id.split('.').collect();
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    claims["sub"] = "mallory".into();
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        parts[2]
    );
    tokens["id_token"] = forged.into();
    let mut record = store.record("work").await.unwrap();
    record.tokens = Some(serde_json::from_value(tokens).unwrap());
    store.save_tokens("work", &record).await.unwrap();

    let report = inspect_json(&deck, &[]).await;
    assert_eq!(report["id_token"]["claims"]["sub"], "mallory");
    assert_eq!(report["id_token"]["signature"], "invalid", "{report:#}");
    let text = deck.ok(&["inspect", "work"]).await;
    assert!(text.contains("NOT verified"), "{text}");
}

#[tokio::test]
async fn introspection_says_active_then_not_after_revocation() {
    let server = TestProvider::start().await;
    let deck = discovered(&server).await;
    let report = inspect_json(&deck, &["--introspect"]).await;
    let answer = &report["introspection"];
    assert_eq!(answer["active"], true, "{report:#}");
    assert_eq!(answer["client_id"], "basic-client");
    assert!(
        answer["scope"].as_str().unwrap().contains("api"),
        "{answer}"
    );

    let token = deck.ok(&["token", "work"]).await;
    server.revoke_access_token(token.trim()).await;
    let report = inspect_json(&deck, &["--introspect"]).await;
    assert_eq!(report["introspection"]["active"], false, "{report:#}");
    let text = deck.ok(&["inspect", "work", "--introspect"]).await;
    assert!(text.contains("no longer accepts"), "{text}");
}

/// An account made by hand knows no key set and no introspection endpoint: it says so, and the
/// rest of the report is still there.
#[tokio::test]
async fn without_discovery_it_says_what_it_cannot_check() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    deck.add(&server, "work").await;
    assert!(deck.link("work").await.status.success());
    let report = inspect_json(&deck, &["--introspect"]).await;
    assert_eq!(report["keys"]["state"], "unknown");
    assert_eq!(report["id_token"]["signature"], "not_checked");
    assert_eq!(report["id_token"]["claims"]["sub"], "test-user");
    let error = report["introspection"]["error"].as_str().unwrap();
    assert!(error.contains("introspection"), "{error}");
}

/// Times in the text are on the user's clock.
#[tokio::test]
async fn times_are_on_the_users_clock() {
    let server = TestProvider::start().await;
    let deck = discovered(&server).await;
    let report = inspect_json(&deck, &[]).await;
    let exp = report["id_token"]["times"]["exp"].as_str().unwrap();
    let t: jiff::Timestamp = exp.parse().unwrap();
    for zone in ["Asia/Tokyo", "America/New_York"] {
        let out = deck
            .command(&["inspect", "work"])
            .env("TZ", zone)
            .output()
            .await
            .unwrap();
        let text = text(&out.stdout);
        let local = t
            .to_zoned_datetime(jiff::tz::TimeZone::get(zone).unwrap())
            .strftime("%Y-%m-%d %H:%M:%S %Z")
            .to_string();
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with("exp "))
            .unwrap();
        assert!(
            line.contains(&local),
            "TZ={zone}: {line:?} should say {local}"
        );
    }
}

/// An account added by discovery before tokendeck stored key sets and introspection endpoints
/// (its stored provider has neither) is still checked: inspect asks discovery again, and stores
/// nothing.
#[tokio::test]
async fn an_account_from_before_key_sets_is_still_checked() {
    let server = TestProvider::start().await;
    let deck = discovered(&server).await;
    let file = deck.home().join("config/accounts.toml");
    let before = std::fs::read_to_string(&file).unwrap();
    let older: String = before
        .lines()
        .filter(|l| !l.starts_with("jwks_uri") && !l.starts_with("introspection_endpoint"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(older, before, "the file held both endpoints: {before}");
    std::fs::write(&file, &older).unwrap();

    let report = inspect_json(&deck, &["--introspect"]).await;
    assert_eq!(report["id_token"]["signature"], "verified", "{report:#}");
    assert_eq!(report["introspection"]["active"], true, "{report:#}");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        older,
        "nothing stored"
    );
}

#[tokio::test]
async fn the_verdict_is_verified_only_when_the_signature_and_the_claims_hold() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    deck.add_discovered(&server, "work").await;
    let out = deck.link("work").await;
    assert!(
        text(&out.stdout).contains("nonce="),
        "the sign-in sent a nonce"
    );
    let report = inspect_json(&deck, &[]).await;
    let id = &report["id_token"];
    assert_eq!(id["verdict"], "verified", "{report:#}");
    let checks: Vec<(String, String)> = id["claim_checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["claim"].as_str().unwrap().to_string(),
                c["result"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let holds = |claim: &str| checks.contains(&(claim.to_string(), "holds".to_string()));
    for claim in ["iss", "aud", "exp", "iat", "nonce"] {
        assert!(holds(claim), "{claim}: {checks:?}");
    }
    let text = deck.ok(&["inspect", "work"]).await;
    assert!(
        text.contains(
            "verified: signed by the provider, and its claims (iss, aud, exp, iat, nonce) hold"
        ),
        "{text}"
    );
}

/// The provider's own signature on an ID token issued for another of its clients: the signature
/// verifies, the verdict does not — it names both clients.
#[tokio::test]
async fn an_id_token_of_another_client_is_named_though_its_signature_verifies() {
    let server = TestProvider::start().await;
    let deck = discovered(&server).await;
    let args = [
        "add",
        "other",
        "--issuer",
        &server.issuer,
        "--client-id",
        "post-client",
        "--client-secret-stdin",
        "--auth-method",
        "post",
        "--redirect-uri",
        "http://127.0.0.1:0/callback",
        "--scope",
        "openid",
    ];
    let out = deck.run(&args, "post-secret-value\n").await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(deck.link("other").await.status.success());
    let (store, _) = stored(&deck).await;
    let other = store.record("other").await.unwrap().tokens.unwrap();
    let mut tokens =
        serde_json::to_value(store.record("work").await.unwrap().tokens.unwrap()).unwrap();
    tokens["id_token"] = other.id_token().unwrap().into();
    let mut record = store.record("work").await.unwrap();
    record.tokens = Some(serde_json::from_value(tokens).unwrap());
    store.save_tokens("work", &record).await.unwrap();

    let report = inspect_json(&deck, &[]).await;
    let id = &report["id_token"];
    assert_eq!(id["signature"], "verified", "{report:#}");
    assert_eq!(id["verdict"], "mismatch", "{report:#}");
    let detail = id["verdict_detail"].as_str().unwrap();
    assert!(
        detail.contains(
            "issued for another client: aud is post-client, this account's client is basic-client"
        ),
        "{detail}"
    );
    let aud = id["claim_checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["claim"] == "aud")
        .unwrap();
    assert_eq!(aud["result"], "mismatch");
    let text = deck.ok(&["inspect", "work"]).await;
    assert!(
        text.contains("NOT this account's: issued for another client"),
        "{text}"
    );
}

/// An hour after its link every ID token has expired (here after 2 s): "expired", its signature
/// and claims still verified — never "altered".
#[tokio::test]
async fn an_expired_id_token_is_called_expired_not_altered() {
    let server = TestProvider::start_with(Options {
        id_token_ttl: 2,
        ..Options::default()
    })
    .await;
    let deck = discovered(&server).await;
    let report = inspect_json(&deck, &[]).await;
    let exp = report["id_token"]["claims"]["exp"].as_u64().unwrap();
    let exp = std::time::UNIX_EPOCH + std::time::Duration::from_secs(exp);
    common::eventually(std::time::Duration::from_secs(10), async || {
        std::time::SystemTime::now() > exp
    })
    .await;
    let report = inspect_json(&deck, &[]).await;
    let id = &report["id_token"];
    assert_eq!(id["signature"], "verified", "{report:#}");
    assert_eq!(id["verdict"], "expired", "{report:#}");
    let text = deck.ok(&["inspect", "work"]).await;
    assert!(text.contains("verified, and expired"), "{text}");
    assert!(!text.contains("altered") && !text.contains("NOT"), "{text}");
}

/// A link whose ID token was issued for another client ends without tokens, says why, and the
/// account stays unlinked.
#[tokio::test]
async fn a_link_whose_id_token_is_for_another_client_stores_nothing() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    deck.add_discovered(&server, "work").await;
    server
        .change_next_id_token(
            "authorization_code",
            serde_json::json!({"aud": "post-client"}),
            0,
        )
        .await;
    let (out, _, page) = deck.link_page("work").await;
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "issued for another client: aud is post-client, this account's client is basic-client"
        ) && stderr.contains("nothing was stored")
            && stderr.contains("To try again, run `tokendeck link work`"),
        "{stderr}"
    );
    assert!(
        page.contains("aud is post-client"),
        "the browser's page says it: {page}"
    );
    let status = deck.ok(&["status", "work"]).await;
    assert!(status.contains("not linked"), "{status}");
}

/// OpenID Connect Core §12.2 at the command line: the refresh answer's ID token names another
/// user; the account keeps its ID token and takes the new access and refresh tokens, `refresh`
/// says so on stderr and the event log keeps it.
#[tokio::test]
async fn a_refresh_whose_id_token_names_someone_else_keeps_the_account_and_says_so() {
    let server = TestProvider::start().await;
    let deck = discovered(&server).await;
    let (_, before) = stored(&deck).await;
    server
        .change_next_id_token("refresh_token", serde_json::json!({"sub": "mallory"}), 0)
        .await;
    let out = deck.run(&["refresh", "work"], "").await;
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("warning: the ID token in the refresh answer was not kept (it names another user than the account's ID token: sub was test-user, is mallory)"),
        "{stderr}"
    );
    let (_, after) = stored(&deck).await;
    assert!(
        after["id_token"] == before["id_token"],
        "the account's ID token is kept"
    );
    assert!(
        after["access_token"] != before["access_token"],
        "a new access token"
    );
    assert!(
        after["refresh_token"] != before["refresh_token"],
        "the rotated refresh token"
    );
    let log = deck.ok(&["log", "work", "--json"]).await;
    let last: Value = serde_json::from_str(log.lines().last().unwrap()).unwrap();
    assert_eq!(
        (&last["trigger"], &last["outcome"]),
        (&"manual".into(), &"ok".into())
    );
    assert!(
        last["message"]
            .as_str()
            .unwrap()
            .contains("sub was test-user, is mallory"),
        "{last}"
    );
    // The grant lives on: the new refresh token refreshes, and the API takes the new token.
    deck.ok(&["refresh", "work"]).await;
    let token = deck.ok(&["token", "work"]).await;
    let me = reqwest::Client::new()
        .get(server.url("/api/me"))
        .bearer_auth(token.trim())
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    assert_eq!(server.count("refresh token reused").await, 0);
    let report = inspect_json(&deck, &[]).await;
    assert_eq!(report["id_token"]["claims"]["sub"], "test-user");
}
