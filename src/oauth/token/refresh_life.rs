//! How long the provider says a refresh token lives: `refresh_token_expires_in` (Microsoft,
//! GitHub apps) or Keycloak's `refresh_expires_in`, as lenient as `expires_in` (a number or a
//! numeric string).

use std::time::{Duration, SystemTime};

use serde_json::{Map, Value};

use super::MAX_EXPIRES_IN;
use super::body::seconds;
use crate::time::later;

/// The names providers give the refresh token's lifetime, the standard-looking one first.
const FIELDS: [&str; 2] = ["refresh_token_expires_in", "refresh_expires_in"];

/// When the refresh token of an answer received at `now` dies, taken out of `fields` (so that it
/// is not also kept among the extra fields). Keycloak's 0 means "does not expire" (an offline
/// token), and garbage means nothing: both read as not said.
pub(crate) fn refresh_expires_at(
    fields: &mut Map<String, Value>,
    now: SystemTime,
) -> Option<SystemTime> {
    FIELDS
        .iter()
        .filter_map(|field| fields.remove(*field))
        .filter_map(|value| seconds(&value))
        .find(|s| (1..=MAX_EXPIRES_IN).contains(s))
        .map(|s| later(now, Duration::from_secs(s)))
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use super::super::Tokens;
    use super::*;
    use crate::oauth::secret::RefreshToken;

    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_800_000_000)
    }

    fn parse(body: &str) -> Tokens {
        Tokens::from_response(body.as_bytes(), now(), None).unwrap()
    }

    #[test]
    fn a_refresh_token_lifetime_given_as_a_string_parses_as_a_number_does() {
        let day = Duration::from_secs(86_400);
        for body in [
            r#"{"access_token":"a","refresh_token":"r","refresh_token_expires_in":"86400"}"#,
            r#"{"access_token":"a","refresh_token":"r","refresh_token_expires_in":86400}"#,
            r#"{"access_token":"a","refresh_token":"r","refresh_expires_in":" 86400 "}"#,
            "access_token=a&refresh_token=r&refresh_token_expires_in=86400",
        ] {
            let tokens = parse(body);
            assert_eq!(tokens.refresh_expires_at(), Some(now() + day), "{body}");
            assert_eq!(tokens.refresh_issued_at(), Some(now()), "{body}");
            assert!(tokens.extra().is_empty(), "{body}: not kept twice");
        }
    }

    #[test]
    fn keycloaks_zero_and_garbage_say_nothing_of_the_refresh_tokens_death() {
        for body in [
            r#"{"access_token":"a","refresh_token":"r","refresh_expires_in":0}"#,
            r#"{"access_token":"a","refresh_token":"r","refresh_token_expires_in":"soon"}"#,
            r#"{"access_token":"a","refresh_token":"r","refresh_token_expires_in":-3}"#,
            r#"{"access_token":"a","refresh_token":"r"}"#,
        ] {
            assert_eq!(parse(body).refresh_expires_at(), None, "{body}");
        }
    }

    #[test]
    fn a_refresh_that_keeps_the_refresh_token_keeps_when_it_was_issued_and_dies() {
        let linked =
            parse(r#"{"access_token":"a1","refresh_token":"r","refresh_token_expires_in":600}"#);
        let later_on = now() + Duration::from_secs(60);
        let kept = Tokens::from_response(
            br#"{"access_token":"a2"}"#,
            later_on,
            Some(&RefreshToken::new("r")),
        )
        .unwrap()
        .succeeding(&linked, false);
        assert_eq!(kept.refresh_issued_at(), Some(now()));
        assert_eq!(
            kept.refresh_expires_at(),
            Some(now() + Duration::from_secs(600))
        );
        let rotated = Tokens::from_response(
            br#"{"access_token":"a3","refresh_token":"r2"}"#,
            later_on,
            Some(&RefreshToken::new("r")),
        )
        .unwrap()
        .succeeding(&linked, false);
        assert_eq!(rotated.refresh_issued_at(), Some(later_on));
        assert_eq!(
            rotated.refresh_expires_at(),
            None,
            "a new refresh token's death is not the old one's"
        );
    }
}
