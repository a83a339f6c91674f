//! Properties of the token-response parser: whatever the server sends, it never panics, and
//! neither its errors nor the parsed token set's `Debug` show a token; a response built from a
//! token set reads back as that token set.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use super::{MAX_EXPIRES_IN, Tokens};
use crate::oauth::secret::RefreshToken;
use crate::properties::{TOKEN_CHARS, config, text, word};

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

/// The names a token response uses, and a few it does not.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "access_token",
            "token_type",
            "refresh_token",
            "expires_in",
            "scope",
            "id_token",
            "error",
            "error_description",
            "error_uri",
        ])
        .prop_map(str::to_string),
        word("abcdefghijklmnopqrstuvwxyz_", 1, 12),
    ]
}

/// Any JSON value, small: each type a field might wrongly have.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from), // NaN and infinities become null
        text(16).prop_map(Value::from),
        prop::sample::select(vec!["3600", "-1", "1e400", " 60 ", "0x10", ""]).prop_map(Value::from),
    ];
    leaf.prop_recursive(1, 6, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::vec((text(6), inner), 0..3)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

/// A body as a server might send it: JSON (an object, or not), form-encoded, or bytes.
fn body() -> impl Strategy<Value = Vec<u8>> {
    let fields = prop::collection::vec((key(), value()), 0..8);
    prop_oneof![
        fields.prop_map(|f| Value::Object(f.into_iter().collect())
            .to_string()
            .into_bytes()),
        value().prop_map(|v| v.to_string().into_bytes()),
        prop::collection::vec((key(), text(16)), 0..6).prop_map(|pairs| {
            url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish()
                .into_bytes()
        }),
        prop::collection::vec(any::<u8>(), 0..64),
    ]
}

/// A token that cannot turn up in a message by chance.
fn secret(prefix: &'static str) -> impl Strategy<Value = String> {
    word(TOKEN_CHARS, 16, 40).prop_map(move |w| format!("{prefix}{w}"))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn never_panics(body in body()) {
        let previous = RefreshToken::new("previous");
        let _ = Tokens::from_response(&body, now(), None);
        let _ = Tokens::from_response(&body, now(), Some(&previous));
    }

    #[test]
    fn tokens_never_show(
        access in secret("AT-"),
        refresh in secret("RT-"),
        id in secret("ID-"),
        previous in secret("OLD-"),
        others in prop::collection::vec((key(), value()), 0..5),
        access_value in prop_oneof![Just(None), value().prop_map(Some)],
        form in any::<bool>(),
    ) {
        // The secrets where they belong (or a wrong value for the access token), among any other
        // fields — an error among them, perhaps.
        let mut fields: Map<String, Value> = others.into_iter().collect();
        fields.insert("access_token".into(), access_value.unwrap_or(Value::from(access.clone())));
        fields.insert("refresh_token".into(), Value::from(refresh.clone()));
        fields.insert("id_token".into(), Value::from(id.clone()));
        let body = if form {
            let pairs = fields.iter().map(|(k, v)| (k, v.as_str().map_or(v.to_string(), str::to_string)));
            url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
        } else {
            Value::Object(fields).to_string()
        };
        let previous = RefreshToken::new(previous.clone());
        let shown = match Tokens::from_response(body.as_bytes(), now(), Some(&previous)) {
            Ok(tokens) => format!("{tokens:?}"),
            Err(problem) => format!("{problem:?}"),
        };
        for secret in [access.as_str(), &refresh, &id, previous.secret()] {
            prop_assert!(!shown.contains(secret), "{} shows {}", shown, secret);
        }
    }

    #[test]
    fn a_response_reads_back_as_the_token_set_it_carries(
        access in text(40),
        token_type in prop::sample::select(vec!["bearer", "Bearer", "BEARER", "DPoP", "mac", ""]),
        refresh in prop::option::of(text(40)),
        expires_in in 1..=MAX_EXPIRES_IN,
        scope in prop::option::of(text(40)),
        id in prop::option::of(text(40)),
        form in any::<bool>(),
    ) {
        prop_assume!(!access.is_empty() && refresh.as_ref().is_none_or(|r| !r.is_empty()));
        let mut fields = json!({
            "access_token": access,
            "token_type": token_type,
            "expires_in": expires_in,
        });
        for (name, value) in [("refresh_token", &refresh), ("scope", &scope), ("id_token", &id)] {
            if let Some(value) = value {
                fields[name] = Value::from(value.as_str());
            }
        }
        let body = if form {
            let pairs = fields.as_object().into_iter().flatten()
                .map(|(k, v)| (k, v.as_str().map_or(v.to_string(), str::to_string)));
            url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
        } else {
            fields.to_string()
        };
        // A form body without access_token= or error= is not taken for one; ours has one.
        let tokens = Tokens::from_response(body.as_bytes(), now(), None);
        prop_assert!(tokens.is_ok(), "{:?}", tokens.unwrap_err());
        let tokens = tokens.unwrap();
        prop_assert_eq!(tokens.access_token(), access.as_str());
        let expected_type = match token_type {
            "" => "Bearer",
            t if t.eq_ignore_ascii_case("bearer") => "Bearer",
            t => t,
        };
        prop_assert_eq!(tokens.token_type(), expected_type);
        prop_assert_eq!(tokens.refresh_token(), refresh.as_deref());
        prop_assert_eq!(tokens.expires_at(), Some(now() + Duration::from_secs(expires_in)));
        prop_assert_eq!(tokens.scope(), scope.as_deref());
        prop_assert_eq!(tokens.id_token(), id.as_deref());
        prop_assert_eq!(tokens.obtained_at(), now());
    }
}
