//! When to refresh: the policy as pure functions of an account, its status and time. A lead
//! before expiry, never more often than a quarter-lifetime, after any backoff — and a small,
//! per-account spread, so that tokens issued in the same second are not all refreshed in the
//! same second again, forever after.

use std::time::{Duration, SystemTime};

use crate::oauth::refresh_lead;
use crate::store::{Account, AccountStatus};
use crate::time::{earlier, later};

/// The least time between refreshes of a token whose lifetime is unknown.
const UNKNOWN_LIFETIME_FLOOR: Duration = Duration::from_secs(60);

/// The widest spread of accounts that fall due together.
pub const MAX_SPREAD: Duration = Duration::from_secs(30);

/// When `account` should next be refreshed, if at all.
pub fn next_refresh_at(account: &Account, status: &AccountStatus) -> Option<SystemTime> {
    let token = status.token.as_ref()?;
    if status.needs_relink || !token.has_refresh_token {
        return None;
    }
    let lifetime = token
        .expires_at
        .and_then(|at| at.duration_since(token.obtained_at).ok());
    let ahead_of_expiry = token
        .expires_at
        .map(|at| earlier(at, refresh_lead(lifetime.unwrap_or_default())));
    let at_least = account
        .refresh_at_least
        .map(|secs| later(token.obtained_at, Duration::from_secs(secs)));
    let due = match (ahead_of_expiry, at_least) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b)?,
    };
    // Never more often than a quarter-lifetime; a minute when the lifetime is unknown (a
    // hand-edited `refresh_at_least = 0` must not refresh back to back).
    let floor = later(
        token.obtained_at,
        lifetime.map_or(UNKNOWN_LIFETIME_FLOOR, |l| l / 4),
    );
    let due = due.max(floor);
    Some(match status.retry_at {
        Some(retry) => due.max(retry),
        None => due,
    })
}

/// When the engine refreshes `name` on its own: [`next_refresh_at`], moved later by the
/// account's share of a spread window — a tenth of the refresh lead, at most [`MAX_SPREAD`], and
/// never past expiry. The share comes from the name, so it is the same in every process and on
/// every run; and because each refresh starts the next lifetime late by that share, accounts
/// linked together drift further apart with every round instead of meeting again.
pub fn scheduled_at(name: &str, account: &Account, status: &AccountStatus) -> Option<SystemTime> {
    let due = next_refresh_at(account, status)?;
    let Some(expires_at) = status.token.as_ref().and_then(|t| t.expires_at) else {
        return Some(due);
    };
    let lifetime = status
        .token
        .as_ref()
        .and_then(|t| expires_at.duration_since(t.obtained_at).ok())
        .unwrap_or_default();
    let window = (refresh_lead(lifetime) / 10).min(MAX_SPREAD);
    let room = expires_at.duration_since(due).unwrap_or_default();
    Some(later(due, spread(name, window).min(room)))
}

/// `name`'s place in `window`: a stable hash (FNV-1a, not the standard library's, whose output
/// may change between releases) scaled to the window. FNV's high bits barely move when only a
/// name's last character differs (`user1`, `user2`…), so they are mixed through a finalizer
/// (MurmurHash3's) before use.
pub fn spread(name: &str, window: Duration) -> Duration {
    let mut hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    hash ^= hash >> 33;
    let share = (hash >> 11) as f64 / (1u64 << 53) as f64;
    window.mul_f64(share)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::{Provider, Tokens};
    use std::time::UNIX_EPOCH;

    fn account(refresh_at_least: Option<u64>) -> Account {
        Account {
            kind: "custom".into(),
            client_id: "id".into(),
            redirect_uri: "http://127.0.0.1:1/cb".into(),
            scopes: vec![],
            auth_method: crate::oauth::AuthMethod::None,
            params: Default::default(),
            api_url: None,
            mail_user: None,
            refresh_at_least,
            refresh_token_lifetime: None,
            shared: false,
            git: Default::default(),
            hooks: Default::default(),
            provider: Provider::new("https://as.example/a", "https://as.example/t").unwrap(),
        }
    }

    fn status(lifetime: u64) -> (AccountStatus, SystemTime) {
        let t0 = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let tokens = Tokens::new("a", t0)
            .with_refresh_token("r")
            .with_expires_at(Some(t0 + Duration::from_secs(lifetime)));
        let mut status = AccountStatus::default();
        status.record_tokens(&tokens, false, t0);
        (status, t0)
    }

    #[test]
    fn refreshes_a_lead_before_expiry() {
        let (status, t0) = status(9 * 3600);
        let due = next_refresh_at(&account(None), &status).unwrap();
        assert_eq!(due, t0 + Duration::from_secs(9 * 3600 - 300));
    }

    #[test]
    fn short_tokens_are_not_refreshed_in_a_loop() {
        // pizauth's trap: a 90 s lead against 20 s tokens. Here: half the lifetime at most.
        let (status, t0) = status(20);
        let due = next_refresh_at(&account(None), &status).unwrap();
        assert_eq!(due, t0 + Duration::from_secs(10));
        // And never before a quarter of the lifetime, even when asked for "at least" often.
        let due = next_refresh_at(&account(Some(1)), &status).unwrap();
        assert_eq!(due, t0 + Duration::from_secs(5));
    }

    #[test]
    fn a_token_without_expiry_is_not_refreshed_back_to_back() {
        let t0 = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let mut status = AccountStatus::default();
        status.record_tokens(&Tokens::new("a", t0).with_refresh_token("r"), false, t0);
        let due = next_refresh_at(&account(Some(0)), &status).unwrap();
        assert_eq!(due, t0 + Duration::from_secs(60));
    }

    #[test]
    fn refresh_at_least_beats_a_far_expiry() {
        let (status, t0) = status(20 * 86_400);
        let due = next_refresh_at(&account(Some(7 * 86_400)), &status).unwrap();
        assert_eq!(due, t0 + Duration::from_secs(7 * 86_400));
    }

    #[test]
    fn backoff_and_dead_grants_are_respected() {
        let (mut status, t0) = status(3600);
        status.record_failure(
            crate::oauth::ErrorKind::Transient,
            "503",
            Some(Duration::from_secs(4000)),
            t0,
        );
        assert_eq!(
            next_refresh_at(&account(None), &status),
            Some(t0 + Duration::from_secs(4000))
        );
        status.record_failure(
            crate::oauth::ErrorKind::NeedsReauthorization,
            "gone",
            None,
            t0,
        );
        assert_eq!(next_refresh_at(&account(None), &status), None);
        assert_eq!(
            next_refresh_at(&account(None), &AccountStatus::default()),
            None
        );
    }

    #[test]
    fn a_thousand_tokens_issued_together_are_not_refreshed_in_the_same_second() {
        // Verizon's 9 h tokens: a 5 min lead, so a 30 s window.
        let (status, t0) = status(9 * 3600);
        let due = t0 + Duration::from_secs(9 * 3600 - 300);
        let mut seconds = std::collections::BTreeMap::<u64, u32>::new();
        for i in 0..1000 {
            let at = scheduled_at(&format!("user{i}"), &account(None), &status).unwrap();
            let offset = at.duration_since(due).unwrap();
            assert!(offset <= MAX_SPREAD, "{offset:?}");
            *seconds.entry(offset.as_secs()).or_default() += 1;
        }
        // Spread over the whole window, none of its seconds holding much more than its share.
        assert_eq!(seconds.len(), 30, "{seconds:?}");
        assert!(seconds.values().all(|&n| n < 70), "{seconds:?}");
        // The same name, the same place: every process agrees, every run.
        assert_eq!(
            scheduled_at("user7", &account(None), &status),
            scheduled_at("user7", &account(None), &status)
        );
    }

    #[test]
    fn the_spread_never_passes_expiry() {
        // A backoff that ends after expiry: the refresh is not delayed further by the spread.
        let (mut failing, t0) = status(3600);
        let retry = t0 + Duration::from_secs(3600 + 10);
        failing.record_failure(
            crate::oauth::ErrorKind::Transient,
            "503",
            Some(Duration::from_secs(3610)),
            t0,
        );
        assert_eq!(scheduled_at("x", &account(None), &failing), Some(retry));
        // Short tokens: a 20 s lifetime has a 10 s lead and a 1 s window.
        let (short, t0) = status(20);
        let at = scheduled_at("x", &account(None), &short).unwrap();
        assert!(at >= t0 + Duration::from_secs(10) && at < t0 + Duration::from_secs(11));
    }
}
