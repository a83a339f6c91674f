//! The `Retry-After` header (RFC 9110 §10.2.3): how long a busy server asked tokendeck to wait,
//! read as delay-seconds or an HTTP date, and capped.

use std::time::{Duration, SystemTime};

/// The longest tokendeck waits because a server asked it to.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

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
    use std::time::UNIX_EPOCH;

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
    use std::time::UNIX_EPOCH;

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
    }
}
