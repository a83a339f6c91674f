//! How errors are classified and worded.

use super::*;

#[test]
fn classification_follows_the_design() {
    assert!(rejected(Grant::RefreshToken, 400, "invalid_grant").needs_reauthorization());
    assert!(rejected(Grant::RefreshToken, 401, "whatever").needs_reauthorization());
    assert!(!rejected(Grant::RefreshToken, 400, "invalid_scope").needs_reauthorization());
    let busy = Error::Unavailable {
        url: "u".into(),
        status: 503,
        retry_after: None,
    };
    assert!(busy.is_transient() && !busy.is_ambiguous());
    let lost = Error::Timeout {
        url: "u".into(),
        seconds: 1,
    };
    assert!(lost.is_transient() && lost.is_ambiguous());
    assert_eq!(Error::StateMismatch.kind(), ErrorKind::Other);
    let busy = rejected(Grant::RefreshToken, 200, "temporarily_unavailable");
    assert_eq!(busy.kind(), ErrorKind::Transient);
}

#[test]
fn messages_tell_what_to_do() {
    let msg = rejected(Grant::AuthorizationCode, 400, "invalid_grant").to_string();
    assert!(msg.contains("open the authorization URL again"), "{msg}");
    let msg = rejected(Grant::RefreshToken, 400, "invalid_grant").to_string();
    assert!(msg.contains("link the account again"), "{msg}");
    let msg = Error::AuthorizationDenied {
        error: "access_denied".into(),
        description: Some("The user said no".into()),
    }
    .to_string();
    assert!(msg.starts_with("access was denied") && msg.contains("The user said no"));
    let msg = Error::AnswerTooLarge {
        url: "https://api.example/big".into(),
        limit: 16 << 20,
    }
    .to_string();
    assert!(
        msg.contains("larger than 16 MiB") && msg.contains("ask the API for less"),
        "{msg}"
    );
    assert_eq!(size(256 << 10), "256 KiB");
    assert_eq!(size(1000), "1000 bytes");
}
