//! What the accounts screen makes of what the background reports: the accounts file read again,
//! a status, the event log's new lines, the engine's refreshes, the keyring and the daemon, and
//! the answers to what the user asked of an account (remove, test, show the token).

use std::time::SystemTime;

use crate::app::EngineEvent;
use crate::oauth::secret::AccessToken;
use crate::store::{AccountStatus, Backend, Event, RunningDaemon, Trigger};
use crate::tui::app::{AccountRow, App, KeyringState, LOG_CAPACITY, Load, LogLine, NoticeKind};
use crate::tui::message::Effect;
use crate::tui::words;

/// The accounts file was read again: the selection stays on its account (or moves to the one
/// just added), and what changed in each account is acted on.
pub(crate) fn loaded(app: &mut App, mut rows: Vec<AccountRow>) -> Vec<Effect> {
    let selected = app.selected_row().map(|r| r.name.clone());
    let mut old = std::mem::take(&mut app.accounts);
    for row in &mut rows {
        row.refreshing = old.iter().any(|r| r.name == row.name && r.refreshing);
    }
    app.accounts = rows;
    app.load = Load::Read;
    let added = app.select_when_listed.take();
    let found = match added {
        Some(name) if app.select(&name) => true,
        Some(name) => {
            app.select_when_listed = Some(name);
            false
        }
        None => false,
    };
    if !found && !selected.is_some_and(|s| app.select(&s)) {
        app.selected = app.selected.min(app.accounts.len().saturating_sub(1));
    }
    if app
        .revealed
        .as_ref()
        .is_some_and(|r| app.accounts.iter().all(|row| row.name != r.name))
    {
        app.revealed = None;
    }
    let mut effects = Vec::new();
    let names: Vec<String> = app.accounts.iter().map(|r| r.name.clone()).collect();
    for name in names {
        if let Some(i) = old.iter().position(|r| r.name == name) {
            let before = old.swap_remove(i);
            effects.extend(account_changed(app, &name, &before.status));
        }
    }
    effects
}

/// The accounts file could not be read: what was read before stays on screen (and is kept
/// fresh) under the error.
pub(crate) fn load_failed(app: &mut App, error: String) -> Vec<Effect> {
    app.load = match app.load {
        Load::Read | Load::Broken(_) => Load::Broken(error),
        Load::Reading | Load::Failed(_) => Load::Failed(error),
    };
    Vec::new()
}

pub(crate) fn daemon(app: &mut App, daemon: Option<RunningDaemon>) -> Vec<Effect> {
    app.daemon = daemon;
    Vec::new()
}

pub(crate) fn keyring_ready(
    app: &mut App,
    backend: Backend,
    warning: Option<String>,
) -> Vec<Effect> {
    app.keyring = KeyringState::Ready { backend, warning };
    Vec::new()
}

pub(crate) fn keyring_failed(app: &mut App, error: String) -> Vec<Effect> {
    app.keyring = KeyringState::Failed(error);
    Vec::new()
}

/// `name`'s status, read again.
pub(crate) fn status(app: &mut App, name: &str, status: AccountStatus) -> Vec<Effect> {
    let Some(row) = app.row_mut(name) else {
        return Vec::new();
    };
    let old = std::mem::replace(&mut row.status, status);
    account_changed(app, name, &old)
}

/// `name`'s status was read again (it was `old`). A shown token that is no longer the current
/// one is read again, and a notice about the account from before the change goes.
fn account_changed(app: &mut App, name: &str, old: &AccountStatus) -> Vec<Effect> {
    let Some(row) = app.accounts.iter().find(|r| r.name == name) else {
        return Vec::new();
    };
    let new = &row.status;
    if let Some((about, at)) = &app.notice_about
        && about == name
        && changed_since(new, *at)
    {
        app.notice = None;
        app.notice_about = None;
    }
    match app.revealed.as_mut().filter(|r| r.name == name) {
        Some(_) if new.token.is_none() => {
            app.revealed = None;
            Vec::new()
        }
        Some(revealed) if new.token != old.token => {
            revealed.token = None;
            vec![Effect::RevealToken(name.to_string())]
        }
        _ => Vec::new(),
    }
}

/// Whether the account was refreshed or linked after `at`.
fn changed_since(status: &AccountStatus, at: SystemTime) -> bool {
    status.last_refresh.as_ref().is_some_and(|l| l.at > at)
        || status.token.as_ref().is_some_and(|t| t.obtained_at > at)
}

/// New lines in the event log: a link or a removal means the accounts file changed, anything
/// else the account's status.
pub(crate) fn log_events(app: &mut App, events: Vec<Event>) -> Vec<Effect> {
    let mut effects = Vec::new();
    for event in events {
        let name = event.account.clone();
        if matches!(event.trigger, Trigger::Link | Trigger::Remove) {
            effects.push(Effect::LoadAccounts);
        } else if !effects
            .iter()
            .any(|e| matches!(e, Effect::LoadStatus(n) if *n == name))
        {
            effects.push(Effect::LoadStatus(name));
        }
        let other_process = event.pid != app.pid;
        // Scrolled down, the lines on screen stay there while new ones arrive above them.
        let shown = !app.log_filter || app.selected_row().is_some_and(|r| r.name == event.account);
        if app.log_scroll > 0 && shown {
            app.log_scroll += 1;
        }
        app.log.push(LogLine {
            event,
            other_process,
        });
    }
    if app.log.len() > LOG_CAPACITY {
        app.log.drain(..app.log.len() - LOG_CAPACITY);
    }
    effects
}

pub(crate) fn log_unreadable(app: &mut App, lines: usize) -> Vec<Effect> {
    app.log_unreadable = app.log_unreadable.saturating_add(lines);
    Vec::new()
}

/// A refresh by this process's engine began or ended; one the user asked for (`r`) is told.
pub(crate) fn engine(app: &mut App, event: EngineEvent) -> Vec<Effect> {
    match event {
        EngineEvent::Started { account, .. } => {
            if let Some(row) = app.row_mut(&account) {
                row.refreshing = true;
            }
            Vec::new()
        }
        EngineEvent::Finished {
            account,
            trigger,
            error,
        } => {
            if let Some(row) = app.row_mut(&account) {
                row.refreshing = false;
            }
            if trigger == crate::oauth::RefreshTrigger::Manual {
                let kind = match error {
                    None => NoticeKind::Good,
                    Some(_) => NoticeKind::Error,
                };
                let text = words::refresh_finished(&account, error.as_deref());
                app.notify_about(&account, kind, text);
            }
            vec![Effect::LoadStatus(account), Effect::PollLog]
        }
        // The TUI reads the accounts file itself, and says so on its own (`LoadFailed`).
        EngineEvent::AccountsUnreadable { .. } | EngineEvent::AccountsReadable { .. } => Vec::new(),
    }
}

/// `name` is gone (after `d` and `y`): the others keep their selection, and the notice says
/// what became of the grant at the provider.
pub(crate) fn removed(
    app: &mut App,
    name: &str,
    revocation: Option<String>,
    revocation_failed: bool,
) -> Vec<Effect> {
    let selected = app.selected_row().map(|r| r.name.clone());
    app.accounts.retain(|r| r.name != name);
    // The others keep their selection; the removed one's passes to the row after it.
    if !selected.is_some_and(|s| app.select(&s)) {
        app.selected = app.selected.min(app.accounts.len().saturating_sub(1));
    }
    if app.revealed.as_ref().is_some_and(|r| r.name == name) {
        app.revealed = None;
    }
    let kind = match revocation_failed {
        true => NoticeKind::Error,
        false => NoticeKind::Info,
    };
    let then = revocation.map(|r| format!(" {r}")).unwrap_or_default();
    app.notify(
        kind,
        format!("Removed {name}: its tokens are gone from the keyring.{then}"),
    );
    Vec::new()
}

/// The removal failed: why, in the runner's words.
pub(crate) fn remove_failed(app: &mut App, error: String) -> Vec<Effect> {
    app.notify(NoticeKind::Error, error);
    Vec::new()
}

/// The account's API answered `t`.
pub(crate) fn api_answered(app: &mut App, name: &str, status: u16, excerpt: &str) -> Vec<Effect> {
    let kind = if (200..300).contains(&status) {
        NoticeKind::Good
    } else {
        NoticeKind::Error
    };
    let text = format!("{name}: the API answered HTTP {status}: {excerpt}");
    app.notify_about(name, kind, text);
    vec![Effect::PollLog]
}

pub(crate) fn api_failed(app: &mut App, name: &str, message: &str) -> Vec<Effect> {
    let text = format!("{name}: {message}");
    app.notify_about(name, NoticeKind::Error, text);
    vec![Effect::PollLog]
}

/// The token the user asked to see (`s`), read: shown only while they still want to see it
/// (`s` again, or another row, hides it).
pub(crate) fn token_revealed(app: &mut App, name: &str, token: AccessToken) -> Vec<Effect> {
    if let Some(revealed) = app.revealed.as_mut().filter(|r| r.name == name) {
        revealed.token = Some(token);
    }
    Vec::new()
}

pub(crate) fn token_unavailable(app: &mut App, error: String) -> Vec<Effect> {
    app.revealed = None;
    app.notify(NoticeKind::Error, error);
    Vec::new()
}
