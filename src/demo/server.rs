//! A small but faithful OAuth 2.0 authorization server for `--demo`, on 127.0.0.1 and a free port:
//! an authorize endpoint with an approve/deny page; single-use, short-lived codes bound to the
//! client, the redirect URI and the PKCE challenge; a token endpoint for the `authorization_code`
//! and `refresh_token` grants with client authentication, refresh-token rotation and reuse
//! detection (a reused refresh token revokes the grant); the device authorization grant (RFC 8628)
//! with its own verification page; revocation (RFC 7009); RFC 6749 errors; and a protected
//! `/api/me` that answers 401 once a token has expired or its grant was revoked. All in memory.

use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, LOCATION, WWW_AUTHENTICATE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::device::Device;
use super::page;
use crate::oauth::authorize::random_token;

pub const CLIENT_ID: &str = "tokendeck-demo";
pub const CLIENT_SECRET: &str = "demo-client-secret";
pub(super) const CODE_LIFETIME: Duration = Duration::from_secs(60);

/// A running demo server; stopped when dropped.
pub struct DemoServer {
    issuer: String,
    task: JoinHandle<()>,
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// How a demo server behaves; [`Default`] is what `tokendeck --demo` runs.
#[derive(Clone, Debug)]
pub struct DemoOptions {
    /// How long access tokens live.
    pub ttl: Duration,
    /// How long a device code (and its user code) can be approved and redeemed.
    pub device_code_lifetime: Duration,
    /// The device grant's polling interval; a poll sooner than it is told to slow down.
    pub interval: Duration,
    /// The first this many polls of each device code are told to slow down, as a busy server
    /// sheds load: how a client's patience is shown (and tested). 0 normally.
    pub busy_polls: u32,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            ttl: Duration::from_secs(60),
            device_code_lifetime: Duration::from_secs(300),
            interval: Duration::from_secs(2),
            busy_polls: 0,
        }
    }
}

impl DemoServer {
    /// Starts on 127.0.0.1 and a free port; access tokens live `ttl`.
    pub async fn start(ttl: Duration) -> std::io::Result<DemoServer> {
        DemoServer::start_with(DemoOptions {
            ttl,
            ..DemoOptions::default()
        })
        .await
    }

    /// Starts on 127.0.0.1 and a free port, behaving as `options` say.
    pub async fn start_with(options: DemoOptions) -> std::io::Result<DemoServer> {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let issuer = format!("http://{}", listener.local_addr()?);
        let state = Arc::new(State {
            issuer: issuer.clone(),
            options,
            books: Mutex::new(Books::default()),
        });
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = state.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        let state = state.clone();
                        async move { Ok::<_, Infallible>(state.handle(req).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(DemoServer { issuer, task })
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.issuer)
    }
}

pub(super) struct State {
    pub(super) issuer: String,
    pub(super) options: DemoOptions,
    pub(super) books: Mutex<Books>,
}

#[derive(Default)]
pub(super) struct Books {
    pub(super) codes: HashMap<String, Code>,
    /// Codes already exchanged: presented again, their grant is revoked (RFC 6749 §4.1.2).
    pub(super) spent_codes: HashMap<String, String>,
    pub(super) refresh_tokens: HashMap<String, RefreshToken>,
    pub(super) access_tokens: HashMap<String, (String, Instant)>,
    pub(super) revoked: HashSet<String>,
    /// Device authorizations by device code, and the user codes that name them.
    pub(super) devices: HashMap<String, Device>,
    pub(super) user_codes: HashMap<String, String>,
}

pub(super) struct Code {
    pub(super) redirect_uri: String,
    pub(super) challenge: Option<String>,
    pub(super) scope: String,
    pub(super) expires: Instant,
}

pub(super) struct RefreshToken {
    pub(super) grant: String,
    pub(super) scope: String,
    pub(super) used: bool,
}

pub(super) type Reply = Response<Full<Bytes>>;

impl State {
    async fn handle(&self, req: Request<Incoming>) -> Reply {
        let query = req.uri().query().unwrap_or("").to_string();
        match (req.method().clone(), req.uri().path()) {
            (Method::GET, "/authorize") => self.authorize_page(&params(&query)),
            (Method::POST, "/authorize") => match body(req).await {
                Ok(form) => self.decide(&params(&form)),
                Err(reply) => *reply,
            },
            (Method::POST, path @ ("/token" | "/device/code" | "/revoke")) => {
                let path = path.to_string();
                let auth = req
                    .headers()
                    .get(AUTHORIZATION)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                let form = match body(req).await {
                    Ok(form) => params(&form),
                    Err(reply) => return *reply,
                };
                match path.as_str() {
                    "/token" => self.token(auth.as_deref(), &form),
                    "/device/code" => self.device_code(auth.as_deref(), &form),
                    _ => self.revoke(auth.as_deref(), &form),
                }
            }
            (Method::GET, "/device") => self.device_page(&params(&query)),
            (Method::POST, "/device") => match body(req).await {
                Ok(form) => self.device_decide(&params(&form)),
                Err(reply) => *reply,
            },
            (Method::GET, "/api/me") => {
                let auth = req
                    .headers()
                    .get(AUTHORIZATION)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                self.me(auth)
            }
            (_, "/") => html(StatusCode::OK, page::home(&self.issuer)),
            _ => html(
                StatusCode::NOT_FOUND,
                page::message("Not found", "Nothing lives here."),
            ),
        }
    }

    /// The client and redirect URI must be right before anything is sent to the redirect URI.
    /// Returns the redirect URI, or the page that says why it is refused.
    fn check_client(&self, p: &HashMap<String, String>) -> Result<String, String> {
        let redirect_uri = p.get("redirect_uri").cloned().unwrap_or_default();
        if p.get("client_id").map(String::as_str) != Some(CLIENT_ID) {
            return Err(page::message(
                "Unknown client",
                "This demo server knows only the client tokendeck-demo.",
            ));
        }
        let allowed = url::Url::parse(&redirect_uri).is_ok_and(|u| {
            u.scheme() == "http" && u.host_str() == Some("127.0.0.1") && u.path() == "/callback"
        });
        if !allowed {
            return Err(page::message(
                "Wrong redirect URI",
                "The demo client may only return to http://127.0.0.1:PORT/callback.",
            ));
        }
        Ok(redirect_uri)
    }

    fn authorize_page(&self, p: &HashMap<String, String>) -> Reply {
        let redirect_uri = match self.check_client(p) {
            Ok(uri) => uri,
            Err(page) => return html(StatusCode::BAD_REQUEST, page),
        };
        if p.get("response_type").map(String::as_str) != Some("code") {
            return self.redirect_error(
                &redirect_uri,
                p,
                "unsupported_response_type",
                "only the code flow is supported",
            );
        }
        if p.get("code_challenge").is_some()
            && p.get("code_challenge_method").map(String::as_str) != Some("S256")
        {
            return self.redirect_error(
                &redirect_uri,
                p,
                "invalid_request",
                "PKCE needs code_challenge_method=S256",
            );
        }
        html(StatusCode::OK, page::consent(p))
    }

    /// The approve/deny form posts the authorization request back with `decision`.
    fn decide(&self, p: &HashMap<String, String>) -> Reply {
        let redirect_uri = match self.check_client(p) {
            Ok(uri) => uri,
            Err(page) => return html(StatusCode::BAD_REQUEST, page),
        };
        if p.get("decision").map(String::as_str) != Some("approve") {
            return self.redirect_error(
                &redirect_uri,
                p,
                "access_denied",
                "The demo user denied the request.",
            );
        }
        let code = random_token();
        lock(&self.books).codes.insert(
            code.clone(),
            Code {
                redirect_uri: redirect_uri.clone(),
                challenge: p.get("code_challenge").cloned(),
                scope: p.get("scope").cloned().unwrap_or_default(),
                expires: Instant::now() + CODE_LIFETIME,
            },
        );
        let mut target = url::Url::parse(&redirect_uri).expect("checked above");
        target
            .query_pairs_mut()
            .append_pair("code", &code)
            .append_pair("state", p.get("state").map_or("", String::as_str))
            .append_pair("iss", &self.issuer);
        redirect(target.as_str())
    }

    fn redirect_error(
        &self,
        redirect_uri: &str,
        p: &HashMap<String, String>,
        error: &str,
        description: &str,
    ) -> Reply {
        let mut target = url::Url::parse(redirect_uri).expect("checked by check_client");
        {
            let mut q = target.query_pairs_mut();
            q.append_pair("error", error)
                .append_pair("error_description", description);
            if let Some(state) = p.get("state") {
                q.append_pair("state", state);
            }
            q.append_pair("iss", &self.issuer);
        }
        redirect(target.as_str())
    }

    fn me(&self, authorization: &str) -> Reply {
        let books = lock(&self.books);
        let token = authorization.strip_prefix("Bearer ").unwrap_or("");
        match books.access_tokens.get(token) {
            Some((grant, expires))
                if *expires > Instant::now() && !books.revoked.contains(grant) =>
            {
                json(
                    StatusCode::OK,
                    &serde_json::json!({ "sub": "demo-user", "name": "Demo User" }),
                )
            }
            _ => {
                let mut reply = json(
                    StatusCode::UNAUTHORIZED,
                    &serde_json::json!({ "error": "invalid_token" }),
                );
                let challenge =
                    "Bearer error=\"invalid_token\", error_description=\"expired or unknown\"";
                reply
                    .headers_mut()
                    .insert(WWW_AUTHENTICATE, challenge.parse().expect("a valid header"));
                reply
            }
        }
    }
}

fn params(text: &str) -> HashMap<String, String> {
    url::form_urlencoded::parse(text.as_bytes())
        .into_owned()
        .collect()
}

/// The form body, or the error answer for one that is unreadable, too large or not UTF-8.
async fn body(req: Request<Incoming>) -> Result<String, Box<Reply>> {
    let refuse = |why| Box::new(oauth_error(StatusCode::BAD_REQUEST, "invalid_request", why));
    let bytes = http_body_util::Limited::new(req.into_body(), 64 * 1024)
        .collect()
        .await
        .map_err(|_| refuse("the body is unreadable or too large"))?
        .to_bytes();
    String::from_utf8(bytes.to_vec()).map_err(|_| refuse("the body is not UTF-8"))
}

fn respond(status: StatusCode, content_type: &str, body: String) -> Reply {
    let mut reply = Response::new(Full::new(Bytes::from(body)));
    *reply.status_mut() = status;
    let headers = reply.headers_mut();
    headers.insert(CONTENT_TYPE, content_type.parse().expect("a valid header"));
    headers.insert(CACHE_CONTROL, "no-store".parse().expect("a valid header"));
    reply
}

pub(super) fn html(status: StatusCode, body: String) -> Reply {
    respond(status, "text/html; charset=utf-8", body)
}

pub(super) fn json(status: StatusCode, body: &serde_json::Value) -> Reply {
    respond(status, "application/json", body.to_string())
}

pub(super) fn oauth_error(status: StatusCode, error: &str, description: &str) -> Reply {
    json(
        status,
        &serde_json::json!({ "error": error, "error_description": description }),
    )
}

fn redirect(location: &str) -> Reply {
    let mut reply = respond(StatusCode::FOUND, "text/plain", String::new());
    reply
        .headers_mut()
        .insert(LOCATION, location.parse().expect("a URL is a valid header"));
    reply
}

pub(super) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
