//! git's credential request (gitcredentials(7)): `key=value` lines up to a blank line, read and
//! checked before anything is looked up. Pure: the tests feed it bytes.

use std::fmt;

/// The largest request read; a longer one is refused unread.
pub const REQUEST_LIMIT: usize = 64 << 10;

/// The keys git sends (2.41 to 2.47), with or without `[]`. Anything else is refused: a helper
/// that guesses at keys it does not know could answer for the wrong remote.
const KNOWN_KEYS: &[&str] = &[
    "protocol",
    "host",
    "path",
    "username",
    "password",
    "password_expiry_utc",
    "oauth_refresh_token",
    "url",
    "authtype",
    "credential",
    "ephemeral",
    "continue",
    "state[]",
    "capability[]",
    "wwwauth[]",
];

/// What a request names: the remote's scheme, host (with its port) and path.
#[derive(Debug, PartialEq, Eq)]
pub struct Request {
    pub protocol: String,
    pub host: String,
    pub path: Option<String>,
}

/// Why a request was not answered. Its words never repeat a value from the request: a value
/// may be a password.
#[derive(Debug, PartialEq, Eq)]
pub enum BadRequest {
    TooLong,
    NotText,
    NulInside,
    NotKeyValue { line: usize },
    UnknownKey(String),
    NoHost,
    ControlInValue { key: String },
}

impl fmt::Display for BadRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadRequest::TooLong => {
                write!(f, "the request is longer than {} KiB", REQUEST_LIMIT >> 10)
            }
            BadRequest::NotText => f.write_str("the request is not UTF-8 text"),
            BadRequest::NulInside => f.write_str("the request has a NUL byte in it"),
            BadRequest::NotKeyValue { line } => {
                write!(f, "line {line} of the request is not key=value")
            }
            BadRequest::UnknownKey(key) => write!(
                f,
                "the request has a key this version does not know: {key:?}"
            ),
            BadRequest::NoHost => f.write_str("the request names no host"),
            BadRequest::ControlInValue { key } => {
                write!(f, "the value of {key:?} has a control character in it")
            }
        }
    }
}

/// Reads a request from git's bytes (up to a blank line or the end).
pub fn parse(bytes: &[u8]) -> Result<Request, BadRequest> {
    if bytes.len() > REQUEST_LIMIT {
        return Err(BadRequest::TooLong);
    }
    if bytes.contains(&0) {
        return Err(BadRequest::NulInside);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| BadRequest::NotText)?;
    let (mut protocol, mut host, mut path, mut url) = (None, None, None, None);
    for (index, line) in text.split('\n').enumerate() {
        if line.is_empty() {
            break;
        }
        let (key, value) = line
            .split_once('=')
            .ok_or(BadRequest::NotKeyValue { line: index + 1 })?;
        if !KNOWN_KEYS.contains(&key) {
            // The key is git's, never a secret; shortened so a hostile one cannot flood stderr.
            let shown: String = key.chars().take(40).collect();
            return Err(BadRequest::UnknownKey(shown));
        }
        if value.chars().any(char::is_control) {
            return Err(BadRequest::ControlInValue { key: key.into() });
        }
        let slot = match key {
            "protocol" => &mut protocol,
            "host" => &mut host,
            "path" => &mut path,
            "url" => &mut url,
            _ => continue,
        };
        *slot = Some(value.to_string());
    }
    // `url=` alone (git sends it to helpers since 2.26 only when asked): what it names.
    if let Some(url) = url.as_deref().and_then(|u| url::Url::parse(u).ok()) {
        protocol.get_or_insert_with(|| url.scheme().to_string());
        if host.is_none() {
            host = url.host_str().map(|h| match url.port() {
                Some(port) => format!("{h}:{port}"),
                None => h.to_string(),
            });
        }
        if path.is_none() && url.path() != "/" {
            path = Some(url.path().trim_start_matches('/').to_string());
        }
    }
    let host = host.filter(|h| !h.is_empty()).ok_or(BadRequest::NoHost)?;
    Ok(Request {
        protocol: protocol.unwrap_or_default(),
        host,
        path: path.filter(|p| !p.is_empty()),
    })
}

impl Request {
    /// Whether a token may travel to this remote: https, or http to a loopback address (the
    /// project's one URL policy).
    pub fn may_carry_a_token(&self) -> bool {
        let Ok(url) = url::Url::parse(&format!("{}://{}/", self.protocol, self.host)) else {
            return false;
        };
        crate::oauth::url_policy::check(crate::oauth::url_policy::UrlRole::Api, &url).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_from_git_names_its_remote() {
        let request = parse(
            b"capability[]=authtype\ncapability[]=state\nprotocol=https\nhost=example.com:8443\npath=team/repo.git\nwwwauth[]=Basic realm=\"x\"\n\n",
        )
        .unwrap();
        assert_eq!(
            request,
            Request {
                protocol: "https".into(),
                host: "example.com:8443".into(),
                path: Some("team/repo.git".into()),
            }
        );
        assert!(request.may_carry_a_token());
    }

    #[test]
    fn a_url_alone_names_its_remote_too() {
        let request = parse(b"url=https://example.com/a/b.git\n").unwrap();
        assert_eq!(request.host, "example.com");
        assert_eq!(request.path.as_deref(), Some("a/b.git"));
    }

    #[test]
    fn bad_requests_are_refused_without_repeating_their_values() {
        let cases: [(&[u8], BadRequest); 6] = [
            (b"protocol=https\n", BadRequest::NoHost),
            (
                b"host=example.com\nsecret=hunter2\n",
                BadRequest::UnknownKey("secret".into()),
            ),
            (b"host=exa\0mple.com\n", BadRequest::NulInside),
            (
                b"host=example.com\rpassword=x\n",
                BadRequest::ControlInValue { key: "host".into() },
            ),
            (b"host example.com\n", BadRequest::NotKeyValue { line: 1 }),
            (b"host=\xff\n", BadRequest::NotText),
        ];
        for (bytes, expected) in cases {
            let error = parse(bytes).unwrap_err();
            assert_eq!(error, expected);
            assert!(!error.to_string().contains("hunter2"));
        }
        let long = format!("host=example.com\npath={}\n", "a".repeat(REQUEST_LIMIT));
        assert_eq!(parse(long.as_bytes()), Err(BadRequest::TooLong));
    }

    #[test]
    fn a_token_never_travels_in_the_clear_beyond_this_machine() {
        let http = |host: &str| Request {
            protocol: "http".into(),
            host: host.into(),
            path: None,
        };
        assert!(http("127.0.0.1:8080").may_carry_a_token());
        assert!(!http("example.com").may_carry_a_token());
        let ssh = Request {
            protocol: "ssh".into(),
            ..http("example.com")
        };
        assert!(!ssh.may_carry_a_token());
    }
}
