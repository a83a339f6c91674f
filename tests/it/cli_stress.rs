//! Many processes at once, and processes killed midway: the cross-process lock and persist-before-
//! use must hold with the real binary, keyring and server.

use crate::common;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use common::cli::{Deck, text};
use common::{Options, TestProvider, eventually};
use serde_json::Value;

async fn expires_at(deck: &Deck, name: &str) -> SystemTime {
    let status: Value = serde_json::from_str(&deck.ok(&["status", name, "--json"]).await).unwrap();
    humantime::parse_rfc3339(status["expires_at"].as_str().expect("an expiry")).unwrap()
}

#[tokio::test]
async fn twenty_processes_after_expiry_never_spend_a_refresh_token_twice() {
    let server = TestProvider::start_with(Options {
        access_ttl: 2,
        ..Options::default()
    })
    .await;
    let deck = Arc::new(Deck::new());
    deck.add(&server, "race").await;
    assert!(deck.link("race").await.status.success());

    let api = server.url("/api/me");
    // A fresh connection for each check: twenty at once on pooled keep-alive connections met
    // the server closing an idle one (ECONNRESET) in one CI run.
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let started = Instant::now();
    let mut rounds = 0;
    while started.elapsed() < Duration::from_secs(30) {
        let expiry = expires_at(&deck, "race").await;
        eventually(Duration::from_secs(10), async || SystemTime::now() > expiry).await;
        // Each printed token is tried at once: it may have only the last second of its two to
        // live, and a loaded machine takes longer than that to get through twenty in a row.
        let runs: Vec<_> = (0..20)
            .map(|_| {
                let (deck, http, api) = (deck.clone(), http.clone(), api.clone());
                tokio::spawn(async move {
                    let out = deck.run(&["token", "race"], "").await;
                    let token = text(&out.stdout).trim().to_string();
                    let status = http.get(&api).bearer_auth(&token).send().await;
                    (out, status.unwrap().status())
                })
            })
            .collect();
        for run in runs {
            let (out, status) = run.await.unwrap();
            assert!(
                out.status.success(),
                "round {rounds}: {}",
                text(&out.stderr)
            );
            assert_eq!(status, 200, "round {rounds}: a printed token did not work");
        }
        rounds += 1;
    }
    let refreshes = server.count("grant refresh_token 200").await;
    eprintln!("{rounds} rounds of 20 processes: {refreshes} refreshes");
    assert!(rounds >= 5, "only {rounds} rounds in 30 s");
    assert!(refreshes >= rounds, "every round found an expired token");
    assert_eq!(
        server.count("refresh token reused").await,
        0,
        "no refresh token was spent twice"
    );
    let status: Value =
        serde_json::from_str(&deck.ok(&["status", "race", "--json"]).await).unwrap();
    assert_ne!(status["status"], "needs-relink");
}

#[tokio::test]
async fn killing_a_refresh_midway_never_corrupts_the_record() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    deck.add(&server, "crash").await;
    assert!(deck.link("crash").await.status.success());

    // How long an uninterrupted refresh takes, to spread the kills over it.
    let timed = Instant::now();
    deck.ok(&["refresh", "crash"]).await;
    let span = timed.elapsed().as_micros().max(1000) as u64 * 3 / 2;

    let (mut refreshed, mut explained) = (0, 0);
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    for round in 0..50 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut child = deck
            .command(&["refresh", "crash"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        tokio::time::sleep(Duration::from_micros(seed % span)).await;
        child.start_kill().unwrap();
        child.wait().await.unwrap();

        // The record always parses and still holds tokens.
        let home = tokendeck::store::Home::rooted(deck.home()).unwrap();
        let keyring = tokendeck::store::Keyring::open(home.keyring_service())
            .await
            .unwrap();
        let record = keyring
            .read("crash")
            .await
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        assert!(
            record.and_then(|r| r.tokens).is_some(),
            "round {round}: tokens lost"
        );
        deck.ok(&["status", "crash", "--json"]).await;

        let out = deck.run(&["refresh", "crash"], "").await;
        if out.status.success() {
            refreshed += 1;
            continue;
        }
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(4), "round {round}: {err}");
        assert!(
            err.contains("an earlier refresh was interrupted (tokendeck was killed, or quit without waiting, before it stored the answer) after the server had rotated the refresh token"),
            "round {round}: the lost answer is explained: {err}"
        );
        explained += 1;
        assert!(
            deck.link("crash").await.status.success(),
            "round {round}: re-link"
        );
    }
    eprintln!(
        "50 kills over {span} µs: {refreshed} refreshed afterwards, {explained} needed a re-link (explained)"
    );
    assert_eq!(refreshed + explained, 50);
}
