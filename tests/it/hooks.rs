//! Event hooks against the real oidc-provider and keyring: `refreshed`, `linked`, `removed`,
//! `refresh-failed` and `needs-relink` run with the documented environment and no token or secret
//! in it; a hook past its timeout is killed with what it started — also what it left running in
//! the background when it exited at once, and with SIGKILL when it ignores SIGTERM; the daemon
//! ends its running hooks as it exits; a failing hook's status and stderr (secrets cut out) land
//! in `tokendeck log`; `token` answers before its hook is done; and a slow hook does not hold up
//! the daemon's refresh of another account.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::cli::{Deck, text};
use common::{Options, TestProvider, eventually, kill_0, pid_in, running};
use tokendeck::store::{Event, Home, HookEvent, Outcome, Store, Trigger};
use tokio::io::AsyncReadExt;

/// A hook that writes its environment to `file`.
fn env_to(file: &Path) -> String {
    format!("sh -c 'env > {}'", file.display())
}

/// `KEY=value` lines as a map (values holding newlines are cut, which no test needs).
fn env_file(file: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(file)
        .unwrap_or_else(|e| panic!("the hook wrote no {}: {e}", file.display()));
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The stored access and refresh tokens and the client secret of `name`.
async fn secrets(deck: &Deck, name: &str) -> Vec<String> {
    let home = Home::rooted(deck.home()).unwrap();
    let keyring = tokendeck::store::Keyring::open(home.keyring_service())
        .await
        .unwrap();
    let record = keyring.read(name).await.unwrap().unwrap();
    let tokens = record.tokens.unwrap();
    let mut all = vec![
        tokens.access_token().to_string(),
        "basic-secret-value".to_string(),
    ];
    all.extend(tokens.refresh_token().map(str::to_string));
    all
}

fn assert_no_secret(file: &Path, secrets: &[String]) {
    let text = std::fs::read_to_string(file).unwrap();
    for secret in secrets {
        assert!(
            !text.contains(secret.as_str()),
            "a secret reached the hook's environment"
        );
    }
}

fn hook_events(deck: &Deck, account: &str) -> Vec<Event> {
    Store::new(Home::rooted(deck.home()).unwrap())
        .log()
        .read_all()
        .into_iter()
        .filter(|e| e.trigger == Trigger::Hook && e.account == account)
        .collect()
}

struct Files(tempfile::TempDir);

impl Files {
    fn new() -> Files {
        Files(tempfile::tempdir().unwrap())
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }
}

#[tokio::test]
async fn refreshed_linked_and_removed_hooks_get_the_documented_environment_and_no_secret() {
    let server = TestProvider::start().await;
    let files = Files::new();
    let deck = Deck::new().with_env("TOKENDECK_TEST_BIN", Deck::binary().to_str().unwrap());
    // A home-wide default for `removed`, and the account's own for the others.
    let on_refreshed = format!("refreshed={}", env_to(&files.path("refreshed")));
    // The `linked` hook asks for the token as a script would: the same home, no token given.
    let on_linked = format!(
        "linked=sh -c 'env > {}; \"$TOKENDECK_TEST_BIN\" token \"$TOKENDECK_ACCOUNT\" > {}'",
        files.path("linked").display(),
        files.path("token-from-hook").display()
    );
    let out = deck
        .add_with(
            &server,
            "work",
            "basic-secret-value",
            &["--on", &on_refreshed, "--on", &on_linked],
        )
        .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    // The home-wide table, written by hand as the README says.
    let accounts = Home::rooted(deck.home()).unwrap().accounts_file();
    let file = std::fs::read_to_string(&accounts).unwrap();
    let removed = env_to(&files.path("removed"));
    std::fs::write(
        &accounts,
        format!("[hooks]\nremoved = \"{removed}\"\n\n{file}"),
    )
    .unwrap();

    assert!(deck.link("work").await.status.success());
    // `link` waited for its hook before it exited.
    let linked = env_file(&files.path("linked"));
    assert_eq!(linked["TOKENDECK_EVENT"], "linked");
    assert_eq!(linked["TOKENDECK_ACCOUNT"], "work");
    assert_eq!(Path::new(&linked["TOKENDECK_HOME"]), deck.home());
    let token = deck.ok(&["token", "work"]).await;
    assert_eq!(
        std::fs::read_to_string(files.path("token-from-hook")).unwrap(),
        token,
        "`tokendeck token` inside the hook read this home"
    );

    let out = deck.run(&["refresh", "work"], "").await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let refreshed = env_file(&files.path("refreshed"));
    assert_eq!(refreshed["TOKENDECK_EVENT"], "refreshed");
    assert_eq!(refreshed["TOKENDECK_ACCOUNT"], "work");
    let expires_at: jiff::Timestamp = refreshed["TOKENDECK_EXPIRES_AT"].parse().unwrap();
    assert!(expires_at > jiff::Timestamp::now());
    assert!(!refreshed.contains_key("TOKENDECK_MESSAGE"));
    let secrets = secrets(&deck, "work").await;
    assert_no_secret(&files.path("refreshed"), &secrets);
    assert_no_secret(&files.path("linked"), &secrets);

    assert!(
        deck.run(&["remove", "work", "--keep-grant"], "")
            .await
            .status
            .success()
    );
    let removed = env_file(&files.path("removed"));
    assert_eq!(removed["TOKENDECK_EVENT"], "removed");
    assert_eq!(removed["TOKENDECK_ACCOUNT"], "work");

    let ran: Vec<_> = hook_events(&deck, "work")
        .iter()
        .map(|e| (e.hook.unwrap(), e.outcome))
        .collect();
    assert_eq!(
        ran,
        [
            (HookEvent::Linked, Outcome::Ok),
            (HookEvent::Refreshed, Outcome::Ok),
            (HookEvent::Removed, Outcome::Ok),
        ]
    );
}

#[tokio::test]
async fn a_refused_grant_runs_refresh_failed_and_needs_relink_with_the_message() {
    let server = TestProvider::start().await;
    let files = Files::new();
    let deck = Deck::new();
    deck.add(&server, "work").await;
    assert!(deck.link("work").await.status.success());
    for event in ["refresh-failed", "needs-relink"] {
        let on = format!("{event}={}", env_to(&files.path(event)));
        deck.ok(&["set", "work", "--on", &on]).await;
    }
    let secrets = secrets(&deck, "work").await;
    server
        .revoke_refresh_token(common::Client::Basic, &secrets[2])
        .await;
    let out = deck.run(&["refresh", "work"], "").await;
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    for event in ["refresh-failed", "needs-relink"] {
        let env = env_file(&files.path(event));
        assert_eq!(env["TOKENDECK_EVENT"], event);
        assert!(
            env["TOKENDECK_MESSAGE"].contains("invalid_grant"),
            "{:?}",
            env["TOKENDECK_MESSAGE"]
        );
        assert_no_secret(&files.path(event), &secrets);
    }
}

#[tokio::test]
async fn a_hook_past_its_timeout_is_killed_with_what_it_started_and_logged() {
    let server = TestProvider::start().await;
    let files = Files::new();
    let deck = Deck::new().with_env("TOKENDECK_HOOK_TIMEOUT", "1");
    deck.add(&server, "work").await;
    assert!(deck.link("work").await.status.success());
    // A child in the background, and the hook waiting on it: both must go.
    let on = format!(
        "refreshed=sh -c 'sleep 30 & echo $! > {}; wait'",
        files.path("pid").display()
    );
    deck.ok(&["set", "work", "--on", &on]).await;
    let started = Instant::now();
    let out = deck.run(&["refresh", "work"], "").await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "refresh waited {:?} for a hook with a 1 s timeout",
        started.elapsed()
    );
    let pid = std::fs::read_to_string(files.path("pid")).unwrap();
    let proc = PathBuf::from(format!("/proc/{}", pid.trim()));
    eventually(Duration::from_secs(5), async || !proc.exists()).await;

    let log = deck.ok(&["log", "work"]).await;
    let line = log
        .lines()
        .find(|l| l.contains("hook refreshed"))
        .unwrap_or_else(|| panic!("no hook line in:\n{log}"));
    assert!(
        line.contains("failed") && line.contains("timed out after 1s"),
        "{line}"
    );
}

/// The report: `sh -c 'sleep 300 & echo started >&2'` exited at once, its stderr read for 200 ms,
/// and its `sleep` ran on for five minutes, past any timeout, with no one left to end it.
#[tokio::test]
async fn what_a_hook_leaves_in_the_background_is_ended_at_its_timeout() {
    let server = TestProvider::start().await;
    let files = Files::new();
    let deck = Deck::new().with_env("TOKENDECK_HOOK_TIMEOUT", "1");
    deck.add(&server, "work").await;
    assert!(deck.link("work").await.status.success());
    let on = format!(
        "refreshed=sh -c 'sleep 300 & echo $! > {}; echo started >&2'",
        files.path("pid").display()
    );
    deck.ok(&["set", "work", "--on", &on]).await;
    let out = deck.run(&["refresh", "work"], "").await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let pid = pid_in(&files.path("pid")).await;
    // `refresh` waited for the hook's run, which lasted until its background child was ended.
    eventually(Duration::from_secs(5), async || !running(&pid)).await;
    eventually(Duration::from_secs(5), async || !kill_0(&pid)).await;

    let event = hook_events(&deck, "work").pop().unwrap();
    assert_eq!(event.outcome, Outcome::Failed);
    let message = event.message.unwrap();
    assert!(
        message.starts_with(
            "timed out after 1s: it exited (status 0), but what it started in the background was still running, and was ended"
        ) && message.ends_with("stderr: started"),
        "{message}"
    );
}

/// A hook and its child that ignore SIGTERM are killed after the grace period.
#[tokio::test]
async fn a_hook_that_ignores_sigterm_is_killed() {
    let server = TestProvider::start().await;
    let files = Files::new();
    let deck = Deck::new().with_env("TOKENDECK_HOOK_TIMEOUT", "1");
    deck.add(&server, "work").await;
    assert!(deck.link("work").await.status.success());
    let on = format!(
        "refreshed=sh -c 'trap \"\" TERM; echo $$ > {}; sleep 300 & echo $! > {}; wait'",
        files.path("hook").display(),
        files.path("child").display()
    );
    deck.ok(&["set", "work", "--on", &on]).await;
    let out = deck.run(&["refresh", "work"], "").await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    for file in ["hook", "child"] {
        let pid = pid_in(&files.path(file)).await;
        eventually(Duration::from_secs(5), async || !running(&pid)).await;
    }
    let message = hook_events(&deck, "work").pop().unwrap().message.unwrap();
    assert_eq!(
        message,
        "timed out after 1s, and was killed (it ignored SIGTERM)"
    );
}

/// The daemon, told to stop while a hook runs, ends the hook and what it started, and logs it;
/// before, it killed the hook's shell only, and the shell's child ran on.
#[tokio::test]
async fn the_daemon_ends_its_running_hooks_as_it_exits() {
    let server = TestProvider::start_with(Options {
        access_ttl: 4,
        ..Options::default()
    })
    .await;
    let files = Files::new();
    let deck = Deck::new();
    deck.add(&server, "work").await;
    assert!(deck.link("work").await.status.success());
    let on = format!(
        "refreshed=sh -c 'echo $$ > {}; sleep 300 & echo $! > {}; wait'",
        files.path("hook").display(),
        files.path("child").display()
    );
    deck.ok(&["set", "work", "--on", &on]).await;
    let mut daemon = deck
        .command(&["daemon"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let hook = pid_in(&files.path("hook")).await;
    let child = pid_in(&files.path("child")).await;
    assert!(running(&hook) && running(&child));
    common::signal(daemon.id().unwrap(), "TERM");
    let status = tokio::time::timeout(Duration::from_secs(10), daemon.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success());
    // Ended before the daemon exited; reaped by init a moment later.
    for pid in [&hook, &child] {
        eventually(Duration::from_secs(5), async || !kill_0(pid)).await;
    }
    let event = hook_events(&deck, "work").pop().unwrap();
    assert_eq!(event.outcome, Outcome::Failed);
    assert_eq!(
        event.message.as_deref(),
        Some("stopped: tokendeck exited while it ran, and was ended")
    );
}

/// Ctrl-C while a command waits for its hooks: they are ended and logged, not left behind.
#[tokio::test]
async fn ctrl_c_while_a_command_waits_for_its_hooks_ends_them() {
    let server = TestProvider::start().await;
    let files = Files::new();
    let deck = Deck::new();
    deck.add(&server, "work").await;
    assert!(deck.link("work").await.status.success());
    let on = format!(
        "refreshed=sh -c 'sleep 300 & echo $! > {}; wait'",
        files.path("child").display()
    );
    deck.ok(&["set", "work", "--on", &on]).await;
    let mut refresh = deck
        .command(&["refresh", "work"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let child = pid_in(&files.path("child")).await;
    // Its stdout ends when the command has done its work and waits for its hooks.
    let mut stdout = String::new();
    refresh
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .await
        .unwrap();
    common::signal(refresh.id().unwrap(), "INT");
    let out = tokio::time::timeout(Duration::from_secs(10), refresh.wait_with_output())
        .await
        .expect("refresh exits at once after Ctrl-C")
        .unwrap();
    assert!(
        out.status.success(),
        "the refresh itself was done: {}",
        text(&out.stderr)
    );
    eventually(Duration::from_secs(5), async || !kill_0(&child)).await;
    let message = hook_events(&deck, "work").pop().unwrap().message.unwrap();
    assert_eq!(
        message,
        "stopped: tokendeck exited while it ran, and was ended"
    );
}

/// SIGTERM and SIGHUP while a command that refreshed nothing (`remove`, with its `removed` hook)
/// waits for its hooks: they are ended and logged too — the hook's process group is its own, so
/// the signal that ends tokendeck would not reach it.
#[tokio::test]
async fn sigterm_or_sighup_while_a_command_waits_for_its_hooks_ends_them() {
    for signal in ["TERM", "HUP"] {
        let server = TestProvider::start().await;
        let files = Files::new();
        let deck = Deck::new();
        deck.add(&server, "work").await;
        let on = format!(
            "removed=sh -c 'sleep 300 & echo $! > {}; wait'",
            files.path("child").display()
        );
        deck.ok(&["set", "work", "--on", &on]).await;
        let mut remove = deck
            .command(&["remove", "work", "--keep-grant"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let child = pid_in(&files.path("child")).await;
        let mut stdout = String::new();
        remove
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut stdout)
            .await
            .unwrap();
        common::signal(remove.id().unwrap(), signal);
        let out = tokio::time::timeout(Duration::from_secs(10), remove.wait_with_output())
            .await
            .expect("remove exits at once after the signal")
            .unwrap();
        assert!(out.status.success(), "SIG{signal}: {}", text(&out.stderr));
        eventually(Duration::from_secs(5), async || !kill_0(&child)).await;
        let message = hook_events(&deck, "work").pop().unwrap().message.unwrap();
        assert_eq!(
            message, "stopped: tokendeck exited while it ran, and was ended",
            "SIG{signal}"
        );
    }
}

/// Ctrl-C while the provider holds a rotated answer: the command waits for it to be stored, and
/// the refresh it waited for is logged with its `refreshed` hook — started, then ended with the
/// command — not lost between the refresh's end and the exit.
#[tokio::test]
async fn the_refresh_a_stop_waited_for_still_logs_its_hook() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    deck.add(&server, "work").await;
    assert!(deck.link("work").await.status.success());
    deck.ok(&["set", "work", "--on", "refreshed=sleep 30"])
        .await;
    server.fault("/token", 1, "delay_after_ms=1500").await;
    let refresh = deck
        .command(&["refresh", "work"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    eventually(Duration::from_secs(10), async || {
        server.count("grant refresh_token 200").await > 0
    })
    .await;
    common::signal(refresh.id().unwrap(), "INT");
    let out = tokio::time::timeout(Duration::from_secs(20), refresh.wait_with_output())
        .await
        .expect("refresh ends once its answer is stored")
        .unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
    let hooks = hook_events(&deck, "work");
    assert_eq!(
        hooks.len(),
        1,
        "one hook line for the stored refresh: {hooks:?}"
    );
    assert_eq!(hooks[0].hook, Some(tokendeck::store::HookEvent::Refreshed));
    assert_eq!(
        hooks[0].message.as_deref(),
        Some("stopped: tokendeck exited while it ran, and was ended")
    );
    // The stored tokens still refresh (without the slow hook this time).
    deck.ok(&["set", "work", "--on", "refreshed="]).await;
    deck.ok(&["refresh", "work"]).await;
    assert_eq!(server.count("refresh token reused").await, 0);
}

/// A hook whose child leaves its process group (job control, here) holds its stderr past the
/// timeout: tokendeck cannot end what left the group, and the log says so rather than claiming
/// it was ended.
#[tokio::test]
async fn a_child_that_left_the_hook_s_group_is_named_not_claimed_ended() {
    let server = TestProvider::start().await;
    let files = Files::new();
    let deck = Deck::new().with_env("TOKENDECK_HOOK_TIMEOUT", "2");
    deck.add(&server, "work").await;
    assert!(deck.link("work").await.status.success());
    let on = format!(
        "refreshed=bash -c 'set -m; sleep 60 & echo $! > {}; echo bg >&2'",
        files.path("child").display()
    );
    deck.ok(&["set", "work", "--on", &on]).await;
    deck.ok(&["refresh", "work"]).await;
    let child = pid_in(&files.path("child")).await;
    let message = hook_events(&deck, "work").pop().unwrap().message.unwrap();
    // It did escape: it runs on (and is ended here, by the test).
    let escaped = kill_0(&child);
    common::signal(child.parse().unwrap(), "KILL");
    assert!(escaped, "the child was expected to leave the group");
    assert!(
        message.starts_with("timed out after 2s: it exited (status 0), but something it started had left its process group"),
        "{message}"
    );
    assert!(message.ends_with("stderr: bg"), "{message}");
}

/// A hook that prints the token it fetched to stderr by mistake: the log keeps its words, not
/// the token.
#[tokio::test]
async fn a_hook_s_stderr_is_logged_without_the_account_s_secrets() {
    let server = TestProvider::start().await;
    let deck = Deck::new().with_env("TOKENDECK_TEST_BIN", Deck::binary().to_str().unwrap());
    deck.add(&server, "work").await;
    assert!(deck.link("work").await.status.success());
    let on =
        "refreshed=sh -c 'echo \"token is $(\"$TOKENDECK_TEST_BIN\" token work)\" >&2; exit 1'";
    deck.ok(&["set", "work", "--on", on]).await;
    let out = deck.run(&["refresh", "work"], "").await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let event = hook_events(&deck, "work").pop().unwrap();
    assert_eq!(
        event.message.as_deref(),
        Some("exit status 1; stderr: token is [redacted access token]")
    );
    let log = std::fs::read_to_string(Home::rooted(deck.home()).unwrap().events_file()).unwrap();
    for secret in secrets(&deck, "work").await {
        assert!(!log.contains(&secret), "a secret reached the event log");
    }
}

#[tokio::test]
async fn a_failing_hook_s_status_and_stderr_tail_land_in_the_log() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    deck.add(&server, "work").await;
    assert!(deck.link("work").await.status.success());
    let noise = "x".repeat(3000);
    let on = format!(
        "refreshed=sh -c 'echo {noise} >&2; printf \"no route\\007 to host\\n\" >&2; exit 3'"
    );
    deck.ok(&["set", "work", "--on", &on]).await;
    let out = deck.run(&["refresh", "work"], "").await;
    assert!(
        out.status.success(),
        "a hook's failure is not the refresh's"
    );

    let log = deck.ok(&["log", "work"]).await;
    let line = log.lines().find(|l| l.contains("hook refreshed")).unwrap();
    assert!(
        line.contains("failed") && line.contains("exit status 3") && line.contains("no route"),
        "{line}"
    );
    assert!(!line.contains('\x07'), "the bell was escaped: {line:?}");
    let json = deck.ok(&["log", "work", "--json"]).await;
    let event: serde_json::Value = json
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|e| e["trigger"] == "hook")
        .unwrap();
    assert_eq!(event["hook"], "refreshed");
    assert_eq!(event["outcome"], "failed");
    let message = event["message"].as_str().unwrap();
    assert!(
        message.len() < 1200,
        "only the tail is kept: {}",
        message.len()
    );
    assert!(message.ends_with("no route\u{7} to host"), "{message:?}");
}

#[tokio::test]
async fn a_hook_that_does_not_parse_or_start_is_said_and_logged() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    deck.add(&server, "work").await;
    let out = deck.run(&["set", "work", "--on", "refresh=true"], "").await;
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    for event in [
        "refreshed",
        "refresh-failed",
        "needs-relink",
        "linked",
        "removed",
    ] {
        assert!(err.contains(event), "{err}");
    }
    let out = deck
        .run(&["set", "work", "--on", "linked=sh -c 'x"], "")
        .await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));

    deck.ok(&["set", "work", "--on", "linked=/no/such/program arg"])
        .await;
    assert!(deck.link("work").await.status.success());
    let event = hook_events(&deck, "work").pop().unwrap();
    assert_eq!(event.outcome, Outcome::Failed);
    let message = event.message.unwrap();
    assert!(
        message.starts_with("could not start: /no/such/program:"),
        "{message}"
    );
    // And removed again: no more hook runs.
    deck.ok(&["set", "work", "--on", "linked="]).await;
    assert!(deck.link("work").await.status.success());
    assert_eq!(hook_events(&deck, "work").len(), 1);
}

#[tokio::test]
async fn token_answers_before_its_hook_is_done() {
    let server = TestProvider::start_with(Options {
        access_ttl: 2,
        ..Options::default()
    })
    .await;
    let files = Files::new();
    let deck = Deck::new();
    deck.add(&server, "work").await;
    assert!(deck.link("work").await.status.success());
    let marker = files.path("done");
    let on = format!("refreshed=sh -c 'sleep 4; touch {}'", marker.display());
    deck.ok(&["set", "work", "--on", &on]).await;
    // Until the 2-s token is due, so that `token` refreshes (and fires the hook).
    eventually(Duration::from_secs(10), async || {
        let status = deck.ok(&["status", "work", "--json"]).await;
        !status.contains(r#""status":"valid""#)
    })
    .await;

    let mut child = deck
        .command(&["token", "work"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut token = String::new();
    // The end of stdout: what `$(tokendeck token work)` waits for.
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut token)
        .await
        .unwrap();
    assert!(!token.trim().is_empty());
    assert!(
        !marker.exists(),
        "stdout stayed open until the hook had finished"
    );
    let out = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        marker.exists(),
        "token waited for its hook before it exited"
    );
    assert!(
        hook_events(&deck, "work")
            .iter()
            .any(|e| e.hook == Some(HookEvent::Refreshed) && e.outcome == Outcome::Ok)
    );
}

#[tokio::test]
async fn a_slow_hook_does_not_hold_up_the_daemon_s_other_refreshes() {
    let server = TestProvider::start_with(Options {
        access_ttl: 10,
        ..Options::default()
    })
    .await;
    let deck = Deck::new();
    for name in ["slow", "fast"] {
        deck.add(&server, name).await;
        assert!(deck.link(name).await.status.success());
    }
    deck.ok(&["set", "slow", "--on", "refreshed=sleep 10"])
        .await;
    let files = Files::new();
    let on = format!("refreshed={}", env_to(&files.path("fast")));
    deck.ok(&["set", "fast", "--on", &on]).await;
    let mut daemon = deck
        .command(&["daemon"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = daemon.id().unwrap();
    let store = Store::new(Home::rooted(deck.home()).unwrap());
    let refreshed = |name: &str| {
        store
            .log()
            .read_all()
            .into_iter()
            .filter(|e| e.pid == pid && e.account == name)
            .filter(|e| e.trigger == Trigger::AheadOfExpiry && e.outcome == Outcome::Ok)
            .map(|e| e.time)
            .collect::<Vec<_>>()
    };
    // The slow hook's first run ends 10 s after the first refresh of `slow`; meanwhile `fast`
    // (and `slow` itself) go on being refreshed.
    eventually(Duration::from_secs(40), async || {
        hook_events(&deck, "slow").iter().any(|e| e.pid == pid)
    })
    .await;
    let first_slow = refreshed("slow")[0];
    let hook_done = hook_events(&deck, "slow")[0].time;
    assert!(hook_done.duration_since(first_slow).unwrap() >= Duration::from_secs(9));
    let fast_meanwhile = refreshed("fast")
        .into_iter()
        .filter(|t| *t > first_slow && *t < hook_done)
        .count();
    assert!(
        fast_meanwhile >= 1,
        "no refresh of the other account while the hook ran"
    );
    // The daemon's hooks get the same environment, and no secret either.
    let env = env_file(&files.path("fast"));
    assert_eq!(env["TOKENDECK_EVENT"], "refreshed");
    assert_eq!(env["TOKENDECK_ACCOUNT"], "fast");
    assert!(env.contains_key("TOKENDECK_EXPIRES_AT"));
    assert_no_secret(&files.path("fast"), &secrets(&deck, "fast").await);
    common::signal(pid, "TERM");
    let status = tokio::time::timeout(Duration::from_secs(10), daemon.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success());
}
