//! How long a request to the token endpoint may take: what a session waits for, and so what a
//! stop waits for a refresh under way.

use std::time::Duration;

/// Environment variable: how long a request to the token endpoint may take, in seconds (1–600;
/// 30 when unset), for providers on slow links — and tests of what a timeout does.
pub const TIMEOUT_VAR: &str = "TOKENDECK_TIMEOUT";

/// The timeout `TOKENDECK_TIMEOUT` asks for, if it is set to one.
pub(crate) fn request_timeout() -> Option<Duration> {
    let seconds: u64 = std::env::var(TIMEOUT_VAR).ok()?.trim().parse().ok()?;
    (1..=600)
        .contains(&seconds)
        .then(|| Duration::from_secs(seconds))
}
