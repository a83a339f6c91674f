//! Who an account is, as its status keeps it: the label of each new token set's ID token, or the
//! one userinfo gave — which a refresh's ID token naming only its opaque `sub` never replaces.

use super::Store;
use super::error::StoreError;
use super::status::AccountStatus;
use crate::oauth::Tokens;
use crate::oauth::identity;

impl AccountStatus {
    /// The identity after `tokens` were stored. A refresh without an ID token leaves it as the last
    /// one said; one that names nothing better than `sub` does not replace a label already known.
    pub(super) fn take_identity_from(&mut self, tokens: &Tokens) {
        if let Some(id_token) = tokens.id_token()
            && let Some(who) = identity::from_id_token(id_token)
            && (self.identity.is_none() || identity::names_more_than_sub(id_token))
        {
            self.identity = Some(who);
        }
    }
}

impl Store {
    /// Records who `name` is (a label from the provider's userinfo endpoint).
    pub fn record_identity(&self, name: &str, label: &str) -> Result<(), StoreError> {
        self.update_status(name, |status| status.identity = Some(label.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn an_id_token_naming_only_sub_does_not_replace_what_userinfo_said() {
        use base64::Engine as _;
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let with_id = |claims: &str| {
            let jwt = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims);
            let body = format!(r#"{{"access_token":"a","id_token":"eyJhbGciOiJub25lIn0.{jwt}."}}"#);
            Tokens::from_response(body.as_bytes(), now, None).unwrap()
        };
        let mut status = AccountStatus::default();
        status.record_link(&with_id(r#"{"sub":"1"}"#), now);
        assert_eq!(status.identity.as_deref(), Some("1"));
        status.identity = Some("alice@example.test".into());
        status.record_tokens(&with_id(r#"{"sub":"1"}"#), true, now);
        assert_eq!(status.identity.as_deref(), Some("alice@example.test"));
        status.record_tokens(
            &with_id(r#"{"sub":"1","email":"b@example.test"}"#),
            true,
            now,
        );
        assert_eq!(status.identity.as_deref(), Some("b@example.test"));
        status.record_link(&with_id(r#"{"sub":"2"}"#), now);
        assert_eq!(
            status.identity.as_deref(),
            Some("2"),
            "a new link starts over"
        );
    }
}
