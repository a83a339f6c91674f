//! Properties of the JWT decoder: whatever text it is given (a stored token, a hand-edited
//! record) it never panics, text that is not three base64url parts is not a JWT, a token built
//! from any claims decodes to those claims, and checking any decoded token never panics.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

use super::{Jwks, Jwt};
use crate::properties::{TOKEN_CHARS, config, text, word};

fn part(json: &Value) -> String {
    URL_SAFE_NO_PAD.encode(json.to_string())
}

/// Small JSON objects with string, number and boolean values.
fn object() -> impl Strategy<Value = Map<String, Value>> {
    let value = prop_oneof![
        text(20).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
    ];
    prop::collection::btree_map(text(8), value, 0..6)
        .prop_map(|m| m.into_iter().collect::<Map<String, Value>>())
}

fn any_keys() -> Jwks {
    let keys = json!({"keys": [
        {"kty": "OKP", "crv": "Ed25519", "kid": "ed", "x": URL_SAFE_NO_PAD.encode([9u8; 32])},
        {"kty": "RSA", "kid": "rsa", "n": URL_SAFE_NO_PAD.encode([0xc1u8; 256]), "e": "AQAB"},
    ]});
    Jwks::parse(keys.to_string().as_bytes()).unwrap()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn never_panics_on_any_text(token in text(80)) {
        if let Some(jwt) = Jwt::decode(&token) {
            prop_assert_eq!(token.matches('.').count(), 2);
            let _ = jwt.verify(&any_keys()).describe();
        }
    }

    #[test]
    fn token_like_text_without_two_dots_is_opaque(token in word(TOKEN_CHARS, 0, 120)) {
        if token.matches('.').count() != 2 {
            prop_assert!(Jwt::decode(&token).is_none());
        }
    }

    #[test]
    fn any_three_parts_decode_or_not_without_panicking(
        header in word(TOKEN_CHARS, 0, 40),
        payload in word(TOKEN_CHARS, 0, 40),
        signature in word(TOKEN_CHARS, 0, 40),
    ) {
        for token in [
            format!("{header}.{payload}.{signature}"),
            format!("{}.{payload}.{signature}", part(&json!({"alg": "EdDSA", "kid": "ed"}))),
            format!("{}.{}.{signature}", part(&json!({"alg": "RS256"})), part(&json!({}))),
        ] {
            if let Some(jwt) = Jwt::decode(&token) {
                prop_assert!(!jwt.verify(&any_keys()).is_verified());
            }
        }
    }

    #[test]
    fn any_claims_decode_as_built(header in object(), claims in object(), sig in prop::collection::vec(any::<u8>(), 0..80)) {
        let token = format!(
            "{}.{}.{}",
            part(&Value::Object(header.clone())),
            part(&Value::Object(claims.clone())),
            URL_SAFE_NO_PAD.encode(&sig)
        );
        let jwt = Jwt::decode(&token).expect("a well-formed JWS");
        prop_assert_eq!(jwt.header(), &header);
        prop_assert_eq!(jwt.claims(), &claims);
        prop_assert!(!jwt.verify(&any_keys()).is_verified());
    }
}
