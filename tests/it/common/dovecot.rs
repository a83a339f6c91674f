//! A real Dovecot for the mail tests: IMAP (plain, and TLS on its own port) and SMTP submission
//! (with STARTTLS) on 127.0.0.1 and free ports, with a configuration of its own in a temporary
//! folder (its own base_dir, state, logs and a throwaway certificate for 127.0.0.1; nothing of
//! /etc/dovecot), and an `oauth2` passdb that asks the test provider's RFC 7662 introspection
//! endpoint whether a bearer token is good. Submission hands each message to a [`Relay`].

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};

use super::TestProvider;
use super::smtp_relay::Relay;

/// The user the test provider signs in (its `sub`), whose mailbox Dovecot opens.
pub const MAIL_USER: &str = "test-user@example.test";

/// Where Debian's package puts the Dovecot master.
const DOVECOT: &str = "/usr/sbin/dovecot";

/// The test provider's client that may introspect the tokens `Deck::add` accounts get.
const CLIENT_SECRET: &str = "basic-secret-value";

pub struct Dovecot {
    /// IMAP without TLS (Dovecot takes logins on the loopback interface as secured).
    pub imap_port: u16,
    /// IMAP over TLS from the first byte, as imap.gmail.com:993 is.
    pub imaps_port: u16,
    /// SMTP submission, which offers STARTTLS, as smtp.gmail.com:587 does.
    pub submission_port: u16,
    dir: tempfile::TempDir,
    /// A shell that runs Dovecot in the foreground and stops it when its stdin closes: dropped
    /// with the test, or closed by the kernel when the test process dies, either way.
    child: Child,
}

impl Dovecot {
    /// Starts Dovecot for tokens of the test provider's `basic-client` (the client that may
    /// introspect them), relaying submitted mail to `relay`.
    pub async fn start(provider: &TestProvider, relay: &Relay) -> Dovecot {
        assert!(
            Path::new(DOVECOT).exists(),
            "Dovecot is not installed: apt-get install dovecot-imapd dovecot-submissiond (.ci/run does it)"
        );
        // Ports are picked free and then given to Dovecot, which another test may take in
        // between: then Dovecot cannot listen, and the next attempt picks others.
        for _ in 0..5 {
            if let Some(dovecot) = Dovecot::try_start(provider, relay).await {
                return dovecot;
            }
        }
        panic!("Dovecot did not start in 5 attempts");
    }

    async fn try_start(provider: &TestProvider, relay: &Relay) -> Option<Dovecot> {
        let dir = tempfile::tempdir().unwrap();
        // The login and mail processes run as other users: they must be able to reach inside.
        set_mode(dir.path(), 0o755);
        let (imap_port, imaps_port, submission_port) = (free_port(), free_port(), free_port());
        certificate(dir.path());
        let mail = dir.path().join("mail");
        std::fs::create_dir(&mail).unwrap();
        set_mode(&mail, 0o777);
        let oauth2 = dir.path().join("oauth2.conf.ext");
        let introspection = provider.url("/token/introspection").replacen(
            "http://",
            &format!("http://basic-client:{CLIENT_SECRET}@"),
            1,
        );
        std::fs::write(&oauth2, oauth2_conf(&introspection)).unwrap();
        let conf = dir.path().join("dovecot.conf");
        let settings = Settings {
            dir: dir.path(),
            oauth2: &oauth2,
            mail: &mail,
            imap_port,
            imaps_port,
            submission_port,
            relay_port: relay.port,
        };
        std::fs::write(&conf, settings.dovecot_conf()).unwrap();
        let mut child = Command::new("sh")
            .args([
                "-c",
                r#""$0" -F -c "$1" & pid=$!; cat >/dev/null; kill "$pid"; wait "$pid""#,
                DOVECOT,
            ])
            .arg(&conf)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("sh runs");
        let started = greets(imap_port, "* OK").await
            && greets(submission_port, "220 ").await
            && tokio::net::TcpStream::connect(("127.0.0.1", imaps_port))
                .await
                .is_ok();
        if !started {
            drop(child.stdin.take());
            let _ = child.wait();
            return None;
        }
        Some(Dovecot {
            imap_port,
            imaps_port,
            submission_port,
            dir,
            child,
        })
    }

    /// Dovecot's log: which logins it let in and why it refused the others. It holds no token
    /// (without `auth_debug`, Dovecot logs none; the tests check it) and the client secret of
    /// the introspection URL is cut out, so that a failing test may print it.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("dovecot.log"))
            .unwrap_or_default()
            .replace(CLIENT_SECRET, "[client secret]")
    }

    /// The logins Dovecot let in, in order, each as `SERVICE METHOD` (`imap XOAUTH2`,
    /// `submission OAUTHBEARER`), and for the user the test provider signs in only.
    pub fn logins(&self) -> Vec<String> {
        let user = format!("Login: user=<{MAIL_USER}>, method=");
        self.log()
            .lines()
            .filter_map(|line| {
                let (service, rest) = line.split_once("-login: Info: ")?;
                let method = rest.strip_prefix(&user)?.split(',').next()?;
                let service = service.rsplit(' ').next()?;
                Some(format!("{service} {method}"))
            })
            .collect()
    }

    /// The certificate of this Dovecot's TLS (self-signed, for 127.0.0.1), for a client to trust.
    pub fn certificate(&self) -> PathBuf {
        self.dir.path().join("cert.pem")
    }

    /// A folder of this Dovecot's, for a client's own files (configuration, mailbox).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        // Closing the shell's stdin stops Dovecot; wait so that its ports and files go with it.
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

struct Settings<'a> {
    dir: &'a Path,
    oauth2: &'a Path,
    mail: &'a Path,
    imap_port: u16,
    imaps_port: u16,
    submission_port: u16,
    relay_port: u16,
}

impl Settings<'_> {
    fn dovecot_conf(&self) -> String {
        let dir = self.dir.display();
        let (oauth2, mail) = (self.oauth2.display(), self.mail.display());
        let (imap, imaps) = (self.imap_port, self.imaps_port);
        let (submission, relay) = (self.submission_port, self.relay_port);
        let users = process_users();
        format!(
            r#"# A private Dovecot for one test (tests/it/common/dovecot.rs).
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
protocols = imap submission
listen = 127.0.0.1
{users}
# TLS where a client asks for it (imaps, STARTTLS); plain TCP on the loopback interface, which
# Dovecot counts as secured, for the others.
ssl = yes
ssl_cert = <{dir}/cert.pem
ssl_key = <{dir}/key.pem
auth_mechanisms = xoauth2 oauthbearer
auth_verbose = yes
passdb {{
  driver = oauth2
  args = {oauth2}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={mail}/%n
}}
mail_location = maildir:~/Maildir
first_valid_uid = 1
first_valid_gid = 1
service imap-login {{
  inet_listener imap {{
    port = {imap}
  }}
  inet_listener imaps {{
    port = {imaps}
    ssl = yes
  }}
}}
service submission-login {{
  inet_listener submission {{
    port = {submission}
  }}
}}
submission_relay_host = 127.0.0.1
submission_relay_port = {relay}
"#,
            uid = users.mail_uid,
            gid = users.mail_gid,
            users = users.settings,
        )
    }
}

/// The `oauth2` passdb: each login's bearer token is POSTed to the provider's introspection
/// endpoint with the client's credentials (RFC 7662 §2.1), and accepted only when the answer says
/// `"active": true` for the user who logs in. The test provider names the user by `sub`
/// (`test-user`) and the mail client by address: `username_format = %n` compares the part before
/// the `@`.
fn oauth2_conf(introspection_url: &str) -> String {
    format!(
        "introspection_mode = post\n\
         introspection_url = {introspection_url}\n\
         force_introspection = yes\n\
         active_attribute = active\n\
         active_value = true\n\
         username_attribute = sub\n\
         username_format = %n\n\
         timeout_msecs = 10000\n"
    )
}

/// Who Dovecot's processes run as. As root: Debian's `dovecot` and `dovenull` users, and mail
/// as `nobody`. Otherwise everything as the user running the tests, without the login
/// processes' chroot (which needs root).
struct ProcessUsers {
    settings: String,
    mail_uid: String,
    mail_gid: String,
}

fn process_users() -> ProcessUsers {
    let id = |flag: &str| {
        let out = Command::new("id").arg(flag).output().expect("id runs");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    if id("-u") == "0" {
        return ProcessUsers {
            settings: String::new(),
            mail_uid: "nobody".into(),
            mail_gid: "nogroup".into(),
        };
    }
    let (user, group) = (id("-un"), id("-gn"));
    let unchrooted = ["imap-login", "submission-login", "anvil"]
        .map(|service| format!("service {service} {{\n  chroot =\n}}\n"))
        .concat();
    ProcessUsers {
        settings: format!(
            "default_internal_user = {user}\ndefault_login_user = {user}\n\
             default_internal_group = {group}\n{unchrooted}"
        ),
        mail_uid: id("-u"),
        mail_gid: id("-g"),
    }
}

/// A throwaway certificate for 127.0.0.1 (cert.pem, key.pem in `dir`): an EC key, made in
/// milliseconds.
fn certificate(dir: &Path) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            "key.pem",
            "-out",
            "cert.pem",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ])
        .output()
        .expect("openssl must be installed (apt-get install openssl)");
    assert!(
        out.status.success(),
        "openssl: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Whether a server listens on `port` and greets with `prefix` within 20 s.
async fn greets(port: u16, prefix: &str) -> bool {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while tokio::time::Instant::now() < deadline {
        if let Ok(stream) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
            let mut line = String::new();
            let mut reader = BufReader::new(stream);
            let read = reader.read_line(&mut line);
            let read = tokio::time::timeout(Duration::from_secs(10), read).await;
            return read.is_ok_and(|r| r.is_ok()) && line.starts_with(prefix);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}
