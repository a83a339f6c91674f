//! The forecast of a grant's death (issue 21 item 13) through the built binary against the real
//! oidc-provider: from the provider's `refresh_token_expires_in`, from a preset's documented
//! lifetime, from `--refresh-token-lifetime`, and the warning once less than the margin is left.
//! Apart from cli_settings.rs, which is near the length a file should have.

use std::time::{Duration, SystemTime};

use crate::common;

use common::cli::{Deck, text};
use common::{Options, TestProvider, eventually};
use serde_json::Value;

fn json(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

/// Seconds from now to the RFC 3339 time at `field` of `object`.
fn seconds_ahead(object: &Value, field: &str) -> i64 {
    let text = object[field]
        .as_str()
        .unwrap_or_else(|| panic!("no {field} in {object}"));
    let at = humantime::parse_rfc3339(text).unwrap();
    match at.duration_since(SystemTime::now()) {
        Ok(ahead) => ahead.as_secs() as i64,
        Err(past) => -(past.duration().as_secs() as i64),
    }
}

/// Puts a home-wide `relink_margin` at the top of the accounts file (where TOML's top-level
/// keys go), as a person would.
fn set_margin(deck: &Deck, margin: &str) {
    let path = deck.home().join("config/accounts.toml");
    let before = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("relink_margin = {margin:?}\n{before}")).unwrap();
}

#[tokio::test]
async fn status_and_show_forecast_the_grants_death_from_the_providers_answer() {
    let server = TestProvider::start_with(Options {
        refresh_token_expires_in: Some(30 * 86_400),
        ..Options::default()
    })
    .await;
    let deck = Deck::new();
    deck.add(&server, "work").await;
    let linked = deck.link("work").await;
    assert!(linked.status.success(), "{}", text(&linked.stderr));

    let status = json(&deck.ok(&["status", "work", "--json"]).await);
    let ahead = seconds_ahead(&status, "refresh_token_expires_at");
    assert!(
        (30 * 86_400 - 120..=30 * 86_400).contains(&ahead),
        "{status}"
    );
    assert_eq!(status["refresh_token_expires_source"], "provider");
    assert_eq!(status["relink_soon"], false);

    let out = deck.run(&["status", "work"], "").await;
    let said = text(&out.stdout);
    assert!(
        said.contains("  grant ends: ")
            && said.contains("(in 29d 23h), from the provider's answer"),
        "{said}"
    );
    assert!(
        !text(&out.stderr).contains("warning"),
        "{}",
        text(&out.stderr)
    );

    let show = deck.ok(&["show", "work"]).await;
    assert!(
        show.lines()
            .any(|l| l.starts_with("  grant ends:") && l.contains("from the provider's answer")),
        "{show}"
    );
    let show = json(&deck.ok(&["show", "work", "--json"]).await);
    assert_eq!(show["refresh_token_expires_source"], "provider");
    assert_eq!(
        show["refresh_token_expires_at"], status["refresh_token_expires_at"],
        "show and status forecast the same"
    );

    // A refresh rotates the refresh token; the answer says its lifetime again, from then: a
    // refresh a second or more after the link moves the forecast on.
    let mut after = Value::Null;
    eventually(Duration::from_secs(10), async || {
        deck.ok(&["refresh", "work"]).await;
        after = json(&deck.ok(&["status", "work", "--json"]).await);
        after["refresh_token_expires_at"] != status["refresh_token_expires_at"]
    })
    .await;
    assert_eq!(after["refresh_token_expires_source"], "provider");
    assert!(
        after["refresh_token_expires_at"].as_str() > status["refresh_token_expires_at"].as_str(),
        "{after} after {status}"
    );
}

#[tokio::test]
async fn a_presets_documented_lifetime_forecasts_the_grant_and_names_its_source() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    // Microsoft's preset (client authentication `post`), pointed at the test provider; plain
    // OAuth without `openid`, so that no ID token is checked against Microsoft's keys, and no
    // userinfo asked of Microsoft.
    let out = deck
        .run(
            &[
                "add",
                "ms",
                "--preset",
                "microsoft",
                "--client-id",
                "oauth-client",
                "--client-secret-stdin",
                "--redirect-uri",
                "http://127.0.0.1:0/callback",
                "--scope",
                "api",
            ],
            "oauth-secret-value\n",
        )
        .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    deck.ok(&[
        "set",
        "ms",
        "--authorize-url",
        &server.url("/auth"),
        "--token-url",
        &server.url("/token"),
        "--userinfo-url",
        "",
        "--device-authorization-url",
        "",
    ])
    .await;
    let linked = deck.link("ms").await;
    assert!(linked.status.success(), "{}", text(&linked.stderr));

    let status = json(&deck.ok(&["status", "ms", "--json"]).await);
    let ahead = seconds_ahead(&status, "refresh_token_expires_at");
    assert!(
        (90 * 86_400 - 120..=90 * 86_400).contains(&ahead),
        "{status}"
    );
    assert_eq!(status["refresh_token_expires_source"], "preset");
    let said = deck.ok(&["status", "ms"]).await;
    assert!(
        said.contains(
            "from the preset: Microsoft identity platform: refresh tokens expire after 90 days of inactivity"
        ),
        "{said}"
    );

    // The person's word beats the preset's (a preset documents the common case).
    deck.ok(&["set", "ms", "--refresh-token-lifetime", "10d"])
        .await;
    let status = json(&deck.ok(&["status", "ms", "--json"]).await);
    assert_eq!(status["refresh_token_expires_source"], "setting");
    let ahead = seconds_ahead(&status, "refresh_token_expires_at");
    assert!(
        (10 * 86_400 - 120..=10 * 86_400).contains(&ahead),
        "{status}"
    );
}

#[tokio::test]
async fn refresh_token_lifetime_given_by_hand_forecasts_the_grant() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    let out = deck
        .add_with(
            &server,
            "work",
            "basic-secret-value",
            &["--refresh-token-lifetime", "7d"],
        )
        .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let before = json(&deck.ok(&["status", "work", "--json"]).await);
    assert_eq!(
        before["refresh_token_expires_at"],
        Value::Null,
        "not linked yet"
    );
    assert!(deck.link("work").await.status.success());

    let status = json(&deck.ok(&["status", "work", "--json"]).await);
    assert_eq!(status["refresh_token_expires_source"], "setting");
    let ahead = seconds_ahead(&status, "refresh_token_expires_at");
    assert!((7 * 86_400 - 120..=7 * 86_400).contains(&ahead), "{status}");
    let show = json(&deck.ok(&["show", "work", "--json"]).await);
    assert_eq!(show["refresh_token_lifetime_seconds"], 7 * 86_400);

    let out = deck
        .run(&["set", "work", "--refresh-token-lifetime", "12h"], "")
        .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("refresh token lifetime"),
        "{}",
        text(&out.stderr)
    );
    let status = json(&deck.ok(&["status", "work", "--json"]).await);
    let ahead = seconds_ahead(&status, "refresh_token_expires_at");
    assert!((12 * 3600 - 120..=12 * 3600).contains(&ahead), "{status}");

    // An empty one removes it: nothing is left to forecast from for a custom account.
    deck.ok(&["set", "work", "--refresh-token-lifetime", ""])
        .await;
    let status = json(&deck.ok(&["status", "work", "--json"]).await);
    assert_eq!(status["refresh_token_expires_at"], Value::Null);
    assert_eq!(status["refresh_token_expires_source"], Value::Null);

    let out = deck
        .run(&["set", "work", "--refresh-token-lifetime", "soon"], "")
        .await;
    assert_eq!(out.status.code(), Some(2), "a usage error");
    assert!(
        text(&out.stderr).contains("is not a duration such as 7d, 90d or 12h"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test]
async fn inside_the_margin_status_warns_to_link_again() {
    let server = TestProvider::start_with(Options {
        refresh_token_expires_in: Some(12),
        ..Options::default()
    })
    .await;
    let deck = Deck::new();
    deck.add(&server, "work").await;
    set_margin(&deck, "6s");
    assert!(deck.link("work").await.status.success());

    let out = deck.run(&["status", "work"], "").await;
    assert!(out.status.success());
    let status = json(&deck.ok(&["status", "work", "--json"]).await);
    if seconds_ahead(&status, "refresh_token_expires_at") > 7 {
        // Still more than the margin left (with a second to spare for the two commands).
        assert!(
            !text(&out.stderr).contains("warning"),
            "{}",
            text(&out.stderr)
        );
        assert_eq!(status["relink_soon"], false);
    }

    let mut said = String::new();
    eventually(Duration::from_secs(20), async || {
        let out = deck.run(&["status", "work"], "").await;
        said = text(&out.stderr);
        said.contains("warning")
    })
    .await;
    assert!(
        said.contains("tokendeck: warning: \"work\"'s grant will end in ")
            && said.contains(
                "by the provider's answer (refresh_token_expires_in): link it again before then with `tokendeck link work`"
            ),
        "{said}"
    );
    let status = json(&deck.ok(&["status", "work", "--json"]).await);
    assert_eq!(status["relink_soon"], true);
}
