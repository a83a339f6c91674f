//! `token --format` and the JSON contract, through the built binary against the real
//! oidc-provider and keyring: each format wraps a token the provider's API accepts, the same
//! whether it came from the keyring or from the agent; XOAUTH2 names the mail user; kubectl (when
//! installed) authenticates to a local TLS endpoint with tokendeck as its exec plugin; and every
//! JSON tokendeck prints carries `"format_version": 1`.
//! A module of its own: these are neither `cli`'s lifecycle nor `agent`'s socket, and both of
//! those files are past the size the project keeps to.

use crate::agent::{Daemon, exchange, linked};
use crate::common;

use std::process::Stdio;
use std::time::SystemTime;

use base64::Engine as _;
use common::TestProvider;
use common::cli::{Deck, text};
use serde_json::{Value, json};

/// What the provider's API says to `authorization` (its status and body).
async fn api_answer(server: &TestProvider, authorization: &str) -> (u16, String) {
    let response = reqwest::Client::new()
        .get(server.url("/api/me"))
        .header("authorization", authorization)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

fn json_of(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("{out:?} is not JSON: {e}"))
}

/// An RFC 3339 time in UTC (`…Z`), still ahead.
fn assert_future_rfc3339(value: &Value) {
    let at = value
        .as_str()
        .unwrap_or_else(|| panic!("{value} is no text"));
    let at = humantime::parse_rfc3339(at).unwrap_or_else(|e| panic!("{at:?}: {e}"));
    assert!(at > SystemTime::now(), "{value} has passed");
}

/// The ExecCredential as client.authentication.k8s.io/v1 defines it for a plugin's answer.
fn assert_exec_credential(out: &str, token: &str) {
    let credential = json_of(out);
    assert_eq!(
        credential["apiVersion"], "client.authentication.k8s.io/v1",
        "{out}"
    );
    assert_eq!(credential["kind"], "ExecCredential", "{out}");
    let status = credential["status"].as_object().expect("a status object");
    assert_eq!(status["token"], token, "{out}");
    assert_future_rfc3339(&status["expirationTimestamp"]);
    assert!(
        status
            .keys()
            .all(|k| ["token", "expirationTimestamp"].contains(&k.as_str())),
        "no other credential in status: {out}"
    );
}

/// Every format of `deck`'s `work`, checked against the provider; returns the plain token.
async fn check_every_format(deck: &Deck, server: &TestProvider) -> String {
    let token = deck.ok(&["token", "work", "--format", "plain"]).await;
    let token = token.strip_suffix('\n').expect("one line").to_string();
    assert_eq!(api_answer(server, &format!("Bearer {token}")).await.0, 200);
    assert_eq!(deck.ok(&["token", "work"]).await, format!("{token}\n"));

    let header = deck.ok(&["token", "work", "--format", "header"]).await;
    assert_eq!(header, format!("Authorization: Bearer {token}\n"));
    let (name, value) = header.trim_end().split_once(": ").unwrap();
    assert_eq!(name, "Authorization");
    let (status, body) = api_answer(server, value).await;
    assert_eq!(status, 200, "{body}");

    for args in [&["--format", "json"][..], &["--json"]] {
        let out = deck.ok(&[&["token", "work"], args].concat()).await;
        let value = json_of(&out);
        assert_eq!(value["format_version"], 1, "{out}");
        assert_eq!(value["access_token"], token.as_str());
        assert_eq!(
            value["token_type"].as_str().map(str::to_lowercase),
            Some("bearer".into())
        );
        assert_future_rfc3339(&value["expires_at"]);
        let scopes: Vec<&str> = value["scopes"]
            .as_array()
            .expect("scopes are a list")
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        assert!(
            scopes.contains(&"api") && scopes.contains(&"openid"),
            "{out}"
        );
        let keys: Vec<&String> = value.as_object().unwrap().keys().collect();
        assert_eq!(
            keys.len(),
            5,
            "only the documented fields (no refresh or ID token): {out}"
        );
    }

    let out = deck
        .ok(&["token", "work", "--format", "exec-credential"])
        .await;
    assert_exec_credential(&out, &token);
    token
}

#[tokio::test]
async fn every_format_wraps_a_token_the_provider_accepts() {
    let server = TestProvider::start().await;
    let deck = linked(&server).await;
    check_every_format(&deck, &server).await;
    let out = deck.run(&["token", "work", "--format", "yaml"], "").await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("exec-credential"),
        "{}",
        text(&out.stderr)
    );
    let out = deck
        .run(&["token", "work", "--json", "--format", "header"], "")
        .await;
    assert_eq!(
        out.status.code(),
        Some(2),
        "--json is --format json: {}",
        text(&out.stderr)
    );
}

#[tokio::test]
async fn through_the_agent_every_format_wraps_the_same_token() {
    let server = TestProvider::start().await;
    let deck = linked(&server).await;
    let daemon = Daemon::start(&deck, &[]).await;
    // Named, the agent is the only source: no fallback to the keyring could hide a failure.
    let deck = deck.with_env("TOKENDECK_AGENT", daemon.socket.to_str().unwrap());
    let token = check_every_format(&deck, &server).await;
    deck.ok(&["set", "work", "--mail-user", "agent@example.test"])
        .await;
    let out = deck.ok(&["token", "work", "--format", "xoauth2"]).await;
    assert_eq!(
        decode(&out),
        format!("user=agent@example.test\x01auth=Bearer {token}\x01\x01")
    );
    daemon.stop().await;
}

fn decode(out: &str) -> String {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(out.strip_suffix('\n').expect("one line"))
        .unwrap();
    String::from_utf8(bytes).unwrap()
}

#[tokio::test]
async fn xoauth2_names_the_mail_user_else_the_id_tokens_email_and_says_what_to_do_without_either() {
    let server = TestProvider::start().await;
    // oidc-provider's ID tokens name only `sub`: no address to log in as.
    let deck = linked(&server).await;
    let out = deck
        .run(&["token", "work", "--format", "xoauth2"], "")
        .await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(9), "{stderr}");
    assert!(out.stdout.is_empty(), "nothing on stdout");
    assert!(
        stderr.contains("tokendeck set work --mail-user ADDRESS"),
        "{stderr}"
    );
    let token = deck.ok(&["token", "work"]).await.trim().to_string();
    assert!(!stderr.contains(&token), "no token in the error");

    deck.ok(&["set", "work", "--mail-user", "me@example.test"])
        .await;
    let out = deck.ok(&["token", "work", "--format", "xoauth2"]).await;
    assert_eq!(
        decode(&out),
        format!("user=me@example.test\x01auth=Bearer {token}\x01\x01")
    );
    let shown = json_of(&deck.ok(&["show", "work", "--json"]).await);
    assert_eq!(shown["mail_user"], "me@example.test");
    let shown = deck.ok(&["show", "work"]).await;
    assert!(
        shown.contains("mail user:         me@example.test"),
        "{shown}"
    );
    let out = deck
        .run(&["set", "work", "--mail-user", "a\u{1}b"], "")
        .await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));

    // Without the setting, the email of an ID token the provider really issued.
    deck.ok(&["set", "work", "--mail-user", ""]).await;
    server
        .change_next_id_token("refresh_token", json!({"email": "id@example.test"}), 0)
        .await;
    let out = deck.run(&["refresh", "work"], "").await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let token = deck.ok(&["token", "work"]).await.trim().to_string();
    let out = deck.ok(&["token", "work", "--format", "xoauth2"]).await;
    assert_eq!(
        decode(&out),
        format!("user=id@example.test\x01auth=Bearer {token}\x01\x01")
    );
}

/// A TLS endpoint standing in for a Kubernetes API server: it answers a request whose
/// `Authorization` the test provider's API accepts with that API's answer, anything else 401.
const TLS_API: &str = r#"
const https = require('https'), fs = require('fs');
const [key, cert, api] = process.argv.slice(1);
const server = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, async (req, res) => {
  const answer = await fetch(api, { headers: { authorization: req.headers.authorization || '' } });
  const body = await answer.text();
  res.writeHead(answer.status === 200 ? 200 : 401, { 'content-type': 'application/json' });
  res.end(answer.status === 200 ? body : '{"kind":"Status","apiVersion":"v1","status":"Failure","code":401}');
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
"#;

#[tokio::test]
async fn kubectl_authenticates_with_tokendeck_as_its_exec_plugin() {
    let server = TestProvider::start().await;
    let deck = linked(&server).await;
    let token = deck.ok(&["token", "work"]).await.trim().to_string();
    let out = deck
        .ok(&["token", "work", "--format", "exec-credential"])
        .await;
    assert_exec_credential(&out, &token);
    let Ok(kubectl) = which("kubectl") else {
        eprintln!(
            "kubectl is not installed: the ExecCredential was checked against its schema only"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (key, cert) = (dir.path().join("key.pem"), dir.path().join("cert.pem"));
    let made = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ])
        .args(["-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"])
        .args(["-addext", "subjectAltName=IP:127.0.0.1", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", text(&made.stderr));
    let mut api = tokio::process::Command::new("node")
        .args(["-e", TLS_API])
        .arg(&key)
        .arg(&cert)
        .arg(server.url("/api/me"))
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut port = String::new();
    let stdout = api.stdout.take().unwrap();
    tokio::io::AsyncBufReadExt::read_line(&mut tokio::io::BufReader::new(stdout), &mut port)
        .await
        .unwrap();
    let plugin_args: Vec<String> = ["--home", deck.home().to_str().unwrap()]
        .into_iter()
        .chain(["token", "work", "--format", "exec-credential"])
        .map(|a| format!("{a:?}"))
        .collect();
    // The kubeconfig snippet the README gives, with this test's cluster around it.
    let kubeconfig = format!(
        r#"apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: https://127.0.0.1:{port}
    certificate-authority: {cert:?}
contexts:
- name: local
  context: {{cluster: local, user: work}}
current-context: local
users:
- name: work
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: {binary:?}
      args: [{args}]
      interactiveMode: Never
"#,
        port = port.trim(),
        binary = Deck::binary(),
        args = plugin_args.join(", "),
    );
    let config = dir.path().join("kubeconfig");
    std::fs::write(&config, kubeconfig).unwrap();
    let version = std::process::Command::new(&kubectl)
        .args(["version", "--client"])
        .output()
        .unwrap();
    eprintln!(
        "tested with {}",
        text(&version.stdout).lines().next().unwrap_or("kubectl")
    );
    let out = tokio::process::Command::new(&kubectl)
        .arg("--kubeconfig")
        .arg(&config)
        .args(["get", "--raw", "/api/me"])
        .env("HOME", dir.path())
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "kubectl: {}", text(&out.stderr));
    assert_eq!(json_of(&text(&out.stdout))["sub"], "test-user");
}

fn which(program: &str) -> Result<std::path::PathBuf, ()> {
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
        .ok_or(())
}

#[tokio::test]
async fn every_json_tokendeck_prints_carries_format_version_1() {
    let server = TestProvider::start().await;
    let deck = linked(&server).await;
    let objects = |out: &str| -> Vec<Value> {
        match json_of(out) {
            Value::Array(items) => items,
            object => vec![object],
        }
    };
    let mut printed = Vec::new();
    for args in [
        &["status", "--json"][..],
        &["status", "work", "--json"],
        &["list", "--json"],
        &["show", "work", "--json"],
        &["token", "work", "--json"],
        &["inspect", "work", "--json"],
    ] {
        let out = deck.ok(args).await;
        let items = objects(&out);
        assert!(!items.is_empty(), "{args:?} printed nothing");
        printed.extend(items.into_iter().map(|i| (format!("{args:?}"), i)));
    }
    let log = deck.ok(&["log", "--json"]).await;
    assert!(!log.is_empty());
    printed.extend(log.lines().map(|l| ("log --json".to_string(), json_of(l))));

    let daemon = Daemon::start(&deck, &[]).await;
    for request in [
        r#"{"v":1,"op":"token","account":"work"}"#,
        r#"{"v":1,"op":"status"}"#,
        r#"{"v":1,"op":"accounts"}"#,
        r#"{"v":1,"op":"token","account":"nobody"}"#,
    ] {
        let answer = exchange(&daemon.socket, format!("{request}\n").as_bytes()).await;
        let answer = json_of(&answer);
        if let Some(statuses) = answer["status"].as_array() {
            printed.extend(statuses.iter().map(|s| (request.to_string(), s.clone())));
        }
        printed.push((request.to_string(), answer));
    }
    daemon.stop().await;
    for (source, value) in printed {
        assert_eq!(value["format_version"], 1, "{source}: {value}");
    }
}
