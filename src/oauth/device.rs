//! The device authorization grant (RFC 8628): the provider hands out a short user code and a
//! verification URL that any device can open — a phone scanning a QR code, say — and the client
//! polls the token endpoint until the user has approved there. What the provider answers is read
//! leniently (numbers as strings, Google's `verification_url`); what is shown to a person is
//! checked (the URL against the URL policy, the code's length), and refused when it holds
//! anything a terminal would obey: such a URL is never shown, nor opened.

use std::time::{Duration, SystemTime};

use serde_json::{Map, Value};

use super::error::{Error, ErrorCode};
use super::secret::DeviceCode;
use super::token::{Tokens, parse_body, seconds};
use super::url_policy::{self, UrlRole};
use crate::text::{is_printable, printable_prefix};
use crate::time::later;

/// The `grant_type` of a device-code token request.
pub const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// How long to wait between polls when the provider does not say (RFC 8628 §3.2).
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);
/// Added to the interval at each `slow_down` (RFC 8628 §3.5).
pub const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);
/// No interval, however a provider asks for it, leaves the user waiting longer than this after
/// approving.
pub const MAX_INTERVAL: Duration = Duration::from_secs(60);
/// The longest a device code is believed to live (providers give 5–30 minutes).
const MAX_EXPIRES_IN: u64 = 24 * 3600;
/// A user code a person can read and type; anything longer is not one.
const MAX_USER_CODE: usize = 64;

/// What the device authorization endpoint answered: what the user must see, and the device code
/// to poll with.
#[derive(Clone, Debug)]
pub struct DeviceAuthorization {
    device_code: DeviceCode,
    user_code: String,
    verification_uri: String,
    verification_uri_complete: Option<String>,
    obtained_at: SystemTime,
    valid_for: Duration,
    interval: Duration,
}

impl DeviceAuthorization {
    pub(crate) fn from_response(url: &str, status: u16, body: &[u8]) -> Result<Self, Error> {
        let malformed = |reason: &str| Error::InvalidResponse {
            url: url.to_string(),
            status,
            reason: reason.to_string(),
        };
        let mut fields = parse_body(body, "device_code=").map_err(|p| malformed(p.reason()))?;
        let mut text = |key: &str| match fields.remove(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
            _ => None,
        };
        let device_code =
            text("device_code").ok_or_else(|| malformed("there is no `device_code`"))?;
        let user_code = text("user_code").ok_or_else(|| malformed("there is no `user_code`"))?;
        if user_code.chars().count() > MAX_USER_CODE || !is_printable(&user_code) {
            return Err(malformed(
                "the `user_code` is not a code a person can type (it holds control characters)",
            ));
        }
        // Google names it `verification_url`.
        let verification_uri = text("verification_uri")
            .or_else(|| text("verification_url"))
            .ok_or_else(|| malformed("there is no `verification_uri`"))?;
        shown_url(&verification_uri)?;
        url_policy::parse(UrlRole::Verification, &verification_uri)?;
        let verification_uri_complete =
            text("verification_uri_complete").or_else(|| text("verification_url_complete"));
        if let Some(complete) = &verification_uri_complete {
            shown_url(complete)?;
        }
        // A complete URL that does not pass the policy is dropped: the plain one and the code
        // still work.
        let verification_uri_complete = verification_uri_complete
            .filter(|u| url_policy::parse(UrlRole::Verification, u).is_ok());
        let valid_for = number(&mut fields, "expires_in")
            .filter(|s| *s > 0)
            .ok_or_else(|| malformed("there is no usable `expires_in`"))?
            .min(MAX_EXPIRES_IN);
        let interval = number(&mut fields, "interval")
            .filter(|s| *s > 0)
            .map_or(DEFAULT_INTERVAL, Duration::from_secs)
            .min(MAX_INTERVAL);
        Ok(DeviceAuthorization {
            device_code: DeviceCode::new(device_code),
            user_code,
            verification_uri,
            verification_uri_complete,
            obtained_at: SystemTime::now(),
            valid_for: Duration::from_secs(valid_for),
            interval,
        })
    }

    /// What the user types at the verification URL.
    pub fn user_code(&self) -> &str {
        &self.user_code
    }

    /// Where the user goes to enter the code.
    pub fn verification_uri(&self) -> &str {
        &self.verification_uri
    }

    /// The verification URL with the code in it, when the provider gives one: opening it needs
    /// no typing (what a QR code should carry).
    pub fn verification_uri_complete(&self) -> Option<&str> {
        self.verification_uri_complete.as_deref()
    }

    /// The URL to open (or scan): the complete one when there is one.
    pub fn url_to_open(&self) -> &str {
        self.verification_uri_complete
            .as_deref()
            .unwrap_or(&self.verification_uri)
    }

    /// When the code stops working.
    pub fn expires_at(&self) -> SystemTime {
        later(self.obtained_at, self.valid_for)
    }

    /// How long the code was issued for.
    pub fn valid_for(&self) -> Duration {
        self.valid_for
    }

    /// How long to wait between polls, as the provider asked (or the default).
    pub fn interval(&self) -> Duration {
        self.interval
    }

    pub(crate) fn device_code(&self) -> &DeviceCode {
        &self.device_code
    }
}

/// Refuses a URL meant for a person that holds a character a terminal would obey or that
/// reorders text (an OSC 52 clipboard write, a bidi override): whoever sent it means harm, and the
/// whole answer goes with it. The message shows the URL up to that character, never past it.
fn shown_url(raw: &str) -> Result<(), Error> {
    if is_printable(raw) {
        return Ok(());
    }
    Err(Error::InvalidUrl {
        what: UrlRole::Verification,
        url: format!("{}…", printable_prefix(raw)),
        reason: "it holds control characters, which a terminal would obey (a hostile provider can set the clipboard or rewrite the screen that way), so tokendeck neither shows nor opens it; link through the authorization URL instead, or ask the provider why".into(),
    })
}

/// A whole number of seconds, as a number or a numeric string.
fn number(fields: &mut Map<String, Value>, key: &str) -> Option<u64> {
    fields.remove(key).and_then(|v| seconds(&v))
}

/// What one poll of the token endpoint said.
#[derive(Debug)]
pub(crate) enum DevicePoll {
    Tokens(Tokens),
    /// Not approved yet: ask again after the interval.
    Pending,
    /// Asked too often (or the server is busy): ask again after a longer interval.
    SlowDown,
    /// The server is busy and said when to come back (`Retry-After`): not before then.
    RetryAfter(Duration),
    Denied(Option<String>),
    Expired,
    Failed(Error),
}

impl From<Result<Tokens, Error>> for DevicePoll {
    fn from(answer: Result<Tokens, Error>) -> Self {
        match answer {
            Ok(tokens) => DevicePoll::Tokens(tokens),
            Err(Error::Rejected {
                error: ErrorCode::AuthorizationPending,
                ..
            }) => DevicePoll::Pending,
            Err(Error::Rejected {
                error: ErrorCode::SlowDown,
                ..
            }) => DevicePoll::SlowDown,
            Err(Error::Rejected {
                error: ErrorCode::AccessDenied,
                description,
                ..
            }) => DevicePoll::Denied(description),
            Err(Error::Rejected {
                error: ErrorCode::ExpiredToken,
                ..
            }) => DevicePoll::Expired,
            // A busy or unreachable server, a lost answer: nothing was granted yet, so polling
            // less often is the whole remedy (RFC 8628 §3.5).
            Err(e) if e.is_transient() => match e.retry_after() {
                Some(wait) => DevicePoll::RetryAfter(wait),
                None => DevicePoll::SlowDown,
            },
            Err(e) => DevicePoll::Failed(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(body: &str) -> Result<DeviceAuthorization, Error> {
        DeviceAuthorization::from_response("https://as.example/device", 200, body.as_bytes())
    }

    #[test]
    fn reads_the_rfc_answer_and_the_providers_quirks() {
        let auth = read(
            r#"{"device_code":"dc","user_code":"WDJB-MJHT","verification_uri":"https://as.example/device",
                "verification_uri_complete":"https://as.example/device?user_code=WDJB-MJHT","expires_in":1800,"interval":5}"#,
        )
        .unwrap();
        assert_eq!(auth.user_code(), "WDJB-MJHT");
        assert_eq!(
            auth.url_to_open(),
            "https://as.example/device?user_code=WDJB-MJHT"
        );
        assert_eq!(auth.valid_for(), Duration::from_secs(1800));
        assert_eq!(auth.interval(), Duration::from_secs(5));
        assert_eq!(auth.device_code().secret(), "dc");
        assert!(
            !format!("{auth:?}").contains("\"dc\""),
            "the device code is redacted"
        );

        // Google: `verification_url`, no complete URL; numbers as strings; no interval.
        let google = read(
            r#"{"device_code":"dc","user_code":"ABC-DEF","verification_url":"https://www.google.com/device","expires_in":"1800"}"#,
        )
        .unwrap();
        assert_eq!(google.url_to_open(), "https://www.google.com/device");
        assert_eq!(google.interval(), DEFAULT_INTERVAL);
        assert_eq!(google.valid_for(), Duration::from_secs(1800));

        // GitHub without an Accept header: form-encoded.
        let github = read(
            "device_code=dc&user_code=ABCD-1234&verification_uri=https%3A%2F%2Fgithub.com%2Flogin%2Fdevice&expires_in=899&interval=5",
        )
        .unwrap();
        assert_eq!(github.user_code(), "ABCD-1234");
        assert_eq!(github.verification_uri(), "https://github.com/login/device");
    }

    #[test]
    fn refuses_what_cannot_be_shown_or_used() {
        for body in [
            r#"{"user_code":"A","verification_uri":"https://as.example/d","expires_in":60}"#,
            r#"{"device_code":"dc","verification_uri":"https://as.example/d","expires_in":60}"#,
            r#"{"device_code":"dc","user_code":"A","expires_in":60}"#,
            r#"{"device_code":"dc","user_code":"A","verification_uri":"https://as.example/d"}"#,
            r#"{"device_code":"dc","user_code":"A\u001b[2J","verification_uri":"https://as.example/d","expires_in":60}"#,
            "<html>",
        ] {
            let err = read(body).unwrap_err();
            assert!(
                matches!(err, Error::InvalidResponse { .. }),
                "{body}: {err}"
            );
            assert!(!err.to_string().contains("dc"), "{err}");
        }
        // A verification URL a person would open over plain http: refused.
        let err = read(
            r#"{"device_code":"dc","user_code":"A","verification_uri":"http://as.example/d","expires_in":60}"#,
        )
        .unwrap_err();
        assert!(matches!(err, Error::InvalidUrl { .. }), "{err}");
        // A huge interval is capped; a bad complete URL is dropped, the plain one still works.
        let auth = read(
            r#"{"device_code":"dc","user_code":"A","verification_uri":"https://as.example/d","verification_uri_complete":"javascript:alert(1)","expires_in":60,"interval":86400}"#,
        )
        .unwrap();
        assert_eq!(auth.interval(), MAX_INTERVAL);
        assert_eq!(auth.url_to_open(), "https://as.example/d");
    }

    #[test]
    fn a_url_or_code_with_controls_is_refused_and_never_repeated_raw() {
        let osc52 = r"\u001b]52;c;ZXZpbA==\u0007";
        for (field, value) in [
            ("verification_uri", format!("https://as.example/d{osc52}")),
            (
                "verification_uri",
                r"https://as.example/d\u202eved".to_string(),
            ),
            (
                "verification_uri_complete",
                format!("https://as.example/d?user_code=A{osc52}"),
            ),
            ("user_code", format!("WDJB{osc52}")),
            ("user_code", r"WDJB\u009b2J".to_string()),
        ] {
            let mut answer = serde_json::json!({
                "device_code": "dc", "user_code": "WDJB", "expires_in": 60,
                "verification_uri": "https://as.example/d",
            });
            let value: String = serde_json::from_str(&format!("\"{value}\"")).unwrap();
            answer[field] = value.into();
            let err = read(&answer.to_string()).unwrap_err();
            let message = err.to_string();
            assert!(
                !message.contains(['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}']),
                "{field}: {message:?}"
            );
            if field != "user_code" {
                assert!(
                    matches!(
                        err,
                        Error::InvalidUrl {
                            what: UrlRole::Verification,
                            ..
                        }
                    ),
                    "{field}: {err}"
                );
                assert!(message.contains("\"https://as.example/d"), "{message}");
                assert!(message.contains("control characters"), "{message}");
            }
        }
    }

    #[test]
    fn polls_are_read_by_their_error_codes() {
        let rejected = |error: &str| {
            DevicePoll::from(Err(Error::Rejected {
                grant: crate::oauth::Grant::DeviceCode,
                status: 400,
                error: error.into(),
                description: Some("why".into()),
            }))
        };
        assert!(matches!(
            rejected("authorization_pending"),
            DevicePoll::Pending
        ));
        assert!(matches!(rejected("slow_down"), DevicePoll::SlowDown));
        assert!(matches!(
            rejected("access_denied"),
            DevicePoll::Denied(Some(_))
        ));
        assert!(matches!(rejected("expired_token"), DevicePoll::Expired));
        assert!(matches!(rejected("invalid_client"), DevicePoll::Failed(_)));
        let busy = DevicePoll::from(Err(Error::Unavailable {
            url: "u".into(),
            status: 503,
            retry_after: None,
        }));
        assert!(matches!(busy, DevicePoll::SlowDown));
        let told = DevicePoll::from(Err(Error::Unavailable {
            url: "u".into(),
            status: 429,
            retry_after: Some(crate::oauth::RetryAfter::capped(Duration::from_secs(12))),
        }));
        assert!(
            matches!(told, DevicePoll::RetryAfter(wait) if wait == Duration::from_secs(12)),
            "{told:?}"
        );
    }
}
