//! `tokendeck git-credential` with the real git: clone and fetch over HTTP from `git
//! http-backend` behind a server that takes only a password the test provider's API accepts.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use serde_json::Value;

use crate::common::cli::{Deck, text};
use crate::common::git_http::GitServer;
use crate::common::{Options, TestProvider, eventually};

/// Runs git with no configuration but the test's: no system or global config, no prompt, the
/// helpers cleared and then `helpers` in order.
fn git(cwd: &Path, helpers: &[String], args: &[&str]) -> Output {
    let mut command = std::process::Command::new("git");
    command
        .current_dir(cwd)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env_remove("GIT_ASKPASS")
        .env_remove("SSH_ASKPASS")
        .args(["-c", "credential.helper="]);
    for helper in helpers {
        command.args(["-c", &format!("credential.helper={helper}")]);
    }
    command.args(args).output().expect("git runs")
}

fn ok(out: Output, what: &str) -> String {
    assert!(out.status.success(), "{what} failed: {}", text(&out.stderr));
    text(&out.stdout)
}

/// Our helper, as a person would configure it (`!` runs it through the shell).
fn helper(deck: &Deck) -> String {
    format!(
        "!'{}' --home '{}' git-credential",
        Deck::binary().display(),
        deck.home().display()
    )
}

/// A bare repository `repo.git` under `root` with one commit, and a work tree that can push
/// more to it directly.
fn repository(root: &Path) -> std::path::PathBuf {
    let work = root.join("work");
    let bare = root.join("repo.git");
    ok(
        git(root, &[], &["init", "-q", "--bare", bare.to_str().unwrap()]),
        "init",
    );
    ok(
        git(root, &[], &["init", "-q", work.to_str().unwrap()]),
        "init work",
    );
    commit(&work, "first");
    ok(
        git(
            &work,
            &[],
            &["push", "-q", bare.to_str().unwrap(), "HEAD:refs/heads/main"],
        ),
        "push",
    );
    ok(
        git(&bare, &[], &["symbolic-ref", "HEAD", "refs/heads/main"]),
        "head",
    );
    work
}

fn commit(work: &Path, message: &str) {
    let args = [
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        message,
    ];
    ok(git(work, &[], &args), "commit");
}

/// An account linked at `server` whose tokens are for the git server on `port`.
async fn linked(server: &TestProvider, port: u16) -> Deck {
    let deck = Deck::new();
    let host = format!("127.0.0.1:{port}");
    let out = deck
        .add_with(
            server,
            "forge",
            "basic-secret-value",
            &["--git-host", &host],
        )
        .await;
    assert!(out.status.success(), "add: {}", text(&out.stderr));
    let out = deck.link("forge").await;
    assert!(out.status.success(), "link: {}", text(&out.stderr));
    deck
}

async fn status(deck: &Deck) -> Value {
    serde_json::from_str(&deck.ok(&["status", "forge", "--json"]).await).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn git_clones_and_fetches_after_the_token_expired_with_tokendeck_as_its_helper() {
    let server = TestProvider::start_with(Options {
        access_ttl: 4,
        ..Options::default()
    })
    .await;
    let root = tempfile::tempdir().unwrap();
    let work = repository(root.path());
    let forge = GitServer::start(root.path(), &server.url("/api/me")).await;
    let deck = linked(&server, forge.port).await;
    let helpers = [helper(&deck)];
    let clone = root.path().join("clone");
    let out = git(
        root.path(),
        &helpers,
        &[
            "clone",
            "-q",
            &forge.url("repo.git"),
            clone.to_str().unwrap(),
        ],
    );
    // get, then store once the forge let git in: neither has anything to say.
    assert!(out.status.success(), "clone: {}", text(&out.stderr));
    assert_eq!(text(&out.stderr), "", "nothing from the helper");
    assert!(forge.counts().0 > 0, "git was let in");
    let refreshes = server.count("grant refresh_token 200").await;

    commit(&work, "second");
    let bare = root.path().join("repo.git");
    ok(
        git(
            &work,
            &[],
            &["push", "-q", bare.to_str().unwrap(), "HEAD:refs/heads/main"],
        ),
        "push",
    );
    eventually(Duration::from_secs(20), async || {
        status(&deck).await["status"] == "expired"
    })
    .await;
    ok(
        git(&clone, &helpers, &["fetch", "-q"]),
        "fetch after expiry",
    );
    let log = ok(
        git(&clone, &[], &["log", "--format=%s", "origin/main"]),
        "log",
    );
    assert_eq!(log.lines().collect::<Vec<_>>(), ["second", "first"]);
    assert!(
        server.count("grant refresh_token 200").await > refreshes,
        "the expired token was refreshed for git"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_host_no_account_claims_gets_nothing_and_git_goes_on_to_the_next_helper() {
    let server = TestProvider::start().await;
    let root = tempfile::tempdir().unwrap();
    repository(root.path());
    let forge = GitServer::start(root.path(), &server.url("/api/me")).await;
    // The account claims another port of the same machine.
    let deck = linked(&server, forge.port.wrapping_add(1).max(1)).await;
    let request = format!("protocol=http\nhost=127.0.0.1:{}\n\n", forge.port);
    let out = deck.run(&["git-credential", "get"], &request).await;
    assert!(out.status.success());
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "{out:?}");

    let asked = root.path().join("asked");
    let next = format!("!f() {{ cat > '{}'; }}; f", asked.display());
    let clone = root.path().join("clone");
    let out = git(
        root.path(),
        &[helper(&deck), next],
        &[
            "clone",
            "-q",
            &forge.url("repo.git"),
            clone.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success(), "git had no password to give");
    let asked = std::fs::read_to_string(&asked).expect("the next helper was asked");
    assert!(
        asked.contains(&format!("host=127.0.0.1:{}", forge.port)),
        "{asked}"
    );
    assert!(
        !asked.contains("password="),
        "tokendeck gave git nothing: {asked}"
    );
    assert_eq!(forge.counts().0, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_erase_after_a_refused_token_makes_the_next_get_refresh_and_keeps_the_grant() {
    let server = TestProvider::start().await;
    let root = tempfile::tempdir().unwrap();
    repository(root.path());
    let forge = GitServer::start(root.path(), &server.url("/api/me")).await;
    let deck = linked(&server, forge.port).await;
    let helpers = [helper(&deck)];
    let clone = root.path().join("clone");
    ok(
        git(
            root.path(),
            &helpers,
            &[
                "clone",
                "-q",
                &forge.url("repo.git"),
                clone.to_str().unwrap(),
            ],
        ),
        "clone",
    );
    let before = deck.ok(&["token", "forge"]).await;
    let refreshes = server.count("grant refresh_token 200").await;

    forge.refuse_next(1);
    let out = git(&clone, &helpers, &["fetch", "-q"]);
    assert!(!out.status.success(), "the forge refused the token once");
    // git said `erase`: the token is suspect, the grant is still there.
    assert_eq!(server.count("grant refresh_token 200").await, refreshes);
    ok(
        git(&clone, &helpers, &["fetch", "-q"]),
        "fetch after the erase",
    );
    assert_eq!(server.count("grant refresh_token 200").await, refreshes + 1);
    let after = deck.ok(&["token", "forge"]).await;
    assert_ne!(after, before, "git got a new token");
    assert_eq!(status(&deck).await["status"], "valid");
    // Only one refresh: the suspicion went with the token.
    ok(git(&clone, &helpers, &["fetch", "-q"]), "a later fetch");
    assert_eq!(server.count("grant refresh_token 200").await, refreshes + 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn get_answers_the_user_the_access_token_and_its_expiry_and_nothing_else() {
    let server = TestProvider::start().await;
    let deck = linked(&server, 9).await;
    let out = deck
        .run(&["set", "forge", "--git-user", "x-access-token"], "")
        .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let token = deck.ok(&["token", "forge"]).await;
    let request = "capability[]=authtype\nprotocol=http\nhost=127.0.0.1:9\npath=a/b.git\n\n";
    let answer = ok(deck.run(&["git-credential", "get"], request).await, "get");
    let keys: Vec<&str> = answer
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, _)| k)
        .collect();
    assert_eq!(keys, ["username", "password", "password_expiry_utc"]);
    assert!(answer.contains("username=x-access-token\n"));
    assert!(!answer.contains(&deck.refresh_token("forge").await));
    assert!(answer.contains(&format!("password={}", token.trim())));
    let expiry: u64 = answer.lines().last().unwrap()["password_expiry_utc=".len()..]
        .parse()
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(expiry > now && expiry <= now + 3600, "{expiry} vs {now}");
    let shown = deck.ok(&["show", "forge"]).await;
    assert!(
        shown.contains("127.0.0.1:9") && shown.contains("x-access-token"),
        "{shown}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_requests_get_nothing_on_stdout_one_line_on_stderr_and_exit_zero() {
    let server = TestProvider::start().await;
    let deck = linked(&server, 9).await;
    let long = format!(
        "protocol=http\nhost=127.0.0.1:9\npath={}\n\n",
        "a".repeat(70 << 10)
    );
    for request in [
        "protocol=http\npath=a.git\n\n".to_string(),
        "protocol=http\nhost=127.0.0.1:9\nfavourite=blue\n\n".into(),
        "protocol=http\nhost=127.0.0.1:9\0\n\n".into(),
        "protocol=http\nhost=127.0.0.1:9\rpath=x\n\n".into(),
        long,
    ] {
        let out = deck.run(&["git-credential", "get"], &request).await;
        assert_eq!(out.status.code(), Some(0));
        assert!(out.stdout.is_empty(), "{:?}", text(&out.stdout));
        let stderr = text(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.starts_with("tokendeck git-credential: not answered"),
            "{stderr}"
        );
    }
    // An https-less remote beyond this machine never gets the token.
    let out = deck
        .run(&["set", "forge", "--git-host", "git.example.com"], "")
        .await;
    assert!(out.status.success());
    let out = deck
        .run(
            &["git-credential", "get"],
            "protocol=http\nhost=git.example.com\n\n",
        )
        .await;
    assert!(out.status.success() && out.stdout.is_empty());
    assert!(
        text(&out.stderr).contains("not over http"),
        "{}",
        text(&out.stderr)
    );
}

/// Issue 23: presets fill in the hosts where their provider's tokens work for git. An account
/// from the github preset claims github.com; `--git-host` names others instead, and an empty
/// one none at all.
#[tokio::test(flavor = "multi_thread")]
async fn an_account_from_the_github_preset_claims_github_com_unless_told_otherwise() {
    let cases: [(&[&str], Value); 3] = [
        (&[], serde_json::json!(["github.com"])),
        (
            &["--git-host", "git.example.com"],
            serde_json::json!(["git.example.com"]),
        ),
        (&["--git-host", ""], serde_json::json!([])),
    ];
    for (extra, hosts) in cases {
        let deck = Deck::new();
        let mut args = vec!["add", "gh", "--preset", "github", "--client-id", "x"];
        args.extend_from_slice(extra);
        let out = deck.run(&args, "").await;
        assert!(out.status.success(), "{extra:?}: {}", text(&out.stderr));
        // Hosts the person did not name are said, with how to stop them.
        let said = text(&out.stderr).contains("\"gh\" answers git for github.com (its preset's");
        assert_eq!(said, extra.is_empty(), "{extra:?}: {}", text(&out.stderr));
        let shown: Value = serde_json::from_str(&deck.ok(&["show", "gh", "--json"]).await).unwrap();
        assert_eq!(shown["git_hosts"], hosts, "{extra:?}");
    }
    // A second account claiming the same host is warned of: git gets one of their tokens.
    let deck = Deck::new();
    for name in ["gh-work", "gh-me"] {
        let out = deck
            .run(&["add", name, "--preset", "github", "--client-id", "x"], "")
            .await;
        assert!(out.status.success(), "{}", text(&out.stderr));
        let twice = text(&out.stderr)
            .contains("claims github.com for git too: git gets \"gh-me\"'s token there");
        assert_eq!(twice, name == "gh-me", "{name}: {}", text(&out.stderr));
    }
    // A preset without git hosts claims none.
    let deck = Deck::new();
    let out = deck
        .run(&["add", "g", "--preset", "google", "--client-id", "x"], "")
        .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown: Value = serde_json::from_str(&deck.ok(&["show", "g", "--json"]).await).unwrap();
    assert_eq!(shown["git_hosts"], serde_json::json!([]));
}
