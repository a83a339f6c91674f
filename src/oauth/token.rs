//! The token set a provider hands out, parsed leniently where real providers are sloppy and
//! strictly where it matters, and the arithmetic of when it should be refreshed.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::secret::{AccessToken, IdToken, RefreshToken};
use crate::time::from_unix_seconds;

/// Longest lifetime believed from `expires_in`; anything larger is treated as "no expiry given".
const MAX_EXPIRES_IN: u64 = 10 * 365 * 24 * 3600;

/// A token set as stored: what the provider returned, plus when it was obtained.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Tokens {
    access_token: AccessToken,
    token_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token: Option<RefreshToken>,
    #[serde(default, with = "unix_seconds_opt")]
    expires_at: Option<SystemTime>,
    #[serde(with = "unix_seconds")]
    obtained_at: SystemTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id_token: Option<IdToken>,
    /// The nonce sent with the authorization request these tokens answer (OpenID Connect Core
    /// §3.1.2.1), kept so that their ID token can be checked against it later. Not a secret once
    /// used: the ID token carries it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nonce: Option<String>,
    /// When the held refresh token was issued: the answer that carried it (a link, or a refresh
    /// that rotated it). A provider's or a preset's refresh-token lifetime counts from here.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "unix_seconds_opt"
    )]
    refresh_issued_at: Option<SystemTime>,
    /// When the provider said the refresh token dies (`refresh_token_expires_in`, Keycloak's
    /// `refresh_expires_in`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "unix_seconds_opt"
    )]
    refresh_expires_at: Option<SystemTime>,
    /// Fields the provider sent that OAuth does not define, kept as they came.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    extra: Map<String, Value>,
}

impl Tokens {
    /// A token set made by hand (for resuming from other storage, or for tests).
    pub fn new(access_token: impl Into<String>, obtained_at: SystemTime) -> Self {
        Tokens {
            access_token: AccessToken::new(access_token),
            token_type: "Bearer".into(),
            refresh_token: None,
            expires_at: None,
            obtained_at,
            scope: None,
            id_token: None,
            nonce: None,
            refresh_issued_at: None,
            refresh_expires_at: None,
            extra: Map::new(),
        }
    }

    pub fn with_refresh_token(mut self, token: impl Into<String>) -> Self {
        self.refresh_token = Some(RefreshToken::new(token));
        self.refresh_issued_at = Some(self.obtained_at);
        self
    }

    /// The same tokens, the provider having said their refresh token dies at `at`.
    pub fn with_refresh_expires_at(mut self, at: Option<SystemTime>) -> Self {
        self.refresh_expires_at = at;
        self
    }

    pub fn with_expires_at(mut self, at: Option<SystemTime>) -> Self {
        self.expires_at = at;
        self
    }

    pub fn access_token(&self) -> &str {
        self.access_token.secret()
    }

    pub fn refresh_token(&self) -> Option<&str> {
        self.refresh_token.as_ref().map(RefreshToken::secret)
    }

    pub(crate) fn refresh_secret(&self) -> Option<&RefreshToken> {
        self.refresh_token.as_ref()
    }

    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }

    pub fn obtained_at(&self) -> SystemTime {
        self.obtained_at
    }

    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    pub fn token_type(&self) -> &str {
        &self.token_type
    }

    pub fn id_token(&self) -> Option<&str> {
        self.id_token.as_ref().map(IdToken::secret)
    }

    /// The nonce the link that obtained these tokens sent, when it sent one.
    pub fn nonce(&self) -> Option<&str> {
        self.nonce.as_deref()
    }

    pub(crate) fn with_nonce(mut self, nonce: Option<String>) -> Tokens {
        self.nonce = nonce;
        self
    }

    /// When the held refresh token was issued, when known (tokens stored before tokendeck kept
    /// it do not say).
    pub fn refresh_issued_at(&self) -> Option<SystemTime> {
        self.refresh_issued_at
    }

    /// When the provider said the held refresh token dies, if it said.
    pub fn refresh_expires_at(&self) -> Option<SystemTime> {
        self.refresh_expires_at
    }

    pub fn extra(&self) -> &Map<String, Value> {
        &self.extra
    }

    /// Whether both hold the same access and refresh tokens (timestamps aside).
    pub fn same_secrets(&self, other: &Tokens) -> bool {
        self.access_token == other.access_token && self.refresh_token == other.refresh_token
    }

    /// These tokens, from a refresh, in place of `previous`. A refresh answer may leave the ID
    /// token out (OpenID Connect Core §12.2): the last one still names the account, so it is
    /// kept, as a refresh token is — and so it is when `refuse_id_token` says the new one does
    /// not fit. The link's nonce stays with the ID token it was checked against.
    pub(crate) fn succeeding(mut self, previous: &Tokens, refuse_id_token: bool) -> Tokens {
        if self.id_token.is_none() || refuse_id_token {
            self.id_token = previous.id_token.clone();
        }
        self.nonce = previous.nonce.clone();
        if self.refresh_token == previous.refresh_token {
            // The refresh token was not rotated: it was issued when the previous one was, and
            // dies when the provider said then (unless this answer says again).
            self.refresh_issued_at = previous.refresh_issued_at;
            self.refresh_expires_at = self.refresh_expires_at.or(previous.refresh_expires_at);
        }
        self
    }

    /// How long the access token was issued for, when the provider said.
    pub fn lifetime(&self) -> Option<Duration> {
        self.expires_at?.duration_since(self.obtained_at).ok()
    }

    pub fn is_expired(&self, now: SystemTime) -> bool {
        self.expires_at.is_some_and(|at| now >= at)
    }

    /// When a refresh ahead of expiry is due: `expires_at` minus [`refresh_lead`].
    pub fn refresh_due_at(&self) -> Option<SystemTime> {
        let expires_at = self.expires_at?;
        let lead = refresh_lead(self.lifetime().unwrap_or_default());
        Some(expires_at.checked_sub(lead).unwrap_or(expires_at))
    }

    pub fn is_refresh_due(&self, now: SystemTime) -> bool {
        self.refresh_due_at().is_some_and(|due| now >= due)
    }
}

impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tokens")
            .field("access_token", &self.access_token)
            .field("token_type", &self.token_type)
            .field("refresh_token", &self.refresh_token)
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .field("extra_fields", &self.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// How long before expiry to refresh: 10 % of the lifetime, clamped to 30 s … 5 min, and never
/// more than half the lifetime, so a short-lived token is not refreshed in a loop.
///
/// ```
/// use std::time::Duration;
/// use tokendeck::oauth::refresh_lead;
///
/// let s = Duration::from_secs;
/// assert_eq!(refresh_lead(s(9 * 3600)), s(300)); // Verizon's 9 h tokens: 5 min ahead
/// assert_eq!(refresh_lead(s(20)), s(10));        // never the pizauth trap of a lead > lifetime
/// ```
pub fn refresh_lead(lifetime: Duration) -> Duration {
    let tenth = lifetime / 10;
    tenth
        .clamp(Duration::from_secs(30), Duration::from_secs(300))
        .min(lifetime / 2)
}

/// Serde for a `SystemTime` as (fractional) seconds since the Unix epoch.
pub mod unix_seconds {
    use super::*;
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
        let secs = t
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0);
        s.serialize_f64(secs)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SystemTime, D::Error> {
        let secs = f64::deserialize(d)?;
        super::from_unix_seconds(secs)
            .ok_or_else(|| serde::de::Error::custom(format!("{secs} is not a time")))
    }
}

/// Serde for an `Option<SystemTime>` as seconds since the Unix epoch, or null.
pub mod unix_seconds_opt {
    use super::*;
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &Option<SystemTime>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => super::unix_seconds::serialize(t, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SystemTime>, D::Error> {
        let secs = Option::<f64>::deserialize(d)?;
        secs.map(|s| {
            super::from_unix_seconds(s)
                .ok_or_else(|| serde::de::Error::custom(format!("{s} is not a time")))
        })
        .transpose()
    }
}

mod body;
mod refresh_life;
mod response;

pub(crate) use body::{ResponseProblem, parse_body, seconds};

#[cfg(test)]
mod properties;

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_800_000_000)
    }

    fn parse(body: &str) -> Result<Tokens, ResponseProblem> {
        Tokens::from_response(body.as_bytes(), now(), None)
    }

    #[test]
    fn lenient_where_providers_are_sloppy() {
        let t = parse(r#"{"access_token":"a","token_type":"bearer","expires_in":"3600","x":1}"#)
            .unwrap();
        assert_eq!(t.token_type(), "Bearer");
        assert_eq!(t.expires_at(), Some(now() + Duration::from_secs(3600)));
        assert_eq!(t.extra().get("x"), Some(&Value::from(1)));
        let t = parse(r#"{"access_token":"a","expires_in":3599.7,"scope":["a","b"]}"#).unwrap();
        assert_eq!(t.lifetime(), Some(Duration::from_secs(3599)));
        assert_eq!(t.scope(), Some("a b"));
        assert_eq!(t.token_type(), "Bearer");
        let t = parse("access_token=gho_x&token_type=bearer&scope=repo").unwrap();
        assert_eq!(t.access_token(), "gho_x");
        assert_eq!(t.expires_at(), None);
    }

    #[test]
    fn strict_where_it_matters() {
        assert_eq!(
            parse(r#"{"token_type":"Bearer"}"#).unwrap_err(),
            ResponseProblem::Malformed("there is no `access_token`")
        );
        assert!(matches!(
            parse(r#"{"access_token":""}"#),
            Err(ResponseProblem::Malformed(_))
        ));
        assert!(matches!(
            parse(r#"{"access_token":42}"#),
            Err(ResponseProblem::Malformed(_))
        ));
        assert_eq!(
            parse(r#"{"error":"invalid_grant","error_description":"gone","access_token":"a"}"#)
                .unwrap_err(),
            ResponseProblem::OAuthError {
                error: "invalid_grant".into(),
                description: Some("gone".into())
            }
        );
        assert!(matches!(parse("[]"), Err(ResponseProblem::Malformed(_))));
        assert!(matches!(parse(""), Err(ResponseProblem::Malformed(_))));
        assert!(matches!(
            parse("<html>oops</html>"),
            Err(ResponseProblem::Malformed(_))
        ));
        assert!(Tokens::from_response(&[0xff, 0xfe, 0x00], now(), None).is_err());
    }

    #[test]
    fn hostile_expiry_values_are_ignored() {
        for body in [
            r#"{"access_token":"a","expires_in":-5}"#,
            r#"{"access_token":"a","expires_in":"soon"}"#,
            r#"{"access_token":"a","expires_in":1e300}"#,
            r#"{"access_token":"a","expires_in":18446744073709551615}"#,
            r#"{"access_token":"a","expires_in":null}"#,
            // 0 would make the token due for refresh on every use: unknown expiry instead.
            r#"{"access_token":"a","expires_in":0}"#,
            r#"{"access_token":"a","expires_in":"0"}"#,
        ] {
            assert_eq!(parse(body).unwrap().expires_at(), None, "{body}");
        }
    }

    #[test]
    fn a_huge_body_is_handled_without_panicking() {
        let big = format!(r#"{{"access_token":"{}"}}"#, "a".repeat(1 << 20));
        assert_eq!(parse(&big).unwrap().access_token().len(), 1 << 20);
        assert!(parse(&"x".repeat(1 << 20)).is_err());
    }

    #[test]
    fn a_refresh_answer_without_refresh_token_keeps_the_old_one() {
        let old = RefreshToken::new("old-rt");
        let t = Tokens::from_response(br#"{"access_token":"a"}"#, now(), Some(&old)).unwrap();
        assert_eq!(t.refresh_token(), Some("old-rt"));
        let t = Tokens::from_response(
            br#"{"access_token":"a","refresh_token":"new-rt"}"#,
            now(),
            Some(&old),
        )
        .unwrap();
        assert_eq!(t.refresh_token(), Some("new-rt"));
    }

    #[test]
    fn refresh_lead_is_clamped_and_never_more_than_half_the_lifetime() {
        let s = Duration::from_secs;
        assert_eq!(refresh_lead(s(9 * 3600)), s(300));
        assert_eq!(refresh_lead(s(3600)), s(300));
        assert_eq!(refresh_lead(s(1200)), s(120));
        assert_eq!(refresh_lead(s(120)), s(30));
        assert_eq!(refresh_lead(s(20)), s(10));
        assert_eq!(refresh_lead(s(2)), s(1));
        assert_eq!(refresh_lead(Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn refresh_is_due_a_lead_before_expiry() {
        let t = parse(r#"{"access_token":"a","expires_in":3600}"#).unwrap();
        assert!(!t.is_refresh_due(now() + Duration::from_secs(3299)));
        assert!(t.is_refresh_due(now() + Duration::from_secs(3300)));
        assert!(!t.is_expired(now() + Duration::from_secs(3599)));
        assert!(t.is_expired(now() + Duration::from_secs(3600)));
    }

    #[test]
    fn a_refresh_without_an_id_token_keeps_the_last_one() {
        let linked = parse(r#"{"access_token":"a1","id_token":"h.p1.s"}"#).unwrap();
        let refreshed = parse(r#"{"access_token":"a2"}"#).unwrap();
        let linked = linked.with_nonce(Some("n".into()));
        let kept = refreshed.succeeding(&linked, false);
        assert_eq!(
            (kept.access_token(), kept.id_token(), kept.nonce()),
            ("a2", Some("h.p1.s"), Some("n"))
        );
        let renewed = parse(r#"{"access_token":"a3","id_token":"h.p2.s"}"#).unwrap();
        let refused = renewed.clone().succeeding(&linked, true);
        assert_eq!(
            (refused.access_token(), refused.id_token()),
            ("a3", Some("h.p1.s")),
            "a refused one does not replace it; the new access token is kept"
        );
        let renewed = renewed.succeeding(&linked, false);
        assert_eq!(renewed.id_token(), Some("h.p2.s"), "a new one replaces it");
    }

    #[test]
    fn debug_and_serialization_keep_secrets_out_of_sight() {
        let t = parse(r#"{"access_token":"AT-SECRET","refresh_token":"RT-SECRET","id_token":"ID-SECRET","expires_in":60}"#)
            .unwrap();
        let debug = format!("{t:?}");
        for secret in ["AT-SECRET", "RT-SECRET", "ID-SECRET"] {
            assert!(!debug.contains(secret), "{debug}");
        }
        let json = serde_json::to_string(&t).unwrap();
        let back: Tokens = serde_json::from_str(&json).unwrap();
        assert_eq!(back, t);
    }
}
