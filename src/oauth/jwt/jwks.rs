//! A provider's published signing keys (a JSON Web Key Set, RFC 7517), kept as the public key
//! material `ring` checks signatures with. Keys tokendeck cannot use (encryption keys, unknown
//! types and curves, certificate-only entries) are left out, not refused: real sets have them.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::signature::{self, RsaPublicKeyComponents, UnparsedPublicKey};
use serde_json::{Map, Value};

use crate::oauth::error::Error;

/// The public keys a provider signs its tokens with.
#[derive(Clone)]
pub struct Jwks {
    keys: Vec<Key>,
}

impl Jwks {
    /// Reads a key set (`{"keys": [...]}`). Only a document that is not a key set at all is an
    /// error; each key tokendeck cannot use is skipped.
    pub fn parse(json: &[u8]) -> Result<Jwks, Error> {
        let invalid = |reason: &str| Error::InvalidKeySet(reason.to_string());
        let document: Value = serde_json::from_slice(json)
            .map_err(|e| Error::InvalidKeySet(format!("it is not JSON: {e}")))?;
        let entries = document
            .get("keys")
            .and_then(Value::as_array)
            .ok_or_else(|| invalid("it is not a JSON Web Key Set: there is no `keys` list"))?;
        let keys = entries
            .iter()
            .filter_map(Value::as_object)
            .filter_map(Key::from_jwk)
            .collect();
        Ok(Jwks { keys })
    }

    /// How many keys can check signatures.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub(super) fn keys(&self) -> impl Iterator<Item = &Key> {
        self.keys.iter()
    }
}

impl fmt::Debug for Jwks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.keys.iter().map(|k| (k.material.kty(), &k.kid)))
            .finish()
    }
}

/// A JWS algorithm tokendeck can check (RFC 7518 §3, RFC 8037 for EdDSA). P-521 is missing:
/// `ring` has no ES512.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Algorithm {
    Rs256,
    Rs384,
    Rs512,
    Ps256,
    Ps384,
    Ps512,
    Es256,
    Es384,
    EdDsa,
}

impl Algorithm {
    pub(super) fn from_name(name: &str) -> Option<Algorithm> {
        Some(match name {
            "RS256" => Algorithm::Rs256,
            "RS384" => Algorithm::Rs384,
            "RS512" => Algorithm::Rs512,
            "PS256" => Algorithm::Ps256,
            "PS384" => Algorithm::Ps384,
            "PS512" => Algorithm::Ps512,
            "ES256" => Algorithm::Es256,
            "ES384" => Algorithm::Es384,
            // RFC 9864 names the same algorithm by its curve.
            "EdDSA" | "Ed25519" => Algorithm::EdDsa,
            _ => return None,
        })
    }
}

/// One usable public key.
#[derive(Clone)]
pub(super) struct Key {
    pub(super) kid: Option<String>,
    /// The key's own `alg`, when it is bound to one.
    alg: Option<String>,
    material: Material,
}

#[derive(Clone)]
enum Material {
    Rsa { n: Vec<u8>, e: Vec<u8> },
    Ec { curve: Curve, point: Vec<u8> },
    Ed25519 { x: Vec<u8> },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Curve {
    P256,
    P384,
}

impl Curve {
    fn coordinate_len(self) -> usize {
        match self {
            Curve::P256 => 32,
            Curve::P384 => 48,
        }
    }
}

impl Material {
    fn kty(&self) -> &'static str {
        match self {
            Material::Rsa { .. } => "RSA",
            Material::Ec { .. } => "EC",
            Material::Ed25519 { .. } => "OKP",
        }
    }
}

impl Key {
    /// The key a JWK describes, or `None` when it cannot check signatures here.
    fn from_jwk(jwk: &Map<String, Value>) -> Option<Key> {
        let text = |name: &str| jwk.get(name).and_then(Value::as_str);
        let bytes = |name: &str| text(name).and_then(|v| URL_SAFE_NO_PAD.decode(v).ok());
        // RFC 7517 §4.2–4.3: a key for encryption, or one whose operations leave out
        // verification, does not vouch for a signature.
        if text("use").is_some_and(|u| u != "sig") {
            return None;
        }
        if let Some(ops) = jwk.get("key_ops") {
            let ops = ops.as_array()?;
            if !ops.iter().any(|op| op.as_str() == Some("verify")) {
                return None;
            }
        }
        let material = match (text("kty")?, text("crv")) {
            ("RSA", _) => Material::Rsa {
                n: unsigned(bytes("n")?)?,
                e: unsigned(bytes("e")?)?,
            },
            ("EC", Some(crv)) => {
                let curve = match crv {
                    "P-256" => Curve::P256,
                    "P-384" => Curve::P384,
                    _ => return None,
                };
                let (x, y) = (bytes("x")?, bytes("y")?);
                let len = curve.coordinate_len();
                if x.len() != len || y.len() != len {
                    return None;
                }
                let mut point = Vec::with_capacity(1 + 2 * len);
                point.push(0x04);
                point.extend_from_slice(&x);
                point.extend_from_slice(&y);
                Material::Ec { curve, point }
            }
            ("OKP", Some("Ed25519")) => Material::Ed25519 {
                x: bytes("x").filter(|x| x.len() == 32)?,
            },
            _ => return None,
        };
        Some(Key {
            kid: text("kid").map(str::to_string),
            alg: text("alg").map(str::to_string),
            material,
        })
    }

    /// This key may check a token signed with `alg` (named `name` in its header): its type and
    /// curve fit, and its own `alg`, when it names one, is the same (RFC 7517 §4.4).
    pub(super) fn fits(&self, alg: Algorithm, name: &str) -> bool {
        if self.alg.as_deref().is_some_and(|own| own != name) {
            return false;
        }
        match (&self.material, alg) {
            (
                Material::Rsa { .. },
                Algorithm::Rs256
                | Algorithm::Rs384
                | Algorithm::Rs512
                | Algorithm::Ps256
                | Algorithm::Ps384
                | Algorithm::Ps512,
            ) => true,
            (Material::Ec { curve, .. }, Algorithm::Es256) => *curve == Curve::P256,
            (Material::Ec { curve, .. }, Algorithm::Es384) => *curve == Curve::P384,
            (Material::Ed25519 { .. }, Algorithm::EdDsa) => true,
            _ => false,
        }
    }

    /// Whether `signature` over `message` was made with this key's private half using `alg`.
    /// A key that does not fit `alg` verifies nothing.
    pub(super) fn verifies(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> bool {
        let rsa = |params: &'static signature::RsaParameters, n: &[u8], e: &[u8]| {
            RsaPublicKeyComponents { n, e }
                .verify(params, message, signature)
                .is_ok()
        };
        let other = |params: &'static dyn signature::VerificationAlgorithm, key: &[u8]| {
            UnparsedPublicKey::new(params, key)
                .verify(message, signature)
                .is_ok()
        };
        match (&self.material, alg) {
            (Material::Rsa { n, e }, Algorithm::Rs256) => {
                rsa(&signature::RSA_PKCS1_2048_8192_SHA256, n, e)
            }
            (Material::Rsa { n, e }, Algorithm::Rs384) => {
                rsa(&signature::RSA_PKCS1_2048_8192_SHA384, n, e)
            }
            (Material::Rsa { n, e }, Algorithm::Rs512) => {
                rsa(&signature::RSA_PKCS1_2048_8192_SHA512, n, e)
            }
            (Material::Rsa { n, e }, Algorithm::Ps256) => {
                rsa(&signature::RSA_PSS_2048_8192_SHA256, n, e)
            }
            (Material::Rsa { n, e }, Algorithm::Ps384) => {
                rsa(&signature::RSA_PSS_2048_8192_SHA384, n, e)
            }
            (Material::Rsa { n, e }, Algorithm::Ps512) => {
                rsa(&signature::RSA_PSS_2048_8192_SHA512, n, e)
            }
            (
                Material::Ec {
                    curve: Curve::P256,
                    point,
                },
                Algorithm::Es256,
            ) => other(&signature::ECDSA_P256_SHA256_FIXED, point),
            (
                Material::Ec {
                    curve: Curve::P384,
                    point,
                },
                Algorithm::Es384,
            ) => other(&signature::ECDSA_P384_SHA384_FIXED, point),
            (Material::Ed25519 { x }, Algorithm::EdDsa) => other(&signature::ED25519, x),
            _ => false,
        }
    }
}

/// A big-endian unsigned integer without leading zero octets, as `ring` takes RSA's `n` and `e`
/// (RFC 7518 §6.3.1 forbids them, but some providers send them). `None` for zero or nothing.
fn unsigned(bytes: Vec<u8>) -> Option<Vec<u8>> {
    let start = bytes.iter().position(|&b| b != 0)?;
    Some(bytes[start..].to_vec())
}
