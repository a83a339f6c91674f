//! What keys and pastes do on the link screen: copy or open the URL, show the QR code alone, take
//! a pasted code or redirect URL, switch between the authorization URL and a device code, and
//! start again after a failure.

use crossterm::event::KeyEvent;

use super::LinkPhase;
use super::update::{restart, switch_way};
use super::{LinkScreen, other_way};
use crate::app::link::LinkWay;
use crate::tui::app::{App, Overlay, Screen};
use crate::tui::keymap::{self, Action, Context};
use crate::tui::message::Effect;

pub(crate) fn on_key(app: &mut App, key: &KeyEvent) -> Vec<Effect> {
    let demo = app.demo;
    let switched = switched_way(app);
    let Screen::Link(link) = &mut app.screen else {
        return Vec::new();
    };
    if link.typing {
        match keymap::action(Context::LinkInput, key) {
            // Blank text is no answer: the link session would wait on, and so would the screen.
            Some(Action::Submit) if link.input.text().trim().is_empty() => {
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
    let context = link.context();
    if context == Context::LinkFailed {
        match keymap::action(Context::LinkFailed, key) {
            Some(Action::Restart) => return restart(link),
            Some(Action::Help) => app.overlay = Some(Overlay::Help(0)),
            Some(Action::Back) => app.screen = Screen::Accounts,
            _ => {}
        }
        return Vec::new();
    }
    let url = link.url().map(str::to_string);
    match (keymap::action(context, key), url) {
        (Some(Action::SwitchWay), _) => match switched {
            Some(way) => return switch_way(link, way),
            None => {
                link.error = Some(
                    "This provider offers no device code: open the URL, or scan it, here.".into(),
                );
            }
        },
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

/// A paste goes into the code field, which takes the focus.
pub(crate) fn on_paste(app: &mut App, text: &str) {
    if let Screen::Link(link) = &mut app.screen {
        link.input.insert_str(text.trim());
        link.typing = true;
    }
}

/// The way `d` switches the link on screen to, when there is one: a device code only where the
/// provider offers it.
pub(crate) fn switched_way(app: &App) -> Option<LinkWay> {
    let Screen::Link(link) = &app.screen else {
        return None;
    };
    let account = &app
        .accounts
        .iter()
        .find(|r| r.name == link.account)?
        .account;
    Some(other_way(account, link.way)).filter(|way| {
        *way != LinkWay::Device || account.provider.device_authorization_endpoint().is_some()
    })
}

/// Whether `action` does something on the link screen as it is now (else the footer leaves its
/// key out): copying and opening need the URL, `d` another way to link.
pub fn acts(app: &App, link: &LinkScreen, action: Action) -> bool {
    match action {
        Action::Copy | Action::OpenBrowser | Action::Zoom => link.url().is_some(),
        Action::SwitchWay => switched_way(app).is_some(),
        _ => true,
    }
}
