//! The daemon's watch over grants about to end: an account whose forecast death is less than
//! the margin away is told of — a log line and a desktop notification — at most once a day, so
//! that a person who cannot link again at once is reminded, not pestered.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use crate::store::Forecast;

/// How often one account's coming end is told again while it lasts.
pub const TELL_EVERY: Duration = Duration::from_secs(86_400);

/// When each account whose grant ends soon was last told of.
#[derive(Debug, Default)]
pub struct GrantWatch {
    told: BTreeMap<String, SystemTime>,
}

impl GrantWatch {
    /// A look at every account's forecast: those to tell of now. An account no longer near its
    /// end (linked again, or removed) is forgotten, so that its next end is told at once.
    pub fn looked<'a>(
        &mut self,
        forecasts: impl IntoIterator<Item = (&'a str, Option<Forecast>)>,
        margin: Duration,
        now: SystemTime,
    ) -> Vec<(String, Forecast)> {
        let mut near = BTreeMap::new();
        for (name, forecast) in forecasts {
            if let Some(forecast) = forecast.filter(|f| f.is_near(now, margin)) {
                near.insert(name.to_string(), forecast);
            }
        }
        self.told.retain(|name, _| near.contains_key(name));
        near.into_iter()
            .filter(|(name, _)| {
                let due = self.told.get(name).is_none_or(|at| {
                    now.duration_since(*at)
                        .is_ok_and(|since| since >= TELL_EVERY)
                });
                if due {
                    self.told.insert(name.clone(), now);
                }
                due
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ForecastSource;

    fn ending(at: SystemTime) -> Option<Forecast> {
        Some(Forecast {
            dies_at: at,
            source: ForecastSource::Provider,
        })
    }

    #[test]
    fn a_grant_ending_soon_is_told_at_most_once_a_day() {
        let mut watch = GrantWatch::default();
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let after = |s| t0 + Duration::from_secs(s);
        let margin = Duration::from_secs(2 * 86_400);
        let end = after(86_400);
        let told = watch.looked(
            [("work", ending(end)), ("far", ending(after(9 * 86_400)))],
            margin,
            t0,
        );
        assert_eq!(
            told.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
            ["work"]
        );
        assert!(
            watch
                .looked([("work", ending(end))], margin, after(3600))
                .is_empty()
        );
        assert!(
            watch
                .looked([("work", ending(end))], margin, after(86_399))
                .is_empty()
        );
        assert_eq!(
            watch
                .looked([("work", ending(end))], margin, after(86_400))
                .len(),
            1
        );
        // Linked again (a far end), then near its end again: told at once.
        assert!(
            watch
                .looked(
                    [("work", ending(after(30 * 86_400)))],
                    margin,
                    after(86_401)
                )
                .is_empty()
        );
        assert_eq!(
            watch
                .looked([("work", ending(after(86_500)))], margin, after(86_402))
                .len(),
            1
        );
    }
}
