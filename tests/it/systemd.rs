//! The daemon under systemd's `Type=notify` (sd_notify(3)), with the test in systemd's place: a
//! datagram socket the test binds and names in `NOTIFY_SOCKET` hears `READY=1` once the agent's
//! socket answers, `STATUS=` with the number of accounts (again when another process adds one),
//! and `STOPPING=1` on SIGTERM — at a Linux abstract name (`@…`) as at a path. (A module of its
//! own: daemon.rs, with the unit's install tests, is past the size a file should be.)

use crate::common;

use std::os::linux::net::SocketAddrExt;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use common::TestProvider;
use common::cli::{Deck, text};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixDatagram, UnixStream};
use tokio::process::Child;

/// The test's stand-in for systemd's notification socket.
struct Systemd {
    socket: UnixDatagram,
    /// What `NOTIFY_SOCKET` says: a path, or `@` and an abstract name.
    name: String,
    _dir: Option<tempfile::TempDir>,
}

impl Systemd {
    fn at_abstract_name() -> Systemd {
        let name = format!("tokendeck-test-{}-{}", std::process::id(), rand_suffix());
        let address = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
        let socket = std::os::unix::net::UnixDatagram::bind_addr(&address).unwrap();
        socket.set_nonblocking(true).unwrap();
        Systemd {
            socket: UnixDatagram::from_std(socket).unwrap(),
            name: format!("@{name}"),
            _dir: None,
        }
    }

    fn at_path() -> Systemd {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify");
        Systemd {
            socket: UnixDatagram::bind(&path).unwrap(),
            name: path.to_str().unwrap().to_owned(),
            _dir: Some(dir),
        }
    }

    /// The next message the daemon sent, as its lines.
    async fn next(&self) -> Vec<String> {
        let mut buffer = vec![0; 4096];
        let size = tokio::time::timeout(Duration::from_secs(15), self.socket.recv(&mut buffer))
            .await
            .expect("a message to systemd within 15 s")
            .unwrap();
        text(&buffer[..size]).lines().map(str::to_owned).collect()
    }
}

fn rand_suffix() -> u64 {
    let mut bytes = [0; 8];
    getrandom::fill(&mut bytes).unwrap();
    u64::from_le_bytes(bytes)
}

fn start_daemon(deck: &Deck, systemd: &Systemd) -> Child {
    deck.command(&["daemon"])
        .env("NOTIFY_SOCKET", &systemd.name)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The agent's socket named in a `STATUS=` line.
fn agent_socket(status: &str) -> PathBuf {
    let (_, path) = status
        .split_once("; answering tokens on ")
        .unwrap_or_else(|| panic!("no socket in {status:?}"));
    PathBuf::from(path)
}

async fn stop(mut daemon: Child) -> String {
    common::signal(daemon.id().unwrap(), "TERM");
    let out = tokio::time::timeout(Duration::from_secs(10), async {
        let status = daemon.wait().await.unwrap();
        let mut stderr = String::new();
        let mut pipe = daemon.stderr.take().unwrap();
        tokio::io::AsyncReadExt::read_to_string(&mut pipe, &mut stderr)
            .await
            .unwrap();
        (status, stderr)
    })
    .await
    .expect("the daemon ended within 10 s of SIGTERM");
    assert!(out.0.success(), "{}", out.1);
    out.1
}

#[tokio::test]
async fn systemd_hears_ready_once_the_agent_answers_then_the_account_count_then_stopping() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    deck.add(&server, "work").await;
    let systemd = Systemd::at_abstract_name();
    let daemon = start_daemon(&deck, &systemd);

    let ready = systemd.next().await;
    assert_eq!(ready[0], "READY=1", "{ready:?}");
    assert_eq!(ready.len(), 2, "{ready:?}");
    assert!(
        ready[1].starts_with("STATUS=keeping 1 account fresh; answering tokens on /"),
        "{ready:?}"
    );
    // Ready means the agent answers: a client may connect the moment systemd says started.
    let agent = UnixStream::connect(agent_socket(&ready[1])).await.unwrap();
    let (reader, mut writer) = agent.into_split();
    writer
        .write_all(b"{\"v\":1,\"op\":\"accounts\"}\n")
        .await
        .unwrap();
    let answer = BufReader::new(reader).lines().next_line().await.unwrap();
    assert!(
        answer.as_deref().is_some_and(|a| a.contains("\"work\"")),
        "{answer:?}"
    );

    // Another process adds an account: the status follows.
    deck.add(&server, "home").await;
    let status = systemd.next().await;
    assert_eq!(status.len(), 1, "{status:?}");
    assert!(
        status[0].starts_with("STATUS=keeping 2 accounts fresh; answering tokens on /"),
        "{status:?}"
    );

    common::signal(daemon.id().unwrap(), "TERM");
    let stopping = systemd.next().await;
    assert_eq!(stopping, ["STOPPING=1", "STATUS=SIGTERM: stopping"]);
    let stderr = stop(daemon).await;
    assert!(!stderr.contains("NOTIFY_SOCKET"), "{stderr}");
}

#[tokio::test]
async fn a_notify_socket_at_a_path_hears_ready_and_stopping_too() {
    let deck = Deck::new();
    let systemd = Systemd::at_path();
    let daemon = start_daemon(&deck, &systemd);
    let ready = systemd.next().await;
    assert_eq!(ready[0], "READY=1", "{ready:?}");
    assert!(
        ready[1].starts_with("STATUS=keeping 0 accounts fresh; "),
        "{ready:?}"
    );
    let stderr = stop(daemon).await;
    assert_eq!(
        systemd.next().await,
        ["STOPPING=1", "STATUS=SIGTERM: stopping"]
    );
    assert!(!stderr.contains("NOTIFY_SOCKET"), "{stderr}");
}

/// Under `Type=notify`, a daemon that cannot reach systemd would be stopped at the start
/// timeout without a word: it says so in the journal, and serves all the same.
#[tokio::test]
async fn a_notify_socket_nobody_listens_on_is_told_and_the_daemon_serves_all_the_same() {
    let deck = Deck::new();
    let gone = Systemd::at_path();
    let name = gone.name.clone();
    drop(gone.socket);
    let systemd = Systemd {
        socket: UnixDatagram::unbound().unwrap(),
        name,
        _dir: gone._dir,
    };
    let daemon = start_daemon(&deck, &systemd);
    let socket = tokendeck::agent::place::default_socket(
        &tokendeck::store::Home::rooted(deck.home()).unwrap(),
    );
    common::eventually(Duration::from_secs(15), async || {
        UnixStream::connect(&socket).await.is_ok()
    })
    .await;
    let stderr = stop(daemon).await;
    assert!(
        stderr.contains("could not tell systemd how the daemon is doing through $NOTIFY_SOCKET"),
        "{stderr}"
    );
    assert!(
        stderr.contains("systemctl --user status tokendeck"),
        "{stderr}"
    );
}
