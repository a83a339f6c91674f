//! The daemon's desktop notifications: when an account needs the user — its grant was refused, or
//! its refreshes have failed for over an hour — one notification per episode (not per retry),
//! through the freedesktop notification service when the session bus has one. Never a token: the
//! text is the account's name and the log's message, which holds none.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, SystemTime};

use super::words::daemon::{Notice, notice};
use crate::store::AccountStatus;

/// Failing this long without a success needs the user, even if each failure looked passing.
pub const FAILING_TOO_LONG: Duration = Duration::from_secs(3600);

/// One account's trouble, from its first failure seen to its next success.
#[derive(Debug)]
struct Episode {
    failing_since: SystemTime,
    told: bool,
}

/// Which accounts are in trouble, and which the user was told of.
#[derive(Debug, Default)]
pub struct Attention {
    episodes: BTreeMap<String, Episode>,
}

impl Attention {
    /// After a refresh of `name` ended (`ok`) with the account's status as it is now: the notice
    /// to send, the first time its episode needs the user.
    pub fn refreshed(
        &mut self,
        name: &str,
        ok: bool,
        status: &AccountStatus,
        now: SystemTime,
    ) -> Option<Notice> {
        if ok {
            self.episodes.remove(name);
            return None;
        }
        let episode = self.episodes.entry(name.to_string()).or_insert(Episode {
            failing_since: now,
            told: false,
        });
        let too_long = now
            .duration_since(episode.failing_since)
            .is_ok_and(|d| d >= FAILING_TOO_LONG);
        if episode.told || !(status.needs_relink || too_long) {
            return None;
        }
        episode.told = true;
        let reason = status
            .last_refresh
            .as_ref()
            .and_then(|r| r.error.as_deref())
            .unwrap_or("the provider refused the grant");
        Some(notice(name, status.needs_relink, reason))
    }

    /// A look at every account (at start, and when another process changed the home): one that
    /// needs a re-link is told of once; one linked again, or removed, ends its episode.
    pub fn looked<'a>(
        &mut self,
        accounts: impl IntoIterator<Item = (&'a str, AccountStatus)>,
        now: SystemTime,
    ) -> Vec<Notice> {
        let mut seen = BTreeSet::new();
        let mut notices = Vec::new();
        for (name, status) in accounts {
            seen.insert(name.to_string());
            if status.needs_relink {
                notices.extend(self.refreshed(name, false, &status, now));
            } else if status.last_refresh.as_ref().is_none_or(|r| r.ok) {
                self.episodes.remove(name);
            }
        }
        self.episodes.retain(|name, _| seen.contains(name));
        notices
    }
}

/// Sends `notice` to the session bus's notification service; an error says why not (no session
/// bus, no service on it).
#[cfg(target_os = "linux")]
pub fn send(notice: &Notice) -> Result<(), String> {
    notify_rust::Notification::new()
        .appname("tokendeck")
        .summary(&notice.summary)
        .body(&notice.body)
        .show()
        .map(drop)
        .map_err(|e| e.to_string())
}

#[cfg(not(target_os = "linux"))]
pub fn send(_notice: &Notice) -> Result<(), String> {
    Err("desktop notifications are sent on Linux only".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::status::LastRefresh;

    fn failed(needs_relink: bool) -> AccountStatus {
        AccountStatus {
            needs_relink,
            last_refresh: Some(LastRefresh {
                at: SystemTime::UNIX_EPOCH,
                ok: false,
                error: Some("invalid_grant <b>refused</b>.".into()),
            }),
            ..AccountStatus::default()
        }
    }

    #[test]
    fn a_dead_grant_is_told_once_per_episode() {
        let mut attention = Attention::default();
        let now = SystemTime::now();
        let notice = attention
            .refreshed("work", false, &failed(true), now)
            .unwrap();
        assert_eq!(notice.summary, "tokendeck: work needs you");
        assert_eq!(
            notice.body,
            "invalid_grant &lt;b&gt;refused&lt;/b&gt;. Run `tokendeck link work`."
        );
        assert_eq!(attention.refreshed("work", false, &failed(true), now), None);
        assert!(attention.looked([("work", failed(true))], now).is_empty());
        // Linked again, then refused again: a new episode.
        assert!(
            attention
                .looked([("work", AccountStatus::default())], now)
                .is_empty()
        );
        assert_eq!(attention.looked([("work", failed(true))], now).len(), 1);
    }

    #[test]
    fn passing_failures_are_told_after_an_hour_not_before() {
        let mut attention = Attention::default();
        let start = SystemTime::now();
        let later = |s| start + Duration::from_secs(s);
        assert_eq!(
            attention.refreshed("work", false, &failed(false), start),
            None
        );
        assert_eq!(
            attention.refreshed("work", false, &failed(false), later(3599)),
            None
        );
        let notice = attention.refreshed("work", false, &failed(false), later(3600));
        assert!(notice.unwrap().body.contains("failed for over an hour"));
        assert_eq!(
            attention.refreshed("work", false, &failed(false), later(7200)),
            None
        );
        // A success ends it; the clock starts again.
        assert_eq!(
            attention.refreshed("work", true, &AccountStatus::default(), later(7201)),
            None
        );
        assert_eq!(
            attention.refreshed("work", false, &failed(false), later(7202)),
            None
        );
    }
}
