//! Stopping a command at every moment of a refresh: before its request (the account's lock is
//! held elsewhere), while the provider holds the request before acting, after the provider
//! rotated the refresh token but before its answer arrives, and while the keyring is storing the
//! answer. Whatever the moment, the refresh token stored afterwards is one the real provider still
//! accepts — the model this checks. A second signal quits at once, says what that loses, and the
//! next refresh explains the loss.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Child;

use super::{ONE_AT_A_TIME, Row, TIMEOUT};
use crate::common::{self, cli::text};

/// Where a refresh is when the stop arrives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Moment {
    /// Waiting for the account's lock, which another process holds: nothing sent yet.
    BeforeTheRequest,
    /// The request is at the provider, which has not acted on it yet.
    AtTheProvider,
    /// The provider rotated the refresh token; its answer is on its way.
    AfterTheRotation,
    /// The answer is in; the keyring (stopped) has not stored it yet.
    DuringTheKeyringWrite,
}

/// How long the provider holds a request in the rows that stall it: under the timeout.
const STALL_MS: u64 = 1500;

/// `tokendeck refresh work`, its stderr collected line by line.
struct Refreshing {
    child: Child,
    pid: u32,
    lines: Arc<Mutex<Vec<String>>>,
    reader: tokio::task::JoinHandle<()>,
}

impl Refreshing {
    fn start(row: &Row) -> Refreshing {
        let mut child = row
            .deck
            .command(&["refresh", "work"])
            .env("TOKENDECK_TIMEOUT", TIMEOUT.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let pid = child.id().unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (sink, stderr) = (lines.clone(), child.stderr.take().unwrap());
        let reader = tokio::spawn(async move {
            let mut stderr = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = stderr.next_line().await {
                sink.lock().unwrap().push(line);
            }
        });
        Refreshing {
            child,
            pid,
            lines,
            reader,
        }
    }

    fn stderr(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }

    async fn said(&self, words: &str) {
        common::eventually(Duration::from_secs(10), async || {
            self.stderr().contains(words)
        })
        .await;
    }

    /// Waits for the exit (at most 15 s); its status as a shell reports it (128 and the signal's
    /// number when a signal ended it), how long it took from `since`, and stderr.
    async fn ended(mut self, since: Instant) -> (Option<i32>, Duration, String) {
        use std::os::unix::process::ExitStatusExt;
        let status = tokio::time::timeout(Duration::from_secs(15), self.child.wait())
            .await
            .expect("tokendeck ended within 15 s of the signal")
            .unwrap();
        let took = since.elapsed();
        tokio::time::timeout(Duration::from_secs(5), &mut self.reader)
            .await
            .expect("stderr closed")
            .unwrap();
        let code = status.code().or(status.signal().map(|s| 128 + s));
        (code, took, self.stderr())
    }
}

/// Whether process `pid` is blocked waiting for a file lock (a `->` line of /proc/locks).
fn waits_for_a_lock(pid: u32) -> bool {
    let locks = std::fs::read_to_string("/proc/locks").unwrap_or_default();
    locks.lines().any(|line| {
        let mut words = line.split_whitespace().skip(1);
        words.next() == Some("->") && words.nth(3) == Some(&pid.to_string())
    })
}

/// One row of the model: a refresh stopped by `signal` at `moment`. Returns the row's line.
async fn stop_at(moment: Moment, signal: &str) -> String {
    let row = Row::new().await;
    let server = &row.server;
    let posts = server.count("POST /token").await;
    let held = match moment {
        Moment::BeforeTheRequest => {
            let home = tokendeck::store::Home::rooted(row.deck.home()).unwrap();
            let path = home.lock_file("work");
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            let file = std::fs::File::create(&path).unwrap();
            file.lock().unwrap();
            Some(file)
        }
        Moment::AtTheProvider | Moment::DuringTheKeyringWrite => {
            let query = format!("delay_before_ms={STALL_MS}");
            server.fault("/token", 1, &query).await;
            None
        }
        Moment::AfterTheRotation => {
            let query = format!("delay_after_ms={STALL_MS}");
            server.fault("/token", 1, &query).await;
            None
        }
    };
    let refreshing = Refreshing::start(&row);
    let keyring = (moment == Moment::DuringTheKeyringWrite).then(common::secret_service_pid);
    match moment {
        Moment::BeforeTheRequest => {
            common::eventually(Duration::from_secs(10), async || {
                waits_for_a_lock(refreshing.pid)
            })
            .await;
        }
        Moment::AtTheProvider => {
            common::eventually(Duration::from_secs(10), async || {
                server.count("POST /token").await > posts
            })
            .await;
        }
        Moment::AfterTheRotation => {
            common::eventually(Duration::from_secs(10), async || {
                server.count("grant refresh_token 200").await > 0
            })
            .await;
        }
        Moment::DuringTheKeyringWrite => {
            common::eventually(Duration::from_secs(10), async || {
                server.count("POST /token").await > posts
            })
            .await;
            // Stopped while the provider holds the request: its answer meets a keyring that
            // does not answer.
            common::signal(keyring.unwrap(), "STOP");
            common::eventually(Duration::from_secs(10), async || {
                server.count("grant refresh_token 200").await > 0
            })
            .await;
        }
    }
    let sent = Instant::now();
    common::signal(refreshing.pid, signal);
    let nothing_sent = moment == Moment::BeforeTheRequest;
    if !nothing_sent {
        let again = match signal {
            "INT" => "press Ctrl-C again",
            other => &format!("send SIG{other} again"),
        };
        refreshing
            .said(&format!(
                "tokendeck: waiting for work's refresh to be stored (up to {}s); {again} to quit now and lose it",
                TIMEOUT + 3
            ))
            .await;
    }
    if let Some(pid) = keyring {
        common::signal(pid, "CONT");
    }
    let (code, took, stderr) = refreshing.ended(sent).await;
    let want = match signal {
        "INT" => 130,
        "TERM" => 143,
        _ => 129,
    };
    assert_eq!(code, Some(want), "{moment:?}: {stderr}");
    if nothing_sent {
        // Stopped at once: it did not wait for the lock (45 s), nor send anything. (With no
        // refresh begun, the signal ends it as it would any program.)
        assert!(took < Duration::from_secs(3), "{moment:?} took {took:?}");
        assert!(stderr.is_empty(), "{moment:?}: nothing to say: {stderr}");
        assert_eq!(server.count("POST /token").await, posts, "{moment:?}");
        drop(held);
    } else {
        // It waited for the answer and stored it.
        assert_eq!(server.count("grant refresh_token 200").await, 1);
        let status = row.status();
        assert_eq!(status["last_refresh"]["ok"], true, "{moment:?}: {status}");
        assert!(status.get("refresh_started_at").is_none(), "{status}");
        assert!(!stderr.contains("may be lost"), "{moment:?}: {stderr}");
    }
    // The model's one law: the stored refresh token is one the provider still accepts.
    row.still_refreshes().await;
    assert_eq!(row.reused().await, 0, "{moment:?}");
    format!("{moment:?} (SIG{signal}): exit {want} after {took:.1?}")
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "runs alone: its last row stops the Secret Service every other test uses; tests/run runs it on its own"]
async fn a_stop_at_any_moment_of_a_refresh_leaves_a_refresh_token_the_provider_accepts() {
    let _alone = ONE_AT_A_TIME.lock().await;
    // Every moment with Ctrl-C, and SIGTERM and SIGHUP at the moments that wait.
    let (a, b, c, d, e) = tokio::join!(
        stop_at(Moment::BeforeTheRequest, "INT"),
        stop_at(Moment::AtTheProvider, "INT"),
        stop_at(Moment::AfterTheRotation, "INT"),
        stop_at(Moment::AtTheProvider, "TERM"),
        stop_at(Moment::AfterTheRotation, "HUP"),
    );
    let mut rows = vec![a, b, c, d, e];
    // It stops the keyring every other test here uses: alone, afterwards.
    if std::env::var("TOKENDECK_KEYRING").as_deref() == Ok("secret-service") {
        rows.push(stop_at(Moment::DuringTheKeyringWrite, "INT").await);
    }
    println!("\nstops ({} rows):", rows.len());
    for row in &rows {
        println!("  {row}");
    }
}

/// A second Ctrl-C while the answer is awaited quits at once and says what it loses; the mark
/// left behind lets the next refresh say why the grant is gone.
#[tokio::test(flavor = "multi_thread")]
async fn a_second_ctrl_c_quits_at_once_and_the_loss_is_explained_afterwards() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let row = Row::new().await;
    let stall = (TIMEOUT * 1000 + 2000).to_string();
    row.server
        .fault("/token", 1, &format!("delay_after_ms={stall}"))
        .await;
    let refreshing = Refreshing::start(&row);
    common::eventually(Duration::from_secs(10), async || {
        row.server.count("grant refresh_token 200").await > 0
    })
    .await;
    common::signal(refreshing.pid, "INT");
    refreshing.said("waiting for work's refresh").await;
    let again = Instant::now();
    common::signal(refreshing.pid, "INT");
    let (code, took, stderr) = refreshing.ended(again).await;
    assert_eq!(code, Some(130), "{stderr}");
    assert!(took < Duration::from_secs(1), "at once: {took:?}");
    assert!(
        stderr.contains(
            "tokendeck: quit without waiting: work's refresh may be lost. If the provider had already answered, the refresh token tokendeck holds is spent and the grant must be linked again (`tokendeck link work`)"
        ),
        "{stderr}"
    );
    let status = row.status();
    assert!(
        status["refresh_started_at"].is_number(),
        "the mark stays: {status}"
    );
    // The provider rotated: the token kept is spent, and the refusal says why.
    let out = row.run(&["refresh", "work"]).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
}
