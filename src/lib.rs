//! tokendeck: a terminal account manager for OAuth 2.0, and the library behind it.
//!
//! The library's heart is [`Session`]: the authorization code flow with `state` and PKCE, a
//! loopback callback, and API calls that refresh on a 401 — one refresh at a time, persisted
//! before use.
#![forbid(unsafe_code)]

pub mod oauth; // the protocol: provider, authorize, callback, token requests, session

pub use oauth::{
    AuthMethod, CallbackListener, Error, ErrorKind, Provider, Session, SessionBuilder, Tokens,
};
