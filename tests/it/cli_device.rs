//! `tokendeck link --device` and `tokendeck remove` with revocation, as a user runs them, against
//! the real oidc-provider and the real keyring.

use crate::common;

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
        stderr.contains("declined")
            && stderr.contains("To try again, run `tokendeck link work --device`"),
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

/// Fails when `output` holds a character a terminal would obey or that reorders text.
fn assert_inert(what: &str, output: &[u8]) {
    let text = String::from_utf8_lossy(output);
    let bad: Vec<char> = text
        .chars()
        .filter(|c| {
            matches!(c, '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
                | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .collect();
    assert!(bad.is_empty(), "{what} let {bad:?} through: {text:?}");
}

/// A device authorization answer whose URL or user code carries terminal controls (ESC ] 52
/// writes the clipboard, CSI 2J clears the screen): refused, and said — nothing on stdout, its
/// controls escaped on stderr, no browser opened. The browser is a script that records what it
/// is given; an honest answer afterwards shows that it would have been called.
#[tokio::test]
async fn a_device_answer_with_control_characters_is_refused_and_reaches_no_terminal_or_browser() {
    let server = TestProvider::start().await;
    let dir = tempfile::tempdir().unwrap();
    let opened = dir.path().join("opened");
    let script = dir.path().join("browser");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\n",
            opened.display()
        ),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let deck = Deck::new().with_env("BROWSER", script.to_str().unwrap());
    add(&deck, &server, "work", "http://127.0.0.1:0/callback").await;

    for field in ["verification_uri", "verification_uri_complete", "user_code"] {
        server
            .fault("/device/auth", 1, &format!("inject={field}"))
            .await;
        let out = deck.run(&["link", "work", "--device"], "").await;
        let stderr = text(&out.stderr);
        assert!(!out.status.success(), "{field}: {stderr}");
        assert!(out.stdout.is_empty(), "{field}: {:?}", text(&out.stdout));
        assert_inert(field, &out.stderr);
        let said = match field {
            "user_code" => "the `user_code` is not a code a person can type",
            _ => "holds control characters",
        };
        assert!(stderr.contains(said), "{field}: {stderr}");
        // Where the URL was, it is named up to its first control, never past it.
        if field != "user_code" {
            assert!(stderr.contains("verification URL \""), "{stderr}");
            assert!(!stderr.contains("]52;"), "{stderr}");
        }
    }

    let mut child = deck
        .command(&["link", "work", "--device", "--no-qr"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut url = String::new();
    stdout.read_line(&mut url).await.unwrap();
    let url = url.trim().to_string();
    common::eventually(Duration::from_secs(10), async || {
        std::fs::read_to_string(&opened).is_ok_and(|o| o.ends_with('\n'))
    })
    .await;
    assert_eq!(
        std::fs::read_to_string(&opened).unwrap(),
        format!("{url}\n"),
        "only the honest URL was opened"
    );
    Browser::new().approve_device(&url, true).await;
    let out = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// The provider echoes the device code in its refusal of a poll: the link's error does not.
#[tokio::test]
async fn a_poll_refusal_that_echoes_the_device_code_shows_only_its_marker() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    add(&deck, &server, "work", "http://127.0.0.1:0/callback").await;
    server
        .fault("/token", 1, "status=400&echo=1&error=access_denied")
        .await;
    let out = deck
        .run(&["link", "work", "--device", "--no-browser", "--no-qr"], "")
        .await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains(
            "refused device_code=[redacted device code] client_secret=[redacted client secret]"
        ),
        "{stderr}"
    );
    let device_code = stderr
        .match_indices("device_code=")
        .all(|(i, _)| stderr[i + "device_code=".len()..].starts_with("[redacted device code]"));
    assert!(device_code, "{stderr}");
    assert!(!stderr.contains("basic-secret-value"), "{stderr}");
}

/// Issue 19, item 10: every endpoint a preset or discovery would give can be named by hand —
/// with `add`, and later with `set` (an empty URL removes one) — and is then used: introspection
/// by `inspect --introspect`, the device endpoint by `link --device`, revocation by `remove`.
#[tokio::test]
async fn endpoints_named_by_hand_with_add_and_set_are_used_and_an_empty_one_removes_it() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    let (device, revoke, introspect) = (
        server.url("/device/auth"),
        server.url("/token/revocation"),
        server.url("/token/introspection"),
    );
    let out = deck
        .add_with(
            &server,
            "by-add",
            "basic-secret-value",
            &["--introspection-url", &introspect],
        )
        .await;
    assert!(out.status.success(), "add: {}", text(&out.stderr));
    assert!(deck.link("by-add").await.status.success());
    let introspected = |name: &'static str| {
        let deck = &deck;
        async move {
            let out = deck.ok(&["inspect", name, "--introspect", "--json"]).await;
            let report: serde_json::Value = serde_json::from_str(&out).unwrap();
            report["introspection"].clone()
        }
    };
    assert_eq!(introspected("by-add").await["active"], true);

    // An account by its two endpoints alone knows none of the others…
    deck.add(&server, "work").await;
    assert!(deck.link("work").await.status.success());
    let none = introspected("work").await;
    assert!(
        none["error"]
            .as_str()
            .unwrap()
            .contains("no introspection endpoint"),
        "{none}"
    );
    // … until they are named.
    let out = deck
        .run(
            &[
                "set",
                "work",
                "--introspection-url",
                &introspect,
                "--device-authorization-url",
                &device,
                "--revocation-url",
                &revoke,
            ],
            "",
        )
        .await;
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr
            .contains("device authorization endpoint, revocation endpoint, introspection endpoint"),
        "{stderr}"
    );
    assert_eq!(introspected("work").await["active"], true);
    let (_, out) = link_device(&deck, "work", &["--device", "--no-qr"], true).await;
    assert!(out.status.success(), "{}", text(&out.stderr));

    let out = deck
        .run(&["set", "work", "--introspection-url", ""], "")
        .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(introspected("work").await["error"].is_string());
    let bad = deck
        .run(
            &[
                "set",
                "work",
                "--revocation-url",
                "http://as.example/revoke",
            ],
            "",
        )
        .await;
    assert!(
        !bad.status.success(),
        "plain http to another host is refused"
    );
    assert!(
        text(&bad.stderr).contains("revocation"),
        "{}",
        text(&bad.stderr)
    );

    let out = deck.run(&["remove", "work"], "").await;
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("The grant was revoked at the provider"),
        "{stderr}"
    );
    assert_eq!(server.count("POST /token/revocation").await, 1);
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

/// A provider that offers no device grant cannot be linked by it: the advice is the way that
/// can work, and that way does.
#[tokio::test]
async fn a_device_link_without_a_device_endpoint_says_to_link_by_the_url_instead() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    // By its two endpoints alone, the account knows no device authorization endpoint.
    deck.add(&server, "work").await;
    let out = deck.run(&["link", "work", "--device"], "").await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("offers no device authorization endpoint for this account. Link it with the authorization URL instead: run `tokendeck link work --no-device`"),
        "{stderr}"
    );
    assert!(!stderr.contains("--device`"), "{stderr}");
    // What it says to run links.
    assert!(deck.link("work").await.status.success());
}
