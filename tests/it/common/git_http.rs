//! A git server over HTTP for the credential-helper tests: `git http-backend` run as a CGI for
//! each request, behind a check of the Basic password against the test provider's API — the one
//! a real forge makes of an OAuth token given as a password.

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use base64::Engine;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use tokio::io::AsyncWriteExt;

pub struct GitServer {
    pub port: u16,
    state: Arc<State>,
    _task: tokio::task::JoinHandle<()>,
}

struct State {
    root: PathBuf,
    api: String,
    /// Requests to answer 401 whatever their password: a forge that refused the token.
    refuse_next: AtomicU32,
    accepted: AtomicU32,
    refused: AtomicU32,
}

impl GitServer {
    /// Serves the bare repositories under `root` on 127.0.0.1 and a free port; `api` is the
    /// provider's URL that says whether a token is good (200) or not.
    pub async fn start(root: &Path, api: &str) -> GitServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(State {
            root: root.to_path_buf(),
            api: api.to_string(),
            refuse_next: AtomicU32::new(0),
            accepted: AtomicU32::new(0),
            refused: AtomicU32::new(0),
        });
        let shared = state.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let state = shared.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        let state = state.clone();
                        async move { Ok::<_, Infallible>(answer(&state, request).await) }
                    });
                    let io = hyper_util::rt::TokioIo::new(stream);
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(io, service)
                        .await;
                });
            }
        });
        GitServer {
            port,
            state,
            _task: task,
        }
    }

    pub fn url(&self, repo: &str) -> String {
        format!("http://127.0.0.1:{}/{repo}", self.port)
    }

    /// The next `count` requests with a password are refused whatever it is.
    pub fn refuse_next(&self, count: u32) {
        self.state.refuse_next.store(count, Ordering::SeqCst);
    }

    /// Requests let through to git, and requests refused (no password, or a bad one).
    pub fn counts(&self) -> (u32, u32) {
        (
            self.state.accepted.load(Ordering::SeqCst),
            self.state.refused.load(Ordering::SeqCst),
        )
    }
}

async fn answer(state: &State, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let password = request
        .headers()
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|pair| pair.split_once(':').map(|(_, p)| p.to_string()));
    // Counted among requests that carry a password: git's first one never does.
    let forced = password.is_some()
        && state
            .refuse_next
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
    let good = match (&password, forced) {
        (Some(password), false) => token_is_good(&state.api, password).await,
        _ => false,
    };
    if !good {
        state.refused.fetch_add(1, Ordering::SeqCst);
        return Response::builder()
            .status(StatusCode::UNAUTHORIZED)
            .header("WWW-Authenticate", "Basic realm=\"test forge\"")
            .body(Full::new(Bytes::new()))
            .unwrap();
    }
    state.accepted.fetch_add(1, Ordering::SeqCst);
    cgi(&state.root, request).await
}

async fn token_is_good(api: &str, token: &str) -> bool {
    let response = reqwest::Client::new()
        .get(api)
        .bearer_auth(token)
        .send()
        .await;
    response.is_ok_and(|r| r.status() == 200)
}

/// One request through `git http-backend` (RFC 3875 CGI).
async fn cgi(root: &Path, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let mut child = tokio::process::Command::new("git")
        .arg("http-backend")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GIT_PROJECT_ROOT", root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("REQUEST_METHOD", parts.method.as_str())
        .env("PATH_INFO", parts.uri.path())
        .env("QUERY_STRING", parts.uri.query().unwrap_or(""))
        .env("CONTENT_TYPE", header("content-type"))
        .env("CONTENT_LENGTH", body.len().to_string())
        .env("HTTP_CONTENT_ENCODING", header("content-encoding"))
        .env("GIT_PROTOCOL", header("git-protocol"))
        .env("REMOTE_USER", "oauth-user")
        .env("REMOTE_ADDR", "127.0.0.1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("git http-backend runs");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&body).await.unwrap();
    drop(stdin);
    let out = child.wait_with_output().await.unwrap().stdout;
    let split = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|at| (at, 4))
        .or_else(|| out.windows(2).position(|w| w == b"\n\n").map(|at| (at, 2)))
        .expect("CGI headers end with a blank line");
    let (head, rest) = (&out[..split.0], &out[split.0 + split.1..]);
    let mut response = Response::builder().status(200);
    for line in String::from_utf8_lossy(head).lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("Status") {
            let code: u16 = value[..3].parse().unwrap();
            response = response.status(code);
        } else {
            response = response.header(name, value);
        }
    }
    response
        .body(Full::new(Bytes::copy_from_slice(rest)))
        .unwrap()
}
