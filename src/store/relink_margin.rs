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

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::time::Duration;

    use crate::store::{Accounts, StoreError};

    #[test]
    fn a_hand_written_margin_is_read_and_a_wrong_one_named_by_its_line() {
        let path = Path::new("accounts.toml");
        let read = Accounts::parse(b"relink_margin = \"3d\"\n", path).unwrap();
        assert_eq!(read.relink_margin(), Duration::from_secs(3 * 86_400));
        let default = Accounts::parse(b"", path).unwrap();
        assert_eq!(default.relink_margin(), super::DEFAULT_RELINK_MARGIN);
        let wrong = Accounts::parse(b"\nrelink_margin = \"soon\"\n", path).unwrap_err();
        assert!(
            matches!(&wrong, StoreError::CorruptAccounts { line: 2, problem, .. }
                if problem.contains("is not a span of time like \"2d\"")),
            "{wrong:?}"
        );
    }
}
