//! How a status reads: health, backoff, what explains a spent refresh token.

use super::*;
use std::time::UNIX_EPOCH;

#[test]
fn a_failing_account_says_when_it_tries_again() {
    let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let mut status = AccountStatus::default();
    assert_eq!(status.retry_label(now), None);
    status.record_failure(
        ErrorKind::Transient,
        "HTTP 503",
        Some(Duration::from_secs(80)),
        now,
    );
    assert_eq!(
        status.retry_label(now).as_deref(),
        Some("retrying in 1m 20s")
    );
    let late = now + Duration::from_secs(90);
    assert_eq!(status.retry_label(late).as_deref(), Some("retrying now"));
    status.record_failure(ErrorKind::NeedsReauthorization, "invalid_grant", None, now);
    assert_eq!(status.retry_label(now), None, "only a re-link helps");
}

#[test]
fn failures_back_off_and_a_dead_grant_waits_for_a_relink() {
    let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let mut status = AccountStatus::default();
    status.record_failure(ErrorKind::Transient, "HTTP 503", None, now);
    assert!(status.backing_off(now + Duration::from_secs(4)));
    assert!(!status.backing_off(now + Duration::from_secs(7)));
    status.record_failure(
        ErrorKind::Transient,
        "HTTP 503",
        Some(Duration::from_secs(60)),
        now,
    );
    assert!(status.backing_off(now + Duration::from_secs(59)));
    status.record_failure(ErrorKind::NeedsReauthorization, "invalid_grant", None, now);
    assert!(status.backing_off(now + Duration::from_secs(86_400)));
    let tokens = Tokens::new("a", now);
    status.record_tokens(&tokens, true, now);
    assert!(!status.backing_off(now) && status.failures == 0);
}

#[test]
fn health_reads_at_a_glance() {
    let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let mut status = AccountStatus::default();
    assert_eq!(status.health(now), Health::NotLinked);
    let tokens = Tokens::new("a", now).with_expires_at(Some(now + Duration::from_secs(3600)));
    status.record_tokens(&tokens, false, now);
    assert_eq!(status.health(now), Health::Valid);
    assert_eq!(
        status.health(now + Duration::from_secs(3400)),
        Health::Expiring
    );
    assert_eq!(
        status.health(now + Duration::from_secs(3600)),
        Health::Expired
    );
    status.record_failure(ErrorKind::Transient, "503", None, now);
    assert_eq!(status.health(now), Health::Error);
    status.record_failure(ErrorKind::NeedsReauthorization, "invalid_grant", None, now);
    assert_eq!(status.health(now), Health::NeedsRelink);
}

#[test]
fn a_spent_refresh_token_is_explained_by_what_lost_its_successor() {
    let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let mut status = AccountStatus::default();
    assert_eq!(status.spent_token_cause(), None);
    status.record_failure(ErrorKind::Ambiguous, "no answer", None, now);
    let cause = status.spent_token_cause().unwrap();
    assert!(
        cause.contains(&crate::time::date_time(now, &crate::time::local_zone()))
            && cause.contains("answer was lost"),
        "{cause}"
    );
    status.unsaved_since = Some(now);
    let cause = status.spent_token_cause().unwrap();
    assert!(cause.contains("keyring could not store them"), "{cause}");
    // Stored tokens end every such story; so does a new link, with the old failure.
    status.record_link(&Tokens::new("a", now), now);
    assert_eq!(status.spent_token_cause(), None);
    assert_eq!(status.last_refresh, None);
    assert_eq!(status.health(now), Health::Valid);
}

#[test]
fn a_hand_edited_status_with_absurd_times_is_unreadable_not_a_panic() {
    for json in [
        r#"{"retry_at": 1e19}"#,
        r#"{"unsaved_since": -5}"#,
        r#"{"token": {"obtained_at": 1e12, "token_type": "Bearer", "has_refresh_token": true}}"#,
    ] {
        assert!(
            serde_json::from_str::<AccountStatus>(json).is_err(),
            "{json}"
        );
    }
    let far = UNIX_EPOCH + Duration::from_secs(1 << 40);
    assert_eq!(crate::time::rfc3339(far), "9999-12-31T23:59:59Z");
}

#[test]
fn backoff_grows_and_is_capped() {
    assert!(backoff(1) >= Duration::from_secs(5) && backoff(1) <= Duration::from_secs(6));
    assert!(backoff(3) >= Duration::from_secs(20));
    assert!(backoff(30) <= Duration::from_secs(360));
}
