//! The front channel: the authorization URL (with `state` and PKCE) and the parser for what the
//! user pastes back — a bare code, the whole redirect URL, or its query string.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use percent_encoding::percent_decode_str;
use sha2::{Digest, Sha256};
use url::Url;

use super::error::{Error, ErrorCode};
use super::secret::{AuthorizationCode, PkceVerifier};

/// Longest paste considered: real redirect URLs are a few hundred bytes.
const MAX_PASTE: usize = 16 * 1024;

/// What `authorize_url` issued and the exchange must present again (or, the nonce, find in the
/// ID token that answers it).
#[derive(Clone, Debug)]
pub struct PendingAuthorization {
    pub url: String,
    pub state: String,
    pub verifier: Option<PkceVerifier>,
    pub redirect_uri: String,
    pub nonce: Option<String>,
}

/// The pieces of an authorization URL.
pub struct AuthorizeRequest<'a> {
    pub endpoint: &'a Url,
    pub client_id: &'a str,
    pub redirect_uri: &'a str,
    pub scopes: &'a [String],
    pub extra: &'a [(String, String)],
    pub pkce: bool,
    /// Send a fresh `nonce` (OpenID Connect Core §3.1.2.1): the ID token must carry it back,
    /// which ties it to this sign-in.
    pub nonce: bool,
}

impl AuthorizeRequest<'_> {
    /// Builds the URL with a fresh `state` (256 bits), unless turned off a fresh S256 PKCE pair,
    /// and when asked a fresh `nonce`. The redirect URI goes in byte for byte: callback URLs are
    /// case-sensitive.
    pub fn issue(&self) -> PendingAuthorization {
        let state = random_token();
        let verifier = self.pkce.then(|| PkceVerifier::new(random_token()));
        let nonce = self.nonce.then(random_token);
        let mut url = self.endpoint.clone();
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("response_type", "code")
                .append_pair("client_id", self.client_id)
                .append_pair("redirect_uri", self.redirect_uri);
            if !self.scopes.is_empty() {
                query.append_pair("scope", &self.scopes.join(" "));
            }
            query.append_pair("state", &state);
            if let Some(verifier) = &verifier {
                query
                    .append_pair("code_challenge", &pkce_challenge(verifier))
                    .append_pair("code_challenge_method", "S256");
            }
            if let Some(nonce) = &nonce {
                query.append_pair("nonce", nonce);
            }
            for (key, value) in self.extra {
                query.append_pair(key, value);
            }
        }
        PendingAuthorization {
            url: url.into(),
            state,
            verifier,
            redirect_uri: self.redirect_uri.to_string(),
            nonce,
        }
    }
}

/// 32 random bytes, base64url: 256 bits for `state`, 43 characters for a PKCE verifier.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    // The OS random source failing is not something a caller could recover from.
    getrandom::fill(&mut bytes).expect("the operating system's random source is unavailable");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// RFC 7636 S256: base64url(SHA-256(verifier)).
pub fn pkce_challenge(verifier: &PkceVerifier) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.secret().as_bytes()))
}

/// What the provider sent back to the redirect URI.
#[derive(Debug, Default, PartialEq)]
pub struct CallbackParams {
    pub code: Option<AuthorizationCode>,
    pub state: Option<String>,
    pub error: Option<ErrorCode>,
    pub error_description: Option<String>,
    /// RFC 9207 issuer identification.
    pub iss: Option<String>,
}

impl CallbackParams {
    /// Reads a query string (`code=…&state=…`, without the `?`).
    pub fn from_query(query: &str) -> Result<Self, Error> {
        let mut params = CallbackParams::default();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let key = decode(key)?;
            let value = decode(value)?;
            let slot = match key.as_str() {
                "code" => {
                    set_once(&mut params.code, AuthorizationCode::new(value), "code")?;
                    continue;
                }
                "error" => {
                    set_once(&mut params.error, ErrorCode::from(value), "error")?;
                    continue;
                }
                "state" => &mut params.state,
                "error_description" => &mut params.error_description,
                "iss" => &mut params.iss,
                _ => continue,
            };
            set_once(slot, value, &key)?;
        }
        Ok(params)
    }

    /// Parses what a user pasted: a bare code, a whole redirect URL, or its query string. An
    /// address or query that carries parameters must carry `state` too: without it nothing ties
    /// the answer to this attempt. A bare code needs none (PKCE binds it).
    pub fn from_pasted(input: &str) -> Result<Self, Error> {
        if input.len() > MAX_PASTE {
            return Err(Error::UnreadablePaste(format!(
                "it is {} KiB long; copy only the address from the browser's address bar",
                input.len() / 1024
            )));
        }
        let text = input
            .trim()
            .trim_matches(|c| matches!(c, '"' | '\'' | '<' | '>'))
            .trim();
        if text.is_empty() {
            return Err(Error::NothingPasted);
        }
        if text.contains("://") {
            let url = Url::parse(text).map_err(|e| {
                Error::UnreadablePaste(format!("it looks like an address but is not one ({e})"))
            })?;
            let query = url.query().unwrap_or("");
            let params = CallbackParams::from_query(query)?;
            // Some providers answer in the fragment (response_mode=fragment).
            let params = match (params.is_empty(), url.fragment()) {
                (true, Some(fragment)) => CallbackParams::from_query(fragment)?,
                _ => params,
            };
            return params.with_state();
        }
        if looks_like_query(text) {
            return CallbackParams::from_query(text.trim_start_matches(['?', '#']))?.with_state();
        }
        if let Some(bad) = text.chars().find(|c| !(' '..='~').contains(c) || *c == ' ') {
            return Err(Error::UnreadablePaste(format!(
                "a code cannot contain {bad:?}; paste the code alone, or the whole redirect address"
            )));
        }
        Ok(CallbackParams {
            code: Some(AuthorizationCode::new(text)),
            ..CallbackParams::default()
        })
    }

    fn is_empty(&self) -> bool {
        self.code.is_none() && self.error.is_none() && self.state.is_none()
    }

    /// Parameters without `state` are refused; none at all are left for the session to report
    /// as a missing code.
    fn with_state(self) -> Result<Self, Error> {
        if self.state.is_none() && !self.is_empty() {
            return Err(Error::MissingState);
        }
        Ok(self)
    }
}

/// A query string rather than a bare code (which may itself end in base64 `=` padding).
fn looks_like_query(text: &str) -> bool {
    text.starts_with(['?', '#'])
        || text.split('&').any(|p| {
            ["code=", "state=", "error="]
                .iter()
                .any(|k| p.starts_with(k))
        })
}

/// `+` is a space in form encoding; invalid UTF-8 after decoding is refused, not replaced.
fn decode(raw: &str) -> Result<String, Error> {
    let spaced = raw.replace('+', " ");
    percent_decode_str(&spaced)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| {
            Error::UnreadablePaste(
                "it holds percent-escapes that are not valid UTF-8; copy the address again".into(),
            )
        })
}

/// A parameter given twice with different values is a sign of tampering or a bad copy.
fn set_once<T: PartialEq>(slot: &mut Option<T>, value: T, name: &str) -> Result<(), Error> {
    match slot {
        Some(existing) if *existing != value => Err(Error::UnreadablePaste(format!(
            "it carries two different `{name}` values; copy the address again"
        ))),
        _ => {
            *slot = Some(value);
            Ok(())
        }
    }
}

#[cfg(test)]
mod properties;

#[cfg(test)]
mod tests {
    use super::*;

    fn pasted(input: &str) -> Result<CallbackParams, Error> {
        CallbackParams::from_pasted(input)
    }

    fn code(p: &CallbackParams) -> &str {
        p.code
            .as_ref()
            .map(AuthorizationCode::secret)
            .unwrap_or("<none>")
    }

    #[test]
    fn accepts_a_bare_code_a_url_and_a_query() {
        assert_eq!(
            code(&pasted("  abc.DEF-123_~  \n").unwrap()),
            "abc.DEF-123_~"
        );
        let p = pasted("http://127.0.0.1:8765/callback?code=c%2F1&state=s1&iss=https%3A%2F%2Fas")
            .unwrap();
        assert_eq!(
            (code(&p), p.state.as_deref(), p.iss.as_deref()),
            ("c/1", Some("s1"), Some("https://as"))
        );
        let p = pasted("code=c2&state=s2").unwrap();
        assert_eq!((code(&p), p.state.as_deref()), ("c2", Some("s2")));
        let p = pasted("?code=c3&state=s3").unwrap();
        assert_eq!(code(&p), "c3");
        let p = pasted("\"https://app.example/cb#code=c4&state=s4\"").unwrap();
        assert_eq!((code(&p), p.state.as_deref()), ("c4", Some("s4")));
    }

    #[test]
    fn reads_an_error_redirect() {
        let p = pasted(
            "http://127.0.0.1/cb?error=access_denied&error_description=The+user+said+no&state=s",
        )
        .unwrap();
        assert_eq!(p.error, Some(ErrorCode::AccessDenied));
        assert_eq!(p.error_description.as_deref(), Some("The user said no"));
        assert!(p.code.is_none());
    }

    #[test]
    fn hostile_input_gets_clear_errors() {
        assert!(matches!(pasted(""), Err(Error::NothingPasted)));
        assert!(matches!(pasted(" \t\r\n "), Err(Error::NothingPasted)));
        assert!(matches!(pasted("\"\""), Err(Error::NothingPasted)));
        let huge = "a".repeat(1 << 20);
        let err = pasted(&huge).unwrap_err();
        assert!(matches!(err, Error::UnreadablePaste(_)), "{err}");
        assert!(!err.to_string().contains("aaaa"), "the paste is not echoed");
        assert!(matches!(
            pasted("code=%FF%FE&state=x"),
            Err(Error::UnreadablePaste(_))
        ));
        assert!(matches!(
            pasted("http://h/cb?code=%C3%28"),
            Err(Error::UnreadablePaste(_))
        ));
        assert!(matches!(
            pasted("code=a&code=b"),
            Err(Error::UnreadablePaste(_))
        ));
        assert!(matches!(
            pasted("code=a&state=1&state=2"),
            Err(Error::UnreadablePaste(_))
        ));
        assert!(matches!(
            pasted("two words"),
            Err(Error::UnreadablePaste(_))
        ));
        assert!(matches!(pasted("héllo"), Err(Error::UnreadablePaste(_))));
        assert!(matches!(
            pasted("http://[broken/cb?code=x"),
            Err(Error::UnreadablePaste(_))
        ));
    }

    #[test]
    fn parameters_without_state_are_refused_but_a_bare_code_is_not() {
        for input in [
            "http://127.0.0.1:8765/callback?code=c1",
            "code=c1",
            "?code=c1&iss=https%3A%2F%2Fas",
            "https://app.example/cb#code=c1",
            "http://127.0.0.1/cb?error=access_denied",
        ] {
            let err = pasted(input).unwrap_err();
            assert!(matches!(err, Error::MissingState), "{input}: {err:?}");
            assert!(!err.to_string().contains("c1"), "the code is not echoed");
        }
        assert_eq!(code(&pasted("c1").unwrap()), "c1");
        assert!(
            pasted("http://127.0.0.1/cb?unknown=1")
                .unwrap()
                .code
                .is_none()
        );
    }

    #[test]
    fn tolerates_harmless_oddities() {
        let p = pasted("code=a&code=a&state=s&&unknown=1&flag").unwrap();
        assert_eq!(code(&p), "a");
        assert_eq!(code(&pasted("YWJj==").unwrap()), "YWJj==");
        let p = pasted("http://127.0.0.1/cb").unwrap();
        assert!(p.code.is_none(), "no code: the session reports MissingCode");
    }

    #[test]
    fn error_messages_never_echo_the_code() {
        let err = pasted("code=SECRETCODE&code=OTHERSECRET")
            .unwrap_err()
            .to_string();
        assert!(
            !err.contains("SECRETCODE") && !err.contains("OTHERSECRET"),
            "{err}"
        );
    }

    #[test]
    fn issues_state_and_pkce_each_time() {
        let endpoint = Url::parse("https://as.example/authorize?tenant=x").unwrap();
        let request = AuthorizeRequest {
            endpoint: &endpoint,
            client_id: "my client",
            redirect_uri: "http://127.0.0.1:8765/CallBack",
            scopes: &["openid".into(), "offline_access".into()],
            extra: &[("deviceid".into(), "dev 1".into())],
            pkce: true,
            nonce: true,
        };
        let a = request.issue();
        let b = request.issue();
        assert_ne!(a.state, b.state);
        assert!(a.state.len() >= 22, "at least 128 bits");
        let url = Url::parse(&a.url).unwrap();
        let q: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let get = |k: &str| q.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
        assert_eq!(get("tenant"), Some("x"));
        assert_eq!(get("response_type"), Some("code"));
        assert_eq!(get("client_id"), Some("my client"));
        assert_eq!(get("redirect_uri"), Some("http://127.0.0.1:8765/CallBack"));
        assert_eq!(get("scope"), Some("openid offline_access"));
        assert_eq!(get("state"), Some(a.state.as_str()));
        assert_eq!(get("code_challenge_method"), Some("S256"));
        assert_eq!(
            get("code_challenge"),
            Some(pkce_challenge(a.verifier.as_ref().unwrap()).as_str())
        );
        assert_eq!(get("deviceid"), Some("dev 1"));
        assert_eq!(get("nonce"), a.nonce.as_deref());
        assert!(a.nonce.as_ref().is_some_and(|n| n.len() >= 43) && a.nonce != b.nonce);
        let plain = AuthorizeRequest {
            pkce: false,
            nonce: false,
            ..request
        }
        .issue();
        assert!(plain.verifier.is_none() && !plain.url.contains("code_challenge"));
        assert!(plain.nonce.is_none() && !plain.url.contains("nonce"));
    }

    #[test]
    fn pkce_matches_rfc_7636_appendix_b() {
        let verifier = PkceVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(
            pkce_challenge(&verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
