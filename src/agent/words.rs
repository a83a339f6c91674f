//! The agent's own words: why a request line was refused. What an account's failure says is the
//! command line's wording, handed to the server by the daemon (see `server::Wording`).

use std::fmt;

/// Why a line is not a request this agent answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    NotJson,
    NotAnObject,
    NoVersion,
    Version,
    UnknownOp,
    NoAccount,
    AccountNotText,
    TooLong,
    /// Any op but `token` through share.sock.
    OnlyToken,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let example = r#"{"v":1,"op":"token","account":"NAME"}"#;
        match self {
            Refusal::NotJson => write!(
                f,
                "the line is not JSON; send one object per line, like {example}"
            ),
            Refusal::NotAnObject => {
                write!(f, "the line is not a JSON object; send one like {example}")
            }
            Refusal::NoVersion => write!(
                f,
                "the request has no \"v\"; this agent speaks version 1: {example}"
            ),
            Refusal::Version => write!(
                f,
                "this agent speaks only version 1 of the protocol (\"v\":1); update tokendeck on one side"
            ),
            Refusal::UnknownOp => write!(f, "\"op\" must be \"token\", \"status\" or \"accounts\""),
            Refusal::NoAccount => {
                write!(f, "\"op\":\"token\" needs \"account\": the account's name")
            }
            Refusal::AccountNotText => {
                write!(f, "\"account\" must be a string: the account's name")
            }
            Refusal::OnlyToken => write!(
                f,
                "this socket (share.sock) answers only \"op\":\"token\", for the accounts its owner shared"
            ),
            Refusal::TooLong => write!(
                f,
                "the line is longer than 64 KiB; the connection is closed"
            ),
        }
    }
}
