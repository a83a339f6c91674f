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
            DemoError::Store(e) => write!(f, "{e}"),
            DemoError::NotTheDemos { home } => write!(
                f,
                "{} already has an account named {:?} that the demo did not make, and the demo leaves it alone: run `tokendeck --demo` without --home (it then uses a throwaway home), or with another folder",
                home.display(),
                super::ACCOUNT
            ),
            DemoError::Add(e) => write!(f, "{e}"),
            DemoError::Terminal(e) => write!(f, "the terminal failed: {e}"),
            DemoError::Cleanup(e) => write!(f, "{e}"),
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
            NotApproved::NotAUrl(e) => write!(f, "not a URL: {e}"),
            NotApproved::NoClient(e) => write!(f, "{e}"),
            NotApproved::ServerSilent(e) => write!(f, "the demo server did not answer: {e}"),
            NotApproved::Refused(status) => {
                write!(f, "the demo server did not approve (HTTP {status})")
            }
            NotApproved::CallbackSilent(e) => write!(f, "the callback did not answer: {e}"),
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
