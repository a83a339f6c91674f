//! JSON Web Tokens (RFC 7519) as a person inspecting an account sees them: header and claims
//! decoded, and whether the signature verifies against the provider's published keys (JWS,
//! RFC 7515, with the algorithms of RFC 7518 and EdDSA). Decoding trusts nothing; only
//! [`Jwt::verify`] says whether a token is the provider's.

mod jwks;
#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;

pub use jwks::Jwks;

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use jwks::{Algorithm, Key};

/// A JWS compact-serialised token, decoded but not trusted.
#[derive(Clone)]
pub struct Jwt {
    header: Map<String, Value>,
    claims: Map<String, Value>,
    /// `BASE64URL(header) . BASE64URL(payload)`, exactly as received: what was signed.
    signing_input: String,
    signature: Vec<u8>,
}

impl Jwt {
    /// `None` when the text is not a three-part JWS whose header and payload are base64url JSON
    /// objects (an opaque token, or an encrypted five-part JWE).
    pub fn decode(token: &str) -> Option<Jwt> {
        let mut parts = token.split('.');
        let (header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        Some(Jwt {
            header: json_object(header)?,
            claims: json_object(payload)?,
            signing_input: format!("{header}.{payload}"),
            signature: URL_SAFE_NO_PAD.decode(signature).ok()?,
        })
    }

    pub fn header(&self) -> &Map<String, Value> {
        &self.header
    }

    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }

    /// The signature algorithm the header names (`RS256`, `none`, …).
    pub fn alg(&self) -> Option<&str> {
        self.header.get("alg").and_then(Value::as_str)
    }

    /// Which of the provider's keys signed it, as the header says.
    pub fn kid(&self) -> Option<&str> {
        self.header.get("kid").and_then(Value::as_str)
    }

    /// Checks the signature against `keys`: the key the header's `kid` names, or without one,
    /// every key that fits the algorithm. `alg: none` and shared-secret (HS*) signatures are
    /// never verified.
    pub fn verify(&self, keys: &Jwks) -> Signature {
        // RFC 7515 §4.1.11: extensions listed in `crit` must be understood, or the token is
        // refused; tokendeck understands none.
        if let Some(crit) = self.header.get("crit") {
            let names = match crit {
                Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join(", "),
                other => other.to_string(),
            };
            return Signature::CriticalExtensions { names };
        }
        let name = self.alg().unwrap_or_default();
        let Some(alg) = Algorithm::from_name(name) else {
            return Signature::Unsupported {
                alg: name.to_string(),
            };
        };
        let kid = self.kid();
        let candidates: Vec<&Key> = keys
            .keys()
            .filter(|key| match kid {
                Some(kid) => key.kid.as_deref() == Some(kid),
                None => key.fits(alg, name),
            })
            .collect();
        if candidates.is_empty() {
            return Signature::NoMatchingKey {
                kid: kid.map(str::to_string),
            };
        }
        let message = self.signing_input.as_bytes();
        let signer = candidates
            .iter()
            .find(|key| key.fits(alg, name) && key.verifies(alg, message, &self.signature));
        if let Some(key) = signer {
            return Signature::Verified {
                alg: name.to_string(),
                kid: key.kid.clone(),
            };
        }
        let kid = match (kid, candidates.as_slice()) {
            (Some(kid), _) => Some(kid.to_string()),
            (None, [only]) => only.kid.clone(),
            (None, _) => None,
        };
        Signature::Invalid {
            alg: name.to_string(),
            kid,
        }
    }
}

/// A base64url (unpadded) JSON object, or `None`.
fn json_object(part: &str) -> Option<Map<String, Value>> {
    let bytes = URL_SAFE_NO_PAD.decode(part).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// The header in full (it names algorithms and keys, nothing secret), the claims by name only: a
/// log must not learn who the token is about, and never the signature.
impl fmt::Debug for Jwt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Jwt")
            .field("header", &self.header)
            .field("claims", &self.claims.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// What checking a token's signature against the provider's keys found.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Signature {
    Verified {
        alg: String,
        kid: Option<String>,
    },
    /// A key matched but the signature is wrong (tampered, or signed by someone else).
    Invalid {
        alg: String,
        kid: Option<String>,
    },
    /// No key in the set has this kid (or, without a kid, none fits the alg).
    NoMatchingKey {
        kid: Option<String>,
    },
    /// alg none, HS* (a shared secret the client cannot check with public keys), or unknown.
    Unsupported {
        alg: String,
    },
    /// The header's `crit` lists extensions that must be understood to check it; none are.
    CriticalExtensions {
        names: String,
    },
}

impl Signature {
    pub fn is_verified(&self) -> bool {
        matches!(self, Signature::Verified { .. })
    }

    /// One plain sentence for people. The `alg` and `kid` in it come from the token and the key
    /// set, text from outside: escape it (`crate::text`) before a terminal sees it.
    pub fn describe(&self) -> String {
        match self {
            Signature::Verified {
                alg,
                kid: Some(kid),
            } => {
                format!("verified with the provider's key `{kid}` ({alg})")
            }
            Signature::Verified { alg, kid: None } => {
                format!("verified with one of the provider's keys ({alg})")
            }
            Signature::Invalid {
                alg,
                kid: Some(kid),
            } => format!(
                "NOT verified: the signature does not match the provider's key `{kid}` ({alg}); the token was altered or signed by someone else"
            ),
            Signature::Invalid { alg, kid: None } => format!(
                "NOT verified: the signature matches none of the provider's {alg} keys; the token was altered or signed by someone else"
            ),
            Signature::NoMatchingKey { kid: Some(kid) } => format!(
                "NOT verified: the provider publishes no key `{kid}`; it may have replaced its keys since the token was issued (link the account again for a fresh token)"
            ),
            Signature::NoMatchingKey { kid: None } => {
                "NOT verified: the provider publishes no key for this token's algorithm".to_string()
            }
            Signature::Unsupported { alg } if alg.is_empty() => {
                "NOT verified: the token names no signature algorithm".to_string()
            }
            Signature::Unsupported { alg } if alg.eq_ignore_ascii_case("none") => {
                "NOT verified: the token is not signed (alg none)".to_string()
            }
            Signature::Unsupported { alg } if alg.starts_with("HS") => format!(
                "not checked: {alg} is signed with a secret shared between the provider and the client, not with a key the provider publishes"
            ),
            Signature::Unsupported { alg } => {
                format!("not checked: tokendeck cannot verify {alg} signatures")
            }
            Signature::CriticalExtensions { names } => format!(
                "NOT verified: the token requires extensions tokendeck does not implement (crit: {names}), so it is refused as RFC 7515 says"
            ),
        }
    }
}
