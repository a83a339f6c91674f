//! The command line end to end, as a script would use it: the built binary, the real
//! oidc-provider, the real keyring (whichever tests/run selected).

use crate::common;

use std::time::Duration;

use common::cli::{Deck, text};
use common::{Options, TestProvider, eventually};
use serde_json::Value;

#[tokio::test]
async fn add_link_token_call_refresh_status_remove() {
    // Without expires_in the client learns of expiry only from a 401, as with some providers.
    let server = TestProvider::start_with(Options {
        access_ttl: 2,
        omit_expires_in: true,
        ..Options::default()
    })
    .await;
    let deck = Deck::new();
    deck.add(&server, "work").await;
    assert!(
        text(&std::fs::read(deck.home().join("config/accounts.toml")).unwrap())
            .contains("[accounts.work]")
    );

    let linked = deck.link("work").await;
    assert!(
        linked.status.success(),
        "link failed: {}",
        text(&linked.stderr)
    );
    assert!(
        text(&linked.stderr).contains("Linked \"work\""),
        "{}",
        text(&linked.stderr)
    );

    let token = deck.ok(&["token", "work"]).await;
    let token = token.trim();
    assert!(
        !token.is_empty() && !token.contains(char::is_whitespace),
        "one token on stdout: {token:?}"
    );

    let api = server.url("/api/me");
    let body: Value = serde_json::from_str(&deck.ok(&["call", "work", &api]).await).unwrap();
    assert_eq!(body["sub"], "test-user");

    // Past the server's expiry: the call gets a 401, refreshes once, retries, succeeds.
    eventually(Duration::from_secs(10), async || {
        reqwest::Client::new()
            .get(&api)
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .status()
            == 401
    })
    .await;
    let body: Value = serde_json::from_str(&deck.ok(&["call", "work", &api]).await).unwrap();
    assert_eq!(body["sub"], "test-user");
    let log = deck.ok(&["log", "work", "--json"]).await;
    let events: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let triggers: Vec<&str> = events
        .iter()
        .map(|e| e["trigger"].as_str().unwrap())
        .collect();
    assert_eq!(triggers, ["link", "after-401"], "{log}");
    assert_eq!(events[1]["outcome"], "ok");
    assert_eq!(server.count("grant refresh_token 200").await, 1);

    let out = deck.run(&["refresh", "work"], "").await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let status: Value =
        serde_json::from_str(&deck.ok(&["status", "work", "--json"]).await).unwrap();
    assert_eq!(status["name"], "work");
    assert_eq!(status["status"], "valid");
    assert_eq!(status["has_refresh_token"], true);
    assert_eq!(status["last_refresh"]["ok"], true);
    assert!(status["scope"].as_str().unwrap().contains("api"));

    let listed: Value = serde_json::from_str(&deck.ok(&["list", "--json"]).await).unwrap();
    assert_eq!(listed[0]["name"], "work");

    let out = deck.run(&["remove", "work"], "").await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = deck.run(&["token", "work"], "").await;
    assert_eq!(
        out.status.code(),
        Some(3),
        "no such account: {}",
        text(&out.stderr)
    );
    let log = deck.ok(&["log", "--json"]).await;
    assert!(
        log.lines()
            .last()
            .unwrap()
            .contains(r#""trigger":"remove""#),
        "{log}"
    );
}

#[tokio::test]
async fn nothing_written_to_disk_holds_a_secret() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    deck.add(&server, "work").await;
    assert!(deck.link("work").await.status.success());
    deck.ok(&["refresh", "work"]).await;
    deck.ok(&["call", "work", &server.url("/api/me")]).await;
    let access = deck.ok(&["token", "work"]).await.trim().to_string();

    // The refresh token, straight from the keyring the way tokendeck reads it.
    let home = tokendeck::store::Home::rooted(deck.home()).unwrap();
    let keyring = tokendeck::store::Keyring::open(home.keyring_service())
        .await
        .unwrap();
    let record = keyring.read("work").await.unwrap().unwrap();
    let refresh = record.tokens.unwrap().refresh_token().unwrap().to_string();

    let mut secrets = vec![access.as_str(), refresh.as_str(), "basic-secret-value"];
    secrets.retain(|s| s.len() > 8);
    let mut files = 0;
    for entry in walk(deck.home()) {
        let content = std::fs::read(&entry).unwrap();
        files += 1;
        for secret in &secrets {
            assert!(
                !content
                    .windows(secret.len())
                    .any(|w| w == secret.as_bytes()),
                "{} holds a secret",
                entry.display()
            );
        }
    }
    assert!(
        files >= 3,
        "the accounts file, the status and the event log were checked ({files})"
    );
    for args in [&["status", "--json"][..], &["log"], &["list"]] {
        let out = deck.ok(args).await;
        assert!(
            secrets.iter().all(|s| !out.contains(s)),
            "{args:?} printed a secret"
        );
    }
}

#[tokio::test]
async fn bad_input_gets_clear_errors_and_documented_exit_codes() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    let out = deck.run(&["token", "nobody"], "").await;
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("no account is named \"nobody\""),
        "{}",
        text(&out.stderr)
    );

    let out = deck
        .run(
            &["add", "bad name", "--preset", "google", "--client-id", "x"],
            "",
        )
        .await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));

    let out = deck
        .run(
            &[
                "add",
                "x",
                "--authorize-url",
                "http://example.com/a",
                "--token-url",
                "https://example.com/t",
                "--client-id",
                "x",
            ],
            "",
        )
        .await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("plain http would send secrets unencrypted"),
        "{}",
        text(&out.stderr)
    );

    deck.add(&server, "work").await;
    let out = deck.run(&["token", "work"], "").await;
    assert_eq!(
        out.status.code(),
        Some(4),
        "not linked yet: {}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stderr).contains("tokendeck link work"),
        "{}",
        text(&out.stderr)
    );

    // A broken accounts file is reported with its line and left alone.
    let file = deck.home().join("config/accounts.toml");
    let broken = std::fs::read_to_string(&file)
        .unwrap()
        .replace("client_id = ", "client_id = = ");
    std::fs::write(&file, &broken).unwrap();
    let out = deck
        .run(
            &["add", "other", "--preset", "github", "--client-id", "x"],
            "",
        )
        .await;
    assert_eq!(out.status.code(), Some(7), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("accounts.toml is broken at line"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        broken,
        "never overwritten"
    );
}

#[tokio::test]
async fn an_unreachable_secret_service_is_the_documented_error() {
    let deck = Deck::new();
    let out = deck
        .command(&["add", "work", "--preset", "github", "--client-id", "x"])
        .env("TOKENDECK_KEYRING", "secret-service")
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(6), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("Secret Service") && err.contains("TOKENDECK_KEYRING=keyutils"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        !deck.home().join("config/accounts.toml").exists(),
        "nothing half-made"
    );
}

#[tokio::test]
async fn a_pasted_redirect_url_links_too() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    let (auth, token) = (server.url("/auth"), server.url("/token"));
    // Not a loopback listener: tokendeck reads the answer from stdin.
    let args = [
        "add",
        "pasted",
        "--authorize-url",
        &auth,
        "--token-url",
        &token,
        "--client-id",
        "public-client",
        "--redirect-uri",
        "http://localhost:9/callback",
        "--scope",
        "openid",
        "--scope",
        "api",
    ];
    assert!(deck.run(&args, "").await.status.success());
    let mut child = deck
        .command(&["link", "pasted", "--no-browser"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
    let mut stdout = tokio::io::BufReader::new(child.stdout.take().unwrap());
    let mut url = String::new();
    stdout.read_line(&mut url).await.unwrap();
    let redirect = common::Browser::new()
        .authorize(url.trim(), "http://localhost:9/callback")
        .await;
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(b"code=wrong&state=not-ours\n")
        .await
        .unwrap();
    stdin
        .write_all(format!("{redirect}\n").as_bytes())
        .await
        .unwrap();
    drop(stdin);
    let out = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("does not match the authorization URL"),
        "the stale paste was explained: {err}"
    );
    assert!(err.contains("Paste again"), "{err}");
    assert!(err.contains("█"), "a QR code was drawn on stderr");
    assert!(deck.ok(&["token", "pasted"]).await.trim().len() > 10);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[tokio::test]
async fn a_dead_grant_is_not_asked_about_again() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    deck.add(&server, "work").await;
    assert!(deck.link("work").await.status.success());
    let token = deck.ok(&["token", "work"]).await.trim().to_string();
    // The grant dies at the server; a manual refresh learns it.
    let home = tokendeck::store::Home::rooted(deck.home()).unwrap();
    let keyring = tokendeck::store::Keyring::open(home.keyring_service())
        .await
        .unwrap();
    let refresh_token = keyring
        .read("work")
        .await
        .unwrap()
        .unwrap()
        .tokens
        .unwrap()
        .refresh_token()
        .unwrap()
        .to_string();
    server
        .revoke_refresh_token(common::Client::Basic, &refresh_token)
        .await;
    let out = deck.run(&["refresh", "work"], "").await;
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    let status: Value =
        serde_json::from_str(&deck.ok(&["status", "work", "--json"]).await).unwrap();
    assert_eq!(status["status"], "needs-relink");

    // A call (its access token died with the grant: a 401) now says to re-link, without another
    // token request.
    let status = reqwest::Client::new()
        .get(server.url("/api/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 401);
    let before = server.count("POST /token").await;
    let out = deck
        .run(&["call", "work", &server.url("/api/me")], "")
        .await;
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("must be linked again"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        server.count("POST /token").await,
        before,
        "the dead grant was not tried again"
    );
}

/// Issue 12: `acct2` before `acct10`, in `list`, `list --json` and `status`.
#[tokio::test]
async fn accounts_are_listed_in_natural_order_under_a_header() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    for name in ["acct10", "acct2", "Acct1"] {
        deck.add(&server, name).await;
    }
    let names = |text: String| -> Vec<String> {
        text.lines()
            .filter_map(|l| l.split_whitespace().next().map(str::to_string))
            .collect()
    };
    assert_eq!(
        names(deck.ok(&["list"]).await),
        ["NAME", "Acct1", "acct2", "acct10"]
    );
    let status = deck.ok(&["status"]).await;
    let order: Vec<usize> = ["Acct1", "acct2", "acct10"]
        .iter()
        .map(|n| status.find(n).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{status}");
    let json: serde_json::Value =
        serde_json::from_str(&deck.ok(&["list", "--json"]).await).unwrap();
    let listed: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(listed, ["Acct1", "acct2", "acct10"]);
}

/// Issue 12, item 1: who the account is, from the ID token the link brought (oidc-provider's
/// `sub`), in `status`, `status --json`, `list` and `list --json`.
#[tokio::test]
async fn the_linked_identity_is_recorded_and_shown() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    deck.add(&server, "work").await;
    assert!(deck.link("work").await.status.success());
    let status: Value =
        serde_json::from_str(&deck.ok(&["status", "work", "--json"]).await).unwrap();
    assert_eq!(status["identity"], "test-user", "{status}");
    assert!(
        deck.ok(&["status", "work"])
            .await
            .contains("identity: test-user")
    );
    assert!(deck.ok(&["list"]).await.contains("test-user"));
    let list: Value = serde_json::from_str(&deck.ok(&["list", "--json"]).await).unwrap();
    assert_eq!(list[0]["identity"], "test-user", "{list}");
    // The status file keeps it; the ID token itself is nowhere in it.
    let file = std::fs::read_to_string(deck.home().join("state/accounts/work.json")).unwrap();
    assert!(
        file.contains("test-user") && !file.contains("eyJ"),
        "{file}"
    );
}

/// `tokendeck status | head -1`: a reader that stops reading ends a command that only prints
/// as it ends any Unix filter (SIGPIPE, nothing on stderr), never with a panic; a command that
/// does more (here `token`) is not killed by the closed pipe, and says that its output was lost.
#[tokio::test]
async fn a_closed_pipe_ends_a_printing_command_quietly() {
    use std::os::unix::process::ExitStatusExt;
    let server = TestProvider::start().await;
    let deck = Deck::new();
    deck.add(&server, "work").await;
    assert!(deck.link("work").await.status.success());
    for args in [
        &["status"][..],
        &["list"],
        &["log"],
        &["inspect", "work"],
        &["completions", "bash"],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = deck
            .command(args)
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
            .wait_with_output()
            .await
            .unwrap();
        let stderr = text(&out.stderr);
        assert_eq!(
            out.status.signal(),
            Some(13),
            "{args:?}: {:?} {stderr}",
            out.status
        );
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
    }
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = deck
        .command(&["token", "work"])
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
        .wait_with_output()
        .await
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.signal(), None, "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
