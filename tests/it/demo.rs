//! The demo server's protocol, checked with the product's own client code (`Session`) and the
//! demo browser — plus `tokendeck --demo` itself in a real terminal.

use crate::common;

use std::time::Duration;

use common::tmux::Tmux;
use tokendeck::demo::{self, DemoServer};
use tokendeck::{Error, ErrorCode, Provider, Session, Tokens};

fn session(server: &DemoServer) -> Session {
    let provider = Provider::new(&server.url("/authorize"), &server.url("/token")).unwrap();
    Session::builder(
        provider,
        demo::server::CLIENT_ID,
        "http://127.0.0.1:0/callback",
    )
    .client_secret(demo::server::CLIENT_SECRET)
    .scopes(["profile"])
    .build()
    .unwrap()
}

/// Links through the loopback listener, the demo browser approving.
async fn link(session: &Session) -> Tokens {
    let listener = session.listen().await.unwrap();
    let url = session.authorize_url();
    let (tokens, approved) = tokio::join!(session.wait_for_callback(&listener), demo::approve(url));
    approved.unwrap();
    tokens.unwrap()
}

/// The code the demo server hands out for `url`, without letting anyone exchange it.
async fn code_for(url: &str) -> String {
    let url = url::Url::parse(url).unwrap();
    let mut form: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    form.push(("decision".into(), "approve".into()));
    let mut endpoint = url.clone();
    endpoint.set_query(None);
    let answer = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(endpoint)
        .form(&form)
        .send()
        .await
        .unwrap();
    let location = url::Url::parse(answer.headers()["location"].to_str().unwrap()).unwrap();
    location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned()
}

async fn me(server: &DemoServer, token: &str) -> u16 {
    reqwest::Client::new()
        .get(server.url("/api/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn links_and_calls_the_api() {
    let server = DemoServer::start(Duration::from_secs(60)).await.unwrap();
    let session = session(&server);
    let tokens = link(&session).await;
    assert_eq!(tokens.lifetime(), Some(Duration::from_secs(60)));
    assert!(tokens.refresh_token().is_some());
    let response = session
        .send(session.http().get(server.url("/api/me")))
        .await
        .unwrap();
    assert_eq!(
        response.json::<serde_json::Value>().await.unwrap()["sub"],
        "demo-user"
    );
}

#[tokio::test]
async fn a_code_is_single_use_and_its_reuse_revokes_what_it_gave() {
    let server = DemoServer::start(Duration::from_secs(60)).await.unwrap();
    let first = session(&server);
    let code = code_for(&first.authorize_url()).await;
    let tokens = first.token(&code).await.unwrap();
    assert_eq!(me(&server, tokens.access_token()).await, 200);

    let second = session(&server);
    let _ = second.authorize_url();
    let err = second.token(&code).await.unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Rejected {
                error: ErrorCode::InvalidGrant,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        me(&server, tokens.access_token()).await,
        401,
        "the first exchange's tokens are revoked"
    );
}

#[tokio::test]
async fn a_pkce_mismatch_is_rejected() {
    let server = DemoServer::start(Duration::from_secs(60)).await.unwrap();
    let owner = session(&server);
    let code = code_for(&owner.authorize_url()).await;
    // Another session presents the code with its own verifier.
    let thief = session(&server);
    let _ = thief.authorize_url();
    let err = thief.token(&code).await.unwrap_err();
    assert!(
        matches!(&err, Error::Rejected { error: ErrorCode::InvalidGrant, description: Some(d), .. } if d.contains("PKCE")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_wrong_client_secret_is_invalid_client() {
    let server = DemoServer::start(Duration::from_secs(60)).await.unwrap();
    let provider = Provider::new(&server.url("/authorize"), &server.url("/token")).unwrap();
    let wrong = Session::builder(
        provider,
        demo::server::CLIENT_ID,
        "http://127.0.0.1:0/callback",
    )
    .client_secret("not-the-secret")
    .build()
    .unwrap();
    let code = code_for(&wrong.authorize_url()).await;
    let err = wrong.token(&code).await.unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Rejected {
                status: 401,
                error: ErrorCode::InvalidClient,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_revokes_the_grant() {
    let server = DemoServer::start(Duration::from_secs(60)).await.unwrap();
    let session = session(&server);
    let first = link(&session).await;
    let second = session.refresh().await.unwrap();
    assert_ne!(first.refresh_token(), second.refresh_token());

    let replay = Session::builder(
        Provider::new(&server.url("/authorize"), &server.url("/token")).unwrap(),
        demo::server::CLIENT_ID,
        "http://127.0.0.1:0/callback",
    )
    .client_secret(demo::server::CLIENT_SECRET)
    .tokens(first)
    .build()
    .unwrap();
    let err = replay.refresh().await.unwrap_err();
    assert!(err.needs_reauthorization(), "{err:?}");
    let err = session.refresh().await.unwrap_err();
    assert!(
        err.needs_reauthorization(),
        "the whole grant is revoked: {err:?}"
    );
    assert_eq!(me(&server, second.access_token()).await, 401);
}

#[tokio::test]
async fn the_api_answers_401_after_expiry_and_send_refreshes() {
    let server = DemoServer::start(Duration::from_secs(1)).await.unwrap();
    let session = session(&server);
    let tokens = link(&session).await;
    common::past_expiry(&tokens).await;
    assert_eq!(me(&server, tokens.access_token()).await, 401);
    let response = session
        .send(session.http().get(server.url("/api/me")))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_denial_and_a_foreign_redirect_uri_are_refused() {
    let server = DemoServer::start(Duration::from_secs(60)).await.unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let deny = http
        .post(server.url("/authorize"))
        .form(&[
            ("response_type", "code"),
            ("client_id", demo::server::CLIENT_ID),
            ("redirect_uri", "http://127.0.0.1:5555/callback"),
            ("state", "s1"),
            ("decision", "deny"),
        ])
        .send()
        .await
        .unwrap();
    let location = deny.headers()["location"].to_str().unwrap();
    assert!(
        location.contains("error=access_denied") && location.contains("state=s1"),
        "{location}"
    );

    let page = http
        .get(server.url("/authorize?response_type=code&client_id=tokendeck-demo&redirect_uri=https%3A%2F%2Fevil.example%2Fcallback"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 400, "never redirected to a foreign URI");
    let consent = http
        .get(server.url("/authorize?response_type=code&client_id=tokendeck-demo&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback&scope=%3Cscript%3E"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        consent.contains("Approve")
            && consent.contains("&lt;script&gt;")
            && !consent.contains("<script>")
    );
}

/// `A` on a real account's link screen once sent the demo user to the real provider and said
/// "the demo server did not answer: error sending request".
#[tokio::test]
async fn the_demo_key_says_it_approves_only_the_demo_account() {
    let server = DemoServer::start(Duration::from_secs(60)).await.unwrap();
    let browser = demo::browser(&server);
    let said = browser(
        "https://login.microsoftonline.com/common/oauth2/v2.0/authorize?client_id=x&state=s".into(),
    )
    .await
    .unwrap_err();
    assert_eq!(said, demo::NOT_THE_DEMO);
    assert!(said.contains("only the demo account"), "{said}");
    // The demo's own URL is still approved (the request reaches the demo server).
    let own = browser(server.url("/authorize?client_id=nobody")).await;
    assert_ne!(own, Err(demo::NOT_THE_DEMO.to_string()));
}

#[test]
fn the_whole_demo_in_a_real_terminal() {
    let home = tempfile::tempdir().unwrap();
    let binary = env!("CARGO_BIN_EXE_tokendeck");
    let home_arg = home.path().to_str().unwrap();
    let tmux = Tmux::start(
        &[binary, "--demo", "--demo-ttl", "5", "--home", home_arg],
        100,
        30,
    );
    let wait = Duration::from_secs(20);
    tmux.wait_for("not linked", wait);
    tmux.keys(&["l"]);
    // 100×30 is too small for the authorization URL's QR code: the demo's device code comes first.
    tmux.wait_for("waiting for the approval", wait);
    tmux.wait_for("A demo: approve", wait);
    // `d`: the authorization URL instead. Approving needs it, ready once the listener waits.
    tmux.keys(&["d"]);
    tmux.wait_for("Waiting for the browser on 127.0.0.1:", wait);
    tmux.wait_for("A demo: approve", wait);
    tmux.keys(&["A"]);
    tmux.wait_for("● valid", wait);
    tmux.wait_for("ahead of expiry", wait);
    tmux.keys(&["t"]);
    let last = tmux.wait_for("the API answered HTTP 200", wait);
    assert!(last.contains("Demo User"), "{last}");
    tmux.keys(&["q"]);
    tmux.wait_until_gone(wait);

    // No demo record is left in the keyring.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let record = runtime.block_on(async {
        let home = tokendeck::store::Home::rooted(home.path()).unwrap();
        let keyring = tokendeck::store::Keyring::open(home.keyring_service())
            .await
            .unwrap();
        keyring.read(demo::ACCOUNT).await.unwrap()
    });
    assert_eq!(record, None, "the demo's record was deleted at exit");
}

/// `--demo --home DIR` once deleted a real account named `demo` there. Now a stale demo account
/// is replaced, and anyone else's is left alone: the demo refuses to start.
#[tokio::test]
async fn the_demo_never_touches_an_account_it_did_not_make() {
    use tokendeck::store::new_account::{NewAccount, Source};
    use tokendeck::store::{Home, Store};

    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(Home::rooted(dir.path()).unwrap());
    // A stale demo account (an earlier run's server) is the demo's own: it is replaced.
    let (first, second) = (
        DemoServer::start(Duration::from_secs(60)).await.unwrap(),
        DemoServer::start(Duration::from_secs(60)).await.unwrap(),
    );
    demo::claim_account(&store, &first).await.unwrap();
    demo::claim_account(&store, &second).await.unwrap();
    let accounts = store.accounts().unwrap();
    let account = accounts.get(demo::ACCOUNT).unwrap();
    assert_eq!(
        account.provider.token_endpoint().as_str(),
        second.url("/token")
    );
    store.remove(demo::ACCOUNT).await.unwrap();

    // A real account that happens to be called `demo`.
    NewAccount {
        name: demo::ACCOUNT.into(),
        source: Some(Source::Custom {
            authorize: "https://as.example/authorize".into(),
            token: "https://as.example/token".into(),
        }),
        client_id: "my-own-client".into(),
        client_secret: Some("my-own-secret".into()),
        ..NewAccount::default()
    }
    .create(&store)
    .await
    .unwrap();
    let accounts_file = store.home().accounts_file();
    let before = std::fs::read(&accounts_file).unwrap();

    let err = demo::claim_account(&store, &second).await.unwrap_err();
    assert!(err.contains("that the demo did not make"), "{err}");

    // The whole demo, as a user starts it: refused before any terminal is touched.
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_tokendeck"))
        .args(["--demo", "--home"])
        .arg(dir.path())
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("already has an account named \"demo\" that the demo did not make")
            && stderr.contains("without --home"),
        "{stderr}"
    );

    assert_eq!(std::fs::read(&accounts_file).unwrap(), before, "untouched");
    let record = store.record(demo::ACCOUNT).await.unwrap();
    assert_eq!(
        record.client_secret.map(|s| s.secret().to_string()),
        Some("my-own-secret".to_string()),
        "its keyring record is still there"
    );
    store.remove(demo::ACCOUNT).await.unwrap();
}

/// `--demo` without `--home` makes its throwaway home private — the folder 0700, every folder in
/// it 0700 and every file 0600 — and the TUI it runs dumps no core; on quit the home is gone.
#[test]
fn the_demo_s_throwaway_home_is_private_and_it_dumps_no_core() {
    let temp = tempfile::tempdir().unwrap();
    let tmpdir = format!("TMPDIR={}", temp.path().display());
    let binary = env!("CARGO_BIN_EXE_tokendeck");
    let tmux = Tmux::start(&["env", &tmpdir, binary, "--demo"], 100, 30);
    tmux.wait_for("not linked", Duration::from_secs(20));
    let homes: Vec<_> = std::fs::read_dir(temp.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("tokendeck-demo-")
        })
        .collect();
    assert_eq!(homes.len(), 1, "{homes:?}");
    let mut folders = vec![homes[0].clone()];
    let mut files = 0;
    while let Some(folder) = folders.pop() {
        assert_eq!(common::mode(&folder), 0o700, "{}", folder.display());
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                assert_eq!(common::mode(&path), 0o600, "{}", path.display());
                files += 1;
            }
        }
    }
    assert!(files > 0, "the demo account is written in its home");
    let pane = tmux
        .cmd(&["display-message", "-p", "-t", "td", "#{pane_pid}"])
        .output()
        .unwrap();
    let pid: u32 = String::from_utf8_lossy(&pane.stdout)
        .trim()
        .parse()
        .unwrap();
    common::assert_dumps_no_core(pid);
    tmux.keys(&["q"]);
    tmux.wait_until_gone(Duration::from_secs(20));
    assert!(!homes[0].exists(), "the throwaway home is removed at exit");
}

/// A demo on a throwaway home in `tmp` (its TMPDIR), in a terminal of its own, up and showing its
/// account; with the pid, the throwaway home and that home's keyring namespace.
struct RunningDemo {
    tmux: Tmux,
    pid: u32,
    home: std::path::PathBuf,
    service: String,
}

/// The throwaway homes in `tmp`.
fn demo_homes(tmp: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut homes: Vec<_> = std::fs::read_dir(tmp)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("tokendeck-demo-"))
        })
        .collect();
    homes.sort();
    homes
}

fn start_demo(tmp: &std::path::Path) -> RunningDemo {
    let before = demo_homes(tmp);
    let tmpdir = format!("TMPDIR={}", tmp.display());
    let binary = env!("CARGO_BIN_EXE_tokendeck");
    let tmux = Tmux::start(
        &["env", &tmpdir, "TOKENDECK_TEST_PANIC=1", binary, "--demo"],
        100,
        30,
    );
    tmux.wait_for("not linked", Duration::from_secs(20));
    let home = demo_homes(tmp)
        .into_iter()
        .find(|h| !before.contains(h))
        .expect("the demo made a throwaway home in its TMPDIR");
    let service = tokendeck::store::Home::rooted(&home)
        .unwrap()
        .keyring_service();
    let pid = tmux.pid();
    RunningDemo {
        tmux,
        pid,
        home,
        service,
    }
}

/// How many keyring records a home's namespace holds: every one, by the Secret Service's own
/// search (`secret-tool`); on another keyring, the demo account's record.
async fn records(service: &str) -> usize {
    if std::env::var("TOKENDECK_KEYRING").as_deref() == Ok("secret-service") {
        let out = tokio::process::Command::new("secret-tool")
            .args(["search", "--all", "service", service])
            .output()
            .await
            .expect("secret-tool runs (libsecret-tools)");
        // One `[/org/freedesktop/secrets/…]` line per item; the rest (secrets included) is
        // never printed.
        return String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.starts_with("[/"))
            .count();
    }
    let keyring = tokendeck::store::Keyring::open(service.to_string())
        .await
        .unwrap();
    usize::from(keyring.read(demo::ACCOUNT).await.unwrap().is_some())
}

/// How a demo can end.
#[derive(Clone, Copy, Debug)]
enum Ending {
    Q,
    CtrlC,
    SigTerm,
    /// The terminal closed under it: it gets SIGHUP, and its terminal is gone.
    TerminalClosed,
    /// A bug: a panic in the TUI's loop (F12, debug builds, `TOKENDECK_TEST_PANIC`).
    Panic,
}

/// Whatever ends it, a demo leaves no keyring record and no file: once the terminal was gone, a
/// failure to restore it used to end the demo before its cleanup, and its records stayed.
#[tokio::test(flavor = "multi_thread")]
async fn however_a_demo_ends_it_leaves_no_record_and_no_file() {
    let endings = [
        Ending::Q,
        Ending::CtrlC,
        Ending::SigTerm,
        Ending::TerminalClosed,
        Ending::Panic,
    ];
    for ending in endings {
        let tmp = tempfile::tempdir().unwrap();
        let demo = start_demo(tmp.path());
        assert!(
            records(&demo.service).await >= 1,
            "{ending:?}: the demo's record is there while it runs"
        );
        match ending {
            Ending::Q => demo.tmux.keys(&["q"]),
            Ending::CtrlC => demo.tmux.keys(&["C-c"]),
            Ending::SigTerm => common::signal(demo.pid, "TERM"),
            Ending::TerminalClosed => demo.tmux.close_terminal(),
            Ending::Panic => demo.tmux.keys(&["F12"]),
        }
        common::gone(demo.pid, Duration::from_secs(15)).await;
        assert_eq!(
            records(&demo.service).await,
            0,
            "{ending:?}: a record stayed"
        );
        assert!(!demo.home.exists(), "{ending:?}: its home stayed");
        assert!(demo_homes(tmp.path()).is_empty(), "{ending:?}");
    }
}

/// A demo killed outright (-9) cleans up nothing; the next demo does — and never touches the
/// home of a demo still running beside it.
#[tokio::test(flavor = "multi_thread")]
async fn the_next_demo_removes_what_a_killed_one_left_and_spares_a_running_one() {
    let tmp = tempfile::tempdir().unwrap();
    let first = start_demo(tmp.path());
    let second = start_demo(tmp.path());
    assert_ne!(first.home, second.home);
    assert!(
        first.home.exists() && records(&first.service).await >= 1,
        "the second demo spared the first, which runs"
    );
    common::signal(first.pid, "KILL");
    common::gone(first.pid, Duration::from_secs(10)).await;
    assert!(
        first.home.exists() && records(&first.service).await >= 1,
        "killed: all left"
    );

    let third = start_demo(tmp.path());
    assert_eq!(records(&first.service).await, 0, "the killed demo's record");
    assert!(!first.home.exists(), "the killed demo's home");
    assert!(
        second.home.exists() && records(&second.service).await >= 1,
        "the running one is spared"
    );
    for demo in [second, third] {
        demo.tmux.keys(&["q"]);
        common::gone(demo.pid, Duration::from_secs(15)).await;
        assert_eq!(records(&demo.service).await, 0);
        assert!(!demo.home.exists());
    }
    assert!(demo_homes(tmp.path()).is_empty());
}
