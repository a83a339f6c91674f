//! Properties of redaction, with generated secrets and texts: no secret survives in any form it
//! may be echoed in — nor one inside another, nor overlapping ones, nor one cut off at the front
//! of a stream's end — and a text without secrets comes back unchanged.

use proptest::prelude::*;

use super::{MIN_SECRET_LEN, SecretKind, Secrets};
use crate::properties::{TOKEN_CHARS, config, text, word};

const KINDS: [SecretKind; 7] = [
    SecretKind::AccessToken,
    SecretKind::RefreshToken,
    SecretKind::IdToken,
    SecretKind::ClientSecret,
    SecretKind::DeviceCode,
    SecretKind::PkceVerifier,
    SecretKind::AuthorizationCode,
];

/// A token-like secret, sometimes with characters that encoders change (space, `&`, `é`).
fn secret() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => word(TOKEN_CHARS, MIN_SECRET_LEN, 40),
        1 => word("abcXYZ019/+=~ &é\"\\", MIN_SECRET_LEN, 24),
    ]
}

/// What follows the first secret where a second one overlaps it.
const OVERLAP: &str = "-OVERLAP";

/// Secrets, some made from others: one inside another, and two that overlap.
fn secrets() -> impl Strategy<Value = Vec<String>> {
    (prop::collection::vec(secret(), 1..4), 0..4usize, 0..4usize).prop_map(|(mut all, a, b)| {
        let first = all[0].clone();
        let chars: Vec<char> = first.chars().collect();
        // One inside the first, when the first is long enough to hold one.
        if chars.len() > MIN_SECRET_LEN + a {
            all.push(chars[a..a + MIN_SECRET_LEN].iter().collect());
        }
        // One that starts inside the first and runs past its end.
        if chars.len() > b + 1 {
            let tail: String = chars[chars.len() - MIN_SECRET_LEN.min(chars.len() - b)..]
                .iter()
                .collect();
            all.push(format!("{tail}{OVERLAP}"));
        }
        all
    })
}

/// Each secret in the forms a provider may echo it in.
fn echoes(secret: &str) -> Vec<String> {
    let form: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let json = serde_json::to_string(secret).unwrap();
    vec![
        secret.to_string(),
        form.clone(),
        super::lowercase_escapes(&form),
        json[1..json.len() - 1].to_string(),
        json[1..json.len() - 1].replace('/', "\\/"),
    ]
}

fn known(secrets: &[String]) -> Secrets {
    let mut known = Secrets::new();
    for (i, secret) in secrets.iter().enumerate() {
        known.add(KINDS[i % KINDS.len()], secret);
    }
    known
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn no_secret_survives_in_any_form(
        secrets in secrets(),
        pieces in prop::collection::vec((text(12), 0..8usize, 0..5usize), 1..8),
    ) {
        let known = known(&secrets);
        let mut input = String::new();
        for (filler, which, form) in &pieces {
            input.push_str(filler);
            let echoes = echoes(&secrets[which % secrets.len()]);
            input.push_str(&echoes[form % echoes.len()]);
        }
        // All of them side by side, and the run where two overlap.
        input.push_str(&secrets.concat());
        input.push_str(&format!("{}{OVERLAP}", secrets[0]));
        let out = known.redact(&input);
        for secret in &secrets {
            for echo in echoes(secret) {
                prop_assert!(!out.contains(&echo), "{:?} survived in {:?}", echo, out);
            }
        }
    }

    #[test]
    fn text_without_secrets_is_unchanged(secrets in secrets(), input in text(64)) {
        let known = known(&secrets);
        prop_assume!(secrets.iter().all(|s| echoes(s).iter().all(|e| !input.contains(e.as_str()))));
        let out = known.redact(&input);
        prop_assert!(matches!(out, std::borrow::Cow::Borrowed(_)));
        prop_assert_eq!(out, input.as_str());
    }

    #[test]
    fn values_shorter_than_the_minimum_change_nothing(
        short in word(TOKEN_CHARS, 1, MIN_SECRET_LEN - 1),
        input in text(64),
    ) {
        let known = Secrets::new().with(SecretKind::ClientSecret, &short);
        prop_assert!(known.is_empty());
        let with_it = format!("{input}{short}{input}");
        prop_assert_eq!(known.redact(&with_it), with_it.as_str());
    }

    #[test]
    fn the_end_of_a_stream_keeps_no_piece_of_a_secret_cut_at_its_front(
        secret in word(TOKEN_CHARS, MIN_SECRET_LEN, 40),
        before in text(8),
        after in text(40),
        cut in 0..40usize,
    ) {
        let known = Secrets::new().with(SecretKind::RefreshToken, &secret);
        let stream = format!("{before}{secret}{after}{secret}{after}");
        // The stream's end, starting anywhere in the first secret or just before it.
        let start = (before.len() + cut).min(stream.len());
        let start = (start..=stream.len()).find(|i| stream.is_char_boundary(*i)).unwrap();
        let tail = &stream[start..];
        let out = known.redact_tail(tail);
        prop_assert!(!out.contains(secret.as_str()), "{:?}", out);
        // No piece of it (the front cut off, half the secret or more left) either.
        let half = secret.len() / 2;
        for i in 1..=secret.len() - half {
            let piece = &secret[i..];
            let marker = SecretKind::RefreshToken.marker();
            let sure = piece.len() >= half.max(4)
                && ![after.as_str(), before.as_str(), marker].iter().any(|t| t.contains(piece));
            prop_assert!(!sure || !out.contains(piece), "{:?} of the secret survived: {:?}", piece, out);
        }
    }
}
