//! What an account's stored tokens say, put together from what is known locally (the tokens,
//! the requested scopes) and what the provider answered (its keys, its introspection). Pure: the
//! network calls are made by the caller, and their outcomes passed in.

use std::time::{Duration, SystemTime};

use serde::Serialize;
use serde_json::{Map, Value};

use super::verdict::Verdict;
use crate::oauth::id_token::Expected;
use crate::oauth::introspection::Introspection;
use crate::oauth::jwt::{Jwks, Jwt, Signature};
use crate::oauth::{Fetched, Tokens};
use crate::time::from_unix_seconds;

/// The claims that are times (seconds since the epoch), shown as times.
pub const TIME_CLAIMS: [&str; 5] = ["exp", "iat", "nbf", "auth_time", "updated_at"];

/// A clock further off than this is worth a warning: tokens start to look expired early (or
/// not yet valid) by that much.
pub const SKEW_WARNING: Duration = Duration::from_secs(60);

/// An ID token's `iat` tells the provider's clock only when it was issued with the tokens held
/// now; one kept from an earlier link or refresh is older by hours. Within this of `obtained_at`
/// it is taken as issued then.
const SAME_ISSUE: Duration = Duration::from_secs(600);

/// How far back providers date a token's `iat` (and `nbf`) to forgive other machines' clocks.
const BACKDATED: Duration = Duration::from_secs(300);

/// Everything `inspect` says about one account. Holds no token: lengths, decoded claims and
/// verdicts only.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub account: String,
    pub identity: Option<String>,
    #[serde(serialize_with = "rfc3339")]
    pub obtained_at: SystemTime,
    #[serde(serialize_with = "rfc3339_opt")]
    pub expires_at: Option<SystemTime>,
    pub id_token: Option<TokenReport>,
    pub access_token: TokenReport,
    pub refresh_token: Option<TokenReport>,
    pub scopes: Scopes,
    pub keys: Keys,
    pub clock_skew: Option<Skew>,
    /// `None` unless asked for: it is a network call.
    pub introspection: Option<IntrospectionReport>,
}

/// One token: decoded when it is a JWT, otherwise only its length.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "format", rename_all = "snake_case")]
pub enum TokenReport {
    Jwt {
        length: usize,
        header: Map<String, Value>,
        claims: Map<String, Value>,
        /// `verified`, `invalid`, `no_matching_key`, `unsupported` or `not_checked`.
        signature: &'static str,
        /// The verdict in a sentence, with the reason when it is not `verified`.
        signature_detail: String,
        /// The time claims (`exp`, `iat`, …) as RFC 3339, for scripts.
        #[serde(skip_serializing_if = "Map::is_empty")]
        times: Map<String, Value>,
        /// An ID token's verdict (`verdict`, `verdict_detail`, `claim_checks`): signature and
        /// claims together. `None` for other tokens, which are their API's to check.
        #[serde(flatten)]
        verdict: Option<Verdict>,
    },
    Opaque {
        length: usize,
    },
}

impl TokenReport {
    pub fn length(&self) -> usize {
        match self {
            TokenReport::Jwt { length, .. } | TokenReport::Opaque { length } => *length,
        }
    }
}

/// What was asked for against what the provider granted.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Scopes {
    pub requested: Vec<String>,
    /// `None` when the token answer did not say (RFC 6749 §5.1: then it is what was requested).
    pub granted: Option<Vec<String>>,
    /// Requested, not granted.
    pub dropped: Vec<String>,
    /// Granted, not requested.
    pub added: Vec<String>,
}

/// Where the provider's signing keys came from, and how that went.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Keys {
    /// The provider names no key set (no `jwks_uri`): signatures cannot be checked.
    Unknown,
    /// No token is a JWT: nothing to check, nothing fetched.
    NotNeeded,
    Fetched {
        uri: String,
        count: usize,
    },
    Failed {
        uri: String,
        error: String,
    },
}

/// How far the provider's clock is from this machine's: positive when the provider is ahead.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Skew {
    pub seconds: i64,
    /// `server_date` (the `Date` of the key set's answer), `access_token_iat` or `id_token_iat`.
    pub source: &'static str,
    pub warning: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum IntrospectionReport {
    Answer(Introspection),
    Failed { error: String },
}

/// Whose tokens these are: what their ID token must name.
#[derive(Clone, Copy, Debug)]
pub struct Client<'a> {
    pub client_id: &'a str,
    /// `None` for an account added by its endpoints.
    pub issuer: Option<&'a str>,
}

/// The provider's answers that a report is built from.
pub struct Answers {
    /// The key set URI, and the fetch's outcome (`None` when nothing was fetched).
    pub jwks_uri: Option<String>,
    pub jwks: Option<Result<Fetched<Jwks>, String>>,
    /// When the key set's answer arrived here: its `Date` is compared with this, and the ID
    /// token's times are checked at it.
    pub fetched_at: SystemTime,
    pub introspection: Option<Result<Introspection, String>>,
}

impl Report {
    pub fn build(
        account: &str,
        identity: Option<String>,
        client: Client<'_>,
        requested_scopes: &[String],
        tokens: &Tokens,
        answers: Answers,
    ) -> Report {
        let any_jwt = Jwt::decode(tokens.access_token()).is_some()
            || tokens.id_token().and_then(Jwt::decode).is_some();
        let (keys, jwks, server_date) = match (&answers.jwks_uri, answers.jwks) {
            _ if !any_jwt => (Keys::NotNeeded, None, None),
            (None, _) => (Keys::Unknown, None, None),
            (Some(_), None) => (Keys::NotNeeded, None, None),
            (Some(uri), Some(Ok(fetched))) => (
                Keys::Fetched {
                    uri: uri.clone(),
                    count: fetched.value.len(),
                },
                Some(fetched.value),
                fetched.server_date.map(|date| (date, answers.fetched_at)),
            ),
            (Some(uri), Some(Err(error))) => (
                Keys::Failed {
                    uri: uri.clone(),
                    error,
                },
                None,
                None,
            ),
        };
        let look = |token: &str| token_report(token, jwks.as_ref(), &keys, false);
        let expected = Expected {
            issuer: client.issuer,
            client_id: client.client_id,
            nonce: tokens.nonce(),
        };
        let id_token = tokens.id_token().map(|raw| {
            let mut report = look(raw);
            if let (
                TokenReport::Jwt {
                    signature,
                    signature_detail,
                    verdict,
                    ..
                },
                Some(jwt),
            ) = (&mut report, Jwt::decode(raw))
            {
                let signature = (*signature, signature_detail.as_str());
                *verdict = Some(Verdict::of(&jwt, signature, &expected, answers.fetched_at));
            }
            report
        });
        let access_jwt = Jwt::decode(tokens.access_token());
        let id_jwt = tokens.id_token().and_then(Jwt::decode);
        let clock_skew = skew(
            tokens.obtained_at(),
            server_date,
            access_jwt.as_ref(),
            id_jwt.as_ref(),
        );
        Report {
            account: account.to_string(),
            identity,
            obtained_at: tokens.obtained_at(),
            expires_at: tokens.expires_at(),
            id_token,
            access_token: token_report(tokens.access_token(), jwks.as_ref(), &keys, true),
            refresh_token: tokens.refresh_token().map(look),
            scopes: scopes(
                requested_scopes,
                tokens.scope(),
                tokens.refresh_token().is_some(),
            ),
            keys,
            clock_skew,
            introspection: answers.introspection.map(|answer| match answer {
                Ok(answer) => IntrospectionReport::Answer(answer),
                Err(error) => IntrospectionReport::Failed { error },
            }),
        }
    }
}

/// `access`: the token is an access token, which is the API's to check, not the client's.
fn token_report(token: &str, jwks: Option<&Jwks>, keys: &Keys, access: bool) -> TokenReport {
    let length = token.chars().count();
    let Some(jwt) = Jwt::decode(token) else {
        return TokenReport::Opaque { length };
    };
    let (signature, signature_detail) = match (jwks, keys) {
        (Some(jwks), _) => {
            let verdict = jwt.verify(jwks);
            // Microsoft Graph's access tokens carry a `nonce` in their header that only Graph
            // knows how to check: their signature never verifies for anyone else, by design.
            if access
                && matches!(verdict, Signature::Invalid { .. })
                && jwt.header().contains_key("nonce")
            {
                return jwt_report(
                    &jwt,
                    length,
                    "unsupported",
                    "not checkable here: this access token's header carries a `nonce` (as Microsoft Graph's do), which only the API it is for can check; access tokens are the API's to verify, not the client's".into(),
                );
            }
            let word = match verdict {
                Signature::Verified { .. } => "verified",
                Signature::Invalid { .. } => "invalid",
                Signature::NoMatchingKey { .. } => "no_matching_key",
                Signature::Unsupported { .. } | Signature::CriticalExtensions { .. } => {
                    "unsupported"
                }
            };
            (word, verdict.describe())
        }
        (None, Keys::Failed { error, .. }) => (
            "not_checked",
            format!("not verified: the provider's keys could not be fetched ({error})"),
        ),
        (None, _) => (
            "not_checked",
            "not verified: the provider names no key set (jwks_uri) — an account added by its endpoints has none; one added with --issuer or a preset finds it".to_string(),
        ),
    };
    jwt_report(&jwt, length, signature, signature_detail)
}

fn jwt_report(
    jwt: &Jwt,
    length: usize,
    signature: &'static str,
    signature_detail: String,
) -> TokenReport {
    let times = TIME_CLAIMS
        .iter()
        .filter_map(|name| {
            let at = claim_time(jwt.claims(), name)?;
            Some((name.to_string(), Value::from(crate::time::rfc3339(at))))
        })
        .collect();
    TokenReport::Jwt {
        length,
        header: jwt.header().clone(),
        claims: jwt.claims().clone(),
        signature,
        signature_detail,
        times,
        verdict: None,
    }
}

/// A time claim, read as the JWT spec has it (NumericDate: seconds, maybe fractional).
pub fn claim_time(claims: &Map<String, Value>, name: &str) -> Option<SystemTime> {
    from_unix_seconds(claims.get(name)?.as_f64()?)
}

/// `offline_access` asks for a refresh token (OpenID Connect Core §11); providers that grant it
/// hand one out but often leave the scope out of their answer — the refresh token is the grant.
const OFFLINE_ACCESS: &str = "offline_access";

fn scopes(requested: &[String], granted: Option<&str>, has_refresh_token: bool) -> Scopes {
    let granted: Option<Vec<String>> =
        granted.map(|s| s.split_whitespace().map(str::to_string).collect());
    let (dropped, added) = match &granted {
        None => (Vec::new(), Vec::new()),
        Some(granted) => (
            requested
                .iter()
                .filter(|s| !granted.contains(s))
                .filter(|s| !(has_refresh_token && *s == OFFLINE_ACCESS))
                .cloned()
                .collect(),
            granted
                .iter()
                .filter(|s| !requested.contains(s))
                .cloned()
                .collect(),
        ),
    };
    Scopes {
        requested: requested.to_vec(),
        granted,
        dropped,
        added,
    }
}

/// The provider's clock against this one: from the `Date` of an answer just received (to the
/// second, taken as "now"), else from a token's `iat` against when this machine received it.
fn skew(
    obtained_at: SystemTime,
    server_date: Option<(SystemTime, SystemTime)>,
    access: Option<&Jwt>,
    id: Option<&Jwt>,
) -> Option<Skew> {
    let seconds = |theirs: SystemTime, ours: SystemTime| -> i64 {
        match theirs.duration_since(ours) {
            Ok(ahead) => ahead.as_secs() as i64,
            Err(behind) => -(behind.duration().as_secs() as i64),
        }
    };
    let limit = SKEW_WARNING.as_secs() as i64;
    let made = |seconds: i64, source| Skew {
        seconds,
        source,
        // A token's `iat` may be backdated (Microsoft's by 5 minutes, for other machines'
        // clocks): an `iat` behind this clock warns only past that.
        warning: match source {
            "server_date" => seconds.abs() > limit,
            _ => seconds > limit || seconds < -(limit + BACKDATED.as_secs() as i64),
        },
    };
    if let Some((date, received)) = server_date {
        return Some(made(seconds(date, received), "server_date"));
    }
    if let Some(iat) = access.and_then(|jwt| claim_time(jwt.claims(), "iat")) {
        return Some(made(seconds(iat, obtained_at), "access_token_iat"));
    }
    let iat = id.and_then(|jwt| claim_time(jwt.claims(), "iat"))?;
    let apart = seconds(iat, obtained_at);
    (apart.unsigned_abs() <= SAME_ISSUE.as_secs()).then(|| made(apart, "id_token_iat"))
}

fn rfc3339<S: serde::Serializer>(t: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::time::rfc3339(*t))
}

fn rfc3339_opt<S: serde::Serializer>(t: &Option<SystemTime>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => rfc3339(t, s),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests;
