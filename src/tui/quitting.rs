//! Quitting while refreshes are under way, on whatever screen it began: the first `q` (or Ctrl-C,
//! or a stopping signal) lets them end and the status line says which; a second quits at once.

use crossterm::event::KeyEvent;

use super::app::{App, Stopping};
use super::keymap::{self, Action, Context};
use super::message::Effect;
use super::widgets::spinner;

/// Quitting: the first time, refreshes under way are let end (and the screen says which); the
/// second, they are given up and the TUI ends at once.
pub fn quit(app: &mut App) -> Vec<Effect> {
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

/// While quitting, only quitting at once is left to do.
pub fn on_key(app: &mut App, key: &KeyEvent) -> Vec<Effect> {
    match keymap::action(Context::Quitting, key) {
        Some(Action::Quit) => quit(app),
        _ => Vec::new(),
    }
}

/// The refreshes under way when quitting began: these accounts', for at most `patience`.
pub fn waiting(app: &mut App, accounts: Vec<String>, patience: std::time::Duration) -> Vec<Effect> {
    if app.stopping.is_some() {
        app.stopping = Some(Stopping::Waiting { accounts, patience });
    }
    Vec::new()
}

/// No refresh is under way any more (or patience ran out): the TUI ends.
pub fn stopped(app: &mut App) -> Vec<Effect> {
    app.quit = true;
    Vec::new()
}

/// What the status line says while quitting waits for refreshes: which, and how to quit at once.
pub fn status(app: &App) -> Option<String> {
    let Some(Stopping::Waiting { accounts, patience }) = &app.stopping else {
        return None;
    };
    let (refreshes, it) = match accounts.as_slice() {
        [one] => (format!("{one}'s refresh"), "it"),
        [rest @ .., last] => (
            format!("the refreshes of {} and {last}", rest.join(", ")),
            "them",
        ),
        [] => ("the refreshes".into(), "them"),
    };
    Some(format!(
        "{} Quitting: waiting for {refreshes} to be stored (up to {}). Press q or Ctrl-C again to quit now and lose {it}.",
        spinner(app.spinner),
        crate::time::short_duration(patience.as_secs())
    ))
}
