//! How long before a grant's forecast death to warn: the default, and the accounts file's
//! `relink_margin = "2d"` written for people.

use std::time::Duration;

/// How long before a forecast death tokendeck warns, unless the accounts file says otherwise
/// (`relink_margin`): two days, time to link again on a working day.
pub const DEFAULT_RELINK_MARGIN: Duration = Duration::from_secs(2 * 86_400);

/// Serde for a span of time written for people (`"2d"`, `"36h"`), as `humantime` reads it.
pub mod span {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(span: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match span {
            Some(span) => s.serialize_str(&humantime::format_duration(*span).to_string()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        let text = String::deserialize(d)?;
        humantime::parse_duration(text.trim())
            .map(Some)
            .map_err(|e| {
                serde::de::Error::custom(format!(
                    "{text:?} is not a span of time like \"2d\" ({e})"
                ))
            })
    }
}
