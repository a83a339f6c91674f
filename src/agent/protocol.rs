//! The agent's protocol, version 1: one JSON object per line each way. Requests are read from
//! bytes by a reader that owns no socket (so that a property test can feed it anything), and
//! every answer is a typed value: an access token, the accounts, their status, or an error with a
//! code a script can branch on; each carries `format_version` beside the protocol's `v` (the
//! README's JSON contract). Nothing here can carry a refresh token, an ID token, a code or a
//! client secret: no answer has a field for one.

use serde::Serialize;
use serde_json::Value;

use crate::text::FORMAT_VERSION;

/// The one version this agent speaks.
pub const VERSION: u64 = 1;

/// The longest request line read, newline excluded; a longer one is answered `bad_request` and
/// the connection closed, without buffering the rest.
pub const MAX_LINE: usize = 64 * 1024;

/// What a client asks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// A valid access token of the account, refreshed first when due.
    Token { account: String },
    /// Every account's status, as `tokendeck status --json` shows it (or one account's).
    Status { account: Option<String> },
    /// The accounts' names.
    Accounts,
}

impl Request {
    /// The request as one line, newline included.
    pub fn to_line(&self) -> String {
        let value = match self {
            Request::Token { account } => {
                serde_json::json!({"v": VERSION, "op": "token", "account": account})
            }
            Request::Status { account: None } => serde_json::json!({"v": VERSION, "op": "status"}),
            Request::Status {
                account: Some(account),
            } => serde_json::json!({"v": VERSION, "op": "status", "account": account}),
            Request::Accounts => serde_json::json!({"v": VERSION, "op": "accounts"}),
        };
        format!("{value}\n")
    }
}

/// Why an answer is an error, as scripts match on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    NoSuchAccount,
    NotLinked,
    /// A refresh failed for now (the provider or the network); trying again later may work.
    RefreshFailed,
    /// The provider refused the client itself (its id, secret or authentication method).
    ClientRefused,
    /// The daemon's keyring could not be read.
    Keyring,
    /// The accounts file cannot be read or trusted.
    AccountsFile,
    /// Asked through a socket that serves only shared accounts (share.sock) for one not shared.
    NotShared,
    BadRequest,
    UnsupportedVersion,
}

/// One answer line.
#[derive(Clone, PartialEq)]
pub enum Answer {
    Token {
        access_token: String,
        token_type: String,
        expires_at: Option<String>,
        /// The scope the provider granted with the token, when it said.
        scope: Option<String>,
        /// The `email` claim of the account's ID token: who the token is for (an identity, not
        /// a credential), which mail clients' XOAUTH2 must name.
        email: Option<String>,
    },
    Accounts(Vec<String>),
    Status(Value),
    Error {
        code: ErrorCode,
        message: String,
    },
}

impl std::fmt::Debug for Answer {
    /// Never the access token, should an answer reach a log or a panic message.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Answer::Token {
                expires_at,
                scope,
                email,
                ..
            } => f
                .debug_struct("Token")
                .field("access_token", &"[redacted]")
                .field("expires_at", expires_at)
                .field("scope", scope)
                .field("email", email)
                .finish(),
            Answer::Accounts(names) => f.debug_tuple("Accounts").field(names).finish(),
            Answer::Status(_) => f.write_str("Status(..)"),
            Answer::Error { code, message } => f
                .debug_struct("Error")
                .field("code", code)
                .field("message", message)
                .finish(),
        }
    }
}

impl Answer {
    pub fn error(code: ErrorCode, message: impl Into<String>) -> Answer {
        Answer::Error {
            code,
            message: message.into(),
        }
    }

    /// The answer as one line, newline included.
    pub fn to_line(&self) -> String {
        let value = match self {
            Answer::Token {
                access_token,
                token_type,
                expires_at,
                scope,
                email,
            } => serde_json::json!({
                "v": VERSION,
                "format_version": FORMAT_VERSION,
                "access_token": access_token,
                "token_type": token_type,
                "expires_at": expires_at,
                "scope": scope,
                "email": email,
            }),
            Answer::Accounts(names) => {
                serde_json::json!({"v": VERSION, "format_version": FORMAT_VERSION, "accounts": names})
            }
            Answer::Status(status) => {
                serde_json::json!({"v": VERSION, "format_version": FORMAT_VERSION, "status": status})
            }
            Answer::Error { code, message } => serde_json::json!({
                "v": VERSION,
                "format_version": FORMAT_VERSION,
                "error": {"code": code, "message": message},
            }),
        };
        format!("{value}\n")
    }

    /// Reads an answer line, as the client does. `None` for what no agent of this version sends.
    pub fn from_line(line: &str) -> Option<Answer> {
        let value: Value = serde_json::from_str(line).ok()?;
        if value.get("v")?.as_u64()? != VERSION {
            return None;
        }
        if let Some(error) = value.get("error") {
            let code = serde_json::from_value(error.get("code")?.clone()).ok()?;
            let message = error.get("message")?.as_str()?.to_string();
            return Some(Answer::Error { code, message });
        }
        if let Some(token) = value.get("access_token") {
            return Some(Answer::Token {
                access_token: token.as_str()?.to_string(),
                token_type: value.get("token_type")?.as_str()?.to_string(),
                expires_at: text(&value, "expires_at"),
                // Absent from the answers of an agent older than these fields.
                scope: text(&value, "scope"),
                email: text(&value, "email"),
            });
        }
        if let Some(names) = value.get("accounts") {
            return serde_json::from_value(names.clone())
                .ok()
                .map(Answer::Accounts);
        }
        value.get("status").cloned().map(Answer::Status)
    }
}

/// A field that is text, if it is there.
fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_string)
}

/// Reads one request line (without its newline).
pub fn parse(line: &[u8]) -> Result<Request, Answer> {
    use super::words::Refusal;
    let bad = |refusal: Refusal| Answer::error(ErrorCode::BadRequest, refusal.to_string());
    let value: Value = serde_json::from_slice(line).map_err(|_| bad(Refusal::NotJson))?;
    let Value::Object(fields) = value else {
        return Err(bad(Refusal::NotAnObject));
    };
    match fields.get("v") {
        Some(v) if v.as_u64() == Some(VERSION) => {}
        Some(_) => {
            return Err(Answer::error(
                ErrorCode::UnsupportedVersion,
                Refusal::Version.to_string(),
            ));
        }
        None => return Err(bad(Refusal::NoVersion)),
    }
    let account = match fields.get("account") {
        None => None,
        Some(Value::String(name)) => Some(name.clone()),
        Some(_) => return Err(bad(Refusal::AccountNotText)),
    };
    match fields.get("op").and_then(Value::as_str) {
        Some("token") => account
            .map(|account| Request::Token { account })
            .ok_or_else(|| bad(Refusal::NoAccount)),
        Some("status") => Ok(Request::Status { account }),
        Some("accounts") => Ok(Request::Accounts),
        Some(_) | None => Err(bad(Refusal::UnknownOp)),
    }
}

/// What the line reader found in the bytes so far.
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    /// A whole line, its newline removed.
    Whole(Vec<u8>),
    /// More than [`MAX_LINE`] bytes without a newline: answer, then close.
    TooLong,
}

/// Splits bytes into lines of at most [`MAX_LINE`] bytes, keeping no more than that in memory.
#[derive(Debug, Default)]
pub struct LineReader {
    pending: Vec<u8>,
}

impl LineReader {
    /// Takes `bytes` and returns the lines they complete; after [`Line::TooLong`] nothing more
    /// is read.
    pub fn push(&mut self, mut bytes: &[u8]) -> Vec<Line> {
        let mut lines = Vec::new();
        while let Some(at) = bytes.iter().position(|&b| b == b'\n') {
            if self.pending.len() + at > MAX_LINE {
                lines.push(Line::TooLong);
                return lines;
            }
            let mut line = std::mem::take(&mut self.pending);
            line.extend_from_slice(&bytes[..at]);
            // A client on Windows' line ends is still understood.
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            lines.push(Line::Whole(line));
            bytes = &bytes[at + 1..];
        }
        if self.pending.len() + bytes.len() > MAX_LINE {
            lines.push(Line::TooLong);
            return lines;
        }
        self.pending.extend_from_slice(bytes);
        lines
    }

    /// Whether bytes of an unfinished line are held.
    pub fn has_partial(&self) -> bool {
        !self.pending.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(line: &str) -> Option<ErrorCode> {
        match parse(line.as_bytes()) {
            Err(Answer::Error { code, .. }) => Some(code),
            _ => None,
        }
    }

    #[test]
    fn reads_the_three_ops_and_refuses_the_rest_with_a_code() {
        assert_eq!(
            parse(br#"{"v":1,"op":"token","account":"work"}"#),
            Ok(Request::Token {
                account: "work".into()
            })
        );
        assert_eq!(
            parse(br#"{"v":1,"op":"status"}"#),
            Ok(Request::Status { account: None })
        );
        assert_eq!(parse(br#"{"v":1,"op":"accounts"}"#), Ok(Request::Accounts));
        for request in [
            Request::Token {
                account: "w\"x".into(),
            },
            Request::Status {
                account: Some("w".into()),
            },
            Request::Status { account: None },
            Request::Accounts,
        ] {
            let line = request.to_line();
            assert_eq!(parse(line.trim_end().as_bytes()), Ok(request));
        }
        assert_eq!(code("not json"), Some(ErrorCode::BadRequest));
        assert_eq!(code("[1]"), Some(ErrorCode::BadRequest));
        assert_eq!(code(r#"{"op":"token"}"#), Some(ErrorCode::BadRequest));
        assert_eq!(
            code(r#"{"v":2,"op":"token","account":"w"}"#),
            Some(ErrorCode::UnsupportedVersion)
        );
        assert_eq!(code(r#"{"v":1,"op":"fly"}"#), Some(ErrorCode::BadRequest));
        assert_eq!(code(r#"{"v":1,"op":"token"}"#), Some(ErrorCode::BadRequest));
        assert_eq!(
            code(r#"{"v":1,"op":"token","account":7}"#),
            Some(ErrorCode::BadRequest)
        );
    }

    #[test]
    fn an_answer_reads_back_as_itself_and_its_debug_hides_the_token() {
        for answer in [
            Answer::Token {
                access_token: "at-secret".into(),
                token_type: "Bearer".into(),
                expires_at: Some("2030-01-01T00:00:00Z".into()),
                scope: Some("openid email".into()),
                email: Some("a@example.test".into()),
            },
            Answer::Accounts(vec!["a".into(), "b".into()]),
            Answer::error(ErrorCode::NotShared, "no"),
        ] {
            let line = answer.to_line();
            assert!(line.ends_with('\n') && line.matches('\n').count() == 1);
            assert_eq!(Answer::from_line(&line), Some(answer.clone()));
            assert!(!format!("{answer:?}").contains("at-secret"));
        }
        assert_eq!(Answer::from_line(r#"{"v":2,"accounts":[]}"#), None);
    }

    /// The fields added since the first agent (`format_version`, `scope`, `email`) are additive:
    /// a client reads an older agent's token answer, without them, as a token.
    #[test]
    fn a_token_answer_without_the_added_fields_still_reads() {
        let line = r#"{"v":1,"access_token":"at","token_type":"Bearer","expires_at":null}"#;
        assert!(matches!(
            Answer::from_line(line),
            Some(Answer::Token {
                scope: None,
                email: None,
                expires_at: None,
                ..
            })
        ));
        let value: Value = serde_json::from_str(&Answer::Accounts(vec![]).to_line()).unwrap();
        assert_eq!(value["format_version"], 1);
    }

    #[test]
    fn a_line_over_the_limit_is_refused_however_it_arrives() {
        let mut reader = LineReader::default();
        assert_eq!(reader.push(&vec![b'x'; MAX_LINE]), vec![]);
        assert_eq!(reader.push(b"x"), vec![Line::TooLong]);
        let mut reader = LineReader::default();
        let mut long = vec![b'x'; MAX_LINE + 1];
        long.push(b'\n');
        assert_eq!(reader.push(&long), vec![Line::TooLong]);
        let mut reader = LineReader::default();
        let mut exact = vec![b'x'; MAX_LINE];
        exact.extend_from_slice(b"\nab\r\n");
        assert_eq!(
            reader.push(&exact),
            vec![
                Line::Whole(vec![b'x'; MAX_LINE]),
                Line::Whole(b"ab".to_vec())
            ]
        );
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(crate::properties::config())]
        /// Any bytes, in any chunks: every line the reader gives is at most the limit, the bytes
        /// it holds never exceed it, and each line parses to a request or an error that reads
        /// back as one — never a panic.
        #[test]
        fn any_bytes_give_requests_or_errors_never_a_panic(
            chunks in proptest::collection::vec(
                prop_oneof![
                    proptest::collection::vec(any::<u8>(), 0..64),
                    Just(br#"{"v":1,"op":"token","account":"w"}"#.to_vec()),
                    Just(b"\n".to_vec()),
                    proptest::collection::vec(Just(b'a'), 0..(MAX_LINE / 4)),
                ],
                0..12,
            )
        ) {
            let mut reader = LineReader::default();
            'feed: for chunk in &chunks {
                for line in reader.push(chunk) {
                    match line {
                        Line::Whole(line) => {
                            prop_assert!(line.len() <= MAX_LINE);
                            if let Err(answer) = parse(&line) {
                                let text = answer.to_line();
                                prop_assert!(matches!(answer, Answer::Error { .. }), "an error");
                                prop_assert_eq!(Answer::from_line(&text), Some(answer));
                            }
                        }
                        Line::TooLong => break 'feed,
                    }
                }
                prop_assert!(reader.pending.len() <= MAX_LINE);
            }
        }
    }
}
