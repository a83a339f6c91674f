//! A one-shot loopback listener for the redirect (RFC 8252 §7.3): it binds only the loopback
//! address of the callback URL, ignores other paths and answers that carry a wrong `state`,
//! checks the awaited answer before the browser hears anything, and keeps the browser waiting
//! until the code is exchanged, so that its page tells the truth. Bounded: a few connections at
//! a time, each with a time and size limit. Dropping the future returned by
//! [`CallbackListener::accept`] cancels it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio::time::Instant;
use url::Url;

use super::answer::AnswerCheck;
use super::authorize::CallbackParams;
use super::error::Error;
use super::provider::is_loopback;
use super::secret::AuthorizationCode;

mod page;

pub use page::WaitingBrowser;
use page::{failure_page, respond};

/// A request head larger than this is not a browser coming back from a provider.
const MAX_HEAD: usize = 16 * 1024;
/// A connection that has not sent its request head by then (a browser's pre-connect, a stuck
/// client) is dropped.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections served at once; more wait in the kernel's queue until one ends.
pub const MAX_CONNECTIONS: usize = 16;
/// The first and the longest pause after a failed `accept`.
const ACCEPT_PAUSE_MIN: Duration = Duration::from_millis(10);
const ACCEPT_PAUSE_MAX: Duration = Duration::from_secs(1);

pub struct CallbackListener {
    listener: TcpListener,
    redirect_uri: String,
    path: String,
}

impl CallbackListener {
    /// Binds the loopback address of `redirect_uri` (`http://127.0.0.1:PORT/path`, `[::1]` or
    /// `localhost`). Port 0, or no port, picks a free one; [`redirect_uri`](Self::redirect_uri)
    /// then names it.
    pub async fn bind(redirect_uri: &str) -> Result<Self, Error> {
        let invalid = |reason: &str| Error::InvalidUrl {
            what: super::url_policy::UrlRole::Callback,
            url: redirect_uri.to_string(),
            reason: reason.to_string(),
        };
        let mut url = Url::parse(redirect_uri).map_err(|e| invalid(&e.to_string()))?;
        if url.scheme() != "http" || !is_loopback(&url) {
            return Err(invalid(
                "tokendeck can only listen on a loopback callback such as http://127.0.0.1:8765/callback",
            ));
        }
        let ip = match url.host() {
            Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
            Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
            _ => IpAddr::V4(Ipv4Addr::LOCALHOST),
        };
        let requested = url.port().unwrap_or(0);
        let listener = TcpListener::bind(SocketAddr::new(ip, requested))
            .await
            .map_err(|e| {
                invalid(&format!(
                    "port {requested} on {ip} cannot be used ({e}); close what uses it or choose another port"
                ))
            })?;
        let port = listener
            .local_addr()
            .map_err(|e| invalid(&e.to_string()))?
            .port();
        if requested == 0 {
            // Rewritten textually, so that everything else stays byte for byte as given.
            url.set_port(Some(port))
                .map_err(|()| invalid("cannot carry a port"))?;
        }
        let redirect_uri = if requested == 0 {
            url.to_string()
        } else {
            redirect_uri.to_string()
        };
        Ok(CallbackListener {
            listener,
            path: url.path().to_string(),
            redirect_uri,
        })
    }

    /// The callback URL with the real port, to put in the authorization URL.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The address the listener is bound to, for "waiting for the browser on …".
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), 0))
    }

    /// Waits for the browser to arrive with the answer `check` awaits, and returns its code with
    /// the browser, which waits to hear how the exchange went ([`WaitingBrowser::tell`]). Other
    /// paths and answers that carry another `state` get a short page and are otherwise ignored;
    /// an answer that carries the right `state` but fails the checks (a denial, another issuer)
    /// gets a page that says so, and its error is returned. Runs until then, or until the future
    /// is dropped. At most [`MAX_CONNECTIONS`] are served at once; an `accept` that fails (out of
    /// file descriptors, say) is retried after a pause that grows, not at once.
    pub async fn accept(
        &self,
        check: &AnswerCheck,
    ) -> Result<(AuthorizationCode, WaitingBrowser), Error> {
        let (found_tx, mut found_rx) = mpsc::channel::<Answer>(1);
        let mut connections = JoinSet::new();
        let mut pause = Duration::ZERO;
        let mut resume_at: Option<Instant> = None;
        loop {
            let accepting = resume_at.is_none() && connections.len() < MAX_CONNECTIONS;
            tokio::select! {
                accepted = self.listener.accept(), if accepting => match accepted {
                    Ok((stream, _)) => {
                        pause = Duration::ZERO;
                        let (path, check, found) =
                            (self.path.clone(), check.clone(), found_tx.clone());
                        connections.spawn(async move {
                            if let Some(answer) = serve(stream, &path, &check).await {
                                let _ = found.send(answer).await;
                            }
                        });
                    }
                    Err(_) => {
                        pause = (pause * 2).clamp(ACCEPT_PAUSE_MIN, ACCEPT_PAUSE_MAX);
                        resume_at = Some(Instant::now() + pause);
                    }
                },
                () = sleep_until(resume_at), if resume_at.is_some() => resume_at = None,
                Some(answer) = found_rx.recv() => return answer,
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
    }
}

/// What a connection yields when it carried the awaited `state`.
type Answer = Result<(AuthorizationCode, WaitingBrowser), Error>;

async fn sleep_until(at: Option<Instant>) {
    if let Some(at) = at {
        tokio::time::sleep_until(at).await;
    }
}

/// Serves one connection; returns the answer when it carries the awaited `state`.
async fn serve(mut stream: TcpStream, path: &str, check: &AnswerCheck) -> Option<Answer> {
    let target = tokio::time::timeout(READ_TIMEOUT, read_target(&mut stream))
        .await
        .ok()
        .flatten()?;
    let (request_path, query) = target.split_once('?').unwrap_or((&target, ""));
    if request_path != path {
        respond(
            &mut stream,
            404,
            "Not found",
            "This is tokendeck's sign-in callback; nothing else lives here.",
        )
        .await;
        return None;
    }
    let params = match CallbackParams::from_query(query) {
        Ok(params) => params,
        Err(e) => {
            respond(&mut stream, 400, "Unreadable answer", &e.to_string()).await;
            return None;
        }
    };
    if params.state.as_deref() != Some(check.state()) {
        respond(
            &mut stream,
            400,
            "Not the answer tokendeck is waiting for",
            "This answer belongs to another sign-in attempt. Start again from tokendeck.",
        )
        .await;
        return None;
    }
    match check.verify(params) {
        Ok(code) => Some(Ok((code, WaitingBrowser { stream }))),
        Err(error) => {
            failure_page(&mut stream, &error).await;
            Some(Err(error))
        }
    }
}

/// Reads the request line's target (`/path?query`) of a GET.
async fn read_target(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 || head.len() + n > MAX_HEAD {
            return None;
        }
        head.extend_from_slice(&buf[..n]);
    }
    request_target(&head).map(str::to_string)
}

/// The target (`/path?query`) of a request head's first line, when it is a GET. Pure, so that
/// whatever a local program sends can be tried on it.
fn request_target(head: &[u8]) -> Option<&str> {
    let line = head.split(|b| *b == b'\n').next()?;
    let line = std::str::from_utf8(line).ok()?.trim_end();
    let mut parts = line.split(' ');
    match (parts.next(), parts.next()) {
        (Some("GET"), Some(target)) => Some(target),
        _ => None,
    }
}

#[cfg(test)]
mod properties;

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    #[tokio::test]
    async fn refuses_non_loopback_callbacks() {
        for uri in ["https://127.0.0.1/cb", "http://example.com/cb", "not a url"] {
            assert!(CallbackListener::bind(uri).await.is_err(), "{uri}");
        }
    }

    #[tokio::test]
    async fn port_zero_is_replaced_by_the_real_port() {
        let listener = CallbackListener::bind("http://127.0.0.1:0/Call/Back")
            .await
            .unwrap();
        let port = listener.local_addr().port();
        assert_ne!(port, 0);
        assert_eq!(
            listener.redirect_uri(),
            format!("http://127.0.0.1:{port}/Call/Back")
        );
        assert!(listener.local_addr().ip().is_loopback());
    }

    async fn listening() -> (CallbackListener, AnswerCheck) {
        let listener = CallbackListener::bind("http://127.0.0.1:0/cb")
            .await
            .unwrap();
        let provider =
            crate::oauth::Provider::new("http://127.0.0.1:9/a", "http://127.0.0.1:9/t").unwrap();
        (listener, AnswerCheck::new("s1", &provider))
    }

    async fn read_all(stream: &mut TcpStream) -> String {
        let mut page = Vec::new();
        let _ = stream.read_to_end(&mut page).await;
        String::from_utf8_lossy(&page).into_owned()
    }

    #[tokio::test]
    async fn idle_connections_cannot_take_more_than_their_share() {
        let (listener, check) = listening().await;
        let addr = listener.local_addr();
        let mut idle = Vec::new();
        for _ in 0..MAX_CONNECTIONS {
            idle.push(TcpStream::connect(addr).await.unwrap());
        }
        let mut browser = TcpStream::connect(addr).await.unwrap();
        browser
            .write_all(b"GET /cb?code=c1&state=s1 HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let accept = listener.accept(&check);
        tokio::pin!(accept);
        assert!(
            tokio::time::timeout(Duration::from_millis(300), &mut accept)
                .await
                .is_err(),
            "the 17th connection waits while {MAX_CONNECTIONS} are open"
        );
        drop(idle.pop());
        let (code, waiting) = tokio::time::timeout(Duration::from_secs(5), accept)
            .await
            .expect("a freed slot lets the browser in")
            .unwrap();
        assert_eq!(code.secret(), "c1");
        waiting.tell(Ok(())).await;
        let page = read_all(&mut browser).await;
        assert!(
            page.starts_with("HTTP/1.1 200") && page.contains("Signed in"),
            "{page}"
        );
    }

    #[tokio::test]
    async fn an_oversized_request_is_cut_off_and_a_failed_exchange_is_told() {
        let (listener, check) = listening().await;
        let addr = listener.local_addr();
        let hog = tokio::spawn(async move {
            let mut stream = TcpStream::connect(addr).await.unwrap();
            let _ = stream.write_all(&vec![b'a'; 2 * MAX_HEAD]).await;
            read_all(&mut stream).await
        });
        let browser = tokio::spawn(async move {
            let mut stream = TcpStream::connect(addr).await.unwrap();
            let request = b"GET /cb?code=c1&state=s1 HTTP/1.1\r\n\r\n";
            stream.write_all(request).await.unwrap();
            read_all(&mut stream).await
        });
        let (_, waiting) = listener.accept(&check).await.unwrap();
        let error = Error::Rejected {
            grant: crate::oauth::Grant::AuthorizationCode,
            status: 401,
            error: "invalid_client".into(),
            description: Some("client authentication failed.".into()),
        };
        waiting.tell(Err(&error)).await;
        let page = browser.await.unwrap();
        assert!(
            page.contains("Sign-in failed") && !page.contains("Signed in"),
            "{page}"
        );
        assert!(
            page.contains("invalid_client: client authentication failed). tokendeck"),
            "{page}"
        );
        assert_eq!(hog.await.unwrap(), "", "closed without an answer");
    }
}
