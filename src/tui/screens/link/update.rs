//! How a link starts, goes on and ends on the link screen: the way it starts (the authorization
//! URL, or a device code where the URL's QR code would not fit), and what the runner reports —
//! the URL or the code to show, an attempt that failed (another paste may do), the link failed
//! for good, or the account linked.

use std::net::SocketAddr;

use super::{DeviceCode, LinkPhase, LinkScreen, device_by_default};
use crate::tui::app::{App, NoticeKind, Screen};
use crate::tui::message::Effect;

/// `l` on the accounts screen: the link screen for `name`, linking the way that suits the account
/// and the terminal.
pub(crate) fn open(app: &mut App, name: String) -> Vec<Effect> {
    app.notice = None;
    let device = app
        .selected_row()
        .is_some_and(|row| device_by_default(&row.account, app.size));
    app.screen = Screen::Link(LinkScreen::new(&name, device));
    vec![start(name, device)]
}

/// `r` after a failure: the same link, from the start, the same way.
pub(crate) fn restart(link: &mut LinkScreen) -> Vec<Effect> {
    let name = link.account.clone();
    *link = LinkScreen::new(&name, link.device);
    vec![start(name, link.device)]
}

/// `d`: the link under way is given up, and one starts the other way.
pub(crate) fn switch_way(link: &mut LinkScreen) -> Vec<Effect> {
    let name = link.account.clone();
    *link = LinkScreen::new(&name, !link.device);
    vec![Effect::CancelLink, start(name, link.device)]
}

/// The effect that starts a link one way or the other.
fn start(name: String, device: bool) -> Effect {
    match device {
        true => Effect::StartDeviceLink(name),
        false => Effect::StartLink(name),
    }
}

/// The authorization URL is ready (and the loopback listener, if there is one, listening).
pub(crate) fn started(app: &mut App, url: String, listening: Option<SocketAddr>) -> Vec<Effect> {
    if let Screen::Link(link) = &mut app.screen {
        link.show(url);
        link.listening = listening;
    }
    Vec::new()
}

/// The device code is issued: shown while the provider is polled.
pub(crate) fn device_started(app: &mut App, code: DeviceCode) -> Vec<Effect> {
    if let Screen::Link(link) = &mut app.screen
        && link.device
    {
        link.show_device(code);
    }
    Vec::new()
}

/// An attempt failed but the link goes on: the URL waits again (another paste, the browser
/// again), under the error.
pub(crate) fn attempt_failed(app: &mut App, error: String) -> Vec<Effect> {
    if let Screen::Link(link) = &mut app.screen {
        if let LinkPhase::Exchanging { url } = &link.phase {
            link.phase = LinkPhase::Waiting { url: url.clone() };
        }
        link.error = Some(error);
    }
    Vec::new()
}

/// The link cannot go on: only starting again (or going back) helps.
pub(crate) fn failed(app: &mut App, error: String) -> Vec<Effect> {
    if let Screen::Link(link) = &mut app.screen {
        link.phase = LinkPhase::Failed;
        link.typing = false;
        link.zoom = false;
        link.error = Some(error);
    }
    Vec::new()
}

/// Linked: back to the accounts, which are read again to show it.
pub(crate) fn linked(app: &mut App, name: &str) -> Vec<Effect> {
    app.screen = Screen::Accounts;
    let text = format!("Linked {name}: its tokens are in the keyring.");
    app.notify_about(name, NoticeKind::Good, text);
    vec![Effect::LoadAccounts]
}
