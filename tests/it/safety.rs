//! What tokendeck refuses to do however it is asked: send a token or a secret over plain http,
//! wait on an API for ever or read an endless answer, leave a removed account's pieces behind
//! for a refresh to write back, repeat a secret a provider echoes, use a home someone else can
//! write to, write a file others can read, or dump core. Against the real oidc-provider, the real
//! keyring, real file modes and real processes.

use crate::common;
mod home;

use std::fs::Permissions;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;

use common::cli::{Deck, text};
use common::{Client, Options, TestProvider, eventually};
use tokendeck::Error;
use tokendeck::store::{Home, Keyring, Store};
use tokio::io::AsyncBufReadExt;

/// `call` to a plain-http URL, with a token due for refresh: refused as wrong usage before
/// anything is sent — no API request, and no refresh either.
#[tokio::test]
async fn call_never_sends_a_token_over_plain_http() {
    let server = TestProvider::start_with(Options {
        access_ttl: 2,
        ..Options::default()
    })
    .await;
    let deck = Deck::new();
    deck.add(&server, "work").await;
    assert!(deck.link("work").await.status.success());
    // Past the 2 s token's refresh time: anything sent would start with a refresh.
    due_for_refresh(&deck).await;
    let token_requests = server.count("POST /token").await;

    for url in [
        "http://example.invalid/",
        "http://example.invalid/me?key=api-key-value",
        "ftp://example.invalid/",
    ] {
        let out = deck.run(&["call", "work", url], "").await;
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{url}: {err}");
        assert!(
            err.contains("API URL \"")
                && (err.contains("plain http would send secrets unencrypted; use https")
                    || err.contains("only https URLs are supported")),
            "{url}: {err}"
        );
        assert!(!err.contains("api-key-value"), "{err}");
        assert!(out.stdout.is_empty());
    }
    assert_eq!(
        server.count("POST /token").await,
        token_requests,
        "no refresh"
    );
    assert_eq!(server.count("api request").await, 0);
}

/// An accounts file edited by hand to a plain-http token endpoint: every command that reads it
/// stops with the account, the field and what to do, as for any broken accounts file (exit 7),
/// and no token request is made.
#[tokio::test]
async fn a_hand_edited_http_endpoint_is_refused_on_load() {
    let server = TestProvider::start_with(Options {
        access_ttl: 2,
        ..Options::default()
    })
    .await;
    let deck = Deck::new();
    deck.add(&server, "work").await;
    assert!(deck.link("work").await.status.success());
    // Past the 2 s token's refresh time: anything sent would start with a refresh.
    due_for_refresh(&deck).await;
    let token_requests = server.count("POST /token").await;

    let file = deck.home().join("config/accounts.toml");
    let good = std::fs::read_to_string(&file).unwrap();
    let edited = good.replace(&server.url("/token"), "http://example.invalid/token");
    assert_ne!(edited, good);
    std::fs::write(&file, &edited).unwrap();
    for args in [&["token", "work"][..], &["refresh", "work"], &["list"]] {
        let out = deck.run(args, "").await;
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(7), "{args:?}: {err}");
        assert!(
            err.contains("in account \"work\", provider.token_endpoint")
                && err.contains("use https")
                && err.contains("Fix it by hand"),
            "{args:?}: {err}"
        );
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    assert_eq!(server.count("POST /token").await, token_requests);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        edited,
        "left alone"
    );

    let edited = good.replace(&server.url("/api/me"), "http://example.invalid/me");
    std::fs::write(&file, &edited).unwrap();
    let out = deck.run(&["token", "work"], "").await;
    assert_eq!(out.status.code(), Some(7), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("in account \"work\", api_url"));
}

/// An API that stalls is given up on after the session's total time (30 s unless set), or the
/// request's own when it sets one; before, only connecting had a limit.
#[tokio::test]
async fn an_api_call_has_a_total_time_limit() {
    let server = TestProvider::start().await;
    let session = common::session(&server, Client::Basic, common::PASTE_REDIRECT)
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    common::link(&session).await;
    let api = server.url("/api/me");

    server
        .fault("/api/me", 1, "status=200&delay_before_ms=4000&body=%7B%7D")
        .await;
    let err = session.send(session.http().get(&api)).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { seconds: 1, .. }), "{err:?}");

    // A request that sets its own limit keeps it.
    server
        .fault("/api/me", 1, "status=200&delay_before_ms=2000&body=%7B%7D")
        .await;
    let response = session
        .send(session.http().get(&api).timeout(Duration::from_secs(20)))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    // And the session's own requests still work.
    let response = session.send(session.http().get(&api)).await.unwrap();
    let body = session.read_body(response, 1024).await.unwrap();
    assert!(String::from_utf8_lossy(&body).contains("test-user"));
}

/// `call` reads at most 16 MiB of an answer: exactly that much goes to stdout; one byte more is
/// refused with a message, and nothing is printed.
#[tokio::test]
async fn an_api_answer_is_read_under_a_cap() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    deck.add(&server, "work").await;
    assert!(deck.link("work").await.status.success());
    let api = server.url("/api/me");
    let chunk = "0123456789abcdef";
    let repeat = (16 << 20) / chunk.len();

    server
        .fault_body(
            "/api/me",
            chunk,
            &format!("status=200&content_type=text/plain&repeat={repeat}"),
        )
        .await;
    let out = deck.run(&["call", "work", &api], "").await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(out.stdout.len(), 16 << 20);

    server
        .fault_body(
            "/api/me",
            &format!("{chunk}x"),
            &format!("status=200&content_type=text/plain&repeat={repeat}"),
        )
        .await;
    let out = deck.run(&["call", "work", &api], "").await;
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("is larger than 16 MiB, so tokendeck stopped reading it"),
        "{err}"
    );
    assert!(out.stdout.is_empty());

    // A smaller cap, as the TUI's preview uses.
    let store = Arc::new(Store::new(Home::rooted(deck.home()).unwrap()));
    let session = tokendeck::app::open_session(
        &store,
        "work",
        &tokendeck::app::Persistence::while_running(),
    )
    .await
    .unwrap();
    server
        .fault_body(
            "/api/me",
            chunk,
            "status=200&content_type=text/plain&repeat=100",
        )
        .await;
    let response = session.send(session.http().get(&api)).await.unwrap();
    let err = session.read_body(response, 1024).await.unwrap_err();
    assert!(
        matches!(err, Error::AnswerTooLarge { limit: 1024, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("larger than 1 KiB"), "{err}");
}

/// What `remove` leaves: nothing. It waits for a refresh under way (which once wrote the record
/// back after `remove` had deleted it), and a refresh that comes after it finds the account gone.
#[tokio::test]
async fn remove_waits_for_a_refresh_and_leaves_nothing_behind() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    deck.add(&server, "work").await;
    assert!(deck.link("work").await.status.success());
    let home = Home::rooted(deck.home()).unwrap();
    let keyring = Keyring::open(home.keyring_service()).await.unwrap();

    // A refresh that takes 2 s at the server, and a remove asked for meanwhile.
    server.fault("/token", 1, "delay_before_ms=2000").await;
    let before = server.count("POST /token").await;
    let refresh = deck
        .command(&["refresh", "work"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    eventually(Duration::from_secs(10), async || {
        server.count("POST /token").await > before
    })
    .await;
    let removed = deck.run(&["remove", "work"], "").await;
    assert!(removed.status.success(), "{}", text(&removed.stderr));
    let refreshed = refresh.wait_with_output().await.unwrap();
    assert!(refreshed.status.success(), "{}", text(&refreshed.stderr));
    assert_eq!(server.count("grant refresh_token 200").await, 1);
    assert_nothing_left(&home, &keyring, "work").await;

    // A session opened before `remove`, refreshing after it: refused, and nothing comes back.
    deck.add(&server, "home").await;
    assert!(deck.link("home").await.status.success());
    let store = Arc::new(Store::new(home.clone()));
    let session = tokendeck::app::open_session(
        &store,
        "home",
        &tokendeck::app::Persistence::while_running(),
    )
    .await
    .unwrap();
    store.remove("home").await.unwrap();
    let refreshes = server.count("POST /token").await;
    let err = session.refresh().await.unwrap_err();
    assert!(
        err.to_string().contains("no account is named \"home\""),
        "{err}"
    );
    assert_eq!(server.count("POST /token").await, refreshes, "nothing sent");
    assert_nothing_left(&home, &keyring, "home").await;
}

/// A provider that echoes what it was sent — `invalid_grant` with the refresh token and the client
/// secret in its error_description, decoded, in the raw form body and in the Basic header, as
/// several do — has none of it stored or shown: not on stderr or stdout, in the event log or the
/// status file, in `status`, `status --json`, `log`, `log --json`, nor in the environment of the
/// hooks the failure runs. Then the same with the client secret in the form body, where a form
/// percent-encodes it, and a refused client; and at a code exchange, the code and PKCE verifier.
#[tokio::test]
async fn secrets_a_provider_echoes_are_cut_out_of_everything_stored_or_shown() {
    let server = TestProvider::start().await;
    let hooks = tempfile::tempdir().unwrap();
    let deck = Deck::new();
    deck.add(&server, "work").await;
    assert!(deck.link("work").await.status.success());
    for event in ["refresh-failed", "needs-relink"] {
        let on = format!(
            "{event}=sh -c 'env > {}'",
            hooks.path().join(event).display()
        );
        deck.ok(&["set", "work", "--on", &on]).await;
    }
    let home = Home::rooted(deck.home()).unwrap();
    let mut secrets = stored_secrets(&home, "work").await;
    secrets.push("basic-secret-value".into());
    secrets
        .push(base64::engine::general_purpose::STANDARD.encode("basic-client:basic-secret-value"));

    server.fault("/token", 1, "status=400&echo=1").await;
    let out = deck.run(&["refresh", "work"], "").await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    // The provider's words are there, each secret replaced by what it was.
    for said in [
        "refused refresh_token=[redacted refresh token] client_secret=[redacted client secret];",
        "the request was grant_type=refresh_token&refresh_token=[redacted refresh token]",
        "Authorization: Basic [redacted client secret]",
    ] {
        assert!(stderr.contains(said), "{said} is not in: {stderr}");
    }
    let mut places = vec![
        ("stderr", stderr),
        ("stdout", text(&out.stdout)),
        ("the event log", read(&home.events_file())),
        ("the status file", read(&home.status_file("work"))),
        ("status", deck.ok(&["status", "work"]).await),
        (
            "status --json",
            deck.ok(&["status", "work", "--json"]).await,
        ),
        ("log", deck.ok(&["log", "work"]).await),
        ("log --json", deck.ok(&["log", "work", "--json"]).await),
    ];
    for event in ["refresh-failed", "needs-relink"] {
        let env = read(&hooks.path().join(event));
        assert!(
            env.contains("TOKENDECK_MESSAGE=") && env.contains("[redacted refresh token]"),
            "{event}: {env}"
        );
        places.push(("a hook's environment", env));
    }
    assert_no_secret(&places, &secrets);
    let json: serde_json::Value =
        serde_json::from_str(&deck.ok(&["status", "work", "--json"]).await).unwrap();
    let error = json["last_refresh"]["error"].as_str().unwrap();
    assert!(
        error.contains("refresh_token=[redacted refresh token]"),
        "{error}"
    );

    // A client secret a form encodes (`/`, `+`, space, `&`, `é`), sent in the body.
    let odd = "s3cret/with+special chars&é";
    let out = deck
        .run(
            &[
                "set",
                "work",
                "--client-secret-stdin",
                "--auth-method",
                "post",
            ],
            &format!("{odd}\n"),
        )
        .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    server
        .fault("/token", 1, "status=401&echo=1&error=invalid_client")
        .await;
    let out = deck.run(&["refresh", "work"], "").await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(9), "{stderr}");
    let encoded: String = url::form_urlencoded::byte_serialize(odd.as_bytes()).collect();
    assert!(
        stderr.contains("client_secret=[redacted client secret];")
            && stderr.contains("&client_secret=[redacted client secret]"),
        "decoded and percent-encoded: {stderr}"
    );
    secrets.extend([odd.to_string(), encoded]);
    let places = [
        ("stderr", stderr),
        ("the event log", read(&home.events_file())),
        ("the status file", read(&home.status_file("work"))),
    ];
    assert_no_secret(&places, &secrets);
}

/// At a code exchange the provider echoes the authorization code and the PKCE verifier: the
/// link's error, and the page the browser is shown, carry neither.
#[tokio::test]
async fn a_code_exchange_that_echoes_the_code_and_verifier_shows_neither() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    deck.add(&server, "work").await;
    server.fault("/token", 1, "status=400&echo=1").await;
    let (out, _, page) = deck.link_page("work").await;
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    for shown in [&stderr, &page] {
        assert!(
            shown.contains("code=[redacted authorization code]")
                && shown.contains("code_verifier=[redacted PKCE verifier]")
                && shown.contains("client_secret=[redacted client secret]"),
            "{shown}"
        );
        assert!(!shown.contains("basic-secret-value"), "{shown}");
    }
    // Whatever the code and verifier were, only their markers follow their names.
    for name in ["code=", "code_verifier="] {
        for (i, _) in stderr.match_indices(name) {
            assert!(
                stderr[i + name.len()..].starts_with("[redacted"),
                "{stderr}"
            );
        }
    }
}

fn read(file: &Path) -> String {
    std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// The tokens of `name`'s keyring record.
async fn stored_secrets(home: &Home, name: &str) -> Vec<String> {
    let keyring = Keyring::open(home.keyring_service()).await.unwrap();
    let tokens = keyring.read(name).await.unwrap().unwrap().tokens.unwrap();
    let mut secrets = vec![tokens.access_token().to_string()];
    secrets.extend(tokens.refresh_token().map(str::to_string));
    secrets.extend(tokens.id_token().map(str::to_string));
    secrets
}

fn assert_no_secret(places: &[(&str, String)], secrets: &[String]) {
    for (place, shown) in places {
        for (i, secret) in secrets.iter().enumerate() {
            assert!(
                !shown.contains(secret.as_str()),
                "secret #{i} reached {place}"
            );
        }
    }
}

async fn assert_nothing_left(home: &Home, keyring: &Keyring, name: &str) {
    assert_eq!(keyring.read(name).await.unwrap(), None, "no record");
    assert!(!home.status_file(name).exists(), "no status file");
    assert!(!home.lock_file(name).exists(), "no lock file");
    let accounts = std::fs::read_to_string(home.accounts_file()).unwrap_or_default();
    assert!(
        !accounts.contains(&format!("[accounts.{name}")),
        "{accounts}"
    );
}

/// Waits until the account's token is due for a refresh (1 s before a 2 s token expires).
async fn due_for_refresh(deck: &Deck) {
    common::eventually(Duration::from_secs(5), async || {
        let status: serde_json::Value =
            serde_json::from_str(&deck.ok(&["status", "work", "--json"]).await).unwrap();
        status["seconds_left"].as_i64().is_some_and(|left| left < 1)
    })
    .await;
}

/// `nobody`, the other user of these tests when they run as root.
const NOBODY: u32 = 65534;

/// No tokendeck process dumps core, and none can be read by another process of its own user:
/// its core file limit is 0 (soft and hard), and it is not dumpable — its /proc files belong to
/// root, and a process of the same user cannot read its environment. A plain process started the
/// same way shows that the check can fail. As root (who may read anything), both run as
/// `nobody`, and so does the process that tries to read them.
#[tokio::test]
async fn no_tokendeck_process_dumps_core_or_lets_its_user_read_its_memory() {
    let as_root = rustix::process::getuid().is_root();
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(home.join("state")).unwrap();
    std::fs::write(
        home.join("state/events.jsonl"),
        r#"{"time":"2026-01-01T00:00:00Z","account":"work","trigger":"manual","outcome":"ok","pid":1}"#.to_string() + "\n",
    )
    .unwrap();
    let user = match as_root {
        true => {
            for path in [&home, &home.join("state"), &home.join("state/events.jsonl")] {
                std::os::unix::fs::chown(path, Some(NOBODY), Some(NOBODY)).unwrap();
            }
            std::fs::set_permissions(dir.path(), Permissions::from_mode(0o755)).unwrap();
            Some(NOBODY)
        }
        false => None,
    };
    let as_user = |command: &mut tokio::process::Command| {
        if let Some(uid) = user {
            command.uid(uid).gid(uid);
        }
    };
    let mut deck = tokio::process::Command::new(Deck::binary());
    deck.arg("--home").arg(&home).args(["log", "-f"]);
    deck.stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    as_user(&mut deck);
    let mut deck = deck.spawn().unwrap();
    // Its first line is printed after start-up: the limits are set by then.
    let mut stdout = tokio::io::BufReader::new(deck.stdout.take().unwrap()).lines();
    let first = tokio::time::timeout(Duration::from_secs(20), stdout.next_line())
        .await
        .expect("log -f printed the event");
    assert!(first.unwrap().is_some_and(|l| l.contains("work")));
    let mut plain = tokio::process::Command::new("sleep");
    plain.arg("60").kill_on_drop(true);
    as_user(&mut plain);
    let plain = plain.spawn().unwrap();

    let owner = |pid: u32| {
        std::os::unix::fs::MetadataExt::uid(
            &std::fs::metadata(format!("/proc/{pid}/environ")).unwrap(),
        )
    };
    let readable = async |pid: u32| {
        let mut cat = tokio::process::Command::new("cat");
        cat.arg(format!("/proc/{pid}/environ"))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        as_user(&mut cat);
        cat.status().await.unwrap().success()
    };
    let me = user.unwrap_or_else(|| rustix::process::getuid().as_raw());
    let (deck_pid, plain_pid) = (deck.id().unwrap(), plain.id().unwrap());
    assert_eq!(
        owner(plain_pid),
        me,
        "a dumpable process owns its /proc files"
    );
    assert!(readable(plain_pid).await, "its user reads its environment");
    assert_eq!(owner(deck_pid), 0, "tokendeck's /proc files belong to root");
    assert!(
        !readable(deck_pid).await,
        "its user cannot read its environment"
    );
    // What `ps`, `top` and the benchmarks read stays readable by its user.
    let mut stat = tokio::process::Command::new("cat");
    stat.arg(format!("/proc/{deck_pid}/stat"));
    as_user(&mut stat);
    let stat = text(&stat.output().await.unwrap().stdout);
    let times: Vec<&str> = stat
        .rsplit_once(") ")
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    assert!(
        times[11].parse::<u64>().is_ok() && times[12].parse::<u64>().is_ok(),
        "{stat}"
    );
    common::assert_dumps_no_core(deck_pid);
    deck.kill().await.unwrap();
    let stderr = deck.wait_with_output().await.unwrap().stderr;
    assert!(!text(&stderr).contains("warning"), "{}", text(&stderr));
}
