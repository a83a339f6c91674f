//! `Session::send` under 1,000 concurrent callers whose access token is dead, against the real
//! oidc-provider: how many token requests it costs (must be 1) and how long the burst takes.
//!
//! Run: `cargo bench --bench session_send` (needs `npm ci --prefix tests/provider`).
//! Two cases: the token expired by the clock (refreshed ahead of sending), and the token revoked
//! at the server while the client still believes it (every caller gets a 401).

#[path = "../tests/it/common/mod.rs"]
#[allow(dead_code)] // a bench uses a few parts of the tests' harness
mod common;

use std::time::Instant;

use common::{Client, Options, PASTE_REDIRECT, TestProvider, link, session};

const CALLERS: usize = 1000;
const ROUNDS: usize = 5;

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` asks for the list of benchmarks; there are none to list
    }
    for (case, access_ttl) in [
        ("expired by the clock", 1),
        ("revoked at the server (401)", 3600),
    ] {
        let server = TestProvider::start_with(Options {
            access_ttl,
            ..Options::default()
        })
        .await;
        let session = session(&server, Client::Basic, PASTE_REDIRECT)
            .build()
            .unwrap();
        link(&session).await;
        let mut times = Vec::new();
        for _ in 0..ROUNDS {
            let tokens = session.tokens().unwrap();
            if case.starts_with("expired") {
                common::past_expiry(&tokens).await;
            } else {
                session.refresh().await.unwrap();
                server
                    .revoke_access_token(session.tokens().unwrap().access_token())
                    .await;
            }
            let before = server.count("grant refresh_token 200").await;
            let started = Instant::now();
            let handles: Vec<_> = (0..CALLERS)
                .map(|_| {
                    let (session, url) = (session.clone(), server.url("/api/me"));
                    tokio::spawn(async move {
                        session
                            .send(session.http().get(url))
                            .await
                            .map(|r| r.status())
                    })
                })
                .collect();
            let mut ok = 0;
            for handle in handles {
                if handle.await.unwrap().is_ok_and(|s| s == 200) {
                    ok += 1;
                }
            }
            let elapsed = started.elapsed();
            let refreshes = server.count("grant refresh_token 200").await - before;
            println!(
                "{case}: {CALLERS} concurrent sends, {ok} answered 200, {refreshes} token request(s), {:.1} ms",
                elapsed.as_secs_f64() * 1000.0
            );
            assert_eq!(refreshes, 1, "single flight broke");
            assert_eq!(ok, CALLERS);
            times.push(elapsed);
        }
        times.sort();
        println!(
            "{case}: median {:.1} ms over {ROUNDS} rounds (min {:.1} ms, max {:.1} ms)\n",
            times[ROUNDS / 2].as_secs_f64() * 1000.0,
            times[0].as_secs_f64() * 1000.0,
            times[ROUNDS - 1].as_secs_f64() * 1000.0,
        );
    }
}
