//! Properties of the ID token checks: whatever claims a token carries (of any type, any size,
//! times before the epoch or past year 9999), checking them at a link, after a refresh and in
//! words never panics, and no description repeats the nonce that was sent.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use proptest::prelude::*;
use serde_json::{Map, Value};

use super::{Expected, Jwt, check, refused_after_refresh, refused_at_link};
use crate::properties::{config, text};

/// A value of any JSON type a provider (or a hand-edited record) might put in a claim.
fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        text(12).prop_map(Value::from),
        Just(Value::from("basic-client")),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        (1_700_000_000i64..1_900_000_000).prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        Just(Value::Null),
        prop::collection::vec(text(6).prop_map(Value::from), 0..4).prop_map(Value::from),
    ]
}

/// Claims with the checked names (each maybe absent) and a few others.
fn claims() -> impl Strategy<Value = Map<String, Value>> {
    let names = [
        "iss",
        "sub",
        "aud",
        "azp",
        "exp",
        "iat",
        "auth_time",
        "nonce",
    ];
    (
        prop::collection::vec(prop::option::of(value()), names.len()),
        prop::collection::btree_map(text(6), value(), 0..3),
    )
        .prop_map(move |(known, other)| {
            let mut claims: Map<String, Value> = other.into_iter().collect();
            for (name, value) in names.iter().zip(known) {
                if let Some(value) = value {
                    claims.insert(name.to_string(), value);
                }
            }
            claims
        })
}

fn token(claims: &Map<String, Value>) -> String {
    let part = |json: String| URL_SAFE_NO_PAD.encode(json);
    format!(
        "{}.{}.c2ln",
        part(r#"{"alg":"RS256"}"#.into()),
        part(Value::Object(claims.clone()).to_string())
    )
}

const SENT: &str = "NONCE-SENT-WITH-THE-SIGN-IN";

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_claims_are_checked_without_panicking(
        linked in claims(),
        refreshed in claims(),
        seconds in any::<u64>(),
    ) {
        let now = UNIX_EPOCH
            .checked_add(Duration::from_secs(seconds))
            .unwrap_or(SystemTime::now());
        let expected = Expected {
            issuer: Some("https://as.example"),
            client_id: "basic-client",
            nonce: Some(SENT),
        };
        let (linked, refreshed) = (token(&linked), token(&refreshed));
        let jwt = Jwt::decode(&linked).unwrap();
        for (claim, finding) in check(&jwt, &expected, now).findings {
            let words = finding.describe(claim);
            prop_assert!(!words.contains(SENT), "{}", words);
        }
        for problem in refused_at_link(&linked, &expected, now)
            .into_iter()
            .chain(refused_after_refresh(Some(&linked), &refreshed, &expected))
        {
            let words = problem.describe();
            prop_assert!(!words.contains(SENT), "{}", words);
        }
    }
}
