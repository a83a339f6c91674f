//! What keys do on the accounts screen: move the selection (or scroll the focused pane), and act
//! on the selected account — or say why not (not linked yet, no API URL) and what to press
//! instead.

use crossterm::event::KeyEvent;

use crate::store::Health;
use ratatui::layout::Rect;

use super::{log, view};
use crate::tui::app::{App, NoticeKind, Overlay, Pane, Revealed, Screen};
use crate::tui::keymap::{self, Action, Context};
use crate::tui::layout;
use crate::tui::message::Effect;
use crate::tui::quitting::quit;
use crate::tui::screens::add::AddForm;
use crate::tui::screens::{inspect, link};
use crate::tui::widgets::scroll;

pub(crate) fn on_key(app: &mut App, key: &KeyEvent) -> Vec<Effect> {
    let context = match app.focus {
        Pane::List => Context::Accounts,
        Pane::Details | Pane::Log => Context::Pane,
    };
    let Some(action) = keymap::action(context, key) else {
        return Vec::new();
    };
    // A focused pane takes the moving keys and Esc; the rest act on the selected account.
    if app.focus != Pane::List {
        match action {
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::First
            | Action::Last => {
                scroll_pane(app, action);
                return Vec::new();
            }
            Action::Back => app.focus = Pane::List,
            _ => {}
        }
    }
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
        // A form opens clear of an earlier notice, as the link and inspect screens do: on a
        // small terminal it would take the form's rows, and it is not about the form.
        (Action::Add, _) => {
            app.notice = None;
            app.screen = Screen::Add(AddForm::new());
        }
        (Action::Help, _) => app.overlay = Some(Overlay::Help(0)),
        (Action::Quit, _) => return quit(app),
        (Action::NextPane, _) => app.focus = app.focus.next(true),
        (Action::PrevPane, _) => app.focus = app.focus.next(false),
        (Action::Filter, _) => {
            app.log_filter = !app.log_filter;
            app.log_scroll = 0;
        }
        (_, None) => app.notify(
            NoticeKind::Info,
            "No account yet: press a to add one.".into(),
        ),
        (Action::Link, Some((name, ..))) => return link::update::open(app, name),
        (Action::Edit, Some((name, ..))) => {
            if let Some(row) = app.selected_row() {
                let form = AddForm::edit(&name, &row.account);
                app.notice = None;
                app.screen = Screen::Add(form);
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

/// Moves the selection; a token shown for the account left behind is hidden, and the details
/// (and a log filtered to it) start again from their top.
fn move_selection(app: &mut App, by: isize) {
    let before = app.selected;
    app.move_selection(by);
    if app.selected != before {
        app.revealed = None;
        app.details_scroll = 0;
        if app.log_filter {
            app.log_scroll = 0;
        }
    }
}

/// Scrolls the focused pane as far as the view will draw it: its height is the layout's at the
/// terminal's size, beside the notice of now.
fn scroll_pane(app: &mut App, action: Action) {
    let (width, height) = app.size;
    let body = layout::body_area(app, Rect::new(0, 0, width, height));
    let panes = view::panes(app, body);
    match app.focus {
        Pane::Details => {
            let room = usize::from(panes.details.height.saturating_sub(1));
            let total = panes.details_lines.total();
            app.details_scroll = scroll::scrolled(app.details_scroll, action, room, total);
        }
        Pane::Log => {
            let (total, room) = log::extent(app, panes.log.height);
            app.log_scroll = scroll::scrolled(app.log_scroll, action, room, total);
        }
        Pane::List => {}
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

/// Whether `action` does something on the accounts screen as it is now (else the footer leaves
/// its key out): the account keys need a selected account, most need it linked, `t` an API URL.
pub fn acts(app: &App, context: Context, action: Action) -> bool {
    let row = app.selected_row();
    let linked = row.is_some_and(|r| r.health(app.now) != Health::NotLinked);
    match action {
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::First
        | Action::Last => context == Context::Pane || app.accounts.len() > 1,
        Action::Link | Action::Remove | Action::Filter => row.is_some(),
        Action::Refresh | Action::ShowToken | Action::Inspect => linked,
        Action::Copy => app.revealed.as_ref().is_some_and(|r| r.token.is_some()),
        Action::Test => linked && row.is_some_and(|r| r.account.api_url.is_some()),
        _ => true,
    }
}
