//! A one-shot loopback listener for the redirect (RFC 8252 §7.3): it binds only the loopback
//! address of the callback URL, answers the browser with a short page, ignores other paths and
//! answers that carry a wrong `state`, and yields the first matching answer. Dropping the future
//! returned by [`CallbackListener::accept`] cancels it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use url::Url;

use super::authorize::CallbackParams;
use super::error::Error;
use super::provider::is_loopback;

/// A request head larger than this is not a browser coming back from a provider.
const MAX_HEAD: usize = 16 * 1024;
/// A connection that sends nothing (a browser's pre-connect) is dropped after this.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

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
            what: "callback URL",
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

    /// Waits for the browser to arrive with an answer whose `state` is `expected_state`, and
    /// returns it (a code, or an error such as `access_denied`). Other requests get a short page
    /// and are otherwise ignored. Runs until an answer arrives or the future is dropped.
    pub async fn accept(&self, expected_state: &str) -> Result<CallbackParams, Error> {
        let (found_tx, mut found_rx) = mpsc::channel::<CallbackParams>(1);
        let mut connections = JoinSet::new();
        loop {
            tokio::select! {
                accepted = self.listener.accept() => {
                    let Ok((stream, _)) = accepted else { continue };
                    let path = self.path.clone();
                    let state = expected_state.to_string();
                    let found = found_tx.clone();
                    connections.spawn(async move {
                        if let Some(params) = serve(stream, &path, &state).await {
                            let _ = found.send(params).await;
                        }
                    });
                }
                Some(params) = found_rx.recv() => return Ok(params),
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
    }
}

/// Serves one connection; returns the answer when it is the one awaited.
async fn serve(mut stream: TcpStream, path: &str, expected_state: &str) -> Option<CallbackParams> {
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
    if params.state.as_deref() != Some(expected_state) {
        respond(
            &mut stream,
            400,
            "Not the answer tokendeck is waiting for",
            "This answer belongs to another sign-in attempt. Start again from tokendeck.",
        )
        .await;
        return None;
    }
    match (&params.error, &params.error_description) {
        (Some(error), description) => {
            let text = format!(
                "The provider said: {}{}. Go back to tokendeck to try again.",
                error,
                description
                    .as_deref()
                    .map(|d| format!(" — {d}"))
                    .unwrap_or_default()
            );
            respond(&mut stream, 200, "Authorization refused", &text).await;
        }
        (None, _) => {
            respond(
                &mut stream,
                200,
                "Signed in",
                "tokendeck received the answer. You can close this tab and go back to the terminal.",
            )
            .await;
        }
    }
    Some(params)
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

async fn respond(stream: &mut TcpStream, status: u16, title: &str, text: &str) {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        _ => "Not Found",
    };
    let body = format!(
        "<!doctype html><meta charset=utf-8><title>tokendeck — {t}</title>\
         <body style=\"font-family:sans-serif;margin:3em\"><h1>{t}</h1><p>{x}</p></body>",
        t = escape_html(title),
        x = escape_html(text),
    );
    let response = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\n\
         Content-Length: {}\r\nCache-Control: no-store\r\nReferrer-Policy: no-referrer\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// The provider's error description is attacker-controllable text; it is shown, never run.
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod properties;

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn escapes_html() {
        assert_eq!(
            escape_html("<script>&\"'"),
            "&lt;script&gt;&amp;&quot;&#39;"
        );
    }
}
