//! How a link starts, goes on and ends on the link screen: the way it starts (the authorization
//! URL, or a device code where the URL's QR code would not fit), and what the link session
//! reports — the URL or the code to show, a paste refused (another may do), the link ended, or
//! the account linked — worded by the TUI's words.

use std::net::SocketAddr;

use super::{DeviceCode, LinkPhase, LinkScreen, way_for};
use crate::app::AccountError;
use crate::app::link::{LinkFailed, LinkWay};
use crate::oauth;
use crate::tui::app::{App, NoticeKind, Screen};
use crate::tui::message::{Effect, NoRefreshToken};
use crate::tui::words;

/// `l` on the accounts screen: the link screen for `name`, linking the way that suits the account
/// and the terminal.
pub(crate) fn open(app: &mut App, name: String) -> Vec<Effect> {
    app.notice = None;
    // An account not listed cannot be linked: the session says so, without listening.
    let way = app
        .accounts
        .iter()
        .find(|row| row.name == name)
        .map_or(LinkWay::Paste, |row| way_for(&row.account, app.size));
    app.screen = Screen::Link(LinkScreen::new(&name, way));
    vec![Effect::StartLink(name, way)]
}

/// `r` after a failure: the same link, from the start, the same way.
pub(crate) fn restart(link: &mut LinkScreen) -> Vec<Effect> {
    let name = link.account.clone();
    *link = LinkScreen::new(&name, link.way);
    vec![Effect::StartLink(name, link.way)]
}

/// `d`: the link under way is given up, and one starts `way`.
pub(crate) fn switch_way(link: &mut LinkScreen, way: LinkWay) -> Vec<Effect> {
    let name = link.account.clone();
    *link = LinkScreen::new(&name, way);
    vec![Effect::CancelLink, Effect::StartLink(name, way)]
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
        && link.way == LinkWay::Device
    {
        link.show_device(code);
    }
    Vec::new()
}

/// A paste did not work; the link takes another.
pub(crate) fn paste_refused(app: &mut App, error: &oauth::Error) -> Vec<Effect> {
    attempt_failed(app, words::paste_refused(error))
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

/// The link could not start: only starting again (or going back) helps.
pub(crate) fn not_started(app: &mut App, error: &AccountError) -> Vec<Effect> {
    failed(app, words::link_not_started(error))
}

/// The link ended without linking (a failed answer from the browser ends it too, as the link
/// session rules): only starting again (or going back) helps.
pub(crate) fn ended(app: &mut App, failed_link: &LinkFailed) -> Vec<Effect> {
    failed(app, words::link_ended(failed_link))
}

/// The link cannot go on: only starting again (or going back) helps.
fn failed(app: &mut App, error: String) -> Vec<Effect> {
    if let Screen::Link(link) = &mut app.screen {
        link.phase = LinkPhase::Failed;
        link.typing = false;
        link.zoom = false;
        link.error = Some(error);
    }
    Vec::new()
}

/// Linked: back to the accounts, which are read again to show it — warned at once when no
/// refresh token came, since the account then dies with its access token.
pub(crate) fn linked(
    app: &mut App,
    name: &str,
    without_refresh_token: Option<&NoRefreshToken>,
) -> Vec<Effect> {
    app.screen = Screen::Accounts;
    match without_refresh_token {
        None => app.notify_about(name, NoticeKind::Good, words::linked(name)),
        Some(none) => {
            let text =
                words::linked_without_refresh_token(name, none.expires_at, app.now, &none.advice);
            app.notify_about(name, NoticeKind::Warning, text);
        }
    }
    vec![Effect::LoadAccounts]
}
