//! How durations and times are written for people (the CLI and the TUI alike).

use std::time::SystemTime;

/// `42s`, `3m 05s`, `2h 10m`, `3d 4h`.
pub fn short_duration(secs: u64) -> String {
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m {:02}s", secs / 60, secs % 60),
        3600..86_400 => format!("{}h {:02}m", secs / 3600, secs % 3600 / 60),
        _ => format!("{}d {}h", secs / 86_400, secs % 86_400 / 3600),
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

/// RFC 3339 in UTC, to the second.
pub fn rfc3339(t: SystemTime) -> String {
    // Past year 9999 (a hand-edited file) RFC 3339 has no way to write it: say the latest.
    humantime::format_rfc3339_seconds(crate::oauth::time::showable(t)).to_string()
}

/// `HH:MM:SS` in UTC.
pub fn clock(t: SystemTime) -> String {
    let text = rfc3339(t);
    text.get(11..19).unwrap_or(&text).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn reads_well() {
        assert_eq!(short_duration(42), "42s");
        assert_eq!(short_duration(185), "3m 05s");
        assert_eq!(short_duration(7800), "2h 10m");
        assert_eq!(short_duration(273_600), "3d 4h");
        let t = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        assert_eq!(clock(t), "08:00:00");
        assert_eq!(relative(t, t + Duration::from_secs(5)), "5s ago");
        assert_eq!(relative(t + Duration::from_secs(65), t), "in 1m 05s");
    }
}
