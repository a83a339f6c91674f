//! `update(&mut App, Message) -> Vec<Effect>`: every change of state, and no I/O. It reads no
//! clock: the time is `app.now`, which the event loop sets before each batch of messages (and a
//! `Tick` carries), so a test gives it any time it likes.
//!
//! This is the router: a key goes to what is on top (quitting, an overlay, the screen), a paste
//! to the screen's field, and each message from the background to the screen it is about. What
//! happens then is the screen's own business, in `screens/<screen>/`.

use crossterm::event::{KeyEvent, KeyEventKind};

use super::app::{App, Overlay, Screen};
use super::keymap::{self, Action, Context};
use super::message::{Effect, Message};
use super::quitting;
use super::screens::{accounts, add, confirm_remove, help, inspect, link};

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
        Message::Key(key) if key.kind != KeyEventKind::Release => on_key(app, &key),
        Message::Key(_) | Message::Resize => Vec::new(),
        Message::Paste(text) => on_paste(app, &text),
        Message::Tick(now) => tick(app, now),
        Message::Loaded(rows) => accounts::update::loaded(app, rows),
        Message::LoadFailed(error) => accounts::update::load_failed(app, error),
        Message::Daemon(daemon) => accounts::update::daemon(app, daemon),
        Message::KeyringReady { backend, warning } => {
            accounts::update::keyring_ready(app, backend, warning)
        }
        Message::KeyringFailed(error) => accounts::update::keyring_failed(app, error),
        Message::LogEvents(events) => accounts::update::log_events(app, events),
        Message::LogUnreadable(lines) => accounts::update::log_unreadable(app, lines),
        Message::Status { name, status } => accounts::update::status(app, &name, status),
        Message::Engine(event) => accounts::update::engine(app, event),
        Message::Removed {
            name,
            revocation,
            revocation_failed,
        } => accounts::update::removed(app, &name, revocation, revocation_failed),
        Message::RemoveFailed(error) => accounts::update::remove_failed(app, error),
        Message::ApiAnswered {
            name,
            status,
            excerpt,
        } => accounts::update::api_answered(app, &name, status, &excerpt),
        Message::ApiFailed { name, message } => accounts::update::api_failed(app, &name, &message),
        Message::TokenRevealed { name, token } => {
            accounts::update::token_revealed(app, &name, token)
        }
        Message::TokenUnavailable(error) => accounts::update::token_unavailable(app, error),
        Message::LinkStarted { url, listening } => link::update::started(app, url, listening),
        Message::DeviceLinkStarted(code) => link::update::device_started(app, code),
        Message::PasteRefused(error) => link::update::paste_refused(app, &error),
        Message::LinkAttemptFailed(error) => link::update::attempt_failed(app, error),
        Message::LinkNotStarted(error) => link::update::not_started(app, &error),
        Message::LinkFailed(failed) => link::update::ended(app, &failed),
        Message::Linked {
            name,
            without_refresh_token,
        } => link::update::linked(app, &name, without_refresh_token.as_deref()),
        Message::Added {
            name,
            git,
            secret_required_by,
        } => add::update::added(app, name, &git, secret_required_by.as_deref()),
        Message::Edited { name, changed } => add::update::edited(app, &name, &changed),
        Message::AddFailed { field, message } => add::update::failed(app, field, message),
        Message::Inspected { name, report } => inspect::update::inspected(app, &name, report),
        Message::Quit => quitting::quit(app),
        Message::StopWaiting { accounts, patience } => quitting::waiting(app, accounts, patience),
        Message::Stopped => quitting::stopped(app),
    }
}

/// A key goes to what is on top: quitting (on whatever screen it began), an overlay, the screen.
fn on_key(app: &mut App, key: &KeyEvent) -> Vec<Effect> {
    if app.stopping.is_some() {
        return quitting::on_key(app, key);
    }
    // Ctrl-C quits from every screen and overlay, before any field can take it as typing.
    if keymap::action(Context::Anywhere, key) == Some(Action::Quit) {
        return quitting::quit(app);
    }
    match (&app.overlay, &app.screen) {
        (Some(Overlay::Help(_)), _) => help::keys::on_key(app, key),
        (Some(Overlay::ConfirmRemove(_)), _) => confirm_remove::keys::on_key(app, key),
        (None, Screen::Accounts) => accounts::keys::on_key(app, key),
        (None, Screen::Add(_)) => add::keys::on_key(app, key),
        (None, Screen::Link(_)) => link::keys::on_key(app, key),
        (None, Screen::Inspect(_)) => inspect::keys::on_key(app, key),
    }
}

/// A bracketed paste goes to the screen's field, whatever is over it.
fn on_paste(app: &mut App, text: &str) -> Vec<Effect> {
    match app.screen {
        Screen::Link(_) => link::keys::on_paste(app, text),
        Screen::Add(_) => add::keys::on_paste(app, text),
        Screen::Accounts | Screen::Inspect(_) => {}
    }
    Vec::new()
}

/// Time passes: the spinner turns while something is in progress, and the accounts screen looks
/// for what is new in the event log.
fn tick(app: &mut App, now: std::time::SystemTime) -> Vec<Effect> {
    app.now = now;
    if app.busy() {
        app.spinner = app.spinner.wrapping_add(1);
    }
    match app.screen {
        Screen::Accounts => vec![Effect::PollLog],
        _ => Vec::new(),
    }
}
