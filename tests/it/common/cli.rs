//! Running the built `tokendeck` binary as a user would, on a throwaway `--home`.

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;

use super::{Browser, TestProvider};

pub struct Deck {
    home: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Deck {
    pub fn new() -> Deck {
        Deck {
            home: tempfile::tempdir().unwrap(),
            env: Vec::new(),
        }
    }

    /// Every command of this deck runs with `key=value` in its environment.
    pub fn with_env(mut self, key: &str, value: &str) -> Deck {
        self.env.push((key.into(), value.into()));
        self
    }

    /// This deck's environment as `KEY=value` words, for a command started elsewhere (a tmux
    /// pane runs `env KEY=value … tokendeck`).
    pub fn env_words(&self) -> Vec<String> {
        self.env.iter().map(|(k, v)| format!("{k}={v}")).collect()
    }

    /// Writes an event log of refreshes of `work` at `times` (RFC 3339, in this order), as
    /// another process would have logged them.
    pub fn write_events(&self, times: &[&str]) {
        let state = self.home().join("state");
        std::fs::create_dir_all(&state).unwrap();
        let lines: String = times
            .iter()
            .map(|t| {
                format!(
                    r#"{{"time":"{t}","account":"work","trigger":"ahead-of-expiry","outcome":"ok","pid":4242}}"#
                ) + "\n"
            })
            .collect();
        std::fs::write(state.join("events.jsonl"), lines).unwrap();
    }

    /// The refresh token stored for `name`, read from the keyring as tokendeck reads it: for
    /// tests that check it went nowhere, or revoke it at the server.
    pub async fn refresh_token(&self, name: &str) -> String {
        let home = tokendeck::store::Home::rooted(self.home()).unwrap();
        let keyring = tokendeck::store::Keyring::open(home.keyring_service())
            .await
            .unwrap();
        let record = keyring.read(name).await.unwrap().expect("a record");
        let tokens = record.tokens.expect("tokens");
        tokens.refresh_token().expect("a refresh token").to_string()
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }

    pub fn binary() -> PathBuf {
        PathBuf::from(env!("CARGO_BIN_EXE_tokendeck"))
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(Deck::binary());
        command
            .arg("--home")
            .arg(self.home())
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .kill_on_drop(true);
        command
    }

    /// Runs to the end with `stdin` piped in.
    pub async fn run(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut input = child.stdin.take().unwrap();
        input.write_all(stdin.as_bytes()).await.unwrap();
        drop(input);
        tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
            .await
            .expect("tokendeck finished within 60 s")
            .unwrap()
    }

    /// Runs and expects success; returns stdout.
    pub async fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args, "").await;
        assert!(
            out.status.success(),
            "tokendeck {args:?} failed: {}",
            text(&out.stderr)
        );
        text(&out.stdout)
    }

    /// Adds `name` for the test server's basic client, with a loopback callback on a free port.
    pub async fn add(&self, server: &TestProvider, name: &str) {
        let out = self.add_with(server, name, "basic-secret-value", &[]).await;
        assert!(out.status.success(), "add failed: {}", text(&out.stderr));
    }

    /// Adds `name` for the test server's basic client by discovery from its issuer (so its key
    /// set, userinfo and introspection endpoints are known), with a loopback callback.
    pub async fn add_discovered(&self, server: &TestProvider, name: &str) {
        let args = [
            "add",
            name,
            "--issuer",
            &server.issuer,
            "--client-id",
            "basic-client",
            "--client-secret-stdin",
            "--redirect-uri",
            "http://127.0.0.1:0/callback",
            "--scope",
            "openid",
            "--scope",
            "offline_access",
            "--scope",
            "api",
        ];
        let out = self.run(&args, "basic-secret-value\n").await;
        assert!(out.status.success(), "add failed: {}", text(&out.stderr));
    }

    /// `add` for the basic client with `secret` and `extra` arguments (`--param …`, say).
    pub async fn add_with(
        &self,
        server: &TestProvider,
        name: &str,
        secret: &str,
        extra: &[&str],
    ) -> Output {
        let (auth, token, api) = (
            server.url("/auth"),
            server.url("/token"),
            server.url("/api/me"),
        );
        let mut args = vec![
            "add",
            name,
            "--authorize-url",
            &auth,
            "--token-url",
            &token,
            "--client-id",
            "basic-client",
            "--client-secret-stdin",
            "--redirect-uri",
            "http://127.0.0.1:0/callback",
            "--scope",
            "openid",
            "--scope",
            "offline_access",
            "--scope",
            "api",
            "--api-url",
            &api,
        ];
        args.extend_from_slice(extra);
        self.run(&args, &format!("{secret}\n")).await
    }

    /// `link --no-browser`: reads the URL from stdout, lets the test browser reach the loopback
    /// listener, and waits for tokendeck to finish.
    pub async fn link(&self, name: &str) -> Output {
        let (out, status, page) = self.link_page(name).await;
        assert_eq!(status, 200, "{page}");
        out
    }

    /// `link` as above, also returning the status and text of the page the browser was shown.
    pub async fn link_page(&self, name: &str) -> (Output, u16, String) {
        let mut child = self
            .command(&["link", name, "--no-browser", "--no-qr"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut url = String::new();
        stdout.read_line(&mut url).await.unwrap();
        let url = url.trim().to_string();
        let redirect = url::Url::parse(&url)
            .unwrap_or_else(|e| panic!("no URL on stdout ({e}): {url:?}"))
            .query_pairs()
            .find(|(k, _)| k == "redirect_uri")
            .map(|(_, v)| v.into_owned())
            .expect("the URL names its redirect_uri");
        let page = Browser::new().complete(&url, &redirect).await;
        let status = page.status().as_u16();
        let page = page.text().await.unwrap_or_default();
        let mut out =
            match tokio::time::timeout(Duration::from_secs(30), child.wait_with_output()).await {
                Ok(out) => out.unwrap(),
                Err(_) => panic!("link did not finish within 30 s"),
            };
        out.stdout = format!("{url}\n").into_bytes();
        (out, status, page)
    }
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
