//! `link` opens the user's browser on the whole authorization URL: `$BROWSER` (which the
//! `webbrowser` crate honours first) is a script that records what it was given.

use crate::common;

use std::process::Stdio;
use std::time::Duration;

use common::cli::{Deck, text};
use common::{Browser, TestProvider};
use tokio::io::{AsyncBufReadExt, BufReader};

#[tokio::test]
async fn the_browser_is_given_the_whole_url() {
    let server = TestProvider::start().await;
    let dir = tempfile::tempdir().unwrap();
    let seen = dir.path().join("seen-url");
    let script = dir.path().join("browser");
    std::fs::write(
        &script,
        format!("#!/bin/sh\nprintf '%s' \"$1\" > '{}'\n", seen.display()),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let deck = Deck::new().with_env("BROWSER", script.to_str().unwrap());
    deck.add(&server, "work").await;

    let mut child = deck
        .command(&["link", "work", "--no-qr"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut url = String::new();
    stdout.read_line(&mut url).await.unwrap();
    let url = url.trim().to_string();
    assert!(url.matches('&').count() >= 3, "{url}");
    // The script runs in the background: wait for what it wrote.
    common::eventually(Duration::from_secs(5), async || {
        std::fs::metadata(&seen).is_ok_and(|m| m.len() > 0)
    })
    .await;
    let opened = std::fs::read_to_string(&seen).unwrap();
    assert_eq!(
        opened, url,
        "the browser was not given the URL tokendeck printed"
    );

    let redirect = url::Url::parse(&url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let page = Browser::new().complete(&url, &redirect).await;
    assert_eq!(page.status().as_u16(), 200);
    let out = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
        .await
        .expect("link finishes")
        .unwrap();
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("No browser could be opened"), "{stderr}");
}
