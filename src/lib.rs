//! tokendeck: a terminal account manager for OAuth 2.0, and the library behind it.
//!
//! The library's heart is [`Session`]: the authorization code flow with `state` and PKCE, a
//! loopback callback, and API calls that refresh on a 401 — one refresh at a time, persisted
//! before use.
//!
//! ```no_run
//! use tokendeck::{AuthMethod, Provider, Session, Tokens};
//!
//! # async fn example(pasted: &str, existing_tokens: Tokens) -> Result<(), tokendeck::Error> {
//! let provider = Provider::new("https://as.example/auth", "https://as.example/token")?;
//! let session = Session::builder(provider, "client id", "http://127.0.0.1:8765/callback")
//!     .client_secret("secret")
//!     .auth_method(AuthMethod::Basic)
//!     .scopes(["openid", "offline_access"])
//!     .authorize_param("prompt", "consent")
//!     .tokens(existing_tokens)
//!     .persist(|tokens: Tokens| async move { std::fs::write("/dev/null", tokens.scope().unwrap_or("")) })
//!     .on_refreshed(|tokens: &Tokens| println!("new expiry: {:?}", tokens.expires_at()))
//!     .build()?;
//!
//! let url: String = session.authorize_url();
//! let tokens: Tokens = session.token(pasted).await?;
//! let tokens: Tokens = session.refresh().await?;
//! session.set_on_refreshed(|tokens| println!("scope: {:?}", tokens.scope()));
//! let response = session.send(session.http().get("https://api.example/me")).await?;
//! let now: Option<Tokens> = session.tokens();
//! # let _ = (url, tokens, response, now);
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

pub mod agent; // the daemon's socket: tokens from memory to the user's own processes
pub mod app; // the use cases, typed: add, set, link, refresh, token, status, inspect, remove, engine
pub mod browser; // opening the user's web browser, best effort
pub mod cli; // the command line: arguments, one file per verb group, and its words
pub mod demo; // `--demo`: an embedded authorization server and a throwaway home
pub mod inspect; // an inspect report in words, as rows the CLI prints and the TUI draws
#[cfg(test)]
mod module_graph; // what the modules name of each other: no circles, each room below its users
pub mod oauth; // the protocol: provider, authorize, callback, token requests, session
pub mod problem; // what went wrong, in the clause every front shares; the advice is each front's
#[cfg(test)]
mod properties; // what the property tests of every parser of outside input share
pub mod qr; // QR codes as half-block text for terminals
pub mod signals; // SIGINT, SIGTERM, SIGHUP caught, so that every front stops the way it must
pub mod store; // persistence: accounts file, keyring records, status, locks, event log
pub mod text; // text from outside made safe for a terminal: one escaping function
pub mod time; // time and durations: saturating arithmetic, and times written for people
pub mod tui; // the terminal UI: state, update, effects, keymap, theme, views

pub use oauth::{
    AuthMethod, CallbackListener, Error, ErrorCode, ErrorKind, Provider, Session, SessionBuilder,
    Tokens,
};
