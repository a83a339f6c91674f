//! What the integration tests share: the real authorization server (tests/provider/server.mjs,
//! oidc-provider on 127.0.0.1 and a free port) and a test "browser" that follows its redirects.

pub mod cli;
pub mod dovecot;
pub mod git_http;
pub mod mail_clients;
pub mod qr;
pub mod smtp_relay;
pub mod tmux;

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokendeck::{AuthMethod, Provider, Session, SessionBuilder, Tokens};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A running oidc-provider. Dropping it kills the server; the server also exits by itself when
/// its standard input closes, so even a test process killed outright leaves nothing behind.
pub struct TestProvider {
    pub issuer: String,
    _child: Child,
}

pub struct Options {
    pub access_ttl: u64,
    pub rotate: bool,
    /// Token responses without `expires_in`: expiry shows only as a 401.
    pub omit_expires_in: bool,
    /// The `interval` the device authorization answer carries (none: clients wait 5 s).
    pub device_interval: Option<u64>,
    /// How long a device code lives, in seconds.
    pub device_ttl: u64,
    /// Which metadata documents the server serves: `openid` (OpenID Connect discovery only),
    /// `oauth` (RFC 8414 only) or `split` (both; revocation and introspection only in RFC 8414's).
    pub discovery: &'static str,
    /// A path the issuer ends in (`/tenant`), under which every endpoint is served; empty: none.
    pub issuer_path: &'static str,
    /// The host in the issuer's URL: `localhost` makes clients resolve a name (the server still
    /// listens on 127.0.0.1).
    pub host_name: &'static str,
    /// How long ID tokens live, in seconds.
    pub id_token_ttl: u64,
    /// A refresh token only when the grant holds `offline_access` (oidc-provider's own rule,
    /// which keeps that scope only with `prompt=consent`); otherwise one for every grant.
    pub refresh_only_offline: bool,
    /// `refresh_token_expires_in` in every answer that carries a refresh token, in seconds.
    pub refresh_token_expires_in: Option<u64>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            access_ttl: 3600,
            rotate: true,
            omit_expires_in: false,
            device_interval: Some(1),
            device_ttl: 600,
            discovery: "openid",
            issuer_path: "",
            host_name: "127.0.0.1",
            id_token_ttl: 3600,
            refresh_only_offline: false,
            refresh_token_expires_in: None,
        }
    }
}

impl TestProvider {
    pub async fn start() -> TestProvider {
        TestProvider::start_with(Options::default()).await
    }

    pub async fn start_with(options: Options) -> TestProvider {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/provider");
        assert!(
            dir.join("node_modules/oidc-provider").is_dir(),
            "the test authorization server is not installed: run `npm ci --prefix tests/provider` (tests/run does it)"
        );
        let mut child = Command::new("node")
            .arg(dir.join("server.mjs"))
            .env("ACCESS_TTL", options.access_ttl.to_string())
            .env("ROTATE", if options.rotate { "1" } else { "0" })
            .env(
                "OMIT_EXPIRES_IN",
                if options.omit_expires_in { "1" } else { "0" },
            )
            .env("DEVICE_TTL", options.device_ttl.to_string())
            .env("DISCOVERY", options.discovery)
            .env("ISSUER_PATH", options.issuer_path)
            .env("HOST_NAME", options.host_name)
            .env("ID_TOKEN_TTL", options.id_token_ttl.to_string())
            .env(
                "REFRESH_TOKENS",
                if options.refresh_only_offline {
                    "offline"
                } else {
                    "all"
                },
            )
            .envs(
                options
                    .refresh_token_expires_in
                    .map(|s| ("REFRESH_TOKEN_EXPIRES_IN", s.to_string())),
            )
            .envs(
                options
                    .device_interval
                    .map(|s| ("DEVICE_INTERVAL", s.to_string())),
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("`node` must be installed to run the test authorization server");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
            .await
            .expect("the test authorization server did not start within 20 s")
            .expect("reading the server's output")
            .expect("the test authorization server exited before listening");
        let issuer = line
            .strip_prefix("listening ")
            .unwrap_or_else(|| panic!("unexpected first line from the server: {line}"))
            .to_string();
        TestProvider {
            issuer,
            _child: child,
        }
    }

    pub fn provider(&self) -> Provider {
        Provider::new(&self.url("/auth"), &self.url("/token"))
            .unwrap()
            .with_issuer(&self.issuer)
            .unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.issuer)
    }

    /// The server's counters: requests per `METHOD /path`, `grant <type> <status>`, `api request`
    /// (every request to /api/me), `api 200`, `api 401`, `refresh token reused`.
    pub async fn stats(&self) -> Value {
        reqwest::get(self.url("/__test/stats"))
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()["counts"]
            .clone()
    }

    pub async fn count(&self, key: &str) -> u64 {
        self.stats().await[key].as_u64().unwrap_or(0)
    }

    /// Injects a fault on `path` for the next `count` requests. `query` adds `status=…`,
    /// `delay_before_ms=…`, `delay_after_ms=…`, `retry_after=…` (and, with a `body`, `repeat=N`).
    pub async fn fault(&self, path: &str, count: u32, query: &str) {
        let url = self.url(&format!("/__test/fault?path={path}&count={count}&{query}"));
        let status = reqwest::get(url).await.unwrap().status();
        assert_eq!(status, 204);
    }

    /// Answers the next request on `path` with `body` (JSON unless `query` says another
    /// `content_type=…`). With `status=…` in `query` the real handler is skipped; without, it runs
    /// first (a refresh token rotates) and only its answer is replaced.
    pub async fn fault_body(&self, path: &str, body: &str, query: &str) {
        let body: String = url::form_urlencoded::byte_serialize(body.as_bytes()).collect();
        self.fault(path, 1, &format!("body={body}&{query}")).await;
    }

    /// Makes the next ID token the server issues for `grant` (`authorization_code`,
    /// `refresh_token`) carry `claims` instead (a `null` removes one) and its `auth_time` moved by
    /// `shift_auth_time` seconds, signed again with the server's own key.
    pub async fn change_next_id_token(&self, grant: &str, claims: Value, shift_auth_time: i64) {
        let claims: String =
            url::form_urlencoded::byte_serialize(claims.to_string().as_bytes()).collect();
        let url = self.url(&format!(
            "/__test/id-token?grant={grant}&claims={claims}&shift_auth_time={shift_auth_time}"
        ));
        assert_eq!(reqwest::get(url).await.unwrap().status(), 204);
    }

    /// Revokes one access token at the server, as if it had expired early.
    pub async fn revoke_access_token(&self, token: &str) {
        let url = self.url(&format!("/__test/revoke-access?token={token}"));
        assert_eq!(reqwest::get(url).await.unwrap().status(), 204);
    }

    /// RFC 7009 revocation of a refresh token, which revokes its whole grant.
    pub async fn revoke_refresh_token(&self, client: Client, token: &str) {
        let (id, secret, _) = client.credentials();
        let response = reqwest::Client::new()
            .post(self.url("/token/revocation"))
            .basic_auth(id, secret)
            .form(&[("token", token), ("token_type_hint", "refresh_token")])
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{}", response.status());
    }
}

/// The clients registered at the test server.
#[derive(Clone, Copy, Debug)]
pub enum Client {
    Basic,
    Post,
    Public,
}

impl Client {
    pub fn credentials(self) -> (&'static str, Option<&'static str>, AuthMethod) {
        match self {
            Client::Basic => (
                "basic-client",
                Some("basic-secret-value"),
                AuthMethod::Basic,
            ),
            Client::Post => ("post-client", Some("post-secret-value"), AuthMethod::Post),
            Client::Public => ("public-client", None, AuthMethod::None),
        }
    }
}

/// A callback on the discard port: the paste flow never lets the browser reach it.
pub const PASTE_REDIRECT: &str = "http://127.0.0.1:9/callback";

/// A session builder for `client` at `server`, with the scopes that yield a refresh token.
pub fn session(server: &TestProvider, client: Client, redirect_uri: &str) -> SessionBuilder {
    let (id, secret, method) = client.credentials();
    let mut builder = Session::builder(server.provider(), id, redirect_uri)
        .auth_method(method)
        .scopes(["openid", "offline_access", "api"]);
    if let Some(secret) = secret {
        builder = builder.client_secret(secret);
    }
    builder
}

/// Authorizes in the test browser and exchanges the pasted redirect URL.
pub async fn link(session: &Session) -> Tokens {
    let redirect = Browser::new()
        .authorize(&session.authorize_url(), &session.redirect_uri())
        .await;
    session.token(&redirect).await.expect("code exchange")
}

/// A test "browser": a cookie jar, following the provider's redirects by hand.
pub struct Browser {
    http: reqwest::Client,
}

impl Browser {
    pub fn new() -> Browser {
        Browser {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        }
    }

    /// Follows redirects from `url` until one leads to `redirect_uri`; returns that URL without
    /// requesting it (what a user would copy from the address bar).
    pub async fn authorize(&self, url: &str, redirect_uri: &str) -> String {
        let mut current = url::Url::parse(url).unwrap();
        for _ in 0..20 {
            if current.as_str().starts_with(redirect_uri) {
                return current.into();
            }
            let response = self.http.get(current.clone()).send().await.unwrap();
            let status = response.status();
            let Some(location) = response.headers().get("location") else {
                let body = response.text().await.unwrap_or_default();
                panic!("the provider answered {status} without a redirect: {body:.400}");
            };
            current = current.join(location.to_str().unwrap()).unwrap();
        }
        panic!("more than 20 redirects");
    }

    /// Opens a device flow's verification URL (with the user code in it) and confirms the code —
    /// or aborts, when `approve` is false — as a person at the provider's page would; the
    /// provider's own login and consent follow (approved by the test server). Returns the last
    /// page's text.
    pub async fn approve_device(&self, url: &str, approve: bool) -> String {
        // The provider answers with a form that posts the code back to it by itself.
        let (at, page) = self.follow(self.http.get(url)).await;
        let action = at.join(&attribute(&page, "action=\"")).unwrap();
        let code = hidden(&page, "user_code");
        let form = [("xsrf", hidden(&page, "xsrf")), ("user_code", code.clone())];
        let (_, page) = self
            .follow(self.http.post(action.clone()).form(&form))
            .await;
        // The confirmation page: "Continue" or "Abort".
        let answer = if approve { "confirm" } else { "abort" };
        let form = [
            ("xsrf", hidden(&page, "xsrf")),
            ("user_code", code),
            (answer, "yes".to_string()),
        ];
        self.follow(self.http.post(action).form(&form)).await.1
    }

    /// Sends `request` and follows redirects; the last URL and its page.
    async fn follow(&self, request: reqwest::RequestBuilder) -> (url::Url, String) {
        let mut response = request.send().await.unwrap();
        for _ in 0..20 {
            let Some(location) = response.headers().get("location") else {
                let url = response.url().clone();
                return (url, response.text().await.unwrap());
            };
            let next = response.url().join(location.to_str().unwrap()).unwrap();
            response = self.http.get(next).send().await.unwrap();
        }
        panic!("more than 20 redirects");
    }

    /// Follows the flow and then visits the callback itself, as a real browser does.
    pub async fn complete(&self, url: &str, redirect_uri: &str) -> reqwest::Response {
        let callback = self.authorize(url, redirect_uri).await;
        self.http.get(callback).send().await.unwrap()
    }
}

/// Waits until `tokens` have expired by the clock (at most 10 s).
pub async fn past_expiry(tokens: &Tokens) {
    let expires_at = tokens.expires_at().expect("the tokens have an expiry");
    eventually(Duration::from_secs(10), async || {
        std::time::SystemTime::now() > expires_at
    })
    .await;
}

/// How often `eventually` checks.
const POLL: Duration = Duration::from_millis(20);

/// Waits until `done` holds, checking every 20 ms, for at most `limit`.
pub async fn eventually<F: AsyncFnMut() -> bool>(limit: Duration, mut done: F) {
    let deadline = tokio::time::Instant::now() + limit;
    while !done().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "condition not met within {limit:?}"
        );
        tokio::time::sleep(POLL).await;
    }
}

/// The pid of the Secret Service on this test's D-Bus session. A test that stops it stalls every
/// other test's keyring: mark it `#[ignore = "runs alone: …"]`, and tests/run runs it on its own,
/// before the others.
pub fn secret_service_pid() -> u32 {
    let out = std::process::Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply=literal",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.GetConnectionUnixProcessID",
            "string:org.freedesktop.secrets",
        ])
        .output()
        .expect("dbus-send runs");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .last()
        .and_then(|pid| pid.parse().ok())
        .unwrap_or_else(|| {
            panic!(
                "no Secret Service pid: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        })
}

pub fn signal(pid: u32, name: &str) {
    let status = std::process::Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// CPU time (user and system) process `pid` has used so far, in clock ticks (USER_HZ: 100 a
/// second on Linux).
pub fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // After the command's name, which may hold spaces, in parentheses.
    let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

/// Replaces `path` with `bytes` at once (a new file renamed over it), so that no reader ever
/// sees it empty in between.
pub fn replace_file(path: &std::path::Path, bytes: &[u8]) {
    let next = path.with_extension("next");
    std::fs::write(&next, bytes).unwrap();
    std::fs::rename(&next, path).unwrap();
}

/// Waits until process `pid` has ended (at most `limit`): gone, or a zombie nobody reaped yet.
pub async fn gone(pid: u32, limit: Duration) {
    eventually(limit, async || {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Ok(stat) => stat[stat.rfind(')').unwrap() + 2..].starts_with('Z'),
            Err(_) => true,
        }
    })
    .await;
}

/// The value of the hidden form field `name` in `page`.
pub fn hidden(page: &str, name: &str) -> String {
    let after = format!("name=\"{name}\" value=\"");
    let start = page
        .find(&after)
        .unwrap_or_else(|| panic!("no field {name} in the page: {page:.600}"))
        + after.len();
    page[start..].split('"').next().unwrap().to_string()
}

/// What follows the first `prefix` in `page`, up to the next quote.
fn attribute(page: &str, prefix: &str) -> String {
    let start = page
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix} in the page: {page:.600}"))
        + prefix.len();
    page[start..].split('"').next().unwrap().to_string()
}

/// Whether a process with this pid is still there (and not a zombie waiting to be reaped).
pub fn running(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{}/stat", pid.trim())).is_ok_and(|stat| {
        stat.rsplit(')')
            .next()
            .is_some_and(|s| !s.trim_start().starts_with('Z'))
    })
}

/// The pid a hook wrote to `file` (`echo $$ > FILE`), once it has written it.
pub async fn pid_in(file: &std::path::Path) -> String {
    eventually(Duration::from_secs(20), async || {
        std::fs::read_to_string(file).is_ok_and(|pid| pid.ends_with('\n'))
    })
    .await;
    std::fs::read_to_string(file).unwrap().trim().to_string()
}

/// `kill -0 PID` as a shell would: whether the process can still be signalled.
pub fn kill_0(pid: &str) -> bool {
    std::process::Command::new("kill")
        .args(["-0", pid])
        .stderr(Stdio::null())
        .status()
        .unwrap()
        .success()
}

/// A file's or folder's permission bits (a link's own, not its target's).
pub fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::symlink_metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o7777
}

/// Checks, in /proc, that process `pid` dumps no core (its "Max core file size" is 0, soft and
/// hard) and that the CPU times and memory that benchmarks read from it stay readable.
pub fn assert_dumps_no_core(pid: u32) {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap_or_else(|| panic!("no core limit in:\n{limits}"));
    let words: Vec<&str> = core.split_whitespace().collect();
    assert_eq!(words[4..6], ["0", "0"], "soft and hard: {core}");
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields 14 and 15 (utime, stime) counted after the command's parenthesised name.
    let after_name = stat.rsplit_once(") ").unwrap().1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    assert!(
        fields[11].parse::<u64>().is_ok() && fields[12].parse::<u64>().is_ok(),
        "utime and stime readable: {stat}"
    );
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    assert!(status.contains("VmRSS:"), "{status}");
}
