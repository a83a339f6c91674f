//! Each account's status, without secrets, in the state dir: what `list` and `status` show (and
//! the TUI's table), readable without touching the keyring, and the backoff that keeps every
//! process from asking a failing server again.

use std::fs;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use super::error::StoreError;
use super::files::write_atomically;
use super::home::Home;
use crate::oauth::token::{unix_seconds, unix_seconds_opt};
use crate::oauth::{ErrorKind, Tokens};
use crate::time::later;

/// What is known about an account's tokens, minus the tokens.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AccountStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<TokenInfo>,
    /// Who the account is (an email, a user name), from the latest ID token that said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_refresh: Option<LastRefresh>,
    /// The grant is dead (revoked, expired, denied): only linking again helps.
    #[serde(default)]
    pub needs_relink: bool,
    /// Transient failures in a row, and when the next automatic attempt may be made.
    #[serde(default)]
    pub failures: u32,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "unix_seconds_opt"
    )]
    pub retry_at: Option<SystemTime>,
    /// Set while a refresh holds the account's lock. Still set when the next refresh starts, it
    /// means the last one was killed midway — possibly after the server rotated the token.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "unix_seconds_opt"
    )]
    pub refresh_started_at: Option<SystemTime>,
    /// The refresh before the latest one was interrupted.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
    /// A refresh at this time received new tokens that could not be saved yet (the keyring was
    /// unavailable). Cleared once they are; still set after the process ended, it explains why
    /// the stored refresh token no longer works.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "unix_seconds_opt"
    )]
    pub unsaved_since: Option<SystemTime>,
    /// The process that holds those tokens and keeps trying to store them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsaved_pid: Option<u32>,
    /// Whether that process still runs (learned when the status is read, never stored): if not,
    /// the tokens are gone and only the explanation is left.
    #[serde(skip)]
    pub unsaved_held: bool,
    /// The status file is there but could not be read (damaged by hand or by the disk): what it
    /// said is unknown, so the account's keyring record must be asked (learned when read, never
    /// stored; the next write replaces the file whole).
    #[serde(skip)]
    pub unreadable: bool,
    /// A refresh at this time was sent but its answer was lost (a timeout, a broken connection):
    /// a rotating server may have spent the stored refresh token.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "unix_seconds_opt"
    )]
    pub lost_refresh_at: Option<SystemTime>,
    /// A client was refused with the access token held at this time (git's `erase` after a
    /// 401): the next one handed out is refreshed first, whatever its expiry says.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "unix_seconds_opt"
    )]
    pub suspect_since: Option<SystemTime>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TokenInfo {
    #[serde(with = "unix_seconds")]
    pub obtained_at: SystemTime,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "unix_seconds_opt"
    )]
    pub expires_at: Option<SystemTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    pub token_type: String,
    pub has_refresh_token: bool,
    /// When the held refresh token was issued (the link, or the refresh that rotated it).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "unix_seconds_opt"
    )]
    pub refresh_issued_at: Option<SystemTime>,
    /// When the provider said the held refresh token dies.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "unix_seconds_opt"
    )]
    pub refresh_expires_at: Option<SystemTime>,
}

impl TokenInfo {
    pub fn of(tokens: &Tokens) -> TokenInfo {
        TokenInfo {
            obtained_at: tokens.obtained_at(),
            expires_at: tokens.expires_at(),
            scope: tokens.scope().map(str::to_string),
            token_type: tokens.token_type().to_string(),
            has_refresh_token: tokens.refresh_token().is_some(),
            refresh_issued_at: tokens.refresh_issued_at(),
            refresh_expires_at: tokens.refresh_expires_at(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LastRefresh {
    #[serde(with = "unix_seconds")]
    pub at: SystemTime,
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// An account's state at a glance, as the list and the TUI show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Health {
    NotLinked,
    Valid,
    /// Due for a refresh ahead of expiry.
    Expiring,
    Expired,
    /// The grant is dead; only linking again helps.
    NeedsRelink,
    /// New tokens are held in memory by a process that cannot save them to the keyring.
    Unsaved,
    /// Refreshes keep failing for a passing reason (server down, network).
    Error,
}

impl Health {
    pub fn label(self) -> &'static str {
        match self {
            Health::NotLinked => "not linked",
            Health::Valid => "valid",
            Health::Expiring => "expiring",
            Health::Expired => "expired",
            Health::NeedsRelink => "needs re-link",
            Health::Unsaved => "not saved",
            Health::Error => "error",
        }
    }
}

impl AccountStatus {
    pub fn health(&self, now: SystemTime) -> Health {
        let Some(token) = &self.token else {
            return Health::NotLinked;
        };
        if self.needs_relink {
            return Health::NeedsRelink;
        }
        if self.unsaved_held {
            return Health::Unsaved;
        }
        let expires_at = token.expires_at;
        if expires_at.is_some_and(|at| now >= at) {
            return Health::Expired;
        }
        if self.failures > 0 {
            return Health::Error;
        }
        let lead = crate::oauth::refresh_lead(
            expires_at
                .and_then(|at| at.duration_since(token.obtained_at).ok())
                .unwrap_or_default(),
        );
        match expires_at {
            Some(at) if later(now, lead) >= at => Health::Expiring,
            _ => Health::Valid,
        }
    }

    /// The status of `account`; a missing or unreadable file is an unknown (default) status,
    /// since everything in it can be learned again.
    pub fn load(home: &Home, account: &str) -> AccountStatus {
        let mut status = match fs::read(home.status_file(account)) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|_| AccountStatus {
                unreadable: true,
                ..AccountStatus::default()
            }),
            Err(_) => AccountStatus::default(),
        };
        status.unsaved_held =
            status.unsaved_since.is_some() && status.unsaved_pid.is_some_and(running);
        status
    }

    /// New tokens could not be stored yet; this process holds them and keeps trying.
    pub fn record_unsaved(&mut self, now: SystemTime) {
        self.unsaved_since.get_or_insert(now);
        self.unsaved_pid = Some(std::process::id());
        self.unsaved_held = true;
    }

    /// What to say of tokens a refresh could not store: held by a running tokendeck, or lost with
    /// a process that ended.
    pub fn unsaved_note(&self) -> Option<String> {
        let since = self.unsaved_since?;
        let at = crate::time::date_time(since, &crate::time::local_zone());
        Some(match self.unsaved_held {
            true => format!(
                "tokens not saved — keyring unavailable since {at}: a running tokendeck (pid {}) holds them and keeps trying",
                self.unsaved_pid.unwrap_or_default()
            ),
            false => format!(
                "the tokens of the refresh at {at} were never saved (tokendeck stopped before the keyring came back); if the next refresh is refused, link the account again"
            ),
        })
    }

    pub fn save(&self, home: &Home, account: &str) -> Result<(), StoreError> {
        let json = serde_json::to_vec_pretty(self).map_err(|e| {
            StoreError::io(
                &home.status_file(account),
                std::io::Error::other(e.to_string()),
            )
        })?;
        write_atomically(&home.status_file(account), &json)
    }

    pub fn remove(home: &Home, account: &str) -> Result<(), StoreError> {
        let path = home.status_file(account);
        match fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(StoreError::io(&path, e)),
            _ => Ok(()),
        }
    }

    /// New tokens were stored (a link or a refresh).
    pub fn record_tokens(&mut self, tokens: &Tokens, refreshed: bool, now: SystemTime) {
        self.token = Some(TokenInfo::of(tokens));
        self.take_identity_from(tokens);
        self.needs_relink = false;
        self.failures = 0;
        self.retry_at = None;
        self.unsaved_since = None;
        self.unsaved_pid = None;
        self.unsaved_held = false;
        self.lost_refresh_at = None;
        self.interrupted = false;
        self.suspect_since = None;
        if refreshed {
            self.last_refresh = Some(LastRefresh {
                at: now,
                ok: true,
                error: None,
            });
        }
    }

    /// A refresh failed: remember it, and how long to leave the server alone.
    pub fn record_failure(
        &mut self,
        kind: ErrorKind,
        message: &str,
        retry_after: Option<Duration>,
        now: SystemTime,
    ) {
        self.last_refresh = Some(LastRefresh {
            at: now,
            ok: false,
            error: Some(message.to_string()),
        });
        if kind == ErrorKind::Ambiguous {
            self.lost_refresh_at.get_or_insert(now);
        }
        if kind == ErrorKind::NeedsReauthorization {
            self.needs_relink = true;
            self.retry_at = None;
        } else {
            self.failures = self.failures.saturating_add(1);
            let wait = retry_after.unwrap_or_else(|| backoff(self.failures));
            self.retry_at = Some(later(now, wait));
        }
    }

    /// New tokens were linked: a fresh start, with no failure from before the link left over.
    pub fn record_link(&mut self, tokens: &Tokens, now: SystemTime) {
        // Linked again, perhaps as someone else: only this link's ID token says who.
        self.identity = None;
        self.record_tokens(tokens, false, now);
        self.last_refresh = None;
    }

    /// Why the stored refresh token may have been spent by a refresh whose new tokens never
    /// reached the keyring — the known causes, with their times, for a message that follows a
    /// dead grant.
    pub fn spent_token_cause(&self) -> Option<String> {
        let zone = crate::time::local_zone();
        let time = |t: SystemTime| crate::time::date_time(t, &zone);
        if let Some(at) = self.unsaved_since {
            return Some(format!(
                "the refresh at {} received new tokens but the keyring could not store them before tokendeck stopped, and the server had already rotated the refresh token",
                time(at)
            ));
        }
        if let Some(at) = self.lost_refresh_at {
            return Some(format!(
                "the refresh at {} reached the server but its answer was lost (a timeout or a broken connection), and the server had rotated the refresh token in that answer",
                time(at)
            ));
        }
        self.interrupted.then(|| {
            "an earlier refresh was interrupted (tokendeck was killed, or quit without waiting, before it stored the answer) after the server had rotated the refresh token".to_string()
        })
    }

    /// While passing failures keep the account waiting, when the server is asked again:
    /// `retrying in 1m 20s`.
    pub fn retry_label(&self, now: SystemTime) -> Option<String> {
        if self.needs_relink || self.failures == 0 {
            return None;
        }
        Some(match crate::time::seconds_left(self.retry_at?, now) {
            0 => "retrying now".into(),
            wait => format!("retrying in {}", crate::time::short_duration(wait)),
        })
    }

    /// Whether an automatic refresh should wait (a relink is needed, or the backoff runs).
    pub fn backing_off(&self, now: SystemTime) -> bool {
        self.needs_relink || self.retry_at.is_some_and(|at| now < at)
    }
}

/// Whether process `pid` runs on this machine (assumed so where that cannot be asked).
fn running(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        std::path::Path::new(&format!("/proc/{pid}")).exists()
    } else {
        true
    }
}

/// 5 s after the first failure, doubling to 5 min, with up to 20 % jitter so that many clients
/// do not come back at once.
fn backoff(failures: u32) -> Duration {
    let base =
        Duration::from_secs(5 << failures.saturating_sub(1).min(6)).min(Duration::from_secs(300));
    let mut byte = [0u8; 1];
    let jitter = if getrandom::fill(&mut byte).is_ok() {
        f64::from(byte[0]) / 255.0 * 0.2
    } else {
        0.0
    };
    base.mul_f64(1.0 + jitter)
}

#[cfg(test)]
mod tests;
