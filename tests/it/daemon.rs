//! `tokendeck daemon` against the real oidc-provider and keyring: it keeps an account of 20 s
//! tokens valid for two minutes, picks up an account linked by another process after it started,
//! refuses a second instance, stops promptly on SIGTERM/SIGINT/SIGHUP — after a refresh under way
//! is stored, or at once on a second signal — goes on at idle CPU with what it had read while the
//! accounts file is broken, runs beside the TUI without refreshing anything twice, and installs
//! as a systemd unit.

use crate::common;

use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use common::cli::{Deck, text};
use common::tmux::Tmux;
use common::{Options, TestProvider, eventually};
use tokendeck::store::{Event, Home, Outcome, Store, Trigger};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Child;

/// A `tokendeck daemon` running on a deck's home, its stderr collected line by line.
struct Daemon {
    child: Child,
    pid: u32,
    lines: Arc<Mutex<Vec<String>>>,
    /// Reads stderr until the pipe closes.
    reader: tokio::task::JoinHandle<()>,
}

impl Daemon {
    /// Starts the daemon and waits for its first line (it holds the home's lock by then).
    async fn start(deck: &Deck) -> Daemon {
        let mut child = deck
            .command(&["daemon"])
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
        let daemon = Daemon {
            child,
            pid,
            lines,
            reader,
        };
        daemon.wait_for_line("<6>keeping ").await;
        daemon
    }

    fn stderr(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }

    async fn wait_for_line(&self, start: &str) {
        let wait = Duration::from_secs(15);
        let found = tokio::time::timeout(wait, async {
            while !self
                .lines
                .lock()
                .unwrap()
                .iter()
                .any(|l| l.starts_with(start))
            {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await;
        assert!(
            found.is_ok(),
            "no line starting {start:?} within {wait:?}; stderr:\n{}",
            self.stderr()
        );
    }

    /// Sends `signal` and waits for the exit; returns it and how long it took.
    async fn stop(mut self, signal: &str) -> (ExitStatus, Duration, String) {
        let sent = Instant::now();
        common::signal(self.pid, signal);
        let status = tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .expect("the daemon ended within 10 s of the signal")
            .unwrap();
        let took = sent.elapsed();
        // The last lines: the reader ends at the end of the pipe.
        tokio::time::timeout(Duration::from_secs(5), &mut self.reader)
            .await
            .expect("stderr closed within 5 s of the exit")
            .unwrap();
        (status, took, self.stderr())
    }
}

fn store(deck: &Deck) -> Store {
    Store::new(Home::rooted(deck.home()).unwrap())
}

/// Refreshes of `account` done (not adopted) by process `pid`.
fn refreshes_by(store: &Store, account: &str, pid: u32) -> Vec<Event> {
    store
        .log()
        .read_all()
        .into_iter()
        .filter(|e| e.account == account && e.pid == pid && e.outcome == Outcome::Ok)
        .filter(|e| e.trigger == Trigger::AheadOfExpiry)
        .collect()
}

async fn linked(server: &TestProvider, name: &str) -> Deck {
    let deck = Deck::new();
    deck.add(server, name).await;
    assert!(deck.link(name).await.status.success());
    deck
}

#[tokio::test]
async fn keeps_an_account_valid_for_two_minutes() {
    const TTL: u64 = 20;
    const SAMPLES: u64 = 120;
    let server = TestProvider::start_with(Options {
        access_ttl: TTL,
        ..Options::default()
    })
    .await;
    let deck = linked(&server, "work").await;
    let daemon = Daemon::start(&deck).await;
    let pid = daemon.pid;
    let before = server.count("grant refresh_token 200").await;

    let start = Instant::now();
    let mut lapses = Vec::new();
    for second in 0..SAMPLES {
        // `status` reads the status file only: it never refreshes, so only the daemon can keep
        // this account valid.
        let status: serde_json::Value =
            serde_json::from_str(&deck.ok(&["status", "work", "--json"]).await).unwrap();
        let left = status["seconds_left"].as_i64().expect("an expiry");
        if status["status"] == "expired" || left <= 0 {
            lapses.push(format!("{second:>3} s: {status}"));
        }
        let next = Duration::from_secs(second + 1);
        if let Some(pause) = next.checked_sub(start.elapsed()) {
            tokio::time::sleep(pause).await;
        }
    }
    assert!(
        lapses.is_empty(),
        "the token lapsed:\n{}",
        lapses.join("\n")
    );
    // Stopped before counting, so that no refresh falls between the count and the log.
    let (status, _, stderr) = daemon.stop("TERM").await;
    assert!(status.success(), "{status:?}: {stderr}");
    let refreshes = server.count("grant refresh_token 200").await - before;
    // Due every 10 s (half of 20 s); never more often than every 5 s (a quarter).
    assert!(
        (SAMPLES / TTL..=SAMPLES / (TTL / 4) + 1).contains(&refreshes),
        "{refreshes} refreshes in {SAMPLES} s of {TTL} s tokens"
    );
    assert_eq!(server.count("refresh token reused").await, 0);
    let store = store(&deck);
    assert_eq!(
        refreshes_by(&store, "work", pid).len() as u64,
        refreshes,
        "the daemon logged every refresh it made to the event log"
    );

    let token = deck.ok(&["token", "work"]).await;
    assert!(
        stderr.contains("<6>work: refreshed (ahead of expiry), valid until "),
        "one journald line per refresh: {stderr}"
    );
    assert!(
        !stderr.contains(token.trim()),
        "a token on stderr: {stderr}"
    );
}

#[tokio::test]
async fn picks_up_an_account_linked_by_another_process() {
    let server = TestProvider::start_with(Options {
        access_ttl: 20,
        ..Options::default()
    })
    .await;
    let deck = Deck::new();
    let daemon = Daemon::start(&deck).await;
    assert!(daemon.stderr().contains("<6>keeping 0 accounts of "));

    deck.add(&server, "late").await;
    assert!(deck.link("late").await.status.success());
    let linked_at = SystemTime::now();
    // Due 10 s after the link. A daemon that only woke on its 30 s timer would let it expire.
    let store = store(&deck);
    eventually(Duration::from_secs(19), async || {
        !refreshes_by(&store, "late", daemon.pid).is_empty()
    })
    .await;
    let refreshed = refreshes_by(&store, "late", daemon.pid)[0].time;
    assert!(
        refreshed.duration_since(linked_at).unwrap() < Duration::from_secs(19),
        "refreshed before expiry"
    );
    let (status, _, stderr) = daemon.stop("TERM").await;
    assert!(status.success(), "{stderr}");
}

#[tokio::test]
async fn a_second_daemon_on_the_same_home_names_the_first() {
    let deck = Deck::new();
    let first = Daemon::start(&deck).await;
    let out = deck.run(&["daemon"], "").await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let pid = first.pid;
    assert!(
        stderr.contains(&format!("a daemon (pid {pid}) is already keeping "))
            && stderr.contains(&format!(
                "`kill {pid}` or `systemctl --user stop tokendeck`"
            )),
        "{stderr}"
    );
    let (status, ..) = first.stop("TERM").await;
    assert!(status.success());
    // Its lock went with it.
    let again = Daemon::start(&deck).await;
    let (status, ..) = again.stop("INT").await;
    assert!(status.success());
}

#[tokio::test]
async fn sigterm_sigint_and_sighup_end_it_within_a_second_when_no_refresh_is_under_way() {
    for signal in ["TERM", "INT", "HUP"] {
        let deck = Deck::new();
        let daemon = Daemon::start(&deck).await;
        let (status, took, stderr) = daemon.stop(signal).await;
        assert_eq!(status.code(), Some(0), "SIG{signal}: {stderr}");
        assert!(took < Duration::from_secs(1), "SIG{signal} took {took:?}");
        assert!(
            stderr.contains(&format!("<6>SIG{signal}: stopping")),
            "{stderr}"
        );
    }
}

/// A daemon with a refresh under way at the provider (which rotated, then holds its answer):
/// 4 s tokens, due 2 s after the link.
async fn refreshing_when_stopped(stall_ms: u64) -> (TestProvider, Deck, Daemon) {
    let server = TestProvider::start_with(Options {
        access_ttl: 4,
        ..Options::default()
    })
    .await;
    let deck = linked(&server, "work").await;
    server
        .fault("/token", 1, &format!("delay_after_ms={stall_ms}"))
        .await;
    let daemon = Daemon::start(&deck).await;
    eventually(Duration::from_secs(10), async || {
        server.count("grant refresh_token 200").await > 0
    })
    .await;
    (server, deck, daemon)
}

#[tokio::test]
async fn sigterm_waits_for_a_refresh_under_way_to_be_stored() {
    // Longer than the 800 ms a stop once waited: a daemon that exited then lost the only valid
    // refresh token.
    let (server, deck, daemon) = refreshing_when_stopped(2000).await;
    let (status, took, stderr) = daemon.stop("TERM").await;
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("<6>SIGTERM: stopping\n<6>waiting for work's refresh to be stored (up to 33s); send SIGTERM again to quit now and lose it"),
        "{stderr}"
    );
    assert!(took < Duration::from_secs(5), "took {took:?}: {stderr}");
    let status = store(&deck).status("work");
    assert_eq!(status.refresh_started_at, None, "it ended: {stderr}");
    assert!(status.last_refresh.is_some_and(|r| r.ok), "{stderr}");
    // The tokens it stored are the live ones: refreshing with them works.
    deck.ok(&["refresh", "work"]).await;
    assert_eq!(server.count("refresh token reused").await, 0);
}

/// Six lifetimes of 12 s tokens (72 s), each due at the same moment in both processes.
#[tokio::test]
async fn a_second_signal_stops_it_at_once_and_says_what_is_lost() {
    let (server, deck, daemon) = refreshing_when_stopped(10_000).await;
    common::signal(daemon.pid, "TERM");
    daemon.wait_for_line("<6>waiting for work's refresh").await;
    let (status, took, stderr) = daemon.stop("INT").await;
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(took < Duration::from_secs(1), "at once: {took:?}");
    assert!(
        stderr.contains("<4>quit without waiting: work's refresh may be lost. If the provider had already answered, the refresh token tokendeck holds is spent and the grant must be linked again (`tokendeck link work`)"),
        "{stderr}"
    );
    // It was: the next refresh is refused, and says that a refresh was interrupted.
    let out = deck.run(&["refresh", "work"], "").await;
    let said = text(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{said}");
    assert!(said.contains("interrupted"), "{said}");
    assert_eq!(server.count("grant refresh_token 200").await, 1);
}

/// A half-written accounts file once made the daemon spin at 100 % CPU and refresh nothing: it
/// asked the file whether a due account was still due, took the error for "no", and started the
/// account again at once, parsing the file each time. Now it says so once, goes on refreshing
/// what it had read at idle CPU, and picks the file up again once mended.
#[tokio::test]
async fn a_broken_accounts_file_is_said_once_and_what_was_read_is_kept_fresh_at_idle_cpu() {
    let server = TestProvider::start_with(Options {
        access_ttl: 4,
        ..Options::default()
    })
    .await;
    let deck = linked(&server, "work").await;
    let daemon = Daemon::start(&deck).await;
    let store = store(&deck);
    eventually(Duration::from_secs(20), async || {
        !refreshes_by(&store, "work", daemon.pid).is_empty()
    })
    .await;
    let file = store.home().accounts_file();
    let whole = std::fs::read(&file).unwrap();
    // Cut mid-way, as an editor or a full disk leaves it. (Put in place at once: a daemon that
    // looked while an in-place write had emptied the file would read "no accounts" instead.)
    common::replace_file(&file, &whole[..whole.len() / 2]);
    daemon.wait_for_line("<3>the accounts file ").await;
    let before = refreshes_by(&store, "work", daemon.pid).len();
    let (ticks, watched) = (common::cpu_ticks(daemon.pid), Instant::now());
    // Due every 2 s: three more refreshes while it stays broken.
    eventually(Duration::from_secs(30), async || {
        refreshes_by(&store, "work", daemon.pid).len() >= before + 3
    })
    .await;
    let used = common::cpu_ticks(daemon.pid) - ticks;
    let hz = 100; // USER_HZ, what /proc counts in on Linux
    let watched = watched.elapsed();
    // Spinning took 27-35 ticks a second here; idling, refreshes included, 0-2.
    assert!(
        used * 10 < watched.as_secs().max(1) * hz,
        "{used} ticks of CPU in {watched:?} while the file is broken: more than a tenth of a core"
    );
    let said = daemon.stderr();
    assert_eq!(
        said.matches("is broken at line").count(),
        1,
        "said once: {said}"
    );
    assert!(
        said.contains("Fix it by hand") && said.contains("keeps the 1 account it had read fresh"),
        "{said}"
    );
    common::replace_file(&file, &whole);
    daemon
        .wait_for_line("<6>the accounts file is readable again: keeping 1 account fresh")
        .await;
    let (status, _, stderr) = daemon.stop("TERM").await;
    assert!(status.success(), "{stderr}");
    assert_eq!(server.count("refresh token reused").await, 0);
    deck.ok(&["refresh", "work"]).await;
}

/// An accounts file the daemon cannot read (a folder in its place) or must not trust (a link to
/// a file another user owns, whose hook would run as this user) is said, and the accounts read
/// before are kept fresh from what was read: the stranger's hook never runs, and nothing is
/// dropped. A command refuses the untrusted file with exit 7 and says why. Once mended, the file
/// is read again.
#[tokio::test]
async fn an_accounts_file_that_cannot_be_read_or_trusted_keeps_what_was_read_fresh() {
    let server = TestProvider::start_with(Options {
        access_ttl: 4,
        ..Options::default()
    })
    .await;
    let deck = linked(&server, "work").await;
    let daemon = Daemon::start(&deck).await;
    let store = store(&deck);
    eventually(Duration::from_secs(20), async || {
        !refreshes_by(&store, "work", daemon.pid).is_empty()
    })
    .await;
    let file = store.home().accounts_file();
    let whole = std::fs::read(&file).unwrap();
    let aside = file.with_extension("aside");
    std::fs::rename(&file, &aside).unwrap();
    std::fs::create_dir(&file).unwrap();
    daemon
        .wait_for_line("<3>cannot read the accounts file ")
        .await;
    let before = refreshes_by(&store, "work", daemon.pid).len();
    eventually(Duration::from_secs(30), async || {
        refreshes_by(&store, "work", daemon.pid).len() >= before + 2
    })
    .await;
    std::fs::remove_dir(&file).unwrap();

    // Someone else's file, linked in place, names a hook: it must never run.
    let stranger = tempfile::tempdir().unwrap();
    let pwned = stranger.path().join("pwned");
    let theirs = stranger.path().join("accounts.toml");
    let mut text = String::from_utf8(whole.clone()).unwrap();
    text.push_str(&format!(
        "\n[accounts.work.hooks]\nrefreshed = \"touch {}\"\n",
        pwned.display()
    ));
    std::fs::write(&theirs, text).unwrap();
    // `nobody`; giving a file away takes root, which CI is (elsewhere this part is skipped).
    let owned = std::os::unix::fs::chown(&theirs, Some(65534), None);
    if owned.is_ok() {
        std::os::unix::fs::symlink(&theirs, &file).unwrap();
        let before = refreshes_by(&store, "work", daemon.pid).len();
        eventually(Duration::from_secs(30), async || {
            refreshes_by(&store, "work", daemon.pid).len() >= before + 2
        })
        .await;
        assert!(
            !pwned.exists(),
            "a hook from another user's accounts file ran"
        );
        let out = deck.run(&["list"], "").await;
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(out.status.code(), Some(7), "{stderr}");
        assert!(
            stderr.contains("belongs to another user") && stderr.contains("Move it away"),
            "{stderr}"
        );
        std::fs::remove_file(&file).unwrap();
    } else {
        eprintln!(
            "skipped the untrusted file: this user cannot give a file to another ({owned:?})"
        );
    }
    std::fs::rename(&aside, &file).unwrap();
    daemon
        .wait_for_line("<6>the accounts file is readable again: keeping 1 account fresh")
        .await;
    let said = daemon.stderr();
    assert!(said.contains("Meanwhile the daemon keeps"), "{said}");
    let (status, _, stderr) = daemon.stop("TERM").await;
    assert!(status.success(), "{stderr}");
    assert!(!pwned.exists());
    assert_eq!(server.count("refresh token reused").await, 0);
}

/// A damaged status file (the account's expiry unknown) does not hide a live account: the
/// daemon asks the keyring record, keeps refreshing, and writes the status afresh.
#[tokio::test]
async fn a_damaged_status_file_is_written_afresh_and_the_account_kept_fresh() {
    let server = TestProvider::start_with(Options {
        access_ttl: 4,
        ..Options::default()
    })
    .await;
    let deck = linked(&server, "work").await;
    let daemon = Daemon::start(&deck).await;
    let store = store(&deck);
    eventually(Duration::from_secs(20), async || {
        !refreshes_by(&store, "work", daemon.pid).is_empty()
    })
    .await;
    let status = store.home().status_file("work");
    common::replace_file(&status, b"{\"token\": {\"obtai");
    let before = refreshes_by(&store, "work", daemon.pid).len();
    eventually(Duration::from_secs(30), async || {
        refreshes_by(&store, "work", daemon.pid).len() >= before + 2
    })
    .await;
    assert!(
        !store.status("work").unreadable && store.status("work").token.is_some(),
        "{:?}",
        std::fs::read_to_string(&status)
    );
    let (status, _, stderr) = daemon.stop("TERM").await;
    assert!(status.success(), "{stderr}");
    assert_eq!(server.count("refresh token reused").await, 0);
}

#[tokio::test]
async fn the_tui_beside_a_daemon_never_refreshes_an_account_twice() {
    const TTL: u64 = 12;
    const WATCH: Duration = Duration::from_secs(6 * TTL);
    let server = TestProvider::start_with(Options {
        access_ttl: TTL,
        ..Options::default()
    })
    .await;
    let deck = linked(&server, "work").await;
    let daemon = Daemon::start(&deck).await;
    let pid = daemon.pid;
    let binary = Deck::binary();
    let home = deck.home().to_str().unwrap().to_string();
    let tmux = Tmux::start(&[binary.to_str().unwrap(), "--home", &home], 100, 30);
    let header = format!("daemon: pid {pid}");
    tmux.wait_for(&header, Duration::from_secs(15));
    let before = server.count("grant refresh_token 200").await;
    let since = SystemTime::now();

    // Two refreshers, each with its own engine, both due at the same moments, for six lifetimes.
    let start = Instant::now();
    while start.elapsed() < WATCH {
        assert!(tmux.running(), "the TUI ended");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    tmux.wait_for(&header, Duration::from_secs(1));
    tmux.keys(&["q"]);
    tmux.wait_until_gone(Duration::from_secs(10));
    let (status, ..) = daemon.stop("TERM").await;
    assert!(status.success());

    let refreshes = server.count("grant refresh_token 200").await - before;
    let store = store(&deck);
    let mut done: Vec<Event> = store
        .log()
        .read_all()
        .into_iter()
        .filter(|e| e.time >= since && e.outcome == Outcome::Ok)
        .filter(|e| e.trigger == Trigger::AheadOfExpiry)
        .collect();
    done.sort_by_key(|e| e.time);
    let by_daemon = done.iter().filter(|e| e.pid == pid).count();
    let summary = format!(
        "{refreshes} token requests, {} logged refreshes ({by_daemon} by the daemon)",
        done.len()
    );
    // Every token request is one logged refresh, by one process; none came soon after another.
    assert_eq!(refreshes, done.len() as u64, "{summary}");
    // And one line each: the process that found the refresh already done (an adoption) adds none.
    let lines: Vec<String> = store
        .log()
        .read_all()
        .into_iter()
        .filter(|e| e.time >= since)
        .map(|e| format!("{:?} {:?} by {}", e.trigger, e.outcome, e.pid))
        .collect();
    assert_eq!(lines.len() as u64, refreshes, "{summary}: {lines:#?}");
    assert!(
        (WATCH.as_secs() / TTL..=WATCH.as_secs() / (TTL / 2) + 2).contains(&refreshes),
        "{summary}"
    );
    for pair in done.windows(2) {
        let gap = pair[1]
            .time
            .duration_since(pair[0].time)
            .unwrap_or_default();
        assert!(
            gap >= Duration::from_secs(TTL / 4),
            "two refreshes {gap:?} apart (pids {} and {}): {summary}",
            pair[0].pid,
            pair[1].pid
        );
    }
    assert_eq!(server.count("refresh token reused").await, 0);
}

#[tokio::test]
async fn install_writes_a_unit_that_runs_this_binary_on_this_home() {
    let config = tempfile::tempdir().unwrap();
    let deck = Deck::new().with_env("XDG_CONFIG_HOME", config.path().to_str().unwrap());
    let unit = config.path().join("systemd/user/tokendeck.service");

    let out = deck.run(&["daemon", "--install"], "").await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "systemctl --user daemon-reload && systemctl --user enable --now tokendeck\n"
    );
    let written = std::fs::read_to_string(&unit).unwrap();
    let binary = Deck::binary().canonicalize().unwrap();
    let home = deck.home().canonicalize().unwrap();
    let exec = format!(
        "\nExecStart={} --home {} daemon\n",
        binary.display(),
        home.display()
    );
    assert!(written.contains(&exec), "{written}");
    // systemd waits for the daemon's READY=1 (tests/it/systemd.rs), and still accepts the unit.
    assert!(written.contains("\nType=notify\n"), "{written}");
    verify(&unit);

    // Again: the same unit, left alone. A different one is kept unless --force.
    assert!(
        deck.run(&["daemon", "--install"], "")
            .await
            .status
            .success()
    );
    std::fs::write(&unit, written.replace("RestartSec=10", "RestartSec=1")).unwrap();
    let out = deck.run(&["daemon", "--install"], "").await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("--install --force"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        deck.run(&["daemon", "--install", "--force"], "")
            .await
            .status
            .success()
    );
    assert_eq!(std::fs::read_to_string(&unit).unwrap(), written);
    // With --share, the service's daemon answers on share.sock too (what `daemon --share` does
    // is tested in tests/it/share.rs); it is another unit, so it takes --force.
    let out = deck.run(&["daemon", "--install", "--share"], "").await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("`tokendeck daemon --install --share --force`"),
        "{}",
        text(&out.stderr)
    );
    let out = deck
        .run(&["daemon", "--install", "--share", "--force"], "")
        .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shared = std::fs::read_to_string(&unit).unwrap();
    let exec_shared = exec.replace(" daemon\n", " daemon --share\n");
    assert!(shared.contains(&exec_shared), "{shared}");
    verify(&unit);
    // Every option of the daemon given with --install is the service's (none dropped unsaid).
    let socket = config.path().join("agent.sock");
    let out = deck
        .run(
            &[
                "daemon",
                "--install",
                "--force",
                "--no-notify",
                "--max-per-endpoint",
                "2",
                "--socket-path",
                socket.to_str().unwrap(),
            ],
            "",
        )
        .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let options = std::fs::read_to_string(&unit).unwrap();
    let exec_options = exec.replace(
        " daemon\n",
        &format!(
            " daemon --no-notify --max-per-endpoint 2 --socket-path {}\n",
            socket.display()
        ),
    );
    assert!(options.contains(&exec_options), "{options}");
    verify(&unit);
    let out = deck.run(&["daemon", "--install", "--force"], "").await;
    assert!(out.status.success(), "{}", text(&out.stderr));

    // Enabled, it is not removed behind systemd's back.
    let wants = config.path().join("systemd/user/default.target.wants");
    std::fs::create_dir_all(&wants).unwrap();
    std::os::unix::fs::symlink(&unit, wants.join("tokendeck.service")).unwrap();
    let out = deck.run(&["daemon", "--uninstall"], "").await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("run `systemctl --user disable --now tokendeck` first"),
        "{}",
        text(&out.stderr)
    );
    assert!(unit.exists());
    std::fs::remove_file(wants.join("tokendeck.service")).unwrap();
    let out = deck.run(&["daemon", "--uninstall"], "").await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!unit.exists());
}

/// A link planted at the unit's path (to a file of someone else's, say) is never written
/// through: `--install` refuses it unless `--force`, which puts tokendeck's own file (0600)
/// in the link's place and leaves what it pointed to as it was.
#[tokio::test]
async fn install_replaces_a_link_at_the_unit_s_path_and_never_writes_through_it() {
    let config = tempfile::tempdir().unwrap();
    let deck = Deck::new().with_env("XDG_CONFIG_HOME", config.path().to_str().unwrap());
    let dir = config.path().join("systemd/user");
    std::fs::create_dir_all(&dir).unwrap();
    let target = config.path().join("someone-elses-file");
    std::fs::write(&target, "not a unit\n").unwrap();
    let unit = dir.join("tokendeck.service");
    std::os::unix::fs::symlink(&target, &unit).unwrap();

    let out = deck.run(&["daemon", "--install"], "").await;
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("is a symbolic link") && err.contains("--install --force"),
        "{err}"
    );
    assert!(unit.is_symlink());

    let out = deck.run(&["daemon", "--install", "--force"], "").await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!unit.is_symlink(), "the link was replaced");
    assert_eq!(common::mode(&unit), 0o600);
    assert!(
        std::fs::read_to_string(&unit)
            .unwrap()
            .contains("ExecStart=")
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "not a unit\n");
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["tokendeck.service"], "no temporary file left");
}

/// The daemon dumps no core and cannot be read by its user's other processes, and does its work
/// all the same: it refreshes an account, stores the new tokens and logs it; its CPU time and
/// memory stay readable in /proc, as the benchmarks read them.
#[tokio::test]
async fn the_daemon_dumps_no_core_and_still_refreshes() {
    let server = TestProvider::start_with(Options {
        access_ttl: 4,
        ..Options::default()
    })
    .await;
    let deck = linked(&server, "work").await;
    let daemon = Daemon::start(&deck).await;
    common::assert_dumps_no_core(daemon.pid);
    let store = store(&deck);
    eventually(Duration::from_secs(15), async || {
        !refreshes_by(&store, "work", daemon.pid).is_empty()
    })
    .await;
    common::assert_dumps_no_core(daemon.pid);
    let (status, _, stderr) = daemon.stop("TERM").await;
    assert!(status.success(), "{stderr}");
    assert!(!stderr.contains("undumpable"), "{stderr}");
    assert!(!deck.ok(&["token", "work"]).await.trim().is_empty());
}

/// `systemd-analyze verify` on the unit, where the tool exists.
fn verify(unit: &PathBuf) {
    let Ok(out) = std::process::Command::new("systemd-analyze")
        .arg("verify")
        .arg(unit)
        .output()
    else {
        eprintln!("note: systemd-analyze is not installed; the unit was not verified by systemd");
        return;
    };
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "systemd-analyze verify: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}
