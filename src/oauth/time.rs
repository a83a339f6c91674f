//! Time arithmetic on values that came from outside — `expires_in`, `Retry-After`, hand-edited
//! files — saturating instead of panicking, and the `Retry-After` header read as RFC 9110 has it.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The longest tokendeck waits because a server asked it to.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// A cap for durations added to instants: beyond it, "later" means "much later" all the same.
const FAR: Duration = Duration::from_secs(100 * 365 * 86_400);

/// The last second people write dates for (9999-12-31T23:59:59Z): later times cannot be shown
/// in RFC 3339, and none that matter to tokens is anywhere near it.
pub const LATEST: Duration = Duration::from_secs(253_402_300_799);

/// A time read as seconds since the Unix epoch (a status file, a keyring record — both may have
/// been edited by hand), if it is one: not negative, not NaN, not past [`LATEST`].
pub fn from_unix_seconds(seconds: f64) -> Option<SystemTime> {
    let since = Duration::try_from_secs_f64(seconds).ok()?;
    (since <= LATEST).then(|| UNIX_EPOCH + since)
}

/// `t`, brought back to [`LATEST`] when it is later: what can be shown.
pub fn showable(t: SystemTime) -> SystemTime {
    t.min(UNIX_EPOCH + LATEST)
}

/// `t + d`, or a time far in the future when that would overflow.
pub fn later(t: SystemTime, d: Duration) -> SystemTime {
    t.checked_add(d).or_else(|| t.checked_add(FAR)).unwrap_or(t)
}

/// `t - d`, or the Unix epoch when that would go before it.
pub fn earlier(t: SystemTime, d: Duration) -> SystemTime {
    t.checked_sub(d).unwrap_or(UNIX_EPOCH).max(UNIX_EPOCH)
}

/// `t + d` on the monotonic clock, saturating like [`later`].
pub fn later_instant(t: Instant, d: Duration) -> Instant {
    t.checked_add(d).or_else(|| t.checked_add(FAR)).unwrap_or(t)
}

/// What a `Retry-After` header asked for, and what tokendeck will wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryAfter {
    /// The wait, at most [`MAX_RETRY_AFTER`].
    pub wait: Duration,
    /// Set when the server asked for longer than the cap: how long it asked for.
    pub asked: Option<Duration>,
}

impl RetryAfter {
    /// A wait the server asked for, capped.
    pub fn capped(asked: Duration) -> RetryAfter {
        if asked > MAX_RETRY_AFTER {
            RetryAfter {
                wait: MAX_RETRY_AFTER,
                asked: Some(asked),
            }
        } else {
            RetryAfter {
                wait: asked,
                asked: None,
            }
        }
    }

    /// Reads a `Retry-After` value: delay-seconds or an HTTP-date (RFC 9110 §10.2.3). A date in
    /// the past means "now"; anything else unreadable is ignored.
    pub fn parse(value: &str, now: SystemTime) -> Option<RetryAfter> {
        let value = value.trim();
        if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
            // More digits than a u64 holds is still "a very long time".
            let seconds = value.parse::<u64>().unwrap_or(u64::MAX);
            return Some(RetryAfter::capped(Duration::from_secs(seconds)));
        }
        let at = httpdate::parse_http_date(value).ok()?;
        Some(RetryAfter::capped(
            at.duration_since(now).unwrap_or_default(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_on_absurd_values_saturates() {
        let now = SystemTime::now();
        assert!(later(now, Duration::from_secs(u64::MAX)) > now);
        assert!(later(now, Duration::MAX) > now);
        assert_eq!(earlier(now, Duration::MAX), UNIX_EPOCH);
        let instant = Instant::now();
        assert!(later_instant(instant, Duration::from_secs(u64::MAX)) > instant);
    }

    #[test]
    fn times_from_files_are_bounded() {
        assert_eq!(from_unix_seconds(0.0), Some(UNIX_EPOCH));
        for bad in [-1.0, f64::NAN, f64::INFINITY, 1e19, 1e12] {
            assert_eq!(from_unix_seconds(bad), None, "{bad}");
        }
        let far = later(SystemTime::now(), Duration::MAX);
        assert!(showable(far) <= UNIX_EPOCH + LATEST);
    }

    #[test]
    fn retry_after_reads_seconds_and_dates_and_is_capped() {
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let s = Duration::from_secs;
        assert_eq!(
            RetryAfter::parse("120", now),
            Some(RetryAfter::capped(s(120)))
        );
        assert_eq!(RetryAfter::parse(" 0 ", now).map(|r| r.wait), Some(s(0)));
        let huge = RetryAfter::parse("18446744073709551615", now).unwrap();
        assert_eq!(huge.wait, MAX_RETRY_AFTER);
        assert_eq!(huge.asked, Some(s(u64::MAX)));
        let huger = RetryAfter::parse("99999999999999999999999999", now).unwrap();
        assert_eq!(huger.wait, MAX_RETRY_AFTER);
        let date = httpdate::fmt_http_date(now + s(90));
        assert_eq!(RetryAfter::parse(&date, now).map(|r| r.wait), Some(s(90)));
        let past = httpdate::fmt_http_date(now - s(90));
        assert_eq!(RetryAfter::parse(&past, now).map(|r| r.wait), Some(s(0)));
        let far = httpdate::fmt_http_date(now + s(86_400));
        assert_eq!(RetryAfter::parse(&far, now).unwrap().wait, MAX_RETRY_AFTER);
        for junk in ["", "-5", "1.5", "soon", "Wed, 99 Foo 2020"] {
            assert_eq!(RetryAfter::parse(junk, now), None, "{junk:?}");
        }
    }
}

#[cfg(test)]
mod properties {
    //! Properties of the `Retry-After` reader: whatever a server sends, it never panics, never
    //! waits longer than the cap, says so when it capped, and reads back what it is given.

    use proptest::prelude::*;

    use super::*;
    use crate::properties::{config, text};

    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_800_000_000)
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn any_header_is_read_without_panic_and_within_the_cap(value in prop_oneof![
            text(40),
            "[0-9]{1,30}",
            "[ ]{0,2}[0-9]{1,25}[ ]{0,2}",
            any::<u64>().prop_map(|n| n.to_string()),
        ]) {
            if let Some(retry) = RetryAfter::parse(&value, now()) {
                prop_assert!(retry.wait <= MAX_RETRY_AFTER);
                match retry.asked {
                    Some(asked) => prop_assert!(asked > MAX_RETRY_AFTER && retry.wait == MAX_RETRY_AFTER),
                    None => prop_assert!(retry.wait <= MAX_RETRY_AFTER),
                }
            }
        }

        #[test]
        fn seconds_and_dates_read_back(seconds in 0u64..=2 * 3600) {
            let wait = Duration::from_secs(seconds);
            let as_seconds = RetryAfter::parse(&seconds.to_string(), now()).unwrap();
            prop_assert_eq!(as_seconds, RetryAfter::capped(wait));
            let date = httpdate::fmt_http_date(now() + wait);
            let as_date = RetryAfter::parse(&date, now()).unwrap();
            prop_assert_eq!(as_date, RetryAfter::capped(wait));
        }

        #[test]
        fn time_arithmetic_never_panics(secs in any::<u64>(), nanos in 0u32..1_000_000_000, base in any::<u32>()) {
            let d = Duration::new(secs, nanos);
            let t = UNIX_EPOCH + Duration::from_secs(u64::from(base));
            prop_assert!(later(t, d) >= t);
            prop_assert!(earlier(t, d) <= t);
            let _ = later_instant(Instant::now(), d);
            let _ = crate::format::rfc3339(later(t, d));
        }
    }
}
