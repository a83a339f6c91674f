//! What keys and pastes do on each screen: the half of `update` that reads the keymap.

use crossterm::event::KeyEvent;

use crate::store::Health;
use crate::tui::app::{
    App, InspectScreen, Inspection, LinkPhase, LinkScreen, NoticeKind, Overlay, Revealed, Screen,
};
use crate::tui::keymap::{self, Action, Context};
use crate::tui::message::Effect;
use crate::tui::screens::add::{AddForm, Input};
use crate::tui::screens::link::device_by_default;
use crate::tui::update::{notice, notice_about, quit};

pub(crate) fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    // Quitting, and waiting for refreshes: only quitting at once is left to do, wherever it began.
    if app.stopping.is_some() {
        return match keymap::action(Context::Quitting, &key) {
            Some(Action::Quit) => quit(app),
            _ => Vec::new(),
        };
    }
    if let Some(overlay) = app.overlay.clone() {
        return on_overlay_key(app, overlay, &key);
    }
    match &app.screen {
        Screen::Accounts => on_accounts_key(app, &key),
        Screen::Add(_) => on_add_key(app, &key),
        Screen::Link(_) => on_link_key(app, &key),
        Screen::Inspect(_) => on_inspect_key(app, &key),
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
        (_, None) => notice(
            app,
            NoticeKind::Info,
            "No account yet: press a to add one.".into(),
        ),
        (Action::Link, Some((name, ..))) => {
            app.notice = None;
            let device = app
                .selected_row()
                .is_some_and(|row| device_by_default(&row.account, app.size));
            app.screen = Screen::Link(LinkScreen::new(&name, device));
            return vec![start_link(name, device)];
        }
        (Action::Refresh, Some((name, Health::NotLinked, _)))
        | (Action::Inspect, Some((name, Health::NotLinked, _)))
        | (Action::Test, Some((name, Health::NotLinked, _)))
        | (Action::ShowToken, Some((name, Health::NotLinked, _)))
        | (Action::Copy, Some((name, Health::NotLinked, _))) => {
            let text = format!("{name} is not linked yet: press l to link it.");
            notice_about(app, &name, NoticeKind::Info, text);
        }
        (Action::Refresh, Some((name, ..))) => {
            notice_about(app, &name, NoticeKind::Info, format!("Refreshing {name}…"));
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
        (Action::Inspect, Some((name, ..))) => {
            app.notice = None;
            app.screen = Screen::Inspect(InspectScreen::new(&name));
            return vec![Effect::Inspect {
                name,
                introspect: false,
            }];
        }
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

fn on_inspect_key(app: &mut App, key: &KeyEvent) -> Vec<Effect> {
    let page = app.size.1.saturating_sub(6).max(1);
    let Screen::Inspect(screen) = &mut app.screen else {
        return Vec::new();
    };
    match keymap::action(Context::Inspect, key) {
        Some(Action::Down) => screen.scroll = screen.scroll.saturating_add(1),
        Some(Action::Up) => screen.scroll = screen.scroll.saturating_sub(1),
        Some(Action::PageDown) => screen.scroll = screen.scroll.saturating_add(page),
        Some(Action::PageUp) => screen.scroll = screen.scroll.saturating_sub(page),
        Some(Action::First) => screen.scroll = 0,
        // The view brings an overshoot back to the last page.
        Some(Action::Last) => screen.scroll = u16::MAX,
        Some(Action::Introspect | Action::Reread) if screen.busy() => {}
        Some(action @ (Action::Introspect | Action::Reread)) => {
            let introspect = action == Action::Introspect;
            screen.introspecting = introspect;
            if !introspect {
                screen.report = Inspection::Reading;
            }
            return vec![Effect::Inspect {
                name: screen.name.clone(),
                introspect,
            }];
        }
        Some(Action::Help) => app.overlay = Some(Overlay::Help(0)),
        Some(Action::Back) => app.screen = Screen::Accounts,
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
            notice(
                app,
                NoticeKind::Good,
                format!("Copied {name}'s access token to the clipboard (OSC 52)."),
            );
            vec![Effect::CopyToken(token)]
        }
        None if app.revealed.is_some() => {
            let text = "The token is still being read from the keyring: press c again in a moment.";
            notice(app, NoticeKind::Info, text.into());
            Vec::new()
        }
        None => {
            let text = "Press s to show the access token first, then c copies it.";
            notice(app, NoticeKind::Info, text.into());
            Vec::new()
        }
    }
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

/// The effect that starts a link one way or the other.
fn start_link(name: String, device: bool) -> Effect {
    match device {
        true => Effect::StartDeviceLink(name),
        false => Effect::StartLink(name),
    }
}

fn on_link_key(app: &mut App, key: &KeyEvent) -> Vec<Effect> {
    let demo = app.demo;
    let offers_device = match &app.screen {
        Screen::Link(link) => app
            .accounts
            .iter()
            .find(|row| row.name == link.account)
            .is_some_and(|row| {
                row.account
                    .provider
                    .device_authorization_endpoint()
                    .is_some()
            }),
        _ => false,
    };
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
            Some(Action::Help) => app.overlay = Some(Overlay::Help(0)),
            _ => {
                link.input.handle(key);
            }
        }
        return Vec::new();
    }
    let context = keymap::link_context(link);
    if context == Context::LinkFailed {
        match keymap::action(Context::LinkFailed, key) {
            Some(Action::Restart) => {
                let name = link.account.clone();
                *link = LinkScreen::new(&name, link.device);
                return vec![start_link(name, link.device)];
            }
            Some(Action::Help) => app.overlay = Some(Overlay::Help(0)),
            Some(Action::Back) => app.screen = Screen::Accounts,
            _ => {}
        }
        return Vec::new();
    }
    let url = link.url().map(str::to_string);
    match (keymap::action(context, key), url) {
        (Some(Action::SwitchWay), _) if !link.device && !offers_device => {
            link.error =
                Some("This provider offers no device code: open the URL, or scan it, here.".into());
        }
        (Some(Action::SwitchWay), _) => {
            let name = link.account.clone();
            *link = LinkScreen::new(&name, !link.device);
            return vec![Effect::CancelLink, start_link(name, link.device)];
        }
        (Some(Action::Copy), Some(url)) => {
            link.copied = true;
            return vec![Effect::Copy(url)];
        }
        (Some(Action::OpenBrowser), Some(url)) => return vec![Effect::OpenBrowser(url)],
        (Some(Action::Zoom), _) => link.zoom = !link.zoom,
        (Some(Action::TypeCode), _) => link.typing = true,
        (Some(Action::DemoApprove), Some(url)) if demo => return vec![Effect::DemoApprove(url)],
        (Some(Action::DemoApprove), None) if demo => {
            link.error = Some("Nothing to approve yet: press A again in a moment.".into());
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

pub(crate) fn on_paste(app: &mut App, text: &str) {
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
