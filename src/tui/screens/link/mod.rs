//! The link screen's state: which way the account is being linked (the authorization URL, or the
//! device grant's code), how far it got, and what the user typed. Both ways are one screen (one
//! state, one set of keys, `r` starts again the same way); each way has its view (`view`,
//! `device`).

mod device;
mod error;
pub(crate) mod keys;
pub(crate) mod update;
pub(crate) mod view;

use std::net::SocketAddr;
use std::time::SystemTime;

use crate::app::link::LinkWay;
use crate::store::Account;
use crate::tui::keymap::Context;
use crate::tui::widgets::input::TextInput;

#[derive(Debug)]
pub struct LinkScreen {
    pub account: String,
    pub phase: LinkPhase,
    pub input: TextInput,
    pub typing: bool,
    /// Where the loopback listener waits for the browser, when there is one.
    pub listening: Option<SocketAddr>,
    pub zoom: bool,
    /// The last attempt's error, in words a person understands.
    pub error: Option<String>,
    pub copied: bool,
    /// The URL's QR code as half-block lines, encoded once when the URL arrives (drawing only
    /// draws it); `None` inside when the URL is too long for a QR code.
    pub qr: Option<(String, Option<Vec<String>>)>,
    /// How the account is being linked (the authorization URL, with or without a listener, or
    /// a device code); `r` starts again the same way.
    pub way: LinkWay,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkPhase {
    Starting,
    Waiting {
        url: String,
    },
    Exchanging {
        url: String,
    },
    /// The device grant: the code and the URL are shown, the provider is polled.
    Device(DeviceCode),
    /// The link cannot go on (the account vanished, the keyring failed, the user declined, the
    /// code expired): only starting again (or going back) helps. Why is in `LinkScreen::error`.
    Failed,
}

/// What the device view shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceCode {
    /// What to open (and what the QR code carries): the complete verification URL when the
    /// provider gives one.
    pub url: String,
    /// What the user types at `url`, or checks there.
    pub user_code: String,
    /// Whether `url` already carries the code (the page shows it; nothing to type).
    pub complete: bool,
    pub expires_at: SystemTime,
}

impl LinkScreen {
    pub fn new(account: &str, way: LinkWay) -> LinkScreen {
        LinkScreen {
            account: account.to_string(),
            phase: LinkPhase::Starting,
            input: TextInput::default(),
            typing: false,
            listening: None,
            zoom: false,
            error: None,
            copied: false,
            qr: None,
            way,
        }
    }

    /// The authorization URL is ready: wait on it, with its QR code encoded now, once.
    pub fn show(&mut self, url: String) {
        self.encode(&url);
        self.phase = LinkPhase::Waiting { url };
    }

    /// The device code is issued: show it, with the URL's QR code encoded now, once.
    pub fn show_device(&mut self, code: DeviceCode) {
        self.encode(&code.url);
        self.phase = LinkPhase::Device(code);
    }

    fn encode(&mut self, url: &str) {
        if self.qr.as_ref().is_none_or(|(encoded, _)| encoded != url) {
            self.qr = Some((url.to_string(), crate::qr::half_blocks(url)));
        }
    }

    /// The QR code of `url`, when it was encoded and fits in a QR code.
    pub fn qr_lines(&self, url: &str) -> Option<&[String]> {
        match &self.qr {
            Some((encoded, lines)) if encoded == url => lines.as_deref(),
            _ => None,
        }
    }

    /// Which bindings the screen has now: its state decides.
    pub fn context(&self) -> Context {
        match self.phase {
            LinkPhase::Failed => Context::LinkFailed,
            _ if self.typing => Context::LinkInput,
            LinkPhase::Device(_) => Context::LinkDevice,
            _ if self.way == LinkWay::Device => Context::LinkDevice,
            _ => Context::Link,
        }
    }

    /// The URL to open, in either mode.
    pub fn url(&self) -> Option<&str> {
        match &self.phase {
            LinkPhase::Waiting { url } | LinkPhase::Exchanging { url } => Some(url),
            LinkPhase::Device(code) => Some(&code.url),
            LinkPhase::Starting | LinkPhase::Failed => None,
        }
    }
}

/// A terminal smaller than this cannot show the QR code of a typical authorization URL (250–330
/// characters: a 65–69 module code) beside its text; the device code's short URL fits.
pub const CODE_FLOW_QR_FITS: (u16, u16) = (113, 40);

/// How `l` links `account` on a terminal of `size`: as the account links by default (the device
/// grant when its provider offers it and its callback is not one this machine can catch), and by
/// the device grant too where the terminal is too small for the authorization URL's QR code.
pub fn way_for(account: &Account, size: (u16, u16)) -> LinkWay {
    let small = size.0 < CODE_FLOW_QR_FITS.0 || size.1 < CODE_FLOW_QR_FITS.1;
    match LinkWay::default_for(account) {
        _ if small && account.provider.device_authorization_endpoint().is_some() => LinkWay::Device,
        way => way,
    }
}

/// `d` on the link screen: the other way — a device code instead of the authorization URL, or
/// back to the URL (listening when the callback is a loopback one).
pub fn other_way(account: &Account, way: LinkWay) -> LinkWay {
    match way {
        LinkWay::Device => LinkWay::by_url(account),
        LinkWay::Loopback | LinkWay::Paste => LinkWay::Device,
    }
}
