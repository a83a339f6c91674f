//! What one refresh attempt leaves behind, whichever process made it: a line in the event log
//! (one per refresh: an adoption of another process's adds none), the account's status (written
//! once, with its outcome), and the hooks it sets off. A refresh
//! refused because the process is stopping was no attempt (nothing was sent) and leaves nothing.
//! The log's words are stored once and shown by every front as they are.

use std::time::SystemTime;

use super::{hooks, stop};
use crate::oauth::id_token::not_kept_message;
use crate::oauth::{RefreshOutcome, RefreshReport, Tokens};
use crate::store::{Event, HookEvent, Outcome, Store};

/// Writes an attempt to the event log and the account's status — in one write, which also
/// clears the mark that the refresh is under way when `clears_mark` (the attempt still holds the
/// lock that set it). A log that cannot be written must not undo a refresh that worked, so
/// failures here are dropped.
pub(super) fn log(store: &Store, name: &str, report: &RefreshReport<'_>, clears_mark: bool) {
    let now = SystemTime::now();
    // Not an attempt: nothing was sent, nothing changed.
    if let RefreshOutcome::Failed(e) = report.outcome
        && stop::Stopping::is(e)
    {
        return;
    }
    let (outcome, tokens, error) = match report.outcome {
        RefreshOutcome::Refreshed(t) => (Outcome::Ok, Some(t), None),
        RefreshOutcome::Adopted(t) => (Outcome::Adopted, Some(t), None),
        RefreshOutcome::Failed(e) => (Outcome::Failed, None, Some(e)),
    };
    let mut event = Event::new(name, report.trigger.into(), outcome);
    event.expires_at = tokens.and_then(Tokens::expires_at);
    // A dead grant after a refresh whose tokens were lost: the message says which refresh.
    let message = error.map(|error| match store.status(name).spent_token_cause() {
        Some(cause) if error.needs_reauthorization() => {
            format!(
                "{}: link the account again",
                spent_token(&cause, &error.provider_answer())
            )
        }
        _ => error.to_string(),
    });
    if let Some(error) = error {
        event.error_kind = Some(error.kind().into());
        event.message = message.clone();
    }
    // A refresh that worked but did not keep the answer's ID token says why (§12.2).
    if !report.refused_id_token.is_empty() {
        event.message = Some(not_kept_message(report.refused_id_token));
    }
    // The status first: a TUI that sees the event reads the status at once.
    let _ = store.update_status(name, |status| {
        match (tokens, error, &message) {
            (Some(tokens), ..) => status.record_tokens(tokens, outcome == Outcome::Ok, now),
            (None, Some(error), Some(message)) => {
                status.record_failure(error.kind(), message, error.retry_after(), now)
            }
            _ => {}
        }
        if clears_mark {
            status.refresh_started_at = None;
        }
    });
    // One line per refresh, the refresher's: a process that found the refresh already done adds
    // none (and sets off no hook: they ran there).
    if outcome == Outcome::Adopted {
        return;
    }
    let _ = store.log().append(&event);
    // After the log, so that a hook reading it finds the refresh; the new tokens are stored.
    let facts = hooks::Facts {
        expires_at: event.expires_at,
        message: event.message,
        secrets: report.secrets.clone(),
    };
    match (report.outcome, error) {
        (RefreshOutcome::Refreshed(_), _) => hooks::fire(store, name, HookEvent::Refreshed, facts),
        (_, Some(error)) => {
            hooks::fire(store, name, HookEvent::RefreshFailed, facts.clone());
            if error.needs_reauthorization() {
                hooks::fire(store, name, HookEvent::NeedsRelink, facts);
            }
        }
        // Another process refreshed: its hooks ran there.
        _ => {}
    }
}

/// A refresh token refused after `cause` (a refresh whose new tokens never reached the keyring, as
/// the account's status tells it), with the provider's `answer`, in one clause.
pub fn spent_token(cause: &str, answer: &str) -> String {
    format!(
        "{cause}; so the stored refresh token was already spent, and the provider now refuses it ({answer})"
    )
}
