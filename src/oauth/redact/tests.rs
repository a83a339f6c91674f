//! Examples of what redaction cuts, and what it leaves alone.

use super::*;
use crate::oauth::{Error, ErrorCode, Grant};

const RT: &str = "rt-8f3kQ2pZ/x+Yw==";
const CS: &str = "s3cret value/with+specials&é";

fn known() -> Secrets {
    let mut secrets = Secrets::new();
    secrets
        .add(SecretKind::RefreshToken, RT)
        .add_client_secret("basic-client", CS);
    secrets
}

#[test]
fn an_echoed_refresh_token_becomes_its_marker_in_every_encoding() {
    let secrets = known();
    for echoed in [
        RT.to_string(),
        "rt-8f3kQ2pZ%2Fx%2BYw%3D%3D".to_string(), // form-encoded, as it was sent
        "rt-8f3kQ2pZ%2fx%2bYw%3d%3d".to_string(), // lower-case hex
        "rt-8f3kQ2pZ\\/x+Yw==".to_string(),       // JSON with an escaped slash
    ] {
        let text = format!("invalid_grant: refresh token {echoed} is revoked");
        assert_eq!(
            secrets.redact(&text),
            "invalid_grant: refresh token [redacted refresh token] is revoked",
            "{echoed}"
        );
    }
}

#[test]
fn a_client_secret_is_cut_out_raw_encoded_and_in_its_basic_header() {
    let secrets = known();
    let form: String = url::form_urlencoded::byte_serialize(CS.as_bytes()).collect();
    let json = serde_json::to_string(CS).unwrap();
    let ascii_json = r#""s3cret value/with+specials&\u00e9""#;
    let basic = STANDARD.encode(format!("basic-client:{form}"));
    let plain_basic = STANDARD.encode(format!("basic-client:{CS}"));
    let text = format!(
        "got {CS}; body client_secret={form}; json {json} {ascii_json}; Authorization: Basic {basic}, or Basic {plain_basic}"
    );
    let cut = secrets.redact(&text);
    // And a header cut short of its padding.
    let short = secrets.redact(&basic[..basic.len() - 2]);
    assert_eq!(short, "[redacted client secret]");
    assert_eq!(
        cut,
        "got [redacted client secret]; body client_secret=[redacted client secret]; json \"[redacted client secret]\" \"[redacted client secret]\"; Authorization: Basic [redacted client secret], or Basic [redacted client secret]"
    );
}

#[test]
fn text_without_secrets_and_short_values_are_left_alone() {
    let mut secrets = known();
    // A one-letter "secret" must not wipe every `a`; seven letters are still too few.
    secrets.add(SecretKind::AccessToken, "a");
    secrets.add(SecretKind::AccessToken, "invalid");
    let text = "invalid_grant: a grant that is invalid";
    assert!(matches!(secrets.redact(text), Cow::Borrowed(t) if t == text));
    assert!(Secrets::new().is_empty());
    assert!(!secrets.is_empty());
}

#[test]
fn nested_and_overlapping_secrets_leave_nothing_behind() {
    let mut secrets = Secrets::new();
    secrets
        .add(SecretKind::AccessToken, "ABCDEFGHIJ")
        .add(SecretKind::RefreshToken, "CDEFGHIJKLMN") // overlaps the access token
        .add(SecretKind::IdToken, "DEFGHIJK"); // inside both
    assert_eq!(
        secrets.redact("x ABCDEFGHIJKLMN y DEFGHIJK z"),
        "x [redacted access token] y [redacted ID token] z"
    );
    // Side by side: one marker each.
    assert_eq!(
        secrets.redact("ABCDEFGHIJCDEFGHIJKLMN"),
        "[redacted access token][redacted refresh token]"
    );
}

#[test]
fn a_secret_spelled_by_a_marker_and_its_neighbours_is_cut_again_or_withheld() {
    // Contrived: a "secret" that a marker completes.
    let mut secrets = Secrets::new();
    secrets
        .add(SecretKind::AccessToken, "SECRETVALUE")
        .add(SecretKind::RefreshToken, "x[redacted access token]y");
    assert_eq!(secrets.redact("xSECRETVALUEy"), "[redacted refresh token]");
    // A "secret" its own marker spells can never be cut out for good: the text is withheld.
    let secrets = Secrets::new().with(SecretKind::RefreshToken, "redacted refresh");
    assert_eq!(secrets.redact("a redacted refresh b"), WITHHELD);
}

#[test]
fn the_end_of_a_stream_drops_what_may_be_a_secret_cut_off_at_its_front() {
    let secrets = Secrets::new().with(SecretKind::AccessToken, "0123456789abcdef");
    // The stream was cut in the middle of the token: its last 10 characters are no match.
    let tail = "6789abcdef and then the hook said: no route to host";
    let cut = secrets.redact_tail(tail);
    assert!(!cut.contains("6789abcdef"), "{cut}");
    assert!(cut.ends_with("no route to host"), "{cut}");
    // A whole secret across the cut is kept as its marker, and later ones are cut too.
    let tail = "x 0123456789abcdef y 0123456789abcdef";
    assert_eq!(
        secrets.redact_tail(tail),
        "[redacted access token] y [redacted access token]"
    );
}

#[test]
fn a_request_s_form_names_its_secrets() {
    let mut secrets = Secrets::new();
    secrets.add_sent(&[
        ("grant_type", "authorization_code"),
        ("code", "code-value-1234"),
        ("code_verifier", "verifier-value-5678"),
        ("redirect_uri", "http://127.0.0.1:9/callback"),
    ]);
    assert_eq!(
        secrets.redact("code-value-1234 verifier-value-5678 http://127.0.0.1:9/callback"),
        "[redacted authorization code] [redacted PKCE verifier] http://127.0.0.1:9/callback"
    );
    let mut revoke = Secrets::new();
    revoke.add_sent(&[
        ("token", "refresh-value-1234"),
        ("token_type_hint", "refresh_token"),
    ]);
    assert_eq!(
        revoke.redact("refresh-value-1234"),
        "[redacted refresh token]"
    );
}

#[test]
fn errors_carry_no_secret_once_redacted_and_debug_shows_none() {
    let secrets = known();
    let error = Error::Rejected {
        grant: Grant::RefreshToken,
        status: 400,
        error: "invalid_grant".into(),
        description: Some(format!(
            "refresh token {RT} is not valid for client secret {CS}"
        )),
    }
    .redacted(&secrets);
    let message = error.to_string();
    assert!(!message.contains(RT) && !message.contains(CS), "{message}");
    assert!(
        message.contains("[redacted refresh token]")
            && message.contains("[redacted client secret]"),
        "{message}"
    );
    assert!(error.needs_reauthorization(), "still classified: {message}");
    let debug = format!("{secrets:?}");
    assert!(!debug.contains(RT) && !debug.contains("s3cret"), "{debug}");
}

/// A provider's own code is its text like any other, and can echo what it was sent; an RFC code
/// cannot, and stays the variant callers match on.
#[test]
fn a_code_no_rfc_defines_is_cut_and_an_rfc_code_stays_itself() {
    let secrets = known();
    let rejected = |error: ErrorCode| {
        Error::Rejected {
            grant: Grant::RefreshToken,
            status: 400,
            error,
            description: None,
        }
        .redacted(&secrets)
    };
    let echoed = rejected(ErrorCode::from(format!("no_such_token_{RT}")));
    let Error::Rejected { error: code, .. } = &echoed else {
        panic!("{echoed:?}")
    };
    assert_eq!(
        code.as_str(),
        "no_such_token_[redacted refresh token]",
        "{echoed}"
    );
    assert!(!echoed.to_string().contains(RT), "{echoed}");
    let known = rejected(ErrorCode::InvalidGrant);
    assert!(
        matches!(
            known,
            Error::Rejected {
                error: ErrorCode::InvalidGrant,
                ..
            }
        ),
        "{known:?}"
    );
}
