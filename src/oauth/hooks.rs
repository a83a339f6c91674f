//! How a session tells its owner about refreshes, and lets it coordinate them with other
//! processes: the types behind
//! [`SessionBuilder::refresh_guard`](super::SessionBuilder::refresh_guard) and
//! [`SessionBuilder::on_refresh_attempt`](super::SessionBuilder::on_refresh_attempt), and the
//! hooks a builder hands to its session.

use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::error::{BoxError, Error};
use super::id_token::Problem;
use super::redact::Secrets;
use super::token::Tokens;

/// Why a refresh happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RefreshTrigger {
    /// Someone asked for it (`refresh()`).
    Manual,
    /// The access token was about to expire.
    AheadOfExpiry,
    /// An API call was answered 401.
    #[serde(rename = "after-401")]
    After401,
}

/// What one refresh came to.
#[derive(Clone, Copy, Debug)]
pub enum RefreshOutcome<'a> {
    /// The token endpoint issued new tokens, now persisted.
    Refreshed(&'a Tokens),
    /// Another process had refreshed already; its stored tokens were taken instead.
    Adopted(&'a Tokens),
    Failed(&'a Error),
}

/// Reported to [`on_refresh_attempt`](super::SessionBuilder::on_refresh_attempt) after every
/// refresh, successful or not.
#[derive(Debug)]
pub struct RefreshReport<'a> {
    pub trigger: RefreshTrigger,
    pub outcome: RefreshOutcome<'a>,
    /// Every secret the session holds now (the new tokens, after a refresh), for cutting out of
    /// outside text the owner goes on to handle — a hook's stderr, say. The outcome's error is
    /// already cut.
    pub secrets: &'a Secrets,
    /// Why the ID token in the refresh answer was not kept (OpenID Connect Core §12.2: another
    /// user, client or issuer, or a sign-in dated earlier); empty when it was, or there was none.
    /// The answer's access and refresh tokens were stored all the same (the old refresh token
    /// may be spent), with the account's earlier ID token.
    pub refused_id_token: &'a [Problem],
}

/// What a refresh guard hands back: whatever must stay held until the new tokens are
/// persisted and the attempt reported (a cross-process lock), and the token set as stored right
/// now.
pub struct RefreshGuard {
    pub stored: Option<Tokens>,
    pub hold: Box<dyn Any + Send>,
}

/// Told each time new tokens could not be persisted and will be tried again. They stay in memory
/// meanwhile — a rotating server has already spent the old refresh token — and are handed to no
/// one until they are saved.
#[derive(Debug)]
pub struct PersistRetry<'a> {
    /// Failed attempts so far (1 on the first).
    pub attempt: u32,
    pub error: &'a Error,
    /// When the next attempt is made.
    pub retry_in: Duration,
    /// How long the session keeps trying before it gives up; `None`: while it lives.
    pub patience: Option<Duration>,
}

pub(crate) type RefreshedCallback = Arc<dyn Fn(&Tokens) + Send + Sync>;
pub(crate) type PersistFuture = Pin<Box<dyn Future<Output = Result<(), BoxError>> + Send>>;
pub(crate) type PersistHook = Arc<dyn Fn(Tokens) -> PersistFuture + Send + Sync>;
pub(crate) type PersistRetryCallback = Arc<dyn Fn(&PersistRetry<'_>) + Send + Sync>;
pub(crate) type GuardFuture = Pin<Box<dyn Future<Output = Result<RefreshGuard, BoxError>> + Send>>;
pub(crate) type GuardHook = Arc<dyn Fn() -> GuardFuture + Send + Sync>;
pub(crate) type ReportCallback = Arc<dyn Fn(&RefreshReport<'_>) + Send + Sync>;
