//! `tokendeck exec`: a real child process gets the token in its environment, its exit status
//! is exec's, the stopping signals reach it, and a token that cannot be had stops it from running.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};

use crate::common::cli::{Deck, text};
use crate::common::{Options, TestProvider, eventually, signal};

async fn linked(server: &TestProvider, name: &str) -> Deck {
    let deck = Deck::new();
    deck.add(server, name).await;
    let out = deck.link(name).await;
    assert!(out.status.success(), "link: {}", text(&out.stderr));
    deck
}

async fn api_accepts(server: &TestProvider, token: &str) -> bool {
    let response = reqwest::Client::new()
        .get(server.url("/api/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    response.status() == 200
}

#[tokio::test(flavor = "multi_thread")]
async fn the_command_finds_the_token_in_tokendeck_token_and_no_other_secret() {
    let server = TestProvider::start().await;
    let deck = linked(&server, "work").await;
    let token = deck.ok(&["token", "work"]).await.trim().to_string();
    let out = deck
        .run(
            &[
                "exec",
                "work",
                "--",
                "sh",
                "-c",
                "echo \"$TOKENDECK_TOKEN\"; env",
            ],
            "",
        )
        .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().next(), Some(token.as_str()));
    let holding: Vec<&str> = stdout.lines().filter(|l| l.contains(&token)).collect();
    assert_eq!(
        holding,
        [token.as_str(), &format!("TOKENDECK_TOKEN={token}")]
    );
    assert!(!stdout.contains("basic-secret-value"), "no client secret");
    assert!(
        !stdout.contains(&deck.refresh_token("work").await),
        "no refresh token"
    );
    assert!(!stdout.contains("TOKENDECK_REFRESH") && !stdout.contains("ID_TOKEN"));
}

#[tokio::test(flavor = "multi_thread")]
async fn each_variable_gets_the_token_of_the_account_it_names() {
    let server = TestProvider::start().await;
    let deck = linked(&server, "one").await;
    deck.add(&server, "two").await;
    assert!(deck.link("two").await.status.success());
    let (one, two) = (
        deck.ok(&["token", "one"]).await,
        deck.ok(&["token", "two"]).await,
    );
    assert_ne!(one, two);
    let script = "printf '%s\\n%s\\n%s\\n' \"$A\" \"$B\" \"${TOKENDECK_TOKEN-unset}\"";
    let args = [
        "exec", "--env", "A=one", "--env", "B=two", "--", "sh", "-c", script,
    ];
    let out = deck.ok(&args).await;
    assert_eq!(out, format!("{one}{two}unset\n"));
    let out = deck
        .ok(&["exec", "two", "--env", "GH", "--", "sh", "-c", "echo $GH"])
        .await;
    assert_eq!(out, two);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_token_is_refreshed_before_the_command_runs() {
    let server = TestProvider::start_with(Options {
        access_ttl: 3,
        ..Options::default()
    })
    .await;
    let deck = linked(&server, "work").await;
    eventually(Duration::from_secs(15), async || {
        deck.ok(&["status", "work", "--json"])
            .await
            .contains("\"expired\"")
    })
    .await;
    let refreshes = server.count("grant refresh_token 200").await;
    let out = deck
        .ok(&["exec", "work", "--", "sh", "-c", "echo $TOKENDECK_TOKEN"])
        .await;
    assert_eq!(server.count("grant refresh_token 200").await, refreshes + 1);
    assert!(
        api_accepts(&server, out.trim()).await,
        "the command got a good token"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn exec_ends_with_the_commands_exit_status_or_128_and_its_signal() {
    let server = TestProvider::start().await;
    let deck = linked(&server, "work").await;
    let out = deck
        .run(&["exec", "work", "--", "sh", "-c", "exit 7"], "")
        .await;
    assert_eq!(out.status.code(), Some(7));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
    let out = deck
        .run(&["exec", "work", "--", "sh", "-c", "kill -KILL $$"], "")
        .await;
    assert_eq!(out.status.code(), Some(128 + 9));
    let out = deck
        .run(&["exec", "work", "--", "sh", "-c", "cat"], "through\n")
        .await;
    assert_eq!(
        text(&out.stdout),
        "through\n",
        "the command's stdin is its own"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_and_sigint_to_exec_reach_the_command() {
    let server = TestProvider::start().await;
    let deck = linked(&server, "work").await;
    for (name, number) in [("TERM", 15), ("INT", 2)] {
        let script = format!(
            "trap 'echo got {name}; exit {number}' {name}; echo ready; while :; do sleep 0.05; done"
        );
        let mut child = deck
            .command(&["exec", "work", "--", "sh", "-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("ready"));
        signal(child.id().unwrap(), name);
        let said = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
            .await
            .expect("the command answered the signal")
            .unwrap();
        assert_eq!(said, Some(format!("got {name}")));
        let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(status.code(), Some(number), "the command's own status");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_command_or_a_usable_token_nothing_runs() {
    let server = TestProvider::start_with(Options {
        access_ttl: 3,
        ..Options::default()
    })
    .await;
    let deck = linked(&server, "work").await;
    let out = deck.run(&["exec", "work"], "").await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("after `--`"),
        "{}",
        text(&out.stderr)
    );

    // The grant dies at the server (RFC 7009); the access token expires.
    let refresh_token = deck.refresh_token("work").await;
    server
        .revoke_refresh_token(crate::common::Client::Basic, &refresh_token)
        .await;
    eventually(Duration::from_secs(15), async || {
        deck.ok(&["status", "work", "--json"])
            .await
            .contains("\"expired\"")
    })
    .await;
    let marker = deck.home().join("ran");
    let script = format!("touch '{}'", marker.display());
    let out = deck
        .run(&["exec", "work", "--", "sh", "-c", &script], "")
        .await;
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("link the account again"),
        "{}",
        text(&out.stderr)
    );
    assert!(!marker.exists(), "the command did not run");
}
