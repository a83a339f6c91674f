//! The refresh machinery of a [`Session`]: single flight, the cross-process guard, backoff after a
//! failure, persist before use, and the reports and callbacks that follow every attempt.

use std::sync::{Arc, Weak};
use std::time::{Duration, Instant, SystemTime};

use super::{Backoff, Seen, Session, lock};
use crate::oauth::error::Error;
use crate::oauth::hooks::{
    PersistRetry, RefreshGuard, RefreshOutcome, RefreshReport, RefreshTrigger,
};
use crate::oauth::id_token::{self, Problem};
use crate::oauth::token::Tokens;
use crate::time::later_instant;

/// What a refresh that did not fail came to.
pub(super) struct Attempt {
    tokens: Tokens,
    /// Another process had refreshed: its stored tokens were taken.
    adopted: bool,
    refused_id_token: Vec<Problem>,
}

impl Session {
    /// Single flight: refreshes unless the tokens changed since `seen`. While the latest attempt's
    /// backoff lasts, its error is returned instead of asking the server again.
    pub(super) async fn refresh_unless_changed(
        &self,
        seen: Seen,
        trigger: RefreshTrigger,
    ) -> Result<Tokens, Error> {
        self.refresh_detached(Some(seen), trigger).await
    }

    /// A refresh on a task of its own. A caller that stops waiting — its future dropped by a
    /// timeout, or by a program that quits — must not cut short a token request already sent:
    /// its answer may carry the only refresh token that still works (a rotating server spends
    /// the old one as it answers). So the request, the persisting of its answer and the report
    /// run to their end whoever waits; but a refresh whose caller left before the refresh slot
    /// was free sends nothing. Outside a tokio runtime it runs in place.
    pub(super) async fn refresh_detached(
        &self,
        seen: Option<Seen>,
        trigger: RefreshTrigger,
    ) -> Result<Tokens, Error> {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return self.refresh_gated(seen, trigger, None).await;
        };
        let waiting = Arc::new(());
        let (session, caller) = (self.clone(), Arc::downgrade(&waiting));
        let task =
            runtime.spawn(async move { session.refresh_gated(seen, trigger, Some(caller)).await });
        match task.await {
            Ok(result) => result,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            // The runtime is shutting down under it.
            Err(_) => Err(Error::Interrupted),
        }
    }

    /// Waits for the refresh slot, then refreshes — if the caller still waits, and (with `seen`)
    /// unless the tokens changed or a backoff lasts.
    async fn refresh_gated(
        &self,
        seen: Option<Seen>,
        trigger: RefreshTrigger,
        caller: Option<Weak<()>>,
    ) -> Result<Tokens, Error> {
        let _gate = self.inner.gate.lock().await;
        if caller.is_some_and(|c| c.strong_count() == 0) {
            return Err(Error::Interrupted);
        }
        if let Some(seen) = seen {
            let state = lock(&self.inner.state);
            if state.generation != seen.generation
                && let Some(tokens) = &state.tokens
            {
                return Ok(tokens.clone());
            }
            if let Some(backoff) = &state.backoff
                && backoff.until.is_none_or(|until| Instant::now() < until)
            {
                return Err(backoff.error.clone());
            }
        }
        self.refresh_locked(trigger).await
    }

    /// A refresh, reported and remembered for backoff; the caller holds the gate. The report is
    /// made while the refresh guard is still held, so that what it records of the attempt (an
    /// account's status, say) is in place before another process's refresh can begin.
    pub(super) async fn refresh_locked(&self, trigger: RefreshTrigger) -> Result<Tokens, Error> {
        let (result, guard) = self.refresh_exclusive(trigger).await;
        let outcome = match &result {
            Ok(Attempt {
                tokens,
                adopted: true,
                ..
            }) => RefreshOutcome::Adopted(tokens),
            Ok(Attempt { tokens, .. }) => RefreshOutcome::Refreshed(tokens),
            Err(e) => RefreshOutcome::Failed(e),
        };
        let refused_id_token = match &result {
            Ok(attempt) => attempt.refused_id_token.as_slice(),
            Err(_) => &[],
        };
        if let RefreshOutcome::Failed(e) = outcome {
            let mut state = lock(&self.inner.state);
            let failures = state.backoff.as_ref().map_or(0, |b| b.failures) + 1;
            let until = (!e.needs_reauthorization()).then(|| {
                let wait = e.retry_after().unwrap_or(backoff_delay(failures));
                later_instant(Instant::now(), wait)
            });
            state.backoff = Some(Backoff {
                error: e.clone(),
                until,
                failures,
            });
        }
        if let Some(report) = &self.inner.on_refresh_attempt {
            report(&RefreshReport {
                trigger,
                outcome,
                secrets: &self.secrets(),
                refused_id_token,
            });
        }
        // The guard is let go once the attempt is reported: whoever waits for it (across
        // processes, the account's lock; within one, a stop waiting for the refresh under way)
        // finds the attempt logged and its hooks started. Not held over `on_refreshed`, which is
        // the caller's code.
        drop(guard);
        if let RefreshOutcome::Refreshed(tokens) = outcome {
            let callback = self
                .inner
                .on_refreshed
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            if let Some(callback) = callback {
                callback(tokens);
            }
        }
        result.map(|attempt| attempt.tokens)
    }

    /// Takes the refresh guard (another process's refresh may be adopted instead), asks the
    /// token endpoint, and persists the answer; the guard is handed back, still held, for the
    /// attempt to be reported under it.
    pub(super) async fn refresh_exclusive(
        &self,
        trigger: RefreshTrigger,
    ) -> (Result<Attempt, Error>, Option<RefreshGuard>) {
        // Tokens only this session holds must reach the store before the store is read back.
        if let Err(e) = self.save_unsaved().await {
            return (Err(e), None);
        }
        let guard = match &self.inner.refresh_guard {
            Some(take) => match take().await {
                Ok(guard) => Some(guard),
                Err(e) => return (Err(Error::store(e)), None),
            },
            None => None,
        };
        let stored = guard.as_ref().and_then(|g| g.stored.clone());
        let result = self.refresh_guarded(trigger, stored).await;
        (result, guard)
    }

    /// The refresh itself, with the guard (if any) held: adopts `stored`, what another process
    /// stored meanwhile, or asks the token endpoint and persists the answer.
    async fn refresh_guarded(
        &self,
        trigger: RefreshTrigger,
        stored: Option<Tokens>,
    ) -> Result<Attempt, Error> {
        if let Some(stored) = stored {
            let mut state = lock(&self.inner.state);
            if !state
                .tokens
                .as_ref()
                .is_some_and(|t| t.same_secrets(&stored))
            {
                state.tokens = Some(stored.clone());
                state.generation += 1;
                state.backoff = None;
                if trigger != RefreshTrigger::Manual && !stored.is_refresh_due(SystemTime::now()) {
                    return Ok(Attempt {
                        tokens: stored,
                        adopted: true,
                        refused_id_token: Vec::new(),
                    });
                }
            }
        }
        let (previous, refresh_token) = {
            let state = lock(&self.inner.state);
            let tokens = state.tokens.clone().ok_or(Error::NotAuthorized)?;
            let refresh_token = tokens
                .refresh_secret()
                .cloned()
                .ok_or(Error::NoRefreshToken)?;
            (tokens, refresh_token)
        };
        let fresh = self
            .inner
            .endpoint
            .refresh(&refresh_token, &|| self.secrets())
            .await?;
        // A new ID token that names someone else is not kept; the rest of the answer is, as the
        // provider has spent the old refresh token.
        let refused_id_token = fresh
            .id_token()
            .map(|new| {
                id_token::refused_after_refresh(previous.id_token(), new, &self.expected(None))
            })
            .unwrap_or_default();
        let tokens = fresh.succeeding(&previous, !refused_id_token.is_empty());
        let tokens = self.install(tokens).await?;
        Ok(Attempt {
            tokens,
            adopted: false,
            refused_id_token,
        })
    }

    /// Keeps a new token set and persists it before handing it out. If persisting fails the
    /// tokens stay in memory (a rotated refresh token must not be lost) but are not used until a
    /// later save succeeds.
    pub(super) async fn install(&self, tokens: Tokens) -> Result<Tokens, Error> {
        {
            let mut state = lock(&self.inner.state);
            state.tokens = Some(tokens.clone());
            state.generation += 1;
            state.backoff = None;
            state.unsaved = self.inner.persist.is_some();
        }
        self.save_unsaved().await?;
        Ok(tokens)
    }

    /// Runs the persistence hook on unsaved tokens, trying again with backoff for as long as the
    /// session's patience lasts; the caller holds the gate (and so, across processes, the
    /// refresh guard: nobody reads the spent refresh token back meanwhile).
    pub(super) async fn save_unsaved(&self) -> Result<(), Error> {
        let tokens = {
            let state = lock(&self.inner.state);
            match (&self.inner.persist, state.unsaved, &state.tokens) {
                (Some(_), true, Some(tokens)) => tokens.clone(),
                _ => return Ok(()),
            }
        };
        let Some(persist) = &self.inner.persist else {
            return Ok(());
        };
        let patience = self.inner.persist_patience;
        let deadline = patience.map(|p| later_instant(Instant::now(), p));
        let mut attempt = 0u32;
        while let Err(e) = persist(tokens.clone()).await {
            let error = Error::persist(e);
            attempt = attempt.saturating_add(1);
            let retry_in = persist_delay(attempt);
            if deadline.is_some_and(|d| later_instant(Instant::now(), retry_in) > d) {
                return Err(error);
            }
            if let Some(report) = &self.inner.on_persist_retry {
                report(&PersistRetry {
                    attempt,
                    error: &error,
                    retry_in,
                    patience,
                });
            }
            tokio::time::sleep(retry_in).await;
        }
        let mut state = lock(&self.inner.state);
        state.unsaved = false;
        if state
            .backoff
            .as_ref()
            .is_some_and(|b| matches!(b.error, Error::Persist(_)))
        {
            state.backoff = None;
        }
        Ok(())
    }
}

/// 1 s after the first failure, doubling up to a minute.
fn backoff_delay(failures: u32) -> Duration {
    Duration::from_secs(1 << failures.saturating_sub(1).min(6)).min(Duration::from_secs(60))
}

/// Between attempts to persist: a quarter second, doubling to 30 s (a keyring call that timed
/// out may still hold a thread; a long outage must not pile them up).
fn persist_delay(attempt: u32) -> Duration {
    Duration::from_millis(250 << attempt.saturating_sub(1).min(7)).min(Duration::from_secs(30))
}
