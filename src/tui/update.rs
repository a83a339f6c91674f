//! `update(&mut App, Message) -> Vec<Effect>`: every change of state, and no I/O. It reads no
//! clock: the time is `app.now`, which the event loop sets before each batch of messages (and a
//! `Tick` carries), so a test gives it any time it likes.

use crossterm::event::KeyEventKind;

use std::time::SystemTime;

use super::app::{
    AccountRow, App, Inspection, LOG_CAPACITY, LinkPhase, Load, LogLine, Notice, NoticeKind,
    Screen, Stopping,
};
use super::message::{Effect, Message};
use super::screens::accounts::keys;
use super::screens::add::Input;
use crate::refresh::EngineEvent;
use crate::store::{AccountStatus, Trigger};

/// What the TUI does first: open the keyring, read the accounts and the event log's history.
pub fn start() -> Vec<Effect> {
    vec![
        Effect::OpenKeyring,
        Effect::LoadAccounts,
        Effect::LoadHistory,
    ]
}

pub fn update(app: &mut App, message: Message) -> Vec<Effect> {
    match message {
        Message::Key(key) if key.kind != KeyEventKind::Release => keys::on_key(app, key),
        Message::Key(_) | Message::Resize => Vec::new(),
        Message::Paste(text) => {
            keys::on_paste(app, &text);
            Vec::new()
        }
        Message::Tick(now) => {
            app.now = now;
            if app.busy() {
                app.spinner = app.spinner.wrapping_add(1);
            }
            match app.screen {
                Screen::Accounts => vec![Effect::PollLog],
                _ => Vec::new(),
            }
        }
        Message::Loaded(rows) => on_loaded(app, rows),
        Message::LoadFailed(error) => {
            // What was read before stays on screen (and is kept fresh) under the error.
            app.load = match app.load {
                Load::Read | Load::Broken(_) => Load::Broken(error),
                Load::Reading | Load::Failed(_) => Load::Failed(error),
            };
            Vec::new()
        }
        Message::Daemon(daemon) => {
            app.daemon = daemon;
            Vec::new()
        }
        Message::KeyringReady { backend, warning } => {
            app.keyring = super::app::KeyringState::Ready { backend, warning };
            Vec::new()
        }
        Message::KeyringFailed(error) => {
            app.keyring = super::app::KeyringState::Failed(error);
            Vec::new()
        }
        Message::LogEvents(events) => on_log_events(app, events),
        Message::LogUnreadable(lines) => {
            app.log_unreadable = app.log_unreadable.saturating_add(lines);
            Vec::new()
        }
        Message::Status { name, status } => {
            let Some(row) = app.row_mut(&name) else {
                return Vec::new();
            };
            let old = std::mem::replace(&mut row.status, status);
            account_changed(app, &name, &old)
        }
        Message::Engine(event) => on_engine(app, event),
        Message::LinkStarted { url, listening } => {
            if let Screen::Link(link) = &mut app.screen {
                link.show(url);
                link.listening = listening;
            }
            Vec::new()
        }
        Message::DeviceLinkStarted(code) => {
            if let Screen::Link(link) = &mut app.screen
                && link.device
            {
                link.show_device(code);
            }
            Vec::new()
        }
        Message::LinkAttemptFailed(error) => {
            if let Screen::Link(link) = &mut app.screen {
                if let LinkPhase::Exchanging { url } = &link.phase {
                    link.phase = LinkPhase::Waiting { url: url.clone() };
                }
                link.error = Some(error);
            }
            Vec::new()
        }
        Message::LinkFailed(error) => {
            if let Screen::Link(link) = &mut app.screen {
                link.phase = LinkPhase::Failed;
                link.typing = false;
                link.zoom = false;
                link.error = Some(error);
            }
            Vec::new()
        }
        Message::Linked { name } => {
            app.screen = Screen::Accounts;
            let text = format!("Linked {name}: its tokens are in the keyring.");
            notice_about(app, &name, NoticeKind::Good, text);
            vec![Effect::LoadAccounts]
        }
        Message::Added { name } => {
            app.screen = Screen::Accounts;
            let text = format!("Added {name}. Press l to link it.");
            if !app.select(&name) {
                app.select_when_listed = Some(name.clone());
            }
            app.revealed = None;
            notice_about(app, &name, NoticeKind::Good, text);
            vec![Effect::LoadAccounts]
        }
        Message::AddFailed { field, message } => {
            if let Screen::Add(form) = &mut app.screen {
                form.submitting = false;
                let input = field.map_or(Input::Provider, |f| form.input_for(f));
                form.errors.insert(input, message);
                form.focus = form.inputs().iter().position(|i| *i == input).unwrap_or(0);
            }
            Vec::new()
        }
        Message::Removed {
            name,
            revocation,
            revocation_failed,
        } => {
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
            notice(
                app,
                kind,
                format!("Removed {name}: its tokens are gone from the keyring.{then}"),
            );
            Vec::new()
        }
        Message::RemoveFailed(error) => {
            notice(app, NoticeKind::Error, error);
            Vec::new()
        }
        Message::Inspected { name, report } => {
            // A report for a screen since left (or another account's) is dropped.
            if let Screen::Inspect(screen) = &mut app.screen
                && screen.name == name
            {
                screen.introspecting = false;
                screen.report = match report {
                    Ok(report) => Inspection::Ready(report),
                    Err(error) => Inspection::Failed(error),
                };
            }
            Vec::new()
        }
        Message::TokenUnavailable(error) => {
            app.revealed = None;
            notice(app, NoticeKind::Error, error);
            Vec::new()
        }
        Message::ApiAnswered {
            name,
            status,
            excerpt,
        } => {
            let kind = if (200..300).contains(&status) {
                NoticeKind::Good
            } else {
                NoticeKind::Error
            };
            let text = format!("{name}: the API answered HTTP {status}: {excerpt}");
            notice_about(app, &name, kind, text);
            vec![Effect::PollLog]
        }
        Message::ApiFailed { name, message } => {
            let text = format!("{name}: {message}");
            notice_about(app, &name, NoticeKind::Error, text);
            vec![Effect::PollLog]
        }
        Message::TokenRevealed { name, token } => {
            // Only while the user still wants to see it (s again, or another row, hides it).
            if let Some(revealed) = app.revealed.as_mut().filter(|r| r.name == name) {
                revealed.token = Some(token);
            }
            Vec::new()
        }
        Message::Quit => quit(app),
        Message::StopWaiting { accounts, patience } => {
            if app.stopping.is_some() {
                app.stopping = Some(Stopping::Waiting { accounts, patience });
            }
            Vec::new()
        }
        Message::Stopped => {
            app.quit = true;
            Vec::new()
        }
    }
}

/// Quitting: the first time, refreshes under way are let end (and the screen says which); the
/// second, they are given up and the TUI ends at once.
pub(super) fn quit(app: &mut App) -> Vec<Effect> {
    match app.stopping {
        None => {
            app.stopping = Some(Stopping::Asking);
            vec![Effect::Stop]
        }
        Some(_) => {
            app.quit = true;
            vec![Effect::GiveUp]
        }
    }
}

pub(super) fn notice(app: &mut App, kind: NoticeKind, text: String) {
    app.notice = Some(Notice { text, kind });
    app.notice_about = None;
}

/// A notice about one account: it goes when that account changes later.
pub(super) fn notice_about(app: &mut App, name: &str, kind: NoticeKind, text: String) {
    app.notice = Some(Notice { text, kind });
    app.notice_about = Some((name.to_string(), app.now));
}

/// The accounts file was read again: the selection stays on its account (or moves to the one
/// just added), and what changed in each account is acted on.
fn on_loaded(app: &mut App, mut rows: Vec<AccountRow>) -> Vec<Effect> {
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

fn on_log_events(app: &mut App, events: Vec<crate::store::Event>) -> Vec<Effect> {
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

fn on_engine(app: &mut App, event: EngineEvent) -> Vec<Effect> {
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
                let (kind, text) = match error {
                    None => (NoticeKind::Good, format!("Refreshed {account}.")),
                    Some(e) => (
                        NoticeKind::Error,
                        format!("Refreshing {account} failed: {e}"),
                    ),
                };
                notice_about(app, &account, kind, text);
            }
            vec![Effect::LoadStatus(account), Effect::PollLog]
        }
        // The TUI reads the accounts file itself, and says so on its own (`LoadFailed`).
        EngineEvent::AccountsUnreadable { .. } | EngineEvent::AccountsReadable { .. } => Vec::new(),
    }
}
