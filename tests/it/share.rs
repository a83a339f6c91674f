//! Forwarding the agent over ssh, account by account (issue 22 item 6), with real OpenSSH: the
//! test starts its own `sshd` on 127.0.0.1 (its own config, host key, port and authorized key),
//! and `ssh -R` forwards `tokendeck daemon --share`'s share.sock to a far side that has an empty
//! home and no keyring. A shared account's access token crosses; an unshared one is refused with
//! exit 3 and how to share it; the daemon logs each token it hands out; share.sock answers
//! nothing but `token`. A file of its own: it is the one test that needs an ssh server.

use crate::agent::Daemon;
use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;

use common::cli::{Deck, text};
use common::{TestProvider, eventually};
use tokendeck::agent::client::ask;
use tokendeck::agent::protocol::{Answer, ErrorCode, Request};
use tokendeck::store::{Home, Store};
use tokio::process::{Child, Command};

const SSHD: &str = "/usr/sbin/sshd";

/// A private sshd: its folder holds the config, the host key, the client's key and the
/// authorized keys; it runs in the foreground and dies with the test.
struct Sshd {
    dir: tempfile::TempDir,
    port: u16,
    _child: Child,
}

impl Sshd {
    async fn start() -> Sshd {
        assert!(
            Path::new(SSHD).exists(),
            "{SSHD} is missing: `apt-get install openssh-server openssh-client` (.ci/run does)"
        );
        // sshd refuses to start without its privilege separation folder, which the package's
        // service would make; a machine where it never ran has none.
        if rustix::process::geteuid().is_root() {
            std::fs::create_dir_all("/run/sshd").unwrap();
        }
        let dir = tempfile::tempdir().unwrap();
        for key in ["host_key", "client_key"] {
            keygen(&dir.path().join(key)).await;
        }
        let authorized = dir.path().join("authorized_keys");
        std::fs::copy(dir.path().join("client_key.pub"), &authorized).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let config = dir.path().join("sshd_config");
        std::fs::write(
            &config,
            format!(
                "ListenAddress 127.0.0.1\nPort {port}\nHostKey {host}\nAuthorizedKeysFile {authorized}\n\
                 PidFile none\nStrictModes no\nUsePAM no\nPasswordAuthentication no\n\
                 KbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n\
                 AllowStreamLocalForwarding yes\nStreamLocalBindUnlink yes\nLogLevel VERBOSE\n",
                host = dir.path().join("host_key").display(),
                authorized = authorized.display(),
            ),
        )
        .unwrap();
        let check = Command::new(SSHD)
            .arg("-t")
            .arg("-f")
            .arg(&config)
            .output()
            .await
            .unwrap();
        assert!(check.status.success(), "sshd -t: {}", text(&check.stderr));
        let child = Command::new(SSHD)
            .args(["-D", "-e", "-f"])
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        eventually(Duration::from_secs(10), async || {
            tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
        })
        .await;
        // The host key is known beforehand, as a person's known_hosts would have it.
        let host_key = std::fs::read_to_string(dir.path().join("host_key.pub")).unwrap();
        std::fs::write(
            dir.path().join("known_hosts"),
            format!("[127.0.0.1]:{port} {host_key}"),
        )
        .unwrap();
        Sshd {
            dir,
            port,
            _child: child,
        }
    }

    /// A client config for host `far` with the options every connection here takes, and
    /// `extra` lines (the README's recipe adds its `RemoteForward`).
    fn client_config(&self, name: &str, extra: &str) -> PathBuf {
        let dir = self.dir.path();
        let user = rustix::process::getuid();
        let user = if user.is_root() {
            "root".to_string()
        } else {
            std::env::var("USER").unwrap_or_else(|_| "root".into())
        };
        let path = dir.join(name);
        std::fs::write(
            &path,
            format!(
                "Host far\n  HostName 127.0.0.1\n  Port {port}\n  User {user}\n  IdentityFile {key}\n  \
                 IdentitiesOnly yes\n  BatchMode yes\n  UserKnownHostsFile {known}\n  \
                 StrictHostKeyChecking yes\n  ExitOnForwardFailure yes\n{extra}",
                port = self.port,
                key = dir.join("client_key").display(),
                known = dir.join("known_hosts").display(),
            ),
        )
        .unwrap();
        path
    }
}

async fn keygen(path: &Path) {
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(path)
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "ssh-keygen: {}", text(&out.stderr));
}

/// The far side: an empty home, no keyring (no D-Bus, no runtime dir: `env -i`), and the socket
/// ssh forwards to.
struct FarSide {
    home: tempfile::TempDir,
    socket: PathBuf,
}

impl FarSide {
    fn new() -> FarSide {
        let home = tempfile::tempdir().unwrap();
        let socket = home.path().join("run").join("tokendeck.sock");
        std::fs::create_dir(socket.parent().unwrap()).unwrap();
        FarSide { home, socket }
    }

    /// The command ssh runs there: `TOKENDECK_AGENT=SOCKET tokendeck token NAME`.
    fn token_command(&self, name: &str) -> String {
        format!(
            "env -i TOKENDECK_HOME={home} TOKENDECK_AGENT={socket} {tokendeck} token {name}",
            home = self.home.path().join("deck").display(),
            socket = self.socket.display(),
            tokendeck = Deck::binary().display(),
        )
    }

    /// Nothing was written on the far side: its home's folders may be made, but no file is in
    /// them — no accounts file, no event log, no status.
    fn assert_untouched(&self) {
        let mut folders = vec![self.home.path().join("deck")];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).into_iter().flatten() {
                let path = entry.unwrap().path();
                assert!(path.is_dir(), "the far side wrote {path:?}");
                folders.push(path);
            }
        }
    }
}

/// Runs `ssh -F CONFIG [ARGS] far COMMAND`.
async fn ssh(config: &Path, args: &[&str], command: &str) -> Output {
    Command::new("ssh")
        .arg("-F")
        .arg(config)
        .args(args)
        .arg("far")
        .arg(command)
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output()
        .await
        .unwrap()
}

async fn access_token(deck: &Deck, name: &str) -> String {
    let store = Store::new(Home::rooted(deck.home()).unwrap());
    let record = store.keyring().await.unwrap().read(name).await.unwrap();
    record.unwrap().tokens.unwrap().access_token().to_string()
}

async fn refresh_token(deck: &Deck, name: &str) -> String {
    let store = Store::new(Home::rooted(deck.home()).unwrap());
    let record = store.keyring().await.unwrap().read(name).await.unwrap();
    let tokens = record.unwrap().tokens.unwrap();
    tokens.refresh_token().expect("a refresh token").to_string()
}

/// Whether the daemon logged a token of `name` handed out through share.sock.
fn handed_out(log: &str, name: &str) -> usize {
    log.lines()
        .filter(|l| {
            l.starts_with(&format!(
                "<6>handed {name:?}'s access token out through share.sock at 20"
            ))
        })
        .count()
}

#[tokio::test]
async fn a_shared_account_s_token_crosses_a_real_ssh_forward_and_an_unshared_one_is_refused_with_how_to_share_it()
 {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    let out = deck
        .add_with(&server, "work", "basic-secret-value", &["--share"])
        .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("\"work\" is shared"),
        "{}",
        text(&out.stderr)
    );
    deck.add(&server, "home").await;
    for name in ["work", "home"] {
        let out = deck.link(name).await;
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let shown = deck.ok(&["show", "work"]).await;
    assert!(shown.contains("  shared:            yes"), "{shown}");
    let shown = deck.ok(&["show", "home"]).await;
    assert!(shown.contains("  shared:            no"), "{shown}");
    let json: serde_json::Value =
        serde_json::from_str(&deck.ok(&["show", "home", "--json"]).await).unwrap();
    assert_eq!(json["shared"], false);

    let daemon = Daemon::start(&deck, &["--share", "--no-notify"]).await;
    let share = daemon.socket.with_file_name("share.sock");
    daemon
        .line_starting(&format!(
            "<6>answering shared accounts' tokens on {} ",
            share.display()
        ))
        .await;
    let mode = std::fs::metadata(&share).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);

    // share.sock answers the token op alone, and the same for an account not there as for one
    // not shared: the far side learns no names.
    for request in [Request::Accounts, Request::Status { account: None }] {
        let answer = ask(&share, &request).unwrap();
        assert!(
            matches!(
                &answer,
                Answer::Error {
                    code: ErrorCode::BadRequest,
                    ..
                }
            ),
            "{answer:?}"
        );
    }
    for name in ["home", "nobody"] {
        let answer = ask(
            &share,
            &Request::Token {
                account: name.into(),
            },
        )
        .unwrap();
        assert!(
            matches!(
                &answer,
                Answer::Error {
                    code: ErrorCode::NotShared,
                    ..
                }
            ),
            "{answer:?}"
        );
    }

    let sshd = Sshd::start().await;
    let far = FarSide::new();
    let config = sshd.client_config("ssh_config", "");
    let forward = format!("{}:{}", far.socket.display(), share.display());
    let home = ssh(&config, &["-R", &forward], &far.token_command("home")).await;
    assert_eq!(home.status.code(), Some(3), "{home:?}");
    assert!(home.stdout.is_empty(), "{home:?}");
    let said = text(&home.stderr);
    assert!(
        said.contains("\"home\" is not shared") && said.contains("`tokendeck set home --share`"),
        "{said}"
    );
    let work = ssh(&config, &["-R", &forward], &far.token_command("work")).await;
    assert!(work.status.success(), "{}", text(&work.stderr));
    let token = access_token(&deck, "work").await;
    assert!(
        text(&work.stdout) == format!("{token}\n"),
        "not the stored token"
    );
    let refresh = refresh_token(&deck, "work").await;
    let crossed = format!("{}{}", text(&work.stdout), text(&work.stderr));
    assert!(!crossed.contains(&refresh), "the refresh token crossed");
    far.assert_untouched();
    // The daemon's lines arrive in order: once work's is read, home's would have been.
    eventually(Duration::from_secs(10), async || {
        handed_out(&daemon.stderr(), "work") == 1
    })
    .await;
    let log = daemon.stderr();
    assert_eq!(handed_out(&log, "home"), 0, "{log}");
    assert!(
        !log.contains(&token) && !log.contains(&refresh),
        "a token in the log"
    );

    // The other way round, through the README's recipe: `RemoteForward` in the ssh config, and
    // a forward onto the socket file the last session left (sshd's StreamLocalBindUnlink).
    deck.ok(&["set", "home", "--share"]).await;
    deck.ok(&["set", "work", "--no-share"]).await;
    assert!(far.socket.exists(), "sshd left the forwarded socket behind");
    let recipe = sshd.client_config(
        "ssh_config_recipe",
        &format!(
            "  RemoteForward {} {}\n",
            far.socket.display(),
            share.display()
        ),
    );
    let work = ssh(&recipe, &[], &far.token_command("work")).await;
    assert_eq!(work.status.code(), Some(3), "{work:?}");
    assert!(
        text(&work.stderr).contains("`tokendeck set work --share`"),
        "{work:?}"
    );
    let home = ssh(&recipe, &[], &far.token_command("home")).await;
    assert!(home.status.success(), "{}", text(&home.stderr));
    let token = access_token(&deck, "home").await;
    assert!(
        text(&home.stdout) == format!("{token}\n"),
        "not the stored token"
    );
    far.assert_untouched();
    eventually(Duration::from_secs(10), async || {
        handed_out(&daemon.stderr(), "home") == 1
    })
    .await;
    assert_eq!(
        handed_out(&daemon.stderr(), "work"),
        1,
        "{}",
        daemon.stderr()
    );

    daemon.stop().await;
    assert!(
        !share.exists(),
        "the daemon takes share.sock away when it stops"
    );
}
