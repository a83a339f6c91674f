//! What keys do on the accounts screen: move the selection, and act on the selected account — or
//! say why not (not linked yet, no API URL) and what to press instead.

use crossterm::event::KeyEvent;

use crate::store::Health;
use crate::tui::app::{App, NoticeKind, Overlay, Revealed, Screen};
use crate::tui::keymap::{self, Action, Context};
use crate::tui::message::Effect;
use crate::tui::quitting::quit;
use crate::tui::screens::add::AddForm;
use crate::tui::screens::{inspect, link};

pub(crate) fn on_key(app: &mut App, key: &KeyEvent) -> Vec<Effect> {
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
    let page = app.page() as isize;
    match (action, selected) {
        (Action::Up, _) => move_selection(app, -1),
        (Action::Down, _) => move_selection(app, 1),
        (Action::PageUp, _) => move_selection(app, -page),
        (Action::PageDown, _) => move_selection(app, page),
        (Action::First, _) => move_selection(app, isize::MIN),
        (Action::Last, _) => move_selection(app, isize::MAX),
        (Action::Add, _) => app.screen = Screen::Add(AddForm::new()),
        (Action::Help, _) => app.overlay = Some(Overlay::Help(0)),
        (Action::Quit, _) => return quit(app),
        (Action::Filter, _) => app.log_filter = !app.log_filter,
        (_, None) => app.notify(
            NoticeKind::Info,
            "No account yet: press a to add one.".into(),
        ),
        (Action::Link, Some((name, ..))) => return link::update::open(app, name),
        (Action::Edit, Some((name, ..))) => {
            if let Some(row) = app.selected_row() {
                app.screen = Screen::Add(AddForm::edit(&name, &row.account));
            }
        }
        (Action::Refresh, Some((name, Health::NotLinked, _)))
        | (Action::Inspect, Some((name, Health::NotLinked, _)))
        | (Action::Test, Some((name, Health::NotLinked, _)))
        | (Action::ShowToken, Some((name, Health::NotLinked, _)))
        | (Action::Copy, Some((name, Health::NotLinked, _))) => {
            let text = format!("{name} is not linked yet: press l to link it.");
            app.notify_about(&name, NoticeKind::Info, text);
        }
        (Action::Refresh, Some((name, ..))) => {
            app.notify_about(&name, NoticeKind::Info, format!("Refreshing {name}…"));
            return vec![Effect::Refresh(name)];
        }
        (Action::Test, Some((name, _, false))) => app.notify(
            NoticeKind::Info,
            format!("{name} has no API URL to test: press e to add one."),
        ),
        (Action::Test, Some((name, ..))) => {
            app.notify(NoticeKind::Info, format!("Calling {name}'s API…"));
            return vec![Effect::TestApi(name)];
        }
        (Action::Inspect, Some((name, ..))) => return inspect::update::open(app, name),
        (Action::Remove, Some((name, ..))) => app.overlay = Some(Overlay::ConfirmRemove(name)),
        (Action::ShowToken, Some((name, ..))) if app.revealed.take().is_none() => {
            app.revealed = Some(Revealed {
                name: name.clone(),
                token: None,
            });
            return vec![Effect::RevealToken(name)];
        }
        (Action::Copy, Some((name, ..))) => return copy_token(app, &name),
        _ => {}
    }
    Vec::new()
}

/// Moves the selection; a token shown for the account left behind is hidden.
fn move_selection(app: &mut App, by: isize) {
    let before = app.selected;
    app.move_selection(by);
    if app.selected != before {
        app.revealed = None;
    }
}

/// `c` copies the token on screen; with none shown, it says how to show it.
fn copy_token(app: &mut App, name: &str) -> Vec<Effect> {
    match app.revealed.as_ref().and_then(|r| r.token.clone()) {
        Some(token) => {
            app.notify(
                NoticeKind::Good,
                format!("Copied {name}'s access token to the clipboard (OSC 52)."),
            );
            vec![Effect::CopyToken(token)]
        }
        None if app.revealed.is_some() => {
            let text = "The token is still being read from the keyring: press c again in a moment.";
            app.notify(NoticeKind::Info, text.into());
            Vec::new()
        }
        None => {
            let text = "Press s to show the access token first, then c copies it.";
            app.notify(NoticeKind::Info, text.into());
            Vec::new()
        }
    }
}
