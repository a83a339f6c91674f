//! The demo's words: why the demo could not start or clean up, and what its browser (the link
//! screen's `A`) says when it cannot approve — in this one place. The demo makes its account
//! and removes it through the application layer; a failure there is worded by the command
//! line's `Display` (`cli::words`), as `tokendeck --demo` is run from the command line.

use std::fmt;
use std::path::PathBuf;

use reqwest::StatusCode;

use crate::store::StoreError;
use crate::store::new_account::NewAccountError;

/// Why the demo could not run, or not clean up after itself.
#[derive(Debug)]
pub enum DemoError {
    ServerDidNotStart(std::io::Error),
    NoThrowawayHome(std::io::Error),
    Store(StoreError),
    /// The home given with `--home` has an account named `demo` that the demo did not make.
    NotTheDemos {
        home: PathBuf,
    },
    Add(NewAccountError),
    Terminal(std::io::Error),
    /// The throwaway home or its keyring records could not be removed.
    Cleanup(String),
}

impl fmt::Display for DemoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DemoError::ServerDidNotStart(e) => write!(f, "the demo server could not start: {e}"),
            DemoError::NoThrowawayHome(e) => {
                write!(f, "the demo's throwaway home could not be made: {e}")
            }
            DemoError::Store(e) => write!(f, "the demo's home: {e}"),
            DemoError::NotTheDemos { home } => write!(
                f,
                "{} already has an account named {:?} that the demo did not make, and the demo leaves it alone: run `tokendeck --demo` without --home (it then uses a throwaway home), or with another folder",
                home.display(),
                super::ACCOUNT
            ),
            DemoError::Add(e) => write!(f, "the demo account could not be added: {e}"),
            DemoError::Terminal(e) => write!(f, "the demo's terminal failed: {e}"),
            DemoError::Cleanup(e) => write!(
                f,
                "the demo could not remove its throwaway home ({e}); the next `tokendeck --demo` removes what is left"
            ),
        }
    }
}

/// What `A` says on another account's link screen: it would ask a real provider, which the demo
/// user cannot approve.
pub const NOT_THE_DEMO: &str = "A approves only the demo account's link, at the demo's own server. For this account, open the URL in a browser (o) or copy it (c).";

/// Why the demo browser could not approve.
#[derive(Debug)]
pub enum NotApproved {
    NotTheDemo,
    NotAUrl(url::ParseError),
    /// The HTTP client could not start (why).
    NoClient(String),
    /// The demo server did not answer (the request's error, without its URL).
    ServerSilent(String),
    /// The authorization request was answered without a redirect.
    Refused(StatusCode),
    /// The callback did not answer (the request's error, without its URL).
    CallbackSilent(String),
    NoUserCode,
    CodeRefused(StatusCode),
}

impl fmt::Display for NotApproved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotApproved::NotTheDemo => write!(f, "{NOT_THE_DEMO}"),
            NotApproved::NotAUrl(e) => write!(f, "the demo browser cannot open it, not a URL: {e}"),
            NotApproved::NoClient(e) => write!(f, "the demo browser could not start: {e}"),
            NotApproved::ServerSilent(e) => write!(f, "the demo server did not answer: {e}"),
            NotApproved::Refused(status) => {
                write!(f, "the demo server did not approve (HTTP {status})")
            }
            NotApproved::CallbackSilent(e) => {
                write!(f, "the callback did not answer the demo browser: {e}")
            }
            NotApproved::NoUserCode => write!(
                f,
                "the verification URL carries no user code: type the code on the demo server's page instead"
            ),
            NotApproved::CodeRefused(status) => {
                let why = match *status {
                    StatusCode::NOT_FOUND => "it knows no such code; start the link again".into(),
                    StatusCode::GONE => "it has expired; start the link again for a new one".into(),
                    StatusCode::CONFLICT => {
                        "it was answered already; start the link again if it was denied".into()
                    }
                    status => format!("HTTP {status}"),
                };
                write!(f, "the demo server did not approve the code: {why}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A notice from the demo says it is the demo's: beside a real account's, in the TUI's
    /// notice line or on stderr after it, "the callback did not answer" alone would send a
    /// person looking at their provider.
    #[test]
    fn every_notice_of_the_demo_says_it_is_the_demos() {
        let io = || std::io::Error::other("boom");
        let errors = [
            DemoError::ServerDidNotStart(io()),
            DemoError::NoThrowawayHome(io()),
            DemoError::Store(StoreError::InvalidName("x/".into())),
            DemoError::NotTheDemos { home: "/h".into() },
            DemoError::Add(NewAccountError::UnknownPreset("nope".into())),
            DemoError::Terminal(io()),
            DemoError::Cleanup("/tmp/tokendeck-demo-1: busy".into()),
        ];
        let not_approved = [
            NotApproved::NotTheDemo,
            NotApproved::NotAUrl(url::ParseError::EmptyHost),
            NotApproved::NoClient("no TLS".into()),
            NotApproved::ServerSilent("refused".into()),
            NotApproved::Refused(StatusCode::BAD_REQUEST),
            NotApproved::CallbackSilent("refused".into()),
            NotApproved::NoUserCode,
            NotApproved::CodeRefused(StatusCode::GONE),
        ];
        let notices = errors
            .iter()
            .map(ToString::to_string)
            .chain(not_approved.iter().map(ToString::to_string));
        for notice in notices {
            assert!(notice.contains("demo"), "{notice}");
        }
    }
}
