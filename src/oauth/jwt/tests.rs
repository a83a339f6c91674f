//! Decoding and verification against keys made here: Ed25519 and ECDSA pairs generated and
//! signed with `ring`, and one RSA key (ring cannot generate those) with tokens Node.js signed.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, ECDSA_P384_SHA384_FIXED_SIGNING, EcdsaKeyPair,
    EcdsaSigningAlgorithm, Ed25519KeyPair, KeyPair,
};
use serde_json::{Value, json};

use super::{Jwks, Jwt, Signature};
use crate::oauth::error::Error;

/// An RSA public key and two tokens signed with its private half, made once with Node.js:
/// `generateKeyPairSync('rsa', { modulusLength: 2048 })`, then `crypto.sign` over
/// `header.payload` (PKCS#1 v1.5 with SHA-256; PSS with SHA-384 and a 48-byte salt).
const RSA_N: &str = "waDNSSFvHkD0kAKCqqoy1QSHcU9qGkNIB9S4flm5jn02uIOYspWDPFaVv1IuuuS9x_m_uRU6gKDg-zx_BET95zbvefBTLS2zh6fzp0JOjVCVfCFYgbdAQ9pOQ2p9Acjkysp35DokPqu7yRTdrEHj7cxYIPCKCL-vFD1_uKwMOhs88vA1284RulrDwBdESJ-h4WUheH-D_s1vAGArwjNWNGkUbyO8G6kYM_YeGqn2jKckLTOqE7_iR4v5JucmDtOMG-Q7Xhs1DwlBWDfziTc1s2zRYOhDV84atEBn35D-YUbDU0kXn_1IHa2gjwNBwWhAuCPq_5yzLE6pdDb7QiAKsw";
const RSA_RS256: &str = "eyJhbGciOiJSUzI1NiIsImtpZCI6InJzYS0xIn0.eyJpc3MiOiJodHRwczovL2FzLmV4YW1wbGUiLCJzdWIiOiJhbGljZSIsImF1ZCI6ImNsaWVudCIsImV4cCI6MjAwMDAwMDAwMH0.SdNZIOlPW0axsyCOuVelvbGWWCerXi3GWRqKzhnM05C1wgAaTt2e1ir-fo9swwpruMOiqUMxto90Dbv3NS6TjN5hBfCIBIPRQMy9N0pfFxEfhZgySBy2QE7okWIYFVD9xbhEY-GAK1kpG5oOpaGA6i72RiZBels6gQX8yv_-QEbAIh7X58jYFGbZD72Ht--Pvk1DIQf3ppgoE2JDFnuAKPLnNzcIyOVq2ufXInk56WqVPLJsRZhzIYd0hcK1wI5E7jtAemNEpybLcaTK6-0d-St_iHZt0z6ylJ-aUNGLVgUO2EVk6T3Vwp4XQrxlw7hNDv2CUgRbMpzW4qBAYugj7w";
const RSA_PS384: &str = "eyJhbGciOiJQUzM4NCIsImtpZCI6InJzYS0xIn0.eyJpc3MiOiJodHRwczovL2FzLmV4YW1wbGUiLCJzdWIiOiJhbGljZSIsImF1ZCI6ImNsaWVudCIsImV4cCI6MjAwMDAwMDAwMH0.VWk27sWory9xvHX8YSabUOCDEenrnSmc8kCM2NM4mGqhLPQ7n-EgQH_GZfFc6QqpaNlzqXfPoXTjR1H6Rlie-PL9YoDcR_NaoTRFaw6u5dnb7RSYJW17dyukyVlmq2T5qf6mgI4oT4M1oR9y7jcdbMvJzfKBkjKzrUXV2puiNSiecSB5T66llWpc3XL-HNlkGWKERteqMfhahNIIJR7g8yEWrE62EgplxoVTsOHyEeIDLcifrty6oqLsC2B8bCD94Z0pEqw3F4wqAYVBFv3_RVI_ybkKCNIc7q_3hJ38hr8xXetifE45J2iTJtR05R8FdRmVfvIXJpIkrOX2g7RCsg";

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn claims() -> Value {
    json!({"iss": "https://as.example", "sub": "alice", "exp": 2_000_000_000})
}

/// A compact JWS of `header` and `claims`, signed by `sign` over its signing input.
fn token(header: Value, claims: Value, sign: impl Fn(&[u8]) -> Vec<u8>) -> String {
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let signature = sign(input.as_bytes());
    format!("{input}.{}", b64(&signature))
}

fn keys(keys: Value) -> Jwks {
    Jwks::parse(json!({ "keys": keys }).to_string().as_bytes()).unwrap()
}

fn verify(token: &str, set: &Jwks) -> Signature {
    Jwt::decode(token).expect("a JWS").verify(set)
}

fn ed25519() -> Ed25519KeyPair {
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
    Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap()
}

fn ed25519_jwk(pair: &Ed25519KeyPair, kid: &str) -> Value {
    json!({"kty": "OKP", "crv": "Ed25519", "kid": kid, "x": b64(pair.public_key().as_ref())})
}

fn ecdsa(alg: &'static EcdsaSigningAlgorithm) -> EcdsaKeyPair {
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(alg, &rng).unwrap();
    EcdsaKeyPair::from_pkcs8(alg, pkcs8.as_ref(), &rng).unwrap()
}

/// The JWK of an ECDSA pair: its public key is the uncompressed point `04 || x || y`.
fn ecdsa_jwk(pair: &EcdsaKeyPair, crv: &str, kid: &str) -> Value {
    let point = pair.public_key().as_ref();
    let len = (point.len() - 1) / 2;
    json!({
        "kty": "EC", "crv": crv, "kid": kid, "use": "sig",
        "x": b64(&point[1..1 + len]), "y": b64(&point[1 + len..]),
    })
}

/// The same token with one bit flipped in its payload (re-encoded) or its signature.
fn tampered(token: &str, part: usize) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
    let mut bytes = URL_SAFE_NO_PAD.decode(&parts[part]).unwrap();
    let at = if part == 1 {
        // Inside a claim's value, so the payload stays a JSON object: "alice" → "alhce".
        bytes.windows(5).position(|w| w == b"alice").unwrap() + 2
    } else {
        bytes.len() / 2
    };
    bytes[at] ^= 0x01;
    parts[part] = b64(&bytes);
    parts.join(".")
}

#[test]
fn decodes_a_jws_and_nothing_else() {
    let good = token(
        json!({"alg": "RS256", "kid": "k1", "typ": "JWT"}),
        claims(),
        |_| vec![1, 2, 3],
    );
    let jwt = Jwt::decode(&good).unwrap();
    assert_eq!(jwt.alg(), Some("RS256"));
    assert_eq!(jwt.kid(), Some("k1"));
    assert_eq!(jwt.header()["typ"], "JWT");
    assert_eq!(jwt.claims()["sub"], "alice");
    let header = b64(br#"{"alg":"none"}"#);
    let payload = b64(br#"{"sub":"a"}"#);
    assert!(
        Jwt::decode(&format!("{header}.{payload}.")).is_some(),
        "unsigned"
    );
    for opaque in [
        String::new(),
        "ya29.a0AfH6SMBx".into(),
        "gho_16C7e42F292c6912E7710c838347Ae178B4a".into(),
        "..".into(),
        format!("{header}.{payload}"),
        format!("{header}.{payload}.c2ln.extra"),
        format!("{header}.{payload}.e30.e30.e30"), // a JWE has five parts
        format!("{header}.{}.sig", b64(b"[1,2]")),
        format!("{}.{payload}.sig", b64(b"\"alg\"")),
        format!("{header}.{payload}.not base64!"),
        format!("{header}=.{payload}.sig"),
        format!("{header}.{}.sig", b64(b"{\"sub\":")),
    ] {
        assert!(Jwt::decode(&opaque).is_none(), "{opaque}");
    }
}

#[test]
fn debug_shows_the_header_and_claim_names_only() {
    let pair = ed25519();
    let signed = token(json!({"alg": "EdDSA", "kid": "k1"}), claims(), |m| {
        pair.sign(m).as_ref().to_vec()
    });
    let shown = format!("{:?}", Jwt::decode(&signed).unwrap());
    assert!(
        shown.contains("EdDSA") && shown.contains("\"sub\""),
        "{shown}"
    );
    let signature = signed.rsplit('.').next().unwrap();
    for hidden in ["alice", "as.example", "2000000000", signature, &signed] {
        assert!(!shown.contains(hidden), "{hidden} in {shown}");
    }
}

#[test]
fn ed25519_verifies_and_any_flipped_bit_does_not() {
    let pair = ed25519();
    let set = keys(json!([ed25519_jwk(&pair, "ed")]));
    let signed = token(json!({"alg": "EdDSA", "kid": "ed"}), claims(), |m| {
        pair.sign(m).as_ref().to_vec()
    });
    let verified = Signature::Verified {
        alg: "EdDSA".into(),
        kid: Some("ed".into()),
    };
    assert_eq!(verify(&signed, &set), verified);
    let invalid = Signature::Invalid {
        alg: "EdDSA".into(),
        kid: Some("ed".into()),
    };
    assert_eq!(verify(&tampered(&signed, 1), &set), invalid, "payload");
    assert_eq!(verify(&tampered(&signed, 2), &set), invalid, "signature");
    let other = keys(json!([ed25519_jwk(&ed25519(), "ed")]));
    assert_eq!(verify(&signed, &other), invalid, "signed by someone else");
}

#[test]
fn ecdsa_p256_and_p384_verify() {
    let rng = SystemRandom::new();
    for (signing, alg, crv) in [
        (&ECDSA_P256_SHA256_FIXED_SIGNING, "ES256", "P-256"),
        (&ECDSA_P384_SHA384_FIXED_SIGNING, "ES384", "P-384"),
    ] {
        let pair = ecdsa(signing);
        let set = keys(json!([ecdsa_jwk(&pair, crv, "ec")]));
        let signed = token(json!({"alg": alg, "kid": "ec"}), claims(), |m| {
            pair.sign(&rng, m).unwrap().as_ref().to_vec()
        });
        assert!(verify(&signed, &set).is_verified(), "{alg}");
        assert!(
            matches!(
                verify(&tampered(&signed, 1), &set),
                Signature::Invalid { .. }
            ),
            "{alg}"
        );
        assert!(
            matches!(
                verify(&tampered(&signed, 2), &set),
                Signature::Invalid { .. }
            ),
            "{alg}"
        );
    }
}

#[test]
fn rsa_pkcs1_and_pss_verify() {
    let set = keys(json!([{"kty": "RSA", "kid": "rsa-1", "n": RSA_N, "e": "AQAB"}]));
    for signed in [RSA_RS256, RSA_PS384] {
        assert!(verify(signed, &set).is_verified(), "{signed}");
        assert!(
            matches!(
                verify(&tampered(signed, 1), &set),
                Signature::Invalid { .. }
            ),
            "{signed}"
        );
        assert!(
            matches!(
                verify(&tampered(signed, 2), &set),
                Signature::Invalid { .. }
            ),
            "{signed}"
        );
    }
    // A leading zero octet on `n` (forbidden, but sent by some providers) changes nothing.
    let mut n = vec![0];
    n.extend(URL_SAFE_NO_PAD.decode(RSA_N).unwrap());
    let padded = keys(json!([{"kty": "RSA", "kid": "rsa-1", "n": b64(&n), "e": "AQAB"}]));
    assert!(verify(RSA_RS256, &padded).is_verified());
}

#[test]
fn keys_are_chosen_by_kid_or_else_by_algorithm() {
    let (ed, ec) = (ed25519(), ecdsa(&ECDSA_P256_SHA256_FIXED_SIGNING));
    let set = keys(json!([
        ecdsa_jwk(&ec, "P-256", "ec"),
        ed25519_jwk(&ed, "ed")
    ]));
    let sign = |m: &[u8]| ed.sign(m).as_ref().to_vec();
    let unknown = token(json!({"alg": "EdDSA", "kid": "rotated"}), claims(), sign);
    assert_eq!(
        verify(&unknown, &set),
        Signature::NoMatchingKey {
            kid: Some("rotated".into())
        }
    );
    let no_kid = token(json!({"alg": "EdDSA"}), claims(), sign);
    assert_eq!(
        verify(&no_kid, &set),
        Signature::Verified {
            alg: "EdDSA".into(),
            kid: Some("ed".into())
        },
        "the one key that fits, named"
    );
    let only_ec = keys(json!([ecdsa_jwk(&ec, "P-256", "ec")]));
    assert_eq!(
        verify(&no_kid, &only_ec),
        Signature::NoMatchingKey { kid: None }
    );
    // The kid names a key of another type: that key cannot have signed it.
    let wrong_type = token(json!({"alg": "EdDSA", "kid": "ec"}), claims(), sign);
    assert!(matches!(
        verify(&wrong_type, &set),
        Signature::Invalid { .. }
    ));
}

#[test]
fn a_key_bound_to_another_algorithm_or_to_encryption_verifies_nothing() {
    let pair = ed25519();
    let signed = token(json!({"alg": "EdDSA", "kid": "ed"}), claims(), |m| {
        pair.sign(m).as_ref().to_vec()
    });
    let mut bound = ed25519_jwk(&pair, "ed");
    bound["alg"] = json!("Ed448");
    assert!(matches!(
        verify(&signed, &keys(json!([bound]))),
        Signature::Invalid { .. }
    ));
    bound["alg"] = json!("EdDSA");
    assert!(verify(&signed, &keys(json!([bound.clone()]))).is_verified());
    for (field, value) in [("use", json!("enc")), ("key_ops", json!(["encrypt"]))] {
        let mut key = ed25519_jwk(&pair, "ed");
        key[field] = value;
        assert_eq!(keys(json!([key])).len(), 0, "{field}");
    }
}

#[test]
fn unsigned_and_shared_secret_tokens_are_never_verified() {
    let pair = ed25519();
    let set = keys(json!([ed25519_jwk(&pair, "ed")]));
    for alg in ["none", "HS256", "ES512", "RSA-OAEP"] {
        let signed = token(json!({"alg": alg, "kid": "ed"}), claims(), |m| {
            pair.sign(m).as_ref().to_vec()
        });
        assert_eq!(
            verify(&signed, &set),
            Signature::Unsupported { alg: alg.into() }
        );
    }
    let no_alg = token(json!({"kid": "ed"}), claims(), |m| {
        pair.sign(m).as_ref().to_vec()
    });
    assert_eq!(
        verify(&no_alg, &set),
        Signature::Unsupported { alg: "".into() }
    );
}

#[test]
fn a_key_set_skips_keys_it_cannot_use() {
    let set = keys(json!([
        {"kty": "RSA", "kid": "rsa-1", "n": RSA_N, "e": "AQAB", "use": "sig"},
        {"kty": "RSA", "kid": "enc", "n": RSA_N, "e": "AQAB", "use": "enc"},
        {"kty": "RSA", "kid": "x5c-only", "x5c": ["MIIC..."]},
        {"kty": "EC", "crv": "P-521", "x": "AA", "y": "AA"},
        {"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"},
        {"kty": "OKP", "crv": "X25519", "x": b64(&[7; 32])},
        {"kty": "oct", "k": "c2VjcmV0"},
        {"kty": "RSA", "n": "not base64!", "e": "AQAB"},
        "not an object",
    ]));
    assert_eq!(set.len(), 1);
    assert!(Jwks::parse(br#"{"keys": []}"#).unwrap().is_empty());
    for bad in [
        &b"not json"[..],
        b"[]",
        br#"{"keys": {}}"#,
        br#"{"key": []}"#,
    ] {
        let err = Jwks::parse(bad).unwrap_err();
        assert!(matches!(err, Error::InvalidKeySet(_)), "{err:?}");
        assert!(err.to_string().contains("check its key set URL"), "{err}");
    }
}

#[test]
fn each_result_reads_as_one_sentence() {
    let said = |s: Signature| s.describe();
    assert_eq!(
        said(Signature::Verified {
            alg: "RS256".into(),
            kid: Some("test".into())
        }),
        "verified with the provider's key `test` (RS256)"
    );
    assert!(
        said(Signature::Invalid {
            alg: "RS256".into(),
            kid: Some("test".into())
        })
        .starts_with("NOT verified: the signature does not match the provider's key `test`")
    );
    assert!(
        said(Signature::NoMatchingKey {
            kid: Some("k".into())
        })
        .contains("no key `k`")
    );
    assert!(said(Signature::Unsupported { alg: "none".into() }).contains("not signed"));
    assert!(
        said(Signature::Unsupported {
            alg: "HS256".into()
        })
        .contains("shared")
    );
    assert_eq!(
        serde_json::to_value(Signature::NoMatchingKey { kid: None }).unwrap(),
        json!({"result": "no_matching_key", "kid": null})
    );
}

/// RFC 7515 §4.1.11: a correctly signed token whose `crit` names an extension tokendeck does not
/// implement is refused, not called verified.
#[test]
fn a_critical_extension_it_does_not_implement_is_refused() {
    let pair = ed25519();
    let set = keys(json!([ed25519_jwk(&pair, "k1")]));
    let sign = |input: &[u8]| pair.sign(input).as_ref().to_vec();
    let plain = token(json!({"alg": "EdDSA", "kid": "k1"}), claims(), sign);
    assert!(
        verify(&plain, &set).is_verified(),
        "the same key, without crit"
    );
    let header = json!({"alg": "EdDSA", "kid": "k1", "crit": ["b64"], "b64": false});
    let critical = token(header, claims(), sign);
    let verdict = verify(&critical, &set);
    assert_eq!(
        verdict,
        Signature::CriticalExtensions {
            names: "b64".into()
        }
    );
    assert!(
        verdict.describe().starts_with("NOT verified"),
        "{}",
        verdict.describe()
    );
}
