//! When an account's grant will die: the forecast of its refresh token's death, from what the
//! provider said, else the lifetime the person gave (`--refresh-token-lifetime`), else the one its
//! preset documents — each counted from when the held refresh token was issued — and whether it
//! is near enough to warn that the account must be linked again.

use std::time::{Duration, SystemTime};

use super::accounts::Account;
use super::status::AccountStatus;
use crate::oauth::presets::Preset;
use crate::time::later;

pub use super::relink_margin::DEFAULT_RELINK_MARGIN;

/// Where a forecast comes from, most trusted first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ForecastSource {
    /// The provider's answer (`refresh_token_expires_in`, `refresh_expires_in`).
    Provider,
    /// The account's `--refresh-token-lifetime`.
    Setting,
    /// The preset's documented lifetime; `source` names the document.
    Preset { id: String, source: String },
}

impl ForecastSource {
    /// The stable name `--json` gives it.
    pub fn id(&self) -> &'static str {
        match self {
            ForecastSource::Provider => "provider",
            ForecastSource::Setting => "setting",
            ForecastSource::Preset { .. } => "preset",
        }
    }
}

/// When the held refresh token is expected to die, and how that is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Forecast {
    pub dies_at: SystemTime,
    pub source: ForecastSource,
}

impl Forecast {
    /// The forecast for `account` with `status`; none when no refresh token is held or nothing
    /// says how long it lives. The provider's word beats the person's, which beats the preset's
    /// (a preset documents the common case: Google's 7 days are an app in testing's).
    pub fn of(account: &Account, status: &AccountStatus) -> Option<Forecast> {
        let token = status.token.as_ref().filter(|t| t.has_refresh_token)?;
        if let Some(dies_at) = token.refresh_expires_at {
            return Some(Forecast {
                dies_at,
                source: ForecastSource::Provider,
            });
        }
        // Tokens stored before tokendeck kept when their refresh token was issued: the latest
        // answer is the best guess left.
        let issued_at = token.refresh_issued_at.unwrap_or(token.obtained_at);
        let (lifetime, source) = match account.refresh_token_lifetime.filter(|s| *s > 0) {
            Some(lifetime) => (lifetime, ForecastSource::Setting),
            None => {
                let preset = Preset::find(&account.kind)?;
                let lifetime = preset.refresh_token_lifetime?;
                let source = preset.refresh_token_lifetime_source.unwrap_or(preset.name);
                (
                    lifetime,
                    ForecastSource::Preset {
                        id: preset.id,
                        source,
                    },
                )
            }
        };
        Some(Forecast {
            dies_at: later(issued_at, Duration::from_secs(lifetime)),
            source,
        })
    }

    /// Whether less than `margin` is left at `now` (or the grant is already past its forecast
    /// death): time to link again.
    pub fn is_near(&self, now: SystemTime, margin: Duration) -> bool {
        later(now, margin) >= self.dies_at
    }
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use super::*;
    use crate::oauth::Tokens;
    use crate::store::accounts::tests::account;

    const DAY: u64 = 86_400;

    fn t0() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_800_000_000)
    }

    fn status(tokens: Tokens) -> AccountStatus {
        let mut status = AccountStatus::default();
        status.record_link(&tokens, t0());
        status
    }

    fn linked() -> Tokens {
        Tokens::new("a", t0()).with_refresh_token("r")
    }

    #[test]
    fn the_providers_word_beats_the_setting_which_beats_the_preset() {
        let mut microsoft = account();
        microsoft.kind = "microsoft".into();
        let preset = Forecast::of(&microsoft, &status(linked())).unwrap();
        assert_eq!(preset.dies_at, t0() + Duration::from_secs(90 * DAY));
        assert!(
            matches!(&preset.source, ForecastSource::Preset { id, source }
            if id == "microsoft" && source.contains("90 days"))
        );
        microsoft.refresh_token_lifetime = Some(7 * DAY);
        let set = Forecast::of(&microsoft, &status(linked())).unwrap();
        assert_eq!(
            (set.dies_at, set.source),
            (t0() + Duration::from_secs(7 * DAY), ForecastSource::Setting)
        );
        let said = t0() + Duration::from_secs(3 * DAY);
        let provider = Forecast::of(
            &microsoft,
            &status(linked().with_refresh_expires_at(Some(said))),
        )
        .unwrap();
        assert_eq!(
            (provider.dies_at, provider.source),
            (said, ForecastSource::Provider)
        );
    }

    #[test]
    fn no_forecast_without_a_refresh_token_or_a_lifetime() {
        assert_eq!(Forecast::of(&account(), &status(linked())), None);
        let mut set = account();
        set.refresh_token_lifetime = Some(DAY);
        assert_eq!(
            Forecast::of(&set, &status(Tokens::new("a", t0()))),
            None,
            "no refresh token: nothing to die but the access token"
        );
        assert_eq!(Forecast::of(&set, &AccountStatus::default()), None);
    }

    #[test]
    fn the_warning_starts_a_margin_before_the_death() {
        let forecast = Forecast {
            dies_at: t0() + Duration::from_secs(10 * DAY),
            source: ForecastSource::Setting,
        };
        let margin = DEFAULT_RELINK_MARGIN;
        assert!(!forecast.is_near(t0() + Duration::from_secs(8 * DAY - 1), margin));
        assert!(forecast.is_near(t0() + Duration::from_secs(8 * DAY), margin));
        assert!(forecast.is_near(t0() + Duration::from_secs(11 * DAY), margin));
    }
}
