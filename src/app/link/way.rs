//! How a link gets its answer, and how an account links unless told otherwise.

use crate::oauth::provider::is_loopback;
use crate::store::Account;

/// How a link gets its answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkWay {
    /// The authorization URL, and a listener on the loopback callback for the browser to come
    /// back to (a paste works too).
    Loopback,
    /// The authorization URL, and a paste of where the browser landed: the callback is not one
    /// this machine can catch.
    Paste,
    /// The device grant: a code to approve on any device, and the provider polled.
    Device,
}

impl LinkWay {
    /// How `account` links by default: by the device grant when its provider offers it and its
    /// callback is not one this machine can catch — pasting a long code from a phone's address
    /// bar is what the device grant spares the user; otherwise by the authorization URL.
    pub fn default_for(account: &Account) -> LinkWay {
        match LinkWay::by_url(account) {
            LinkWay::Paste if account.provider.device_authorization_endpoint().is_some() => {
                LinkWay::Device
            }
            way => way,
        }
    }

    /// How `account` links by the authorization URL: with a listener when its callback is a
    /// loopback URL, by a paste otherwise.
    pub fn by_url(account: &Account) -> LinkWay {
        match url::Url::parse(&account.redirect_uri) {
            Ok(url) if url.scheme() == "http" && is_loopback(&url) => LinkWay::Loopback,
            _ => LinkWay::Paste,
        }
    }
}
