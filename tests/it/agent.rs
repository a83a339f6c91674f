//! The agent: `tokendeck daemon` answers tokens on a Unix socket, against the real oidc-provider
//! and keyring, through the built binary. The socket and its folder are private, a stale socket
//! is replaced and a live one refused; every bad input gets an error or a close while others are
//! served; a refresh or removal by another process is seen before the next answer; `token` asks
//! the agent first, falls back to the keyring when none listens, and never falls back when
//! `TOKENDECK_AGENT` names the socket (and `git-credential` and `exec` ask it as `token` does);
//! another user's process is refused; and with the daemon running, `token` works with the Secret
//! Service locked.

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::cli::{Deck, text};
use common::{Options, TestProvider, eventually};
use tokendeck::store::{Home, Store};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;
use tokio::process::Child;

/// A daemon on a deck's home, its stderr collected (share.rs and token_formats.rs start one too).
pub(crate) struct Daemon {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
    pub(crate) socket: PathBuf,
}

impl Daemon {
    /// Starts `tokendeck daemon ARGS` and waits until its socket listens.
    pub(crate) async fn start(deck: &Deck, args: &[&str]) -> Daemon {
        let mut child = deck
            .command(&[&["daemon"], args].concat())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (sink, stderr) = (lines.clone(), child.stderr.take().unwrap());
        tokio::spawn(async move {
            let mut stderr = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = stderr.next_line().await {
                sink.lock().unwrap().push(line);
            }
        });
        let mut daemon = Daemon {
            child,
            lines,
            socket: PathBuf::new(),
        };
        let line = daemon.line_starting("<6>answering tokens on ").await;
        daemon.socket = PathBuf::from(line.trim_start_matches("<6>answering tokens on "));
        daemon
    }

    pub(crate) fn stderr(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }

    pub(crate) async fn line_starting(&self, start: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(line) = self
                .lines
                .lock()
                .unwrap()
                .iter()
                .find(|l| l.starts_with(start))
            {
                return line.clone();
            }
            assert!(
                Instant::now() < deadline,
                "no line starting {start:?}; stderr:\n{}",
                self.stderr()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub(crate) async fn stop(mut self) -> String {
        common::signal(self.child.id().unwrap(), "TERM");
        let status = tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .expect("the daemon ended within 10 s")
            .unwrap();
        assert!(status.success(), "{status:?}: {}", self.stderr());
        self.stderr()
    }
}

pub(crate) async fn linked(server: &TestProvider) -> Deck {
    let deck = Deck::new();
    deck.add(server, "work").await;
    let out = deck.link("work").await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    deck
}

fn store(deck: &Deck) -> Store {
    Store::new(Home::rooted(deck.home()).unwrap())
}

/// The access token the keyring holds for `work`.
async fn stored_token(deck: &Deck) -> String {
    let store = store(deck);
    let record = store.keyring().await.unwrap().read("work").await.unwrap();
    record.unwrap().tokens.unwrap().access_token().to_string()
}

/// One exchange on a fresh connection: the line sent, the answer read (empty when closed).
pub(crate) async fn exchange(socket: &Path, line: &[u8]) -> String {
    let mut stream = UnixStream::connect(socket).await.unwrap();
    stream.write_all(line).await.unwrap();
    let mut answer = String::new();
    let mut reader = BufReader::new(stream);
    tokio::time::timeout(Duration::from_secs(30), reader.read_line(&mut answer))
        .await
        .expect("an answer within 30 s")
        .unwrap();
    answer
}

fn json(line: &str) -> serde_json::Value {
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{line:?} is not JSON: {e}"))
}

fn code(answer: &str) -> String {
    json(answer)["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("not an error: {answer}"))
        .to_string()
}

fn token_request(account: &str) -> Vec<u8> {
    format!("{{\"v\":1,\"op\":\"token\",\"account\":\"{account}\"}}\n").into_bytes()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn the_socket_is_private_in_a_private_folder_and_a_live_one_is_never_taken_over() {
    let server = TestProvider::start().await;
    let deck = linked(&server).await;
    let daemon = Daemon::start(&deck, &[]).await;
    // The home's own place: the runtime dir's, in a folder named for the home.
    let namespace = Home::rooted(deck.home()).unwrap().namespace().to_string();
    let expected = match std::env::var_os("XDG_RUNTIME_DIR") {
        Some(runtime) => PathBuf::from(runtime)
            .join("tokendeck")
            .join(namespace)
            .join("agent.sock"),
        None => deck
            .home()
            .canonicalize()
            .unwrap()
            .join("state/agent/agent.sock"),
    };
    assert_eq!(daemon.socket, expected);
    assert_eq!(mode(&daemon.socket), 0o600);
    assert_eq!(mode(daemon.socket.parent().unwrap()), 0o700);
    // Another home's daemon told to use the same socket: refused, the first one unharmed.
    let other = Deck::new();
    let socket = daemon.socket.to_str().unwrap();
    let out = other.run(&["daemon", "--socket-path", socket], "").await;
    assert_eq!(out.status.code(), Some(1));
    let said = text(&out.stderr);
    assert!(
        said.contains("already answers on") && said.contains("--socket-path"),
        "{said}"
    );
    let answer = exchange(&daemon.socket, &token_request("work")).await;
    assert_eq!(json(&answer)["access_token"], stored_token(&deck).await);
    // A daemon killed outright leaves its socket: the next one replaces it.
    let mut daemon = daemon;
    common::signal(daemon.child.id().unwrap(), "KILL");
    daemon.child.wait().await.unwrap();
    assert!(
        expected.exists(),
        "a killed daemon cannot take its socket away"
    );
    let daemon = Daemon::start(&deck, &[]).await;
    let answer = exchange(&daemon.socket, &token_request("work")).await;
    assert!(json(&answer)["access_token"].is_string(), "{answer}");
    daemon.stop().await;
    assert!(
        !expected.exists(),
        "a daemon that stops takes its socket away"
    );
}

#[tokio::test]
async fn token_asks_the_agent_first_and_falls_back_to_the_keyring_only_when_none_is_named() {
    let server = TestProvider::start().await;
    let deck = linked(&server).await;
    let stored = stored_token(&deck).await;
    // This process cannot read the home's keyring (the home records the Secret Service): only
    // the agent can give it the token.
    let elsewhere = Deck::new();
    let keyless = |args: &[&str]| {
        let mut command = deck.command(args);
        command.env("TOKENDECK_KEYRING", "keyutils");
        command
    };
    let before = keyless(&["token", "work"]).output().await.unwrap();
    if std::env::var("TOKENDECK_KEYRING").as_deref() == Ok("secret-service") {
        assert!(
            !before.status.success(),
            "no agent yet: the keyring, which fails here"
        );
    }
    // Without a daemon: the keyring, silently, as before the agent.
    let plain = deck.run(&["token", "work"], "").await;
    assert!(plain.status.success(), "{}", text(&plain.stderr));
    assert_eq!(text(&plain.stdout).trim_end(), stored);
    assert_eq!(text(&plain.stderr), "");
    // TOKENDECK_AGENT names a socket with nothing behind it: no fallback, exit 3.
    let nowhere = elsewhere.home().join("no.sock");
    let named = deck
        .command(&["token", "work"])
        .env("TOKENDECK_AGENT", &nowhere)
        .output()
        .await
        .unwrap();
    assert_eq!(named.status.code(), Some(3), "{}", text(&named.stderr));
    let said = text(&named.stderr);
    assert!(
        said.contains("no tokendeck agent listens on") && said.contains("tokendeck daemon"),
        "{said}"
    );
    assert!(named.stdout.is_empty());

    let daemon = Daemon::start(&deck, &[]).await;
    let via_agent = keyless(&["token", "work"]).output().await.unwrap();
    assert!(via_agent.status.success(), "{}", text(&via_agent.stderr));
    assert_eq!(text(&via_agent.stdout).trim_end(), stored);
    // The socket named: the same answer; an account it does not have: exit 3 and its words.
    let socket = daemon.socket.clone();
    let named = keyless(&["token", "work"])
        .env("TOKENDECK_AGENT", &socket)
        .output()
        .await
        .unwrap();
    assert_eq!(text(&named.stdout).trim_end(), stored);
    let missing = keyless(&["token", "nope"])
        .env("TOKENDECK_AGENT", &socket)
        .output()
        .await
        .unwrap();
    assert_eq!(missing.status.code(), Some(3), "{}", text(&missing.stderr));
    assert!(
        text(&missing.stderr).contains("nope"),
        "{}",
        text(&missing.stderr)
    );
    daemon.stop().await;
}

#[tokio::test]
async fn every_bad_input_gets_an_error_or_a_close_and_the_daemon_serves_everyone_else() {
    let server = TestProvider::start().await;
    let deck = linked(&server).await;
    let daemon = Daemon::start(&deck, &[]).await;
    let socket = &daemon.socket;
    let stored = stored_token(&deck).await;
    // A client that connects and says nothing holds a connection, not the daemon.
    let mut silent = UnixStream::connect(socket).await.unwrap();
    for (line, expected) in [
        (&b"not json\n"[..], "bad_request"),
        (b"[1,2]\n", "bad_request"),
        (b"{\"op\":\"token\",\"account\":\"work\"}\n", "bad_request"),
        (b"{\"v\":1,\"op\":\"dance\"}\n", "bad_request"),
        (b"{\"v\":1,\"op\":\"token\"}\n", "bad_request"),
        (
            b"{\"v\":2,\"op\":\"token\",\"account\":\"work\"}\n",
            "unsupported_version",
        ),
        (b"\xff\xfe\x00\n", "bad_request"),
        (&token_request("nope"), "no_such_account"),
    ] {
        let answer = exchange(socket, line).await;
        assert_eq!(
            code(&answer),
            expected,
            "{:?} → {answer}",
            String::from_utf8_lossy(line)
        );
        assert!(!answer.contains(&stored));
    }
    // A bad line does not end the connection: the next line on it is served.
    let mut stream = UnixStream::connect(socket).await.unwrap();
    stream.write_all(b"nonsense\n").await.unwrap();
    stream.write_all(&token_request("work")).await.unwrap();
    let mut lines = BufReader::new(stream).lines();
    assert_eq!(
        code(&lines.next_line().await.unwrap().unwrap()),
        "bad_request"
    );
    let answer = json(&lines.next_line().await.unwrap().unwrap());
    assert_eq!(answer["access_token"], stored.as_str());
    assert_eq!(answer["v"], 1);
    assert!(
        answer["expires_at"].as_str().unwrap().ends_with('Z'),
        "{answer}"
    );
    // Over 64 KiB without a newline: an error, then the connection is closed.
    let mut long = UnixStream::connect(socket).await.unwrap();
    let line = vec![b'a'; 64 * 1024 + 1];
    let _ = long.write_all(&line).await;
    let mut answer = String::new();
    long.read_to_string(&mut answer).await.unwrap();
    assert_eq!(answer.lines().count(), 1, "{answer}");
    assert_eq!(code(&answer), "bad_request");
    // The silent client is closed within the idle time (5 s), and was never in the way.
    let closed = tokio::time::timeout(Duration::from_secs(15), silent.read(&mut [0u8; 16])).await;
    assert!(matches!(closed, Ok(Ok(0))), "{closed:?}");
    let answer = exchange(socket, &token_request("work")).await;
    assert_eq!(json(&answer)["access_token"], stored.as_str());
    let said = daemon.stop().await;
    assert!(!said.contains(&stored), "{said}");
}

#[tokio::test(flavor = "multi_thread")]
async fn five_hundred_clients_at_once_each_get_the_token() {
    let server = TestProvider::start().await;
    let deck = linked(&server).await;
    let daemon = Daemon::start(&deck, &[]).await;
    let stored = stored_token(&deck).await;
    let started = Instant::now();
    let clients: Vec<_> = (0..500)
        .map(|_| {
            let socket = daemon.socket.clone();
            tokio::spawn(async move { exchange(&socket, &token_request("work")).await })
        })
        .collect();
    for client in clients {
        let answer = client.await.unwrap();
        assert_eq!(json(&answer)["access_token"], stored.as_str(), "{answer}");
    }
    eprintln!("500 clients answered in {:?}", started.elapsed());
    assert_eq!(server.count("POST /token").await, 1, "the link's only");
    daemon.stop().await;
}

#[tokio::test]
async fn a_refresh_or_removal_by_another_process_is_seen_before_the_next_answer() {
    let server = TestProvider::start().await;
    let deck = linked(&server).await;
    let daemon = Daemon::start(&deck, &[]).await;
    let first = json(&exchange(&daemon.socket, &token_request("work")).await);
    assert_eq!(first["access_token"], stored_token(&deck).await);
    deck.ok(&["refresh", "work"]).await;
    let refreshed = stored_token(&deck).await;
    assert_ne!(first["access_token"], refreshed.as_str());
    let next = json(&exchange(&daemon.socket, &token_request("work")).await);
    assert_eq!(
        next["access_token"],
        refreshed.as_str(),
        "not the remembered one"
    );
    // The status op says the same as `status --json`, and nothing secret.
    let status = exchange(&daemon.socket, b"{\"v\":1,\"op\":\"status\"}\n").await;
    assert!(!status.contains(&refreshed), "{status}");
    let cli: serde_json::Value =
        serde_json::from_str(&deck.ok(&["status", "--json"]).await).unwrap();
    assert_eq!(json(&status)["status"][0]["name"], cli[0]["name"]);
    assert_eq!(
        json(&status)["status"][0]["expires_at"],
        cli[0]["expires_at"]
    );
    let accounts = exchange(&daemon.socket, b"{\"v\":1,\"op\":\"accounts\"}\n").await;
    assert_eq!(json(&accounts)["accounts"], serde_json::json!(["work"]));
    deck.ok(&["remove", "work", "--keep-grant"]).await;
    let gone = exchange(&daemon.socket, &token_request("work")).await;
    assert_eq!(code(&gone), "no_such_account", "{gone}");
    let said = daemon.stop().await;
    assert!(!said.contains(&refreshed), "{said}");
}

#[tokio::test]
async fn a_process_of_another_user_is_refused_whatever_the_socket_mode() {
    if !rustix_is_root() {
        eprintln!("skipped: runs a client as `nobody` with runuser, which needs root");
        return;
    }
    if std::process::Command::new("runuser")
        .arg("--help")
        .output()
        .is_err()
    {
        eprintln!("skipped: runuser is not installed");
        return;
    }
    let server = TestProvider::start().await;
    let deck = linked(&server).await;
    // A folder and a socket anyone may reach: only the peer check stands in the way.
    let open = tempfile::tempdir().unwrap();
    std::fs::set_permissions(open.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let socket = open.path().join("agent.sock");
    let daemon = Daemon::start(&deck, &["--socket-path", socket.to_str().unwrap()]).await;
    std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o666)).unwrap();
    // Twenty connections, one after another: each refused, and said once (a flood fills no
    // journal).
    let client = "import socket,sys\nfor _ in range(20):\n  s=socket.socket(socket.AF_UNIX)\n  s.connect(sys.argv[1])\n  try:\n    s.sendall(b'{\"v\":1,\"op\":\"token\",\"account\":\"work\"}\\n')\n    sys.stdout.write(s.recv(65536).decode())\n  except (ConnectionResetError, BrokenPipeError):\n    pass\n  s.close()";
    let out = tokio::process::Command::new("runuser")
        .args(["-u", "nobody", "--", "/usr/bin/python3", "-c", client])
        .arg(&socket)
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "the client ran: {}",
        text(&out.stderr)
    );
    // Closed (or reset: the request was unread; or closed before it was written) without an answer.
    assert_eq!(text(&out.stdout), "", "closed without an answer");
    daemon
        .line_starting("<4>refused a connection to the agent from uid 65534")
        .await;
    // Its own user is still answered.
    let answer = exchange(&socket, &token_request("work")).await;
    assert_eq!(json(&answer)["access_token"], stored_token(&deck).await);
    let said = daemon.stop().await;
    let refusals = said
        .lines()
        .filter(|l| l.contains("refused a connection"))
        .count();
    assert_eq!(
        refusals, 1,
        "one line for twenty refusals in a minute:\n{said}"
    );
}

fn rustix_is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| text(&o.stdout).trim() == "0")
}

/// The Secret Service's login collection is locked while the daemon runs: `token` answers from
/// the agent's memory, and the keyring is unlocked again afterwards.
#[tokio::test]
#[ignore = "runs alone: it locks the Secret Service every other test uses; tests/run runs it on its own"]
async fn token_works_with_the_secret_service_locked_while_the_daemon_runs() {
    if std::env::var("TOKENDECK_KEYRING").as_deref() != Ok("secret-service") {
        return;
    }
    let server = TestProvider::start_with(Options {
        access_ttl: 600,
        ..Options::default()
    })
    .await;
    let deck = linked(&server).await;
    let stored = stored_token(&deck).await;
    let daemon = Daemon::start(&deck, &[]).await;
    // The first answer reads the keyring; the next ones come from memory.
    assert_eq!(
        json(&exchange(&daemon.socket, &token_request("work")).await)["access_token"],
        stored.as_str()
    );
    secret_service("Lock");
    let locked = std::panic::AssertUnwindSafe(async {
        // The lock holds: the keyring itself answers no read now.
        let read = store(&deck).keyring().await.unwrap().read("work").await;
        assert!(read.is_err(), "the collection is locked: {read:?}");
        let out = deck.run(&["token", "work"], "").await;
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(text(&out.stdout).trim_end(), stored);
        // The home changes (a setting, written while the keyring is locked): the tokens are
        // still the store's, so the agent keeps them rather than asking the locked keyring.
        let api = server.url("/api/me");
        let set = deck.run(&["set", "work", "--api-url", &api], "").await;
        assert!(set.status.success(), "{}", text(&set.stderr));
        let out = deck.run(&["token", "work"], "").await;
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(text(&out.stdout).trim_end(), stored);
    });
    let result = futures_util::FutureExt::catch_unwind(locked).await;
    unlock_secret_service();
    eventually(Duration::from_secs(10), async || {
        store(&deck)
            .keyring()
            .await
            .unwrap()
            .read("work")
            .await
            .is_ok()
    })
    .await;
    daemon.stop().await;
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

fn secret_service(method: &str) {
    let status = std::process::Command::new("dbus-send")
        .args([
            "--session",
            "--dest=org.freedesktop.secrets",
            "--print-reply=literal",
            "/org/freedesktop/secrets",
            &format!("org.freedesktop.Secret.Service.{method}"),
            "array:objpath:/org/freedesktop/secrets/collection/login",
        ])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
}

/// As tests/run does: a locked collection is opened again by a new gnome-keyring-daemon given
/// the password (the records are on disk, in the session's XDG_DATA_HOME).
fn unlock_secret_service() {
    use std::io::Write;
    let pid = common::secret_service_pid();
    common::signal(pid, "TERM");
    let gone = Instant::now() + Duration::from_secs(10);
    while std::path::Path::new(&format!("/proc/{pid}")).exists() && Instant::now() < gone {
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut child = std::process::Command::new("gnome-keyring-daemon")
        .args(["--unlock", "--components=secrets"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"tokendeck-tests")
        .unwrap();
    child.wait().unwrap();
    let started = std::process::Command::new("gnome-keyring-daemon")
        .args(["--start", "--components=secrets"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(started.success());
}

/// The client's side of the same check: a socket served by a process of another user (planted
/// where `TOKENDECK_AGENT` points) is sent nothing — not even the account's name — and nothing
/// it would answer is taken for a token.
#[tokio::test]
async fn token_sends_nothing_to_a_socket_another_user_serves() {
    if !rustix_is_root() {
        eprintln!("skipped: serves a socket as `nobody` with runuser, which needs root");
        return;
    }
    if std::process::Command::new("runuser")
        .arg("--help")
        .output()
        .is_err()
    {
        eprintln!("skipped: runuser is not installed");
        return;
    }
    let server = TestProvider::start().await;
    let deck = linked(&server).await;
    let open = tempfile::tempdir().unwrap();
    std::fs::set_permissions(open.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let socket = open.path().join("planted.sock");
    let heard = open.path().join("heard");
    // A stranger's agent: it answers any line with a token of its choosing, and keeps what it
    // was sent.
    let stranger = format!(
        "import socket,sys,os\nos.umask(0)\ns=socket.socket(socket.AF_UNIX)\ns.bind({socket:?})\ns.listen(1)\nprint('ready',flush=True)\nc,_=s.accept()\nc.settimeout(5)\ntry:\n  got=c.recv(65536)\nexcept Exception:\n  got=b''\nopen({heard:?},'wb').write(got)\ntry:\n  c.sendall(b'{{\"v\":1,\"access_token\":\"planted\",\"expires_at\":\"2030-01-01T00:00:00Z\"}}\\n')\nexcept Exception:\n  pass\n",
    );
    let mut child = tokio::process::Command::new("runuser")
        .args(["-u", "nobody", "--", "/usr/bin/python3", "-c", &stranger])
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut ready = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = tokio::time::timeout(Duration::from_secs(10), ready.next_line())
        .await
        .expect("the stranger's socket listens")
        .unwrap();
    assert_eq!(line.as_deref(), Some("ready"));
    let out = deck
        .with_env("TOKENDECK_AGENT", socket.to_str().unwrap())
        .run(&["token", "work"], "")
        .await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(text(&out.stdout).is_empty(), "no token taken from it");
    assert!(
        stderr.contains("is served by another user (uid 65534)"),
        "{stderr}"
    );
    let _ = tokio::time::timeout(Duration::from_secs(10), child.wait()).await;
    let sent = std::fs::read(&heard).unwrap_or_default();
    assert!(
        sent.is_empty(),
        "sent: {:?}",
        String::from_utf8_lossy(&sent)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn git_credential_and_exec_take_the_agents_token_as_token_does() {
    let server = TestProvider::start().await;
    let deck = linked(&server).await;
    let out = deck
        .run(&["set", "work", "--git-host", "127.0.0.1:9"], "")
        .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stored = stored_token(&deck).await;
    // As above: this process cannot read the home's keyring, only the agent can answer it.
    let keyless = |args: &[&str]| {
        let mut command = deck.command(args);
        command
            .env("TOKENDECK_KEYRING", "keyutils")
            .stdin(Stdio::piped());
        command
    };
    let daemon = Daemon::start(&deck, &[]).await;
    let mut git = keyless(&["git-credential", "get"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = git.stdin.take().unwrap();
    stdin
        .write_all(b"protocol=http\nhost=127.0.0.1:9\n\n")
        .await
        .unwrap();
    drop(stdin);
    let answer = git.wait_with_output().await.unwrap();
    assert!(
        text(&answer.stdout).contains(&format!("password={stored}\n")),
        "{}",
        text(&answer.stderr)
    );
    assert!(text(&answer.stdout).contains("password_expiry_utc="));
    let exec = keyless(&["exec", "work", "--", "sh", "-c", "echo $TOKENDECK_TOKEN"])
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap();
    assert!(exec.status.success(), "{}", text(&exec.stderr));
    assert_eq!(text(&exec.stdout).trim_end(), stored);
    daemon.stop().await;
}

/// A git `erase` (git got a 401 with the token) marks it suspect in the status file alone: the
/// agent's next answer is a fresh token, as `token` without a daemon would give, not the refused
/// one it remembers.
#[tokio::test]
async fn after_a_git_erase_the_agent_hands_out_a_refreshed_token() {
    let server = TestProvider::start().await;
    let deck = linked(&server).await;
    let out = deck
        .run(&["set", "work", "--git-host", "127.0.0.1:9"], "")
        .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let daemon = Daemon::start(&deck, &[]).await;
    let token = async || {
        let out = deck.run(&["token", "work"], "").await;
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout).trim_end().to_string()
    };
    let refused = token().await;
    assert_eq!(token().await, refused, "remembered");
    let erase = deck
        .run(
            &["git-credential", "erase"],
            "protocol=http\nhost=127.0.0.1:9\n\n",
        )
        .await;
    assert!(erase.status.success(), "{}", text(&erase.stderr));
    let after = token().await;
    assert_ne!(after, refused, "the refused token is not handed out again");
    assert_eq!(after, stored_token(&deck).await, "the refreshed one");
    daemon.stop().await;
}

/// The agent `TOKENDECK_AGENT` names needs no home: `token` asks it even where the local home
/// cannot be used (the far side of a forward, with a loose `~/.config`), and says the home's
/// problem only when no agent is named.
#[tokio::test]
async fn a_named_agent_answers_where_the_local_home_cannot_be_used() {
    let server = TestProvider::start().await;
    let deck = linked(&server).await;
    let daemon = Daemon::start(&deck, &[]).await;
    let stored = stored_token(&deck).await;
    let loose = tempfile::tempdir().unwrap();
    std::fs::set_permissions(loose.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let far = |named: bool| {
        // Not the deck's home: a loose one, as on a far side.
        let mut command = tokio::process::Command::new(Deck::binary());
        command.args(["--home", loose.path().to_str().unwrap(), "token", "work"]);
        command.env_remove("TOKENDECK_AGENT");
        if named {
            command.env("TOKENDECK_AGENT", &daemon.socket);
        }
        command.stdin(Stdio::null()).output()
    };
    let out = far(true).await.unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim_end(), stored);
    let out = far(false).await.unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("chmod 700"),
        "{}",
        text(&out.stderr)
    );
    daemon.stop().await;
}
