//! Time and durations, the one leaf every room uses (it imports nothing of the crate): arithmetic
//! on values that came from outside — `expires_in`, `Retry-After`, hand-edited files — saturating
//! instead of panicking, and times and durations written for people (the CLI and the TUI alike):
//! times in the user's own time zone (`TZ`, else the system's), durations short. Machine-readable
//! output (`--json`, the files) keeps RFC 3339 in UTC.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use jiff::Timestamp;
use jiff::tz::TimeZone;

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

/// `42s`, `3m 05s`, `2h 10m`, `3d 4h`.
pub fn short_duration(secs: u64) -> String {
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m {:02}s", secs / 60, secs % 60),
        3600..86_400 => format!("{}h {:02}m", secs / 3600, secs % 3600 / 60),
        _ => format!("{}d {}h", secs / 86_400, secs % 86_400 / 3600),
    }
}

/// Whole seconds from `now` until `at`, rounded down; 0 once `at` has passed. The one rounding
/// rule for every remaining time tokendeck shows (CLI and TUI, tokens, codes, backoffs): 19.6 s
/// left reads `19s`, so a countdown never shows a second that has already begun to run out —
/// never `20s` and then `18s`.
pub fn seconds_left(at: SystemTime, now: SystemTime) -> u64 {
    at.duration_since(now).map_or(0, |left| left.as_secs())
}

/// Seconds from `now` to `at`, rounded down (towards the past) as [`seconds_left`] is: negative
/// once `at` has passed, so that 0.4 s past an expiry reads -1, never 0.
pub fn seconds_until(at: SystemTime, now: SystemTime) -> i64 {
    match at.duration_since(now) {
        Ok(left) => i64::try_from(left.as_secs()).unwrap_or(i64::MAX),
        Err(past) => {
            let past = past.duration();
            let whole = i64::try_from(past.as_secs()).unwrap_or(i64::MAX);
            match past.subsec_nanos() {
                0 => -whole,
                _ => -whole.saturating_add(1),
            }
        }
    }
}

/// `in 3m 05s` before `at`, `5s ago` after it.
pub fn relative(at: SystemTime, now: SystemTime) -> String {
    match at.duration_since(now) {
        Ok(left) if left.as_secs() == 0 => "just now".into(),
        Ok(left) => format!("in {}", short_duration(left.as_secs())),
        Err(past) if past.duration().as_secs() == 0 => "just now".into(),
        Err(past) => format!("{} ago", short_duration(past.duration().as_secs())),
    }
}

/// RFC 3339 in UTC, to the second: for `--json` and files, never for people.
pub fn rfc3339(t: SystemTime) -> String {
    // Past year 9999 (a hand-edited file) RFC 3339 has no way to write it: say the latest.
    humantime::format_rfc3339_seconds(showable(t)).to_string()
}

/// The user's time zone: `TZ` when set (an unknown name reads as UTC, as `date` does), else the
/// system's (`/etc/localtime`), else UTC. Read once per call: a long-lived process keeps the
/// zone it was given.
pub fn local_zone() -> TimeZone {
    TimeZone::try_system().unwrap_or(TimeZone::UTC)
}

fn zoned(t: SystemTime, zone: &TimeZone) -> jiff::ZonedDateTime {
    let t = showable(t);
    // `showable` keeps `t` inside RFC 3339's years, which are inside jiff's.
    Timestamp::try_from(t)
        .unwrap_or(Timestamp::MAX)
        .to_zoned_datetime(zone.clone())
}

/// `HH:MM:SS` on the wall clock of `zone`.
pub fn clock(t: SystemTime, zone: &TimeZone) -> String {
    zoned(t, zone).strftime("%H:%M:%S").to_string()
}

/// `2026-11-28 16:45:02 JST`: a full local time, with the zone's abbreviation (which tells the two
/// 01:30s of a night when clocks go back apart).
pub fn date_time(t: SystemTime, zone: &TimeZone) -> String {
    zoned(t, zone).strftime("%Y-%m-%d %H:%M:%S %Z").to_string()
}

/// `16:45:02 JST` on the day of `now`, else `Dec 12 16:45 JST` within the year, else the date in
/// full: as much as is needed to place `t` for someone reading at `now`.
pub fn near(t: SystemTime, now: SystemTime, zone: &TimeZone) -> String {
    format!(
        "{} {}",
        near_clock(t, now, zone),
        zone_abbreviation(t, zone)
    )
}

/// [`near`] without the zone, for lines under a title that names it (the live log).
pub fn near_clock(t: SystemTime, now: SystemTime, zone: &TimeZone) -> String {
    let (at, today) = (zoned(t, zone), zoned(now, zone));
    let format = if at.date() == today.date() {
        "%H:%M:%S"
    } else if at.year() == today.year() {
        "%b %-d %H:%M"
    } else {
        "%Y-%m-%d %H:%M"
    };
    at.strftime(format).to_string()
}

/// The zone's abbreviation at `t` (`JST`, `EST`/`EDT`, `UTC`), or its offset when it has none.
pub fn zone_abbreviation(t: SystemTime, zone: &TimeZone) -> String {
    zoned(t, zone).strftime("%Z").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(name: &str) -> TimeZone {
        TimeZone::get(name).expect("zone in the database")
    }

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
    fn reads_well() {
        assert_eq!(short_duration(42), "42s");
        assert_eq!(short_duration(185), "3m 05s");
        assert_eq!(short_duration(7800), "2h 10m");
        assert_eq!(short_duration(273_600), "3d 4h");
        let t = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        assert_eq!(clock(t, &TimeZone::UTC), "08:00:00");
        assert_eq!(relative(t, t + Duration::from_secs(5)), "5s ago");
        assert_eq!(relative(t + Duration::from_secs(65), t), "in 1m 05s");
    }

    /// A countdown read at any moments, in order, never goes up and never shows more than is
    /// left: 19.6 s reads 19s, one second later 18s.
    #[test]
    fn every_remaining_time_is_rounded_down() {
        let at = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let before = |ms: u64| at - Duration::from_millis(ms);
        assert_eq!(seconds_left(at, before(19_600)), 19);
        assert_eq!(seconds_left(at, before(18_600)), 18);
        assert_eq!(seconds_left(at, before(20_000)), 20);
        assert_eq!(seconds_left(at, at + Duration::from_millis(400)), 0);
        assert_eq!(seconds_until(at, before(19_600)), 19);
        assert_eq!(seconds_until(at, at), 0);
        assert_eq!(seconds_until(at, at + Duration::from_millis(400)), -1);
        assert_eq!(seconds_until(at, at + Duration::from_secs(2)), -2);
        let mut shown = u64::MAX;
        for ms in (0..25_000).rev().step_by(137) {
            let left = seconds_left(at, before(ms));
            assert!(left <= shown, "{ms} ms before: {left} after {shown}");
            assert!(
                left * 1000 <= ms,
                "{ms} ms before: {left}s is more than is left"
            );
            shown = left;
        }
    }

    #[test]
    fn one_instant_on_three_clocks() {
        // 2027-01-15T08:00:00Z
        let t = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        assert_eq!(date_time(t, &TimeZone::UTC), "2027-01-15 08:00:00 UTC");
        assert_eq!(date_time(t, &zone("Asia/Tokyo")), "2027-01-15 17:00:00 JST");
        assert_eq!(
            date_time(t, &zone("America/New_York")),
            "2027-01-15 03:00:00 EST"
        );
        assert_eq!(rfc3339(t), "2027-01-15T08:00:00Z", "files stay in UTC");
    }

    #[test]
    fn the_night_clocks_go_back_reads_in_order() {
        // New York, 2026-11-01: 01:59:59 EDT is followed by 01:00:00 EST (06:00 UTC).
        let ny = zone("America/New_York");
        let change = UNIX_EPOCH + Duration::from_secs(1_793_512_800);
        let before = change - Duration::from_secs(1800);
        let after = change + Duration::from_secs(1800);
        assert_eq!(date_time(before, &ny), "2026-11-01 01:30:00 EDT");
        assert_eq!(date_time(after, &ny), "2026-11-01 01:30:00 EST");
        assert_eq!(zone_abbreviation(before, &ny), "EDT");
        assert_eq!(zone_abbreviation(after, &ny), "EST");
        // And forward in spring: 2027-03-14, 02:00 EST becomes 03:00 EDT (07:00 UTC).
        let spring = UNIX_EPOCH + Duration::from_secs(1_805_007_600);
        assert_eq!(clock(spring - Duration::from_secs(1), &ny), "01:59:59");
        assert_eq!(clock(spring, &ny), "03:00:00");
    }

    #[test]
    fn near_says_as_much_as_is_needed() {
        let tokyo = zone("Asia/Tokyo");
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000); // 17:00 JST, Jan 15
        let soon = now + Duration::from_secs(3600);
        assert_eq!(near(soon, now, &tokyo), "18:00:00 JST");
        let later = now + Duration::from_secs(14 * 86_400);
        assert_eq!(near(later, now, &tokyo), "Jan 29 17:00 JST");
        let next_year = now + Duration::from_secs(400 * 86_400);
        assert_eq!(near(next_year, now, &tokyo), "2028-02-19 17:00 JST");
        // Past midnight in Tokyo but not in UTC: another day for the person in Tokyo.
        let midnight = now + Duration::from_secs(7 * 3600 + 60);
        assert_eq!(near(midnight, now, &tokyo), "Jan 16 00:01 JST");
        assert_eq!(near_clock(midnight, now, &tokyo), "Jan 16 00:01");
    }

    #[test]
    fn the_far_future_is_written_not_panicked_on() {
        let far = UNIX_EPOCH + Duration::from_secs(400_000_000_000);
        // The latest instant every zone can still write (jiff's bound), not a wrap-around.
        assert_eq!(date_time(far, &TimeZone::UTC), "9999-12-30 22:00:00 UTC");
        assert!(!date_time(far, &zone("Asia/Tokyo")).is_empty());
    }
    /// Every duration a person reads is written by [`short_duration`] (`33s`, `2m 00s`), never
    /// by a message of its own (`33 s`): a `{…} s` in a string of the source is one.
    #[test]
    fn no_message_writes_a_duration_its_own_way() {
        fn scan(dir: &std::path::Path, found: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).expect("src") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    scan(&path, found);
                } else if path.extension().is_some_and(|e| e == "rs")
                    && !path.ends_with("src/time.rs")
                {
                    let source = std::fs::read_to_string(&path).expect("source");
                    for (n, line) in source.lines().enumerate() {
                        let own = line.match_indices("} s").any(|(at, _)| {
                            line[at + 3..].starts_with(|c: char| !c.is_alphanumeric())
                        });
                        if own {
                            found.push(format!("{}:{}: {line}", path.display(), n + 1));
                        }
                    }
                }
            }
        }
        let mut found = Vec::new();
        scan(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut found,
        );
        assert!(found.is_empty(), "{}", found.join("\n"));
    }
}

#[cfg(test)]
mod properties {
    //! Arithmetic on any duration never panics, and whatever it gives can be written.

    use proptest::prelude::*;

    use super::*;
    use crate::properties::config;

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn time_arithmetic_never_panics(secs in any::<u64>(), nanos in 0u32..1_000_000_000, base in any::<u32>()) {
            let d = Duration::new(secs, nanos);
            let t = UNIX_EPOCH + Duration::from_secs(u64::from(base));
            prop_assert!(later(t, d) >= t);
            prop_assert!(earlier(t, d) <= t);
            let _ = later_instant(Instant::now(), d);
            let _ = rfc3339(later(t, d));
        }
    }
}
