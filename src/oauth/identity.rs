//! Who an account is, as a person recognises it: from an OpenID Connect ID token's claims
//! (`email`, then `preferred_username`, `name`, `sub`) or a userinfo answer (the same claims, or
//! GitHub's `login`). Not a credential — a label, kept beside the status and shown everywhere.
//!
//! The ID token came straight from the token endpoint over TLS, which OpenID Connect Core §3.1.3.7
//! accepts in place of checking its signature; the label is only ever shown, never trusted.

use serde_json::{Map, Value};

use super::jwt::Jwt;

/// The longest label kept: an email address fits, a paragraph does not.
const MAX_LABEL: usize = 128;

/// The label an ID token names, when it is a JWT with a usable claim.
pub fn from_id_token(id_token: &str) -> Option<String> {
    from_claims(&jwt_claims(id_token)?)
}

/// The ID token's `email` claim, when it has a usable one: the address mail clients' XOAUTH2
/// names (a label like the others, checked the same way).
pub fn email(id_token: &str) -> Option<String> {
    let claims = jwt_claims(id_token)?;
    let email = claims.get("email")?.as_str()?.trim();
    let usable = !email.is_empty()
        && email.chars().count() <= MAX_LABEL
        && !email.chars().any(char::is_control);
    usable.then(|| email.to_string())
}

/// A JWT's claims, read without checking its signature: fit for a label, never for trust.
pub fn jwt_claims(jwt: &str) -> Option<Map<String, Value>> {
    Jwt::decode(jwt.trim()).map(|jwt| jwt.claims().clone())
}

/// Whether to ask the userinfo endpoint who the account is: the ID token (if any) names it by
/// nothing better than its `sub` — an opaque number at Google or Microsoft — and the label held
/// now (`current`) is no better either: none, or that same `sub`.
pub fn wants_userinfo(id_token: Option<&str>, current: Option<&str>) -> bool {
    if id_token.is_some_and(names_more_than_sub) {
        return false;
    }
    let sub = id_token
        .and_then(jwt_claims)
        .and_then(|claims| subject(&claims));
    current.is_none_or(|label| Some(label) == sub.as_deref())
}

/// Whether the ID token's label is something a person recognises, not only its `sub`.
pub fn names_more_than_sub(id_token: &str) -> bool {
    jwt_claims(id_token).is_some_and(|claims| {
        from_claims(&claims).is_some_and(|label| Some(label) != subject(&claims))
    })
}

/// The `sub` claim, as [`from_claims`] would show it.
pub fn subject(claims: &Map<String, Value>) -> Option<String> {
    Some(claims.get("sub")?.as_str()?.trim().to_string())
}

/// The label a set of claims names: the first usable of `email`, `preferred_username`, `name`,
/// `login` (GitHub), `sub`.
pub fn from_claims(claims: &Map<String, Value>) -> Option<String> {
    ["email", "preferred_username", "name", "login", "sub"]
        .iter()
        .filter_map(|key| claims.get(*key)?.as_str())
        .map(str::trim)
        .find(|value| {
            !value.is_empty()
                && value.chars().count() <= MAX_LABEL
                && !value.chars().any(char::is_control)
        })
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn jwt(claims: &str) -> String {
        format!(
            "eyJhbGciOiJSUzI1NiJ9.{}.c2lnbmF0dXJl",
            URL_SAFE_NO_PAD.encode(claims)
        )
    }

    #[test]
    fn prefers_what_a_person_recognises() {
        let token = jwt(r#"{"sub":"248289761001","email":"alice@example.test","name":"Alice"}"#);
        assert_eq!(from_id_token(&token).as_deref(), Some("alice@example.test"));
        let token = jwt(r#"{"sub":"248289761001","preferred_username":"alice"}"#);
        assert_eq!(from_id_token(&token).as_deref(), Some("alice"));
        assert_eq!(
            from_id_token(&jwt(r#"{"sub":"test-user"}"#)).as_deref(),
            Some("test-user")
        );
    }

    #[test]
    fn userinfo_is_asked_only_when_nothing_better_than_sub_is_known() {
        let sub_only = jwt(r#"{"sub":"248289761001"}"#);
        let named = jwt(r#"{"sub":"248289761001","email":"alice@example.test"}"#);
        assert!(wants_userinfo(None, None), "no ID token (GitHub)");
        assert!(wants_userinfo(Some(&sub_only), None));
        assert!(wants_userinfo(Some(&sub_only), Some("248289761001")));
        assert!(!wants_userinfo(Some(&named), None));
        assert!(
            !wants_userinfo(Some(&sub_only), Some("alice@example.test")),
            "userinfo already said"
        );
        assert!(
            !wants_userinfo(None, Some("alice")),
            "GitHub's login, known"
        );
        assert!(wants_userinfo(Some("not a jwt"), None));
    }

    #[test]
    fn refuses_what_cannot_be_shown() {
        assert_eq!(from_id_token("not a jwt"), None);
        assert_eq!(from_id_token("a.%%%.c"), None);
        assert_eq!(from_id_token(&jwt("[1,2]")), None);
        let long = "x".repeat(MAX_LABEL + 1);
        let token = jwt(&format!(r#"{{"email":"{long}","sub":"s1"}}"#));
        assert_eq!(
            from_id_token(&token).as_deref(),
            Some("s1"),
            "too long: the next claim"
        );
        let token = jwt(r#"{"email":"a\u001b[2Jb","sub":"s2"}"#);
        assert_eq!(
            from_id_token(&token).as_deref(),
            Some("s2"),
            "control characters"
        );
    }
}
