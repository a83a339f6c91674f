//! `update(&mut App, Message) -> Vec<Effect>`: every change of state, and no I/O. It reads no
//! clock: the time is `app.now`, which the event loop sets before each batch of messages (and a
//! `Tick` carries), so a test gives it any time it likes.

use crossterm::event::KeyEventKind;

use super::app::{App, LOG_CAPACITY, LinkPhase, Load, LogLine, Notice, NoticeKind, Screen};
use super::form::Input;
use super::keys;
use super::message::{Effect, Message};
use crate::refresh::EngineEvent;
use crate::store::Trigger;

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
        Message::Loaded(mut rows) => {
            for row in &mut rows {
                row.refreshing = app
                    .accounts
                    .iter()
                    .any(|r| r.name == row.name && r.refreshing);
            }
            app.accounts = rows;
            app.load = Load::Read;
            app.selected = app.selected.min(app.accounts.len().saturating_sub(1));
            Vec::new()
        }
        Message::LoadFailed(error) => {
            app.load = Load::Failed(error);
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
            if let Some(row) = app.row_mut(&name) {
                row.status = status;
            }
            Vec::new()
        }
        Message::Engine(event) => on_engine(app, event),
        Message::LinkStarted { url, listening } => {
            if let Screen::Link(link) = &mut app.screen {
                link.show(url);
                link.listening = listening;
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
            notice(
                app,
                NoticeKind::Good,
                format!("Linked {name}: its tokens are in the keyring."),
            );
            vec![Effect::LoadAccounts]
        }
        Message::Added { name } => {
            app.screen = Screen::Accounts;
            notice(
                app,
                NoticeKind::Good,
                format!("Added {name}. Press l to link it."),
            );
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
        Message::Removed { name } => {
            app.accounts.retain(|r| r.name != name);
            app.selected = app.selected.min(app.accounts.len().saturating_sub(1));
            notice(
                app,
                NoticeKind::Info,
                format!("Removed {name}: its tokens are gone from the keyring."),
            );
            Vec::new()
        }
        Message::RemoveFailed(error) | Message::TokenUnavailable(error) => {
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
            notice(
                app,
                kind,
                format!("{name}: the API answered HTTP {status}: {excerpt}"),
            );
            vec![Effect::PollLog]
        }
        Message::ApiFailed { name, message } => {
            notice(app, NoticeKind::Error, format!("{name}: {message}"));
            vec![Effect::PollLog]
        }
        Message::TokenRevealed { name, token } => {
            app.revealed = Some((name, token));
            Vec::new()
        }
        Message::Quit => {
            app.quit = true;
            Vec::new()
        }
    }
}

pub(super) fn notice(app: &mut App, kind: NoticeKind, text: String) {
    app.notice = Some(Notice { text, kind });
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
                match error {
                    None => notice(app, NoticeKind::Good, format!("Refreshed {account}.")),
                    Some(e) => notice(
                        app,
                        NoticeKind::Error,
                        format!("Refreshing {account} failed: {e}"),
                    ),
                }
            }
            vec![Effect::LoadStatus(account), Effect::PollLog]
        }
    }
}
