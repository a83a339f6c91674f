//! The daemon's desktop notifications, received by a real org.freedesktop.Notifications service
//! on the test run's private session bus: exactly one when an account's grant is refused (not
//! one per look or retry), one a day when a grant is forecast to end within the margin, none
//! with `--no-notify`, and no token or secret in it — not even the
//! ones the provider echoed in its refusal.

use crate::common;

use std::collections::HashMap;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::cli::{Deck, text};
use common::{Options, TestProvider, eventually};
use tokendeck::store::{Home, Store};
use zbus::zvariant::OwnedValue;

/// What the service was sent: (summary, body) per notification.
type Seen = Arc<Mutex<Vec<(String, String)>>>;

struct Notifications {
    seen: Seen,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Notifications {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        _app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        _actions: Vec<String>,
        _hints: HashMap<String, OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let mut seen = self.seen.lock().unwrap();
        seen.push((summary, body));
        seen.len() as u32
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".into()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "tokendeck-tests".into(),
            "tokendeck".into(),
            "1".into(),
            "1.2".into(),
        )
    }

    fn close_notification(&self, _id: u32) {}
}

/// An account whose grant the server refuses at the daemon's first refresh (its tokens live
/// 10 s) — with an `invalid_grant` that echoes the refresh token and client secret it was sent —
/// and for good after; returns the deck and the secrets that must never be shown.
async fn doomed(server: &TestProvider) -> (Deck, Vec<String>) {
    let deck = Deck::new();
    deck.add(server, "work").await;
    assert!(deck.link("work").await.status.success());
    let home = Home::rooted(deck.home()).unwrap();
    let keyring = tokendeck::store::Keyring::open(home.keyring_service())
        .await
        .unwrap();
    let tokens = keyring.read("work").await.unwrap().unwrap().tokens.unwrap();
    let refresh_token = tokens.refresh_token().unwrap().to_string();
    server
        .revoke_refresh_token(common::Client::Basic, &refresh_token)
        .await;
    server.fault("/token", 1, "status=400&echo=1").await;
    let secrets = vec![
        tokens.access_token().to_string(),
        refresh_token,
        "basic-secret-value".to_string(),
    ];
    (deck, secrets)
}

/// Runs a daemon on `deck` with `args` until the account needs a re-link and the daemon has
/// looked at the home again twice after that (a `refresh` from the CLI changes it), then stops it.
async fn run_daemon_until_relink(deck: &Deck, args: &[&str]) {
    let mut command = vec!["daemon"];
    command.extend_from_slice(args);
    let daemon = deck
        .command(&command)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = daemon.id().unwrap();
    let store = Store::new(Home::rooted(deck.home()).unwrap());
    eventually(Duration::from_secs(30), async || {
        store.status("work").needs_relink
    })
    .await;
    // Another failure, from another process: the daemon looks again, and must not tell twice.
    let out = deck.run(&["refresh", "work"], "").await;
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    // The daemon looks at the home every 2 s.
    tokio::time::sleep(Duration::from_secs(5)).await;
    common::signal(pid, "TERM");
    let out = tokio::time::timeout(Duration::from_secs(10), daemon.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        !text(&out.stderr).contains("no desktop notification could be sent"),
        "{}",
        text(&out.stderr)
    );
}

/// A daemon on an account whose grant the provider says ends in an hour, well inside the
/// default two-day margin: it says so at once on stderr and on the desktop, and a look after
/// another process's refresh (the grant still ends soon) tells nothing again the same day.
async fn a_grant_ending_soon_is_told_once(seen: &Seen) {
    let server = TestProvider::start_with(Options {
        refresh_token_expires_in: Some(3600),
        ..Options::default()
    })
    .await;
    let deck = Deck::new();
    deck.add(&server, "ending").await;
    assert!(deck.link("ending").await.status.success());
    let before = seen.lock().unwrap().len();
    let daemon = deck
        .command(&["daemon"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = daemon.id().unwrap();
    eventually(Duration::from_secs(20), async || {
        seen.lock().unwrap().len() > before
    })
    .await;
    deck.ok(&["refresh", "ending"]).await;
    // The daemon looks at the home every 2 s.
    tokio::time::sleep(Duration::from_secs(5)).await;
    common::signal(pid, "TERM");
    let out = tokio::time::timeout(Duration::from_secs(10), daemon.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let said = text(&out.stderr);
    let notes: Vec<_> = seen.lock().unwrap()[before..].to_vec();
    assert_eq!(notes.len(), 1, "{notes:?}");
    let (summary, body) = &notes[0];
    assert_eq!(summary, "tokendeck: link ending again soon");
    assert!(
        body.starts_with("\"ending\"'s grant will end in 59m")
            && body.ends_with("link it again before then with `tokendeck link ending`"),
        "{body}"
    );
    let warnings: Vec<&str> = said
        .lines()
        .filter(|l| l.contains("'s grant will end"))
        .collect();
    assert_eq!(warnings.len(), 1, "{said}");
    assert!(
        warnings[0].starts_with("<4>\"ending\"'s grant will end in "),
        "{said}"
    );
}

#[tokio::test]
async fn one_notification_when_an_account_needs_a_relink_or_its_grant_ends_soon_and_none_with_no_notify()
 {
    let seen = Seen::default();
    let _service = zbus::connection::Builder::session()
        .unwrap()
        .name("org.freedesktop.Notifications")
        .unwrap()
        .serve_at(
            "/org/freedesktop/Notifications",
            Notifications { seen: seen.clone() },
        )
        .unwrap()
        .build()
        .await
        .expect("a private session bus (tests/run gives one)");
    let server = TestProvider::start_with(Options {
        access_ttl: 10,
        ..Options::default()
    })
    .await;

    let (deck, secrets) = doomed(&server).await;
    run_daemon_until_relink(&deck, &[]).await;
    let notes = seen.lock().unwrap().clone();
    assert_eq!(notes.len(), 1, "{notes:?}");
    let (summary, body) = &notes[0];
    assert_eq!(summary, "tokendeck: work needs you");
    assert!(body.contains("Run `tokendeck link work`"), "{body}");
    assert!(
        body.contains(
            "refused refresh_token=[redacted refresh token] client_secret=[redacted client secret]"
        ),
        "the provider's words, without its echo: {body}"
    );
    for secret in &secrets {
        assert!(!summary.contains(secret.as_str()) && !body.contains(secret.as_str()));
    }

    a_grant_ending_soon_is_told_once(&seen).await;

    let (quiet, _) = doomed(&server).await;
    run_daemon_until_relink(&quiet, &["--no-notify"]).await;
    assert_eq!(seen.lock().unwrap().len(), 2, "--no-notify sent one");
}
