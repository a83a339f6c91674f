//! The pages the browser is shown at the loopback callback, and the browser that brought a code,
//! kept waiting for the page that tells how the link ended. Text from the provider is escaped:
//! it is shown, never run.

use std::fmt;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::oauth::error::{Error, clause};

/// How long a page may take to be written to a browser that does not read it.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);

/// The browser that brought the code, kept waiting for the page that tells how it ended — so
/// that it never says "signed in" when the exchange failed.
pub struct WaitingBrowser {
    pub(super) stream: TcpStream,
}

impl WaitingBrowser {
    /// Answers the browser: signed in, or what went wrong (without the terminal's advice: the
    /// terminal says what to do next).
    pub async fn tell(mut self, outcome: Result<(), &Error>) {
        match outcome {
            Ok(()) => respond(
                &mut self.stream,
                200,
                "Signed in",
                "tokendeck stored the tokens. You can close this tab and go back to the terminal.",
            )
            .await,
            Err(error) => failure_page(&mut self.stream, error).await,
        }
    }
}

impl fmt::Debug for WaitingBrowser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitingBrowser")
            .field("peer", &self.stream.peer_addr().ok())
            .finish()
    }
}

pub(super) async fn failure_page(stream: &mut TcpStream, error: &Error) {
    let title = match error {
        Error::AuthorizationDenied { .. } => "Authorization refused",
        Error::IssuerMismatch { .. } | Error::MissingIssuer { .. } => "Answer refused",
        _ => "Sign-in failed",
    };
    let text = format!(
        "{}. tokendeck did not sign in; go back to the terminal, which says what to do next.",
        clause(&error.problem())
    );
    respond(stream, 200, title, &text).await;
}

pub(super) async fn respond(stream: &mut TcpStream, status: u16, title: &str, text: &str) {
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
    let _ = tokio::time::timeout(WRITE_TIMEOUT, async {
        let _ = stream.write_all(response.as_bytes()).await;
        let _ = stream.shutdown().await;
    })
    .await;
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
mod tests {
    use super::*;

    #[test]
    fn escapes_html() {
        assert_eq!(
            escape_html("<script>&\"'"),
            "&lt;script&gt;&amp;&quot;&#39;"
        );
    }
}
