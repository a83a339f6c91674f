//! The fault matrix: the real oidc-provider with faults injected on its token endpoint (and the
//! real keyring stopped under a refresh, and a refresh killed midway), each row driven through the
//! `tokendeck` binary as a script would. Every row asserts the exit code, the message, the status
//! file and the event log, and that no token was lost or reused where that can be avoided; where a
//! rotating server has spent the only valid refresh token, that the outcome is explained. The
//! matrix is printed at the end (`tests/run -- --ignored faults:: --nocapture` shows it). Stopping a
//! refresh at each of its moments is the `stop` module's.

mod stop;

use crate::common;

use std::process::{Output, Stdio};
use std::time::{Duration, SystemTime};

use common::cli::{Deck, text};
use common::{Options, TestProvider};
use serde_json::Value;

/// The token-request timeout the stalling rows use (TOKENDECK_TIMEOUT), in seconds.
const TIMEOUT: u64 = 2;

/// One test at a time here: some stop the keyring every other row uses.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// One account linked at its own test server.
struct Row {
    server: TestProvider,
    deck: Deck,
}

impl Row {
    async fn new() -> Row {
        let server = TestProvider::start_with(Options::default()).await;
        let deck = Deck::new();
        deck.add(&server, "work").await;
        let linked = deck.link("work").await;
        assert!(linked.status.success(), "{}", text(&linked.stderr));
        Row { server, deck }
    }

    async fn run(&self, args: &[&str]) -> Output {
        let child = self
            .deck
            .command(args)
            .env("TOKENDECK_TIMEOUT", TIMEOUT.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
            .await
            .expect("tokendeck finished within 60 s")
            .unwrap()
    }

    fn status(&self) -> Value {
        let path = self.deck.home().join("state/accounts/work.json");
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    }

    /// The event log's last entry.
    fn last_event(&self) -> Value {
        let log = std::fs::read_to_string(self.deck.home().join("state/events.jsonl")).unwrap();
        serde_json::from_str(log.lines().last().unwrap()).unwrap()
    }

    async fn reused(&self) -> u64 {
        self.server.count("refresh token reused").await
    }

    /// The account still works: a refresh succeeds with the stored refresh token.
    async fn still_refreshes(&self) {
        let out = self.run(&["refresh", "work"]).await;
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
}

/// What one row came to, for the printed matrix.
struct Outcome {
    row: &'static str,
    exit: i32,
    said: String,
}

fn outcome(row: &'static str, out: &Output) -> Outcome {
    Outcome {
        row,
        exit: out.status.code().unwrap_or(-1),
        said: text(&out.stderr).lines().next().unwrap_or("").to_string(),
    }
}

fn seconds_from_now(value: &Value) -> i64 {
    let at = value.as_f64().expect("a time in seconds") as i64;
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    at - now
}

/// A passing failure (exit 5): the status backs off, the log says why, nothing is lost. Returns
/// the outcome and how long the status backed off, in seconds.
async fn transient(name: &'static str, query: &str, said: &str) -> (Outcome, i64) {
    let row = Row::new().await;
    row.server.fault("/token", 1, query).await;
    let out = row.run(&["refresh", "work"]).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{name}: {stderr}");
    assert!(stderr.contains(said), "{name}: {stderr}");
    let status = row.status();
    assert_eq!(status["failures"], 1, "{name}: {status}");
    let backoff = seconds_from_now(&status["retry_at"]);
    assert_eq!(status["last_refresh"]["ok"], false, "{name}: {status}");
    let event = row.last_event();
    assert_eq!(event["outcome"], "failed", "{name}: {event}");
    assert_eq!(event["error_kind"], "transient", "{name}: {event}");
    // The access token is still valid: scripts keep getting it while the server is down.
    assert!(row.run(&["token", "work"]).await.status.success());
    let result = outcome(name, &out);
    row.still_refreshes().await;
    assert_eq!(row.reused().await, 0, "{name}");
    assert!(
        row.status().get("retry_at").is_none(),
        "a success ends the backoff"
    );
    (result, backoff)
}

async fn unavailable() -> Outcome {
    let (result, backoff) =
        transient("503", "status=503", "temporarily unavailable (HTTP 503)").await;
    assert!(
        (3..=7).contains(&backoff),
        "5 s after a first failure: {backoff}"
    );
    result
}

async fn retry_after_seconds() -> Outcome {
    let query = "status=429&retry_after=120";
    let (result, backoff) = transient("429, Retry-After: 120", query, "asks to wait 2m 00s").await;
    assert!((118..=121).contains(&backoff), "{backoff}");
    result
}

async fn retry_after_date() -> Outcome {
    let row = Row::new().await;
    let at = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(90));
    let query = format!(
        "status=429&retry_after={}",
        url::form_urlencoded::byte_serialize(at.as_bytes()).collect::<String>()
    );
    row.server.fault("/token", 1, &query).await;
    let out = row.run(&["refresh", "work"]).await;
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
    let wait = seconds_from_now(&row.status()["retry_at"]);
    assert!(
        (85..=91).contains(&wait),
        "backs off until the date: {wait} s"
    );
    let result = outcome("429, Retry-After: HTTP-date", &out);
    row.still_refreshes().await;
    assert_eq!(row.reused().await, 0);
    result
}

async fn retry_after_absurd() -> Outcome {
    let (result, backoff) = transient(
        "429, Retry-After: 2^64-1",
        "status=429&retry_after=18446744073709551615",
        "tokendeck waits at most 1h 00m",
    )
    .await;
    assert!(
        (3598..=3601).contains(&backoff),
        "capped at an hour: {backoff}"
    );
    result
}

/// The server stalls before it acts: the client gives up, nothing was rotated, the next refresh
/// works.
async fn stall_before() -> Outcome {
    let row = Row::new().await;
    row.server
        .fault(
            "/token",
            1,
            &format!("delay_before_ms={}", TIMEOUT * 1000 + 2000),
        )
        .await;
    let out = row.run(&["refresh", "work"]).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert!(stderr.contains("no answer from"), "{stderr}");
    assert!(row.status()["lost_refresh_at"].is_number());
    assert_eq!(row.last_event()["error_kind"], "ambiguous");
    // Until the server, done stalling, finds the client gone and acts on nothing.
    common::eventually(Duration::from_secs(10), async || {
        row.server.count("fault abandoned").await > 0
    })
    .await;
    let result = outcome("stall before acting", &out);
    row.still_refreshes().await;
    assert_eq!(row.reused().await, 0);
    assert!(row.status().get("lost_refresh_at").is_none());
    result
}

/// The server rotates, then stalls: the client gives up and the only valid refresh token is lost
/// at the server. The next refresh is refused, and the message says which refresh lost it.
async fn rotate_then_stall() -> Outcome {
    let row = Row::new().await;
    row.server
        .fault(
            "/token",
            1,
            &format!("delay_after_ms={}", TIMEOUT * 1000 + 2000),
        )
        .await;
    let out = row.run(&["refresh", "work"]).await;
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
    // The server rotated before it stalled (its count comes before the delay).
    assert_eq!(row.server.count("grant refresh_token 200").await, 1);
    let out = row.run(&["refresh", "work"]).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("reached the server but its answer was lost"),
        "{stderr}"
    );
    assert!(stderr.contains("tokendeck link work"), "{stderr}");
    let status = row.status();
    assert_eq!(status["needs_relink"], true);
    let error = status["last_refresh"]["error"].as_str().unwrap();
    assert!(error.contains("answer was lost"), "{error}");
    assert!(
        row.last_event()["message"]
            .as_str()
            .unwrap()
            .contains("answer was lost")
    );
    // Known to be dead: no token is handed out.
    let token = row.run(&["token", "work"]).await;
    assert_eq!(token.status.code(), Some(4));
    assert!(token.stdout.is_empty());
    outcome("rotate, then stall", &out)
}

async fn malformed_json() -> Outcome {
    let row = Row::new().await;
    row.server
        .fault_body("/token", "{\"access_token\": \"x", "status=200")
        .await;
    let out = row.run(&["refresh", "work"]).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("could not be understood"), "{stderr}");
    assert_eq!(row.status()["last_refresh"]["ok"], false);
    assert_eq!(row.last_event()["outcome"], "failed");
    let result = outcome("malformed JSON", &out);
    row.still_refreshes().await;
    assert_eq!(row.reused().await, 0);
    result
}

async fn error_in_a_200() -> Outcome {
    let row = Row::new().await;
    let body = r#"{"error":"temporarily_unavailable","error_description":"try later"}"#;
    row.server.fault_body("/token", body, "status=200").await;
    let out = row.run(&["refresh", "work"]).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert!(
        stderr.contains("temporarily_unavailable: try later"),
        "{stderr}"
    );
    assert_eq!(row.status()["failures"], 1);
    let result = outcome("HTTP 200 with an error member", &out);
    row.still_refreshes().await;
    assert_eq!(row.reused().await, 0);
    result
}

async fn invalid_client() -> Outcome {
    let row = Row::new().await;
    row.server.fault("/token", 1, "status=401").await;
    let out = row.run(&["refresh", "work"]).await;
    let stderr = text(&out.stderr);
    // Linking again cannot fix a refused client: exit 9, and the advice is `set`.
    assert_eq!(out.status.code(), Some(9), "{stderr}");
    assert!(
        stderr.contains("tokendeck set work --client-secret-stdin"),
        "{stderr}"
    );
    assert_eq!(row.last_event()["outcome"], "failed");
    let status = row.status();
    assert_eq!(
        status["needs_relink"], false,
        "the grant is not dead: {status}"
    );
    assert!(row.run(&["token", "work"]).await.status.success());
    let result = outcome("invalid_client", &out);
    // The record is untouched: once the client is fixed, the account refreshes.
    row.still_refreshes().await;
    assert_eq!(row.reused().await, 0);
    result
}

/// The user revoked the grant at the provider: re-link, with the record kept.
async fn revoked() -> Outcome {
    let row = Row::new().await;
    let token = row.deck.ok(&["token", "work"]).await;
    row.server
        .revoke_refresh_token(common::Client::Basic, token.trim())
        .await;
    let out = row.run(&["refresh", "work"]).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("link the account again"), "{stderr}");
    let status = row.status();
    assert_eq!(status["needs_relink"], true);
    assert!(status["token"].is_object(), "the record is kept: {status}");
    let token = row.run(&["token", "work"]).await;
    assert_eq!(token.status.code(), Some(4));
    assert!(
        token.stdout.is_empty(),
        "a rejected token is never handed out"
    );
    let result = outcome("revoked refresh token", &out);
    // Linking again repairs it, with nothing of the failure left over.
    assert!(row.deck.link("work").await.status.success());
    let status = row.status();
    assert_eq!(status["needs_relink"], false);
    assert!(status.get("last_refresh").is_none(), "{status}");
    result
}

/// `kill -9` while the server has rotated but not yet answered: the next refresh is refused and
/// says that an earlier refresh was interrupted.
async fn killed() -> Outcome {
    let row = Row::new().await;
    row.server.fault("/token", 1, "delay_after_ms=3000").await;
    let mut child = row.deck.command(&["refresh", "work"]).spawn().unwrap();
    common::eventually(Duration::from_secs(10), async || {
        row.server.count("grant refresh_token 200").await > 0
    })
    .await;
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    let out = row.run(&["refresh", "work"]).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    let status = row.status();
    assert_eq!(status["needs_relink"], true);
    assert!(
        status["last_refresh"]["error"]
            .as_str()
            .unwrap()
            .contains("interrupted")
    );
    outcome("kill -9 mid-refresh", &out)
}

/// The keyring stops answering while the new tokens are being stored: they are held and stored
/// once it is back; the refresh succeeds and no refresh token is reused.
async fn keyring_stopped() -> Option<Outcome> {
    if std::env::var("TOKENDECK_KEYRING").as_deref() != Ok("secret-service") {
        return None;
    }
    let daemon = common::secret_service_pid();
    let row = Row::new().await;
    // The answer comes 1.5 s late, so the keyring can be stopped while the request is out.
    row.server.fault("/token", 1, "delay_before_ms=1500").await;
    let child = row
        .deck
        .command(&["refresh", "work"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    common::eventually(Duration::from_secs(10), async || {
        row.server.count("POST /token").await > 1
    })
    .await;
    common::signal(daemon, "STOP");
    // Stopped until the refresh, its keyring write timed out, says it holds unsaved tokens.
    common::eventually(Duration::from_secs(20), async || {
        !row.status()["unsaved_since"].is_null()
    })
    .await;
    common::signal(daemon, "CONT");
    let out = tokio::time::timeout(Duration::from_secs(40), child.wait_with_output())
        .await
        .expect("refresh ended")
        .unwrap();
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("could not be saved yet"), "{stderr}");
    let status = row.status();
    assert!(status.get("unsaved_since").is_none(), "{status}");
    assert_eq!(status["last_refresh"]["ok"], true);
    // What was stored is the rotated token: the next refresh uses it without a reuse.
    row.still_refreshes().await;
    assert_eq!(row.reused().await, 0);
    Some(outcome("keyring stopped during the persist", &out))
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "runs alone: its last row stops the Secret Service every other test uses; tests/run runs it on its own"]
async fn the_fault_matrix() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let mut rows = Vec::new();
    // Rows with a server each run side by side; the keyring row stops the shared keyring, so it
    // runs last, after them.
    let (a, b, c, d, e, f) = tokio::join!(
        unavailable(),
        retry_after_seconds(),
        retry_after_date(),
        retry_after_absurd(),
        stall_before(),
        rotate_then_stall(),
    );
    rows.extend([a, b, c, d, e, f]);
    let (g, h, i, j, k) = tokio::join!(
        malformed_json(),
        error_in_a_200(),
        invalid_client(),
        revoked(),
        killed()
    );
    rows.extend([g, h, i, j, k]);
    rows.extend(keyring_stopped().await);

    println!("\nfault matrix ({} rows):", rows.len());
    for row in &rows {
        println!("  {:<36} exit {}  {}", row.row, row.exit, row.said);
    }
    for row in &rows {
        assert!(!row.said.contains("basic-secret-value"), "{}", row.said);
    }
}
