//! `update(&mut App, Message) -> Vec<Effect>`: every change of state, and no I/O. Time comes only
//! from `Tick` messages.

use crossterm::event::{KeyEvent, KeyEventKind};

use super::app::{
    App, LOG_CAPACITY, LinkPhase, LinkScreen, LogLine, Notice, NoticeKind, Overlay, Screen,
};
use super::form::{AddForm, Input};
use super::keymap::{self, Action, Context};
use super::message::{Effect, Message};
use crate::refresh::EngineEvent;
use crate::store::{Health, Trigger};

pub fn update(app: &mut App, message: Message) -> Vec<Effect> {
    match message {
        Message::Key(key) if key.kind != KeyEventKind::Release => on_key(app, key),
        Message::Key(_) | Message::Resize => Vec::new(),
        Message::Paste(text) => {
            on_paste(app, &text);
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
            app.loaded = true;
            app.selected = app.selected.min(app.accounts.len().saturating_sub(1));
            Vec::new()
        }
        Message::LoadFailed(error) => {
            app.loaded = true;
            notice(app, NoticeKind::Error, error);
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
        Message::Status { name, status } => {
            if let Some(row) = app.row_mut(&name) {
                row.status = status;
            }
            Vec::new()
        }
        Message::Engine(event) => on_engine(app, event),
        Message::LinkStarted { url, listening } => {
            if let Screen::Link(link) = &mut app.screen {
                link.phase = LinkPhase::Waiting { url };
                link.listening = listening;
            }
            Vec::new()
        }
        Message::LinkAttemptFailed(error) | Message::LinkFailed(error) => {
            if let Screen::Link(link) = &mut app.screen {
                if let LinkPhase::Exchanging { url } = &link.phase {
                    link.phase = LinkPhase::Waiting { url: url.clone() };
                }
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

fn notice(app: &mut App, kind: NoticeKind, text: String) {
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

fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if let Some(overlay) = app.overlay.clone() {
        return on_overlay_key(app, overlay, &key);
    }
    match &app.screen {
        Screen::Accounts => on_accounts_key(app, &key),
        Screen::Add(_) => on_add_key(app, &key),
        Screen::Link(_) => on_link_key(app, &key),
    }
}

fn on_overlay_key(app: &mut App, overlay: Overlay, key: &KeyEvent) -> Vec<Effect> {
    let context = match overlay {
        Overlay::Help(_) => Context::Help,
        Overlay::ConfirmRemove(_) => Context::Confirm,
    };
    match (keymap::action(context, key), overlay) {
        (Some(Action::Confirm), Overlay::ConfirmRemove(name)) => {
            app.overlay = None;
            vec![Effect::Remove(name)]
        }
        (Some(Action::Back), _) => {
            app.overlay = None;
            Vec::new()
        }
        (Some(Action::Up), Overlay::Help(scroll)) => {
            app.overlay = Some(Overlay::Help(scroll.saturating_sub(1)));
            Vec::new()
        }
        (Some(Action::Down), Overlay::Help(scroll)) => {
            app.overlay = Some(Overlay::Help(scroll.saturating_add(1)));
            Vec::new()
        }
        _ => Vec::new(),
    }
}

fn on_accounts_key(app: &mut App, key: &KeyEvent) -> Vec<Effect> {
    let Some(action) = keymap::action(Context::Accounts, key) else {
        return Vec::new();
    };
    let selected = app.selected_row().map(|r| {
        (
            r.name.clone(),
            r.health(app.now),
            r.account.api_url.is_some(),
        )
    });
    match (action, selected) {
        (Action::Up, _) => {
            app.selected = app.selected.saturating_sub(1);
            app.revealed = None;
        }
        (Action::Down, _) => {
            app.selected = (app.selected + 1).min(app.accounts.len().saturating_sub(1));
            app.revealed = None;
        }
        (Action::Add, _) => app.screen = Screen::Add(AddForm::new()),
        (Action::Help, _) => app.overlay = Some(Overlay::Help(0)),
        (Action::Quit, _) => app.quit = true,
        (Action::Filter, _) => app.log_filter = !app.log_filter,
        (_, None) => notice(
            app,
            NoticeKind::Info,
            "No account yet: press a to add one.".into(),
        ),
        (Action::Link, Some((name, ..))) => {
            app.notice = None;
            app.screen = Screen::Link(LinkScreen::new(&name));
            return vec![Effect::StartLink(name)];
        }
        (Action::Refresh, Some((name, Health::NotLinked, _)))
        | (Action::Test, Some((name, Health::NotLinked, _))) => {
            notice(
                app,
                NoticeKind::Info,
                format!("{name} is not linked yet: press l to link it."),
            );
        }
        (Action::Refresh, Some((name, ..))) => {
            notice(app, NoticeKind::Info, format!("Refreshing {name}…"));
            return vec![Effect::Refresh(name)];
        }
        (Action::Test, Some((name, _, false))) => notice(
            app,
            NoticeKind::Info,
            format!("{name} has no API URL to test: add one as api_url in the accounts file."),
        ),
        (Action::Test, Some((name, ..))) => {
            notice(app, NoticeKind::Info, format!("Calling {name}'s API…"));
            return vec![Effect::TestApi(name)];
        }
        (Action::Remove, Some((name, ..))) => app.overlay = Some(Overlay::ConfirmRemove(name)),
        (Action::ShowToken, Some((name, ..))) if app.revealed.take().is_none() => {
            return vec![Effect::RevealToken(name)];
        }
        _ => {}
    }
    Vec::new()
}

fn on_add_key(app: &mut App, key: &KeyEvent) -> Vec<Effect> {
    let Screen::Add(form) = &mut app.screen else {
        return Vec::new();
    };
    if form.submitting {
        return Vec::new();
    }
    let on_provider = form.focused() == Input::Provider;
    match keymap::action(Context::Add, key) {
        Some(Action::NextField) => form.move_focus(true),
        Some(Action::PrevField) => form.move_focus(false),
        Some(Action::NextChoice) if on_provider => form.cycle_choice(true),
        Some(Action::PrevChoice) if on_provider => form.cycle_choice(false),
        Some(Action::Submit) => match form.request() {
            Ok(request) => {
                form.errors.clear();
                form.submitting = true;
                return vec![Effect::Add(Box::new(request))];
            }
            Err(errors) => {
                let inputs = form.inputs();
                form.focus = inputs
                    .iter()
                    .position(|i| errors.contains_key(i))
                    .unwrap_or(form.focus);
                form.errors = errors;
            }
        },
        Some(Action::Back) => app.screen = Screen::Accounts,
        Some(Action::Help) => app.overlay = Some(Overlay::Help(0)),
        _ if !on_provider => {
            let input = form.focused();
            if form.input_mut(input).handle(key) {
                form.errors.remove(&input);
            }
        }
        _ => {}
    }
    Vec::new()
}

fn on_link_key(app: &mut App, key: &KeyEvent) -> Vec<Effect> {
    let demo = app.demo;
    let Screen::Link(link) = &mut app.screen else {
        return Vec::new();
    };
    if link.typing {
        match keymap::action(Context::LinkInput, key) {
            Some(Action::Submit) if link.input.is_empty() => {
                link.error = Some(
                    "Paste the code, or the whole address the browser landed on, first.".into(),
                );
            }
            Some(Action::Submit) => {
                let text = link.input.text().to_string();
                if let Some(url) = link.url() {
                    link.phase = LinkPhase::Exchanging {
                        url: url.to_string(),
                    };
                }
                link.error = None;
                link.input.clear();
                link.typing = false;
                return vec![Effect::SubmitPaste(text)];
            }
            Some(Action::TypeCode | Action::Back) => link.typing = false,
            _ => {
                link.input.handle(key);
            }
        }
        return Vec::new();
    }
    let url = link.url().map(str::to_string);
    match (keymap::action(Context::Link, key), url) {
        (Some(Action::Copy), Some(url)) => {
            link.copied = true;
            return vec![Effect::Copy(url)];
        }
        (Some(Action::OpenBrowser), Some(url)) => return vec![Effect::OpenBrowser(url)],
        (Some(Action::Zoom), _) => link.zoom = !link.zoom,
        (Some(Action::TypeCode), _) => link.typing = true,
        (Some(Action::DemoApprove), Some(_)) if demo => {
            return vec![Effect::DemoApprove(link.account.clone())];
        }
        (Some(Action::Help), _) => app.overlay = Some(Overlay::Help(0)),
        (Some(Action::Back), _) if link.zoom => link.zoom = false,
        (Some(Action::Back), _) => {
            app.screen = Screen::Accounts;
            return vec![Effect::CancelLink];
        }
        _ => {}
    }
    Vec::new()
}

fn on_paste(app: &mut App, text: &str) {
    match &mut app.screen {
        Screen::Link(link) => {
            link.input.insert_str(text.trim());
            link.typing = true;
        }
        Screen::Add(form) if form.focused() != Input::Provider => {
            let input = form.focused();
            form.input_mut(input).insert_str(text.trim());
        }
        _ => {}
    }
}
