use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::*;

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

fn at(offset: i64) -> i64 {
    1_800_000_000 + offset
}

/// An unsigned token with `claims` (the signature is not these checks' business).
fn token(claims: Value) -> String {
    let b = |v: &str| URL_SAFE_NO_PAD.encode(v);
    format!(
        "{}.{}.c2ln",
        b(r#"{"alg":"RS256"}"#),
        b(&claims.to_string())
    )
}

/// What a provider issues for this account at `now`, with `changes` applied (`null` removes).
fn issued(changes: Value) -> String {
    let mut claims = json!({
        "iss": "https://as.example",
        "sub": "alice",
        "aud": "tokendeck",
        "exp": at(3600),
        "iat": at(0),
        "auth_time": at(-30),
        "nonce": "n-1",
    });
    for (name, value) in changes.as_object().unwrap() {
        match value {
            Value::Null => claims.as_object_mut().unwrap().remove(name),
            v => claims
                .as_object_mut()
                .unwrap()
                .insert(name.clone(), v.clone()),
        };
    }
    token(claims)
}

const EXPECTED: Expected<'static> = Expected {
    issuer: Some("https://as.example"),
    client_id: "tokendeck",
    nonce: Some("n-1"),
};

fn findings(raw: &str, expected: &Expected<'_>) -> Vec<(&'static str, Finding)> {
    check(&Jwt::decode(raw).unwrap(), expected, now())
        .findings
        .into_iter()
        .map(|(claim, finding)| (claim.name(), finding))
        .collect()
}

fn finding(raw: &str, expected: &Expected<'_>, name: &str) -> Finding {
    findings(raw, expected)
        .into_iter()
        .find(|(claim, _)| *claim == name)
        .unwrap()
        .1
}

#[test]
fn a_token_for_this_account_holds_on_every_claim() {
    let all = findings(&issued(json!({})), &EXPECTED);
    let names: Vec<&str> = all.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["iss", "aud", "azp", "exp", "iat", "nonce"]);
    for (name, finding) in &all {
        match *name {
            "azp" => assert_eq!(*finding, Finding::Unchecked(Unchecked::NotNeeded)),
            _ => assert_eq!(*finding, Finding::Holds, "{name}"),
        }
    }
    assert!(refused_at_link(&issued(json!({})), &EXPECTED, now()).is_empty());
}

#[test]
fn another_client_is_named_with_both_values() {
    let raw = issued(json!({"aud": "other-client"}));
    let Finding::Wrong(problem) = finding(&raw, &EXPECTED, "aud") else {
        panic!("another audience holds");
    };
    assert_eq!(
        problem.describe(),
        "issued for another client: aud is other-client, this account's client is tokendeck"
    );
    assert_eq!(refused_at_link(&raw, &EXPECTED, now()), [problem]);
    // One of several audiences is enough for aud; azp then must say which client.
    let several = issued(json!({"aud": ["api", "tokendeck"]}));
    assert_eq!(finding(&several, &EXPECTED, "aud"), Finding::Holds);
    assert!(matches!(
        finding(&several, &EXPECTED, "azp"),
        Finding::Wrong(Problem::NoAuthorizedParty { .. })
    ));
    let named = issued(json!({"aud": ["api", "tokendeck"], "azp": "tokendeck"}));
    assert_eq!(finding(&named, &EXPECTED, "azp"), Finding::Holds);
    let other = issued(json!({"azp": "other-client"}));
    assert!(
        matches!(finding(&other, &EXPECTED, "azp"), Finding::Wrong(p) if p.describe() == "issued to another client: azp is other-client, this account's client is tokendeck")
    );
    for bad in [json!(null), json!(7), json!([]), json!(["tokendeck", 1])] {
        let raw = issued(json!({ "aud": bad }));
        assert_eq!(
            finding(&raw, &EXPECTED, "aud"),
            Finding::Wrong(Problem::Missing(Claim::Aud)),
            "{bad}"
        );
    }
}

#[test]
fn the_issuer_is_compared_when_the_account_names_one() {
    let raw = issued(json!({"iss": "https://evil.example"}));
    assert!(matches!(
        finding(&raw, &EXPECTED, "iss"),
        Finding::Wrong(Problem::OtherIssuer { .. })
    ));
    let custom = Expected {
        issuer: None,
        ..EXPECTED
    };
    assert_eq!(
        finding(&raw, &custom, "iss"),
        Finding::Unchecked(Unchecked::NoIssuerKnown)
    );
    let slash = issued(json!({"iss": "https://as.example/"}));
    assert_eq!(finding(&slash, &EXPECTED, "iss"), Finding::Holds);
    let google = Expected {
        issuer: Some("https://accounts.google.com"),
        ..EXPECTED
    };
    let bare = issued(json!({"iss": "accounts.google.com"}));
    assert_eq!(finding(&bare, &google, "iss"), Finding::Holds);
    let bare_elsewhere = issued(json!({"iss": "as.example"}));
    assert!(matches!(
        finding(&bare_elsewhere, &EXPECTED, "iss"),
        Finding::Wrong(_)
    ));
}

#[test]
fn the_nonce_must_be_the_one_sent() {
    let other = issued(json!({"nonce": "n-2"}));
    assert_eq!(
        finding(&other, &EXPECTED, "nonce"),
        Finding::Wrong(Problem::OtherNonce)
    );
    let none = issued(json!({"nonce": null}));
    assert_eq!(
        finding(&none, &EXPECTED, "nonce"),
        Finding::Wrong(Problem::NoNonce)
    );
    let unsent = Expected {
        nonce: None,
        ..EXPECTED
    };
    assert_eq!(
        finding(&other, &unsent, "nonce"),
        Finding::Unchecked(Unchecked::NoNonceSent { present: true })
    );
    let words = Problem::OtherNonce.describe();
    assert!(
        !words.contains("n-1") && !words.contains("n-2"),
        "no values: {words}"
    );
}

/// An hour after its link, every ID token is expired: that is said as such, never as a problem;
/// only one that arrives already expired (past the clocks' leeway) refuses a link.
#[test]
fn expired_is_not_a_mismatch_and_a_clock_ahead_is_not_either() {
    let old = issued(json!({"exp": at(-7200), "iat": at(-10800)}));
    let check = check(&Jwt::decode(&old).unwrap(), &EXPECTED, now());
    assert_eq!(check.problems().count(), 0);
    assert!(check.expired_at().is_some());
    assert_eq!(
        refused_at_link(&old, &EXPECTED, now()),
        [Problem::ExpiredOnArrival {
            ago: Duration::from_secs(7200)
        }]
    );
    let just = issued(json!({"exp": at(-60)}));
    assert!(refused_at_link(&just, &EXPECTED, now()).is_empty());

    let ahead = issued(json!({"iat": at(600)}));
    assert_eq!(
        finding(&ahead, &EXPECTED, "iat"),
        Finding::IssuedAhead {
            by: Duration::from_secs(600)
        }
    );
    assert!(refused_at_link(&ahead, &EXPECTED, now()).is_empty());
    let within = issued(json!({"iat": at(120)}));
    assert_eq!(finding(&within, &EXPECTED, "iat"), Finding::Holds);
    let missing = issued(json!({"exp": null}));
    assert_eq!(
        refused_at_link(&missing, &EXPECTED, now()),
        [Problem::Missing(Claim::Exp)]
    );
    assert_eq!(
        refused_at_link("opaque", &EXPECTED, now()),
        [Problem::Unreadable]
    );
}

/// OpenID Connect Core §12.2.
#[test]
fn a_refreshs_id_token_names_the_same_user_for_the_same_client() {
    let linked = issued(json!({}));
    let refused = |changes: Value| {
        let new = issued(changes);
        refused_after_refresh(Some(&linked), &new, &EXPECTED)
    };
    assert!(refused(json!({"iat": at(3000), "exp": at(6600)})).is_empty());
    assert!(
        refused(json!({"nonce": null})).is_empty(),
        "no nonce is fine"
    );
    assert!(refused(json!({"auth_time": at(100)})).is_empty(), "later");
    let sub = refused(json!({"sub": "mallory"}));
    assert_eq!(sub.len(), 1);
    assert_eq!(
        sub[0].describe(),
        "it names another user than the account's ID token: sub was alice, is mallory"
    );
    assert_eq!(
        refused(json!({"auth_time": at(-3630)})),
        [Problem::AuthTimeEarlier {
            by: Duration::from_secs(3600)
        }]
    );
    assert!(matches!(
        refused(json!({"azp": "tokendeck"}))[..],
        [Problem::Changed {
            claim: Claim::Azp,
            ..
        }]
    ));
    assert!(matches!(
        refused(json!({"aud": "other-client"}))[..],
        [Problem::OtherAudience { .. }]
    ));
    assert!(matches!(
        refused(json!({"nonce": "n-2"}))[..],
        [Problem::OtherNonce]
    ));
    let several = issued(json!({"aud": ["tokendeck", "api"], "azp": "tokendeck"}));
    let reordered = issued(json!({"aud": ["api", "tokendeck"], "azp": "tokendeck"}));
    assert!(refused_after_refresh(Some(&several), &reordered, &EXPECTED).is_empty());
    // Nothing held before: the account's own rules still apply.
    assert!(refused_after_refresh(None, &issued(json!({})), &EXPECTED).is_empty());
    assert!(matches!(
        refused_after_refresh(
            None,
            &issued(json!({"iss": "https://evil.example"})),
            &EXPECTED
        )[..],
        [Problem::OtherIssuer { .. }]
    ));
}

#[test]
fn a_refused_link_says_every_problem_and_what_to_do() {
    let message = refused_message(&[
        Problem::OtherAudience {
            aud: vec!["other".into()],
            client_id: "tokendeck".into(),
        },
        Problem::OtherNonce,
    ]);
    assert_eq!(
        message,
        "the provider's ID token was refused (issued for another client: aud is other, this account's client is tokendeck; its nonce is not the one sent with this account's sign-in: it answers another sign-in), so nothing was stored: check that the account's client id is the one registered at the provider"
    );
}
