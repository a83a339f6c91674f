//! `tokendeck link --device` and `tokendeck remove` with revocation, as a user runs them, against
//! the real oidc-provider and the real keyring.

mod common;

use std::process::{Output, Stdio};
use std::time::Duration;

use common::cli::{Deck, text};
use common::{Browser, Options, TestProvider};
use tokio::io::{AsyncBufReadExt, BufReader};

/// Adds `name` for the basic client with the server's device and revocation endpoints.
async fn add(deck: &Deck, server: &TestProvider, name: &str, redirect: &str) {
    let (device, revoke) = (server.url("/device/auth"), server.url("/token/revocation"));
    let extra = [
        "--device-authorization-url",
        device.as_str(),
        "--revocation-url",
        revoke.as_str(),
    ];
    let out = deck
        .add_with(server, name, "basic-secret-value", &extra)
        .await;
    assert!(out.status.success(), "add: {}", text(&out.stderr));
    if redirect != "http://127.0.0.1:0/callback" {
        deck.ok(&["set", name, "--redirect-uri", redirect]).await;
    }
}

/// Runs `link NAME ARGS…`, reads the URL it prints first, answers it in the test browser
/// (`approve` or abort), and returns the URL and the finished command's output.
async fn link_device(deck: &Deck, name: &str, args: &[&str], approve: bool) -> (String, Output) {
    let mut command_args = vec!["link", name, "--no-browser"];
    command_args.extend_from_slice(args);
    let mut child = deck
        .command(&command_args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut url = String::new();
    stdout.read_line(&mut url).await.unwrap();
    let url = url.trim().to_string();
    assert!(
        url.contains("user_code="),
        "the complete verification URL: {url:?}"
    );
    Browser::new().approve_device(&url, approve).await;
    let out = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
        .await
        .expect("link finished within 30 s")
        .unwrap();
    (url, out)
}

#[tokio::test]
async fn link_device_prints_the_url_then_the_code_and_a_qr_code_and_stores_the_tokens() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    add(&deck, &server, "work", "http://127.0.0.1:0/callback").await;
    let (url, out) = link_device(&deck, "work", &["--device"], true).await;
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let code = url.split("user_code=").nth(1).unwrap();
    assert!(stderr.contains(&format!("the code {code}")), "{stderr}");
    assert!(
        stderr.contains('█') || stderr.contains('▀'),
        "a QR code: {stderr}"
    );
    assert!(stderr.contains("Linked \"work\""), "{stderr}");
    // The tokens work, and refresh.
    let token = deck.ok(&["token", "work"]).await;
    let me = reqwest::Client::new()
        .get(server.url("/api/me"))
        .bearer_auth(token.trim())
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    deck.ok(&["refresh", "work"]).await;
    let log = deck.ok(&["log", "work"]).await;
    assert!(log.contains("link"), "{log}");
}

#[tokio::test]
async fn a_declined_or_expired_device_link_exits_4_with_a_sentence() {
    let server = TestProvider::start_with(Options {
        device_ttl: 3,
        ..Options::default()
    })
    .await;
    let deck = Deck::new();
    add(&deck, &server, "work", "http://127.0.0.1:0/callback").await;
    let (_, out) = link_device(&deck, "work", &["--device", "--no-qr"], false).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("declined") && stderr.contains("run `tokendeck link work --device` again"),
        "{stderr}"
    );

    // Nobody answers: the code expires, and the command says so.
    let out = deck
        .run(&["link", "work", "--device", "--no-browser", "--no-qr"], "")
        .await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("expired before it was approved (it was valid for 3s)"),
        "{stderr}"
    );
    let status = deck.ok(&["status", "work"]).await;
    assert!(status.contains("not linked"), "{status}");
}

#[tokio::test]
async fn an_account_without_a_loopback_callback_links_by_device_by_default() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    add(&deck, &server, "phone", "com.example.app:/callback").await;
    let (_, out) = link_device(&deck, "phone", &["--no-qr"], true).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[tokio::test]
async fn remove_revokes_the_grant_unless_asked_to_keep_it() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    for name in ["gone", "kept"] {
        add(&deck, &server, name, "http://127.0.0.1:0/callback").await;
        assert!(deck.link(name).await.status.success());
    }
    let stolen = |name: &'static str| {
        let deck = &deck;
        async move { deck.ok(&["token", name]).await.trim().to_string() }
    };
    let (gone, kept) = (stolen("gone").await, stolen("kept").await);
    let api = |token: String| {
        let url = server.url("/api/me");
        async move {
            reqwest::Client::new()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
        }
    };

    let out = deck.run(&["remove", "gone"], "").await;
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("The grant was revoked at the provider"),
        "{stderr}"
    );
    assert_eq!(
        api(gone).await,
        401,
        "revoking the refresh token ended its grant"
    );

    let out = deck.run(&["remove", "kept", "--keep-grant"], "").await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(api(kept).await, 200, "--keep-grant leaves the grant alone");

    let log = deck.ok(&["log", "--json"]).await;
    let revokes: Vec<&str> = log.lines().filter(|l| l.contains("\"revoke\"")).collect();
    assert_eq!(revokes.len(), 1, "{log}");
    assert!(
        revokes[0].contains("\"gone\"") && revokes[0].contains("\"ok\""),
        "{log}"
    );
}

#[tokio::test]
async fn a_failed_revocation_is_said_and_the_account_is_removed_anyway() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    add(&deck, &server, "work", "http://127.0.0.1:0/callback").await;
    assert!(deck.link("work").await.status.success());
    server.fault("/token/revocation", 1, "status=503").await;
    let out = deck.run(&["remove", "work"], "").await;
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    // What happened, that the local record is gone, and what is left to do — not "try again",
    // which nothing here can do any more.
    assert!(
        stderr.contains("Removed \"work\": its tokens are gone from the keyring.")
            && stderr.contains("tokendeck: Revoking its grant at the provider failed: ")
            && stderr.contains("is temporarily unavailable (HTTP 503)")
            && stderr.contains(
                "Its tokens are gone from here all the same, so tokendeck cannot try again"
            )
            && stderr.contains("revoke tokendeck's access in your account settings there"),
        "{stderr}"
    );
    assert!(!stderr.contains("try again later"), "{stderr}");
    assert!(!stderr.contains("basic-secret-value"), "{stderr}");
    let list = deck.ok(&["list"]).await;
    assert!(!list.contains("work"), "{list}");
    let log = deck.ok(&["log", "--json"]).await;
    assert!(
        log.lines()
            .any(|l| l.contains("\"revoke\"") && l.contains("\"failed\"")),
        "{log}"
    );
}

/// A provider in trouble while the user approves: polls that get 503 are answered by polling
/// less often, not by ending the link; the approval still links.
#[tokio::test]
async fn a_busy_token_endpoint_while_polling_slows_the_link_down_but_does_not_end_it() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    add(&deck, &server, "work", "http://127.0.0.1:0/callback").await;
    server.fault("/token", 1, "status=503").await;
    let (_, out) = link_device(&deck, "work", &["--device", "--no-qr"], true).await;
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("Linked \"work\""), "{stderr}");
    assert_eq!(server.count("fault 503").await, 1, "the 503 was served");
    assert!(!deck.ok(&["token", "work"]).await.trim().is_empty());
}

/// `remove` of an account that was never linked says so, whatever its provider offers and
/// whatever was asked: no word of revocation, nothing sent to the provider, nothing in the log
/// but the removal.
#[tokio::test]
async fn removing_an_account_never_linked_says_so_and_revokes_nothing() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    add(&deck, &server, "endpoint", "http://127.0.0.1:0/callback").await;
    add(&deck, &server, "kept", "http://127.0.0.1:0/callback").await;
    // Without a revocation endpoint, which `remove` used to talk about.
    deck.add(&server, "plain").await;
    for args in [
        &["remove", "endpoint"][..],
        &["remove", "kept", "--keep-grant"],
        &["remove", "plain"],
    ] {
        let out = deck.run(args, "").await;
        let stderr = text(&out.stderr);
        assert!(out.status.success(), "{args:?}: {stderr}");
        assert!(
            stderr.contains("It was never linked, so there was no grant to give back."),
            "{args:?}: {stderr}"
        );
        assert!(
            !stderr.contains("revoke") && !stderr.contains("stays valid"),
            "{args:?}: {stderr}"
        );
    }
    assert_eq!(server.count("POST /token/revocation").await, 0);
    let log = deck.ok(&["log", "--json"]).await;
    assert!(!log.contains("\"revoke\""), "{log}");
    assert_eq!(log.lines().filter(|l| l.contains("\"remove\"")).count(), 3);
}

/// `remove` while a refresh is under way in another process: it waits for the refresh to store
/// what it got, then revokes — under the account's lock — the refresh token the provider holds
/// now. Before, it revoked the token the refresh was spending, the provider ended the grant under
/// the refresh's feet, and the refresh failed.
#[tokio::test]
async fn remove_revokes_what_a_refresh_under_way_stored_not_what_it_replaced() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    add(&deck, &server, "work", "http://127.0.0.1:0/callback").await;
    assert!(deck.link("work").await.status.success());
    server.fault("/token", 1, "delay_before_ms=2000").await;
    let before = server.count("POST /token").await;
    let refresh = deck
        .command(&["refresh", "work"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    common::eventually(Duration::from_secs(10), async || {
        server.count("POST /token").await > before
    })
    .await;
    let removed = deck.run(&["remove", "work"], "").await;
    let stderr = text(&removed.stderr);
    assert!(removed.status.success(), "{stderr}");
    assert!(
        stderr.contains("The grant was revoked at the provider."),
        "{stderr}"
    );
    let refreshed = refresh.wait_with_output().await.unwrap();
    assert!(refreshed.status.success(), "{}", text(&refreshed.stderr));
    assert_eq!(server.count("grant refresh_token 200").await, 1);
    assert_eq!(server.count("POST /token/revocation").await, 1);
    assert_eq!(server.count("refresh token reused").await, 0);
    let log = deck.ok(&["log", "--json"]).await;
    let order: Vec<&str> = log
        .lines()
        .filter_map(|l| {
            ["\"manual\"", "\"revoke\"", "\"remove\""]
                .into_iter()
                .find(|t| l.contains(t))
        })
        .collect();
    assert_eq!(order, ["\"manual\"", "\"revoke\"", "\"remove\""], "{log}");
}

/// How long the device code has left is written rounded down, as every remaining time: a code
/// of 20 s, shown a moment after it was issued, has 19 s left, never "20s".
#[tokio::test]
async fn the_code_s_time_left_is_rounded_down() {
    let server = TestProvider::start_with(Options {
        device_ttl: 20,
        ..Options::default()
    })
    .await;
    let deck = Deck::new();
    add(&deck, &server, "work", "http://127.0.0.1:0/callback").await;
    let (_, out) = link_device(&deck, "work", &["--device", "--no-qr"], true).await;
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let left: u64 = stderr
        .split("the code expires in ")
        .nth(1)
        .and_then(|rest| rest.split('s').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no time left in: {stderr}"));
    assert!((15..20).contains(&left), "{left} s left of 20: {stderr}");
}
