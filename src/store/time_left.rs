//! How long an account's access token has left, in the words both faces show: one wording, so
//! the CLI and the TUI cannot tell the same fact two ways.

use std::time::{Duration, SystemTime};

use super::status::AccountStatus;
use crate::time::short_duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeLeft {
    /// Never linked, or its tokens are gone.
    NoToken,
    /// The provider did not say when the token expires.
    NoExpiry,
    Left(Duration),
    Expired(Duration),
}

impl TimeLeft {
    pub fn of(status: &AccountStatus, now: SystemTime) -> TimeLeft {
        let Some(token) = &status.token else {
            return TimeLeft::NoToken;
        };
        match token.expires_at.map(|at| at.duration_since(now)) {
            None => TimeLeft::NoExpiry,
            Some(Ok(left)) => TimeLeft::Left(left),
            Some(Err(past)) => TimeLeft::Expired(past.duration()),
        }
    }

    pub fn label(self) -> String {
        match self {
            TimeLeft::NoToken => "-".into(),
            TimeLeft::NoExpiry => "no expiry".into(),
            // Whole seconds rounded down, as every remaining time is (crate::time::seconds_left).
            TimeLeft::Left(left) => format!("{} left", short_duration(left.as_secs())),
            TimeLeft::Expired(past) => format!("expired {} ago", short_duration(past.as_secs())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::status::TokenInfo;

    fn status(expires_at: Option<SystemTime>) -> AccountStatus {
        AccountStatus {
            token: Some(TokenInfo {
                obtained_at: SystemTime::UNIX_EPOCH,
                expires_at,
                scope: None,
                token_type: "Bearer".into(),
                has_refresh_token: true,
                refresh_issued_at: None,
                refresh_expires_at: None,
            }),
            ..AccountStatus::default()
        }
    }

    #[test]
    fn says_which_side_of_the_expiry_it_is() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(10_000);
        let at = |secs| Some(SystemTime::UNIX_EPOCH + Duration::from_secs(secs));
        let label = |s: &AccountStatus| TimeLeft::of(s, now).label();
        assert_eq!(label(&status(at(10_200))), "3m 20s left");
        assert_eq!(label(&status(at(9_940))), "expired 1m 00s ago");
        assert_eq!(label(&status(None)), "no expiry");
        assert_eq!(label(&AccountStatus::default()), "-");
    }
}
