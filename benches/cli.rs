//! Whole-process timings of the commands scripts call most: `tokendeck token NAME` on a fresh
//! token (one keyring read, no network), and `tokendeck status --json` over 100 accounts (no
//! keyring at all). Against the real oidc-provider and whichever keyring is available.
//!
//! Run: `tests/run bench cli` (inside the headless Secret Service), or `cargo bench --bench cli`.

#[path = "../tests/it/common/mod.rs"]
#[allow(dead_code)] // a bench uses a few parts of the tests' harness
mod common;

use std::time::{Duration, Instant};

use common::TestProvider;
use common::cli::Deck;

fn summary(label: &str, mut times: Vec<Duration>) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{label}: median {:.1} ms, p90 {:.1} ms, min {:.1} ms, max {:.1} ms ({} runs)",
        ms(times[times.len() / 2]),
        ms(times[times.len() * 9 / 10]),
        ms(times[0]),
        ms(times[times.len() - 1]),
        times.len()
    );
}

async fn time_runs(deck: &Deck, args: &[&str], runs: usize) -> Vec<Duration> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let out = deck.run(args, "").await;
        times.push(started.elapsed());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    times
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let keyring = std::env::var("TOKENDECK_KEYRING").unwrap_or_else(|_| "the platform's".into());
    println!("keyring: {keyring}");
    let server = TestProvider::start().await;
    let deck = Deck::new();
    deck.add(&server, "fresh").await;
    assert!(deck.link("fresh").await.status.success());

    let baseline = time_runs(&deck, &["--version"], 50).await;
    summary("tokendeck --version (process start-up alone)", baseline);
    let token = time_runs(&deck, &["token", "fresh"], 50).await;
    summary("tokendeck token NAME, fresh token", token);
    assert_eq!(
        server.count("POST /token").await,
        1,
        "no token request after linking"
    );

    for i in 0..99 {
        deck.ok(&[
            "add",
            &format!("acct{i:02}"),
            "--preset",
            "github",
            "--client-id",
            "x",
        ])
        .await;
    }
    let status = time_runs(&deck, &["status", "--json"], 20).await;
    summary("tokendeck status --json, 100 accounts", status);
}
