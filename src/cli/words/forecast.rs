//! The forecast of a grant's death in the command line's words: when, from what, and the warning
//! (with the command that helps) once less than the margin is left — for `status`, `show` and the
//! daemon's log.

use std::time::{Duration, SystemTime};

use jiff::tz::TimeZone;

use crate::store::{Forecast, ForecastSource};
use crate::time::{date_time, relative};

/// Where the forecast comes from, for a person.
pub fn source(source: &ForecastSource) -> String {
    match source {
        ForecastSource::Provider => "the provider's answer (refresh_token_expires_in)".into(),
        ForecastSource::Setting => "the account's --refresh-token-lifetime".into(),
        ForecastSource::Preset { source, .. } => format!("the preset: {source}"),
    }
}

/// `2026-05-01 10:00 CEST (in 6d 3h), from the provider's answer (…)`.
pub fn when(forecast: &Forecast, now: SystemTime, zone: &TimeZone) -> String {
    format!(
        "{} ({}), from {}",
        date_time(forecast.dies_at, zone),
        relative(forecast.dies_at, now),
        source(&forecast.source)
    )
}

/// The warning once less than `margin` is left, or `None` before.
pub fn warning(
    name: &str,
    forecast: &Forecast,
    margin: Duration,
    now: SystemTime,
) -> Option<String> {
    if !forecast.is_near(now, margin) {
        return None;
    }
    let zone = crate::time::local_zone();
    let at = date_time(forecast.dies_at, &zone);
    let state = match forecast.dies_at > now {
        true => format!("will end {} ({at})", relative(forecast.dies_at, now)),
        false => format!("may have ended at {at}"),
    };
    Some(format!(
        "{name:?}'s grant {state}, by {}: link it again before then with `tokendeck link {name}`",
        source(&forecast.source)
    ))
}
