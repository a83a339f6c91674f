//! Linking an account: one [`LinkSession`] whichever way the answer comes ([`LinkWay`]) — the
//! browser at a loopback listener, a pasted code or address, or the device grant's polling. The
//! session owns the race between them and its rules, once for every front: a failed answer from
//! the browser ends the link; a paste that does not work is told ([`LinkEvent`]) and another
//! awaited, unless no paste could fix it; when the pastes end with nothing listening, the link
//! ends. A front shows the [`Prompt`], hands over what is pasted, and words the events and the end.

mod account;
mod code;
mod device;
mod offline;
mod way;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::mpsc;

use code::Link;
use device::DeviceLink;
pub use offline::{RefreshTokenAdvice, refresh_token_advice};
pub use way::LinkWay;

use super::error::AccountError;
use super::session::Persistence;
use crate::oauth::{self, DeviceAuthorization, Tokens};
use crate::store::{Store, StoreError};

/// What a person is shown to answer a link.
#[derive(Clone, Copy, Debug)]
pub enum Prompt<'a> {
    /// The authorization URL to open; where the browser is awaited, when it is.
    Url {
        url: &'a str,
        listening: Option<SocketAddr>,
    },
    /// The device code, the URL to open it at, its expiry.
    Device(&'a DeviceAuthorization),
}

/// What a link session tells while it runs.
#[derive(Clone, Debug)]
pub enum LinkEvent {
    /// A paste did not work; another is awaited.
    PasteRefused(oauth::Error),
}

/// A link that ended without linking the account: nothing listens or waits for a paste any more.
#[derive(Debug)]
pub struct LinkFailed {
    pub name: String,
    /// How it was linking: linking again the same way is the advice.
    pub way: LinkWay,
    pub end: LinkEnd,
}

/// Why a link ended.
#[derive(Debug)]
pub enum LinkEnd {
    /// The provider or the answer refused it, and no other answer could fix that.
    Refused(oauth::Error),
    /// The pastes ended before any came (standard input closed), with nothing listening.
    PastesEnded,
    /// The tokens are in the keyring, but recording the link failed.
    NotRecorded(StoreError),
}

impl std::error::Error for LinkFailed {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.end {
            LinkEnd::Refused(e) => Some(e),
            LinkEnd::NotRecorded(e) => Some(e),
            LinkEnd::PastesEnded => None,
        }
    }
}

/// One link of one account, from its prompt to its tokens recorded.
pub struct LinkSession {
    way: LinkWay,
    leg: Leg,
}

enum Leg {
    Code(Link),
    Device(DeviceLink),
}

impl LinkSession {
    /// Starts linking `name` by `way`: its session opened, and the authorization URL issued (and
    /// the listener bound) or the device code asked for.
    pub async fn start(
        store: &Arc<Store>,
        name: &str,
        way: LinkWay,
        persistence: &Persistence,
    ) -> Result<LinkSession, AccountError> {
        let leg = match way {
            LinkWay::Device => Leg::Device(DeviceLink::start(store, name, persistence).await?),
            _ => Leg::Code(Link::start(store, name, way, persistence).await?),
        };
        Ok(LinkSession { way, leg })
    }

    pub fn name(&self) -> &str {
        match &self.leg {
            Leg::Code(link) => link.name(),
            Leg::Device(link) => link.name(),
        }
    }

    pub fn way(&self) -> LinkWay {
        self.way
    }

    /// What to show to get the answer.
    pub fn prompt(&self) -> Prompt<'_> {
        match &self.leg {
            Leg::Code(link) => Prompt::Url {
                url: link.url(),
                listening: link.listening(),
            },
            Leg::Device(link) => Prompt::Device(link.authorization()),
        }
    }

    /// Runs the link to its end: the first answer that works is exchanged and the link recorded
    /// (its identity learned, its `linked` hook fired). `pastes` brings what a person pastes (a
    /// device link takes none); what happens meanwhile is told to `tell`, as it happens.
    pub async fn run(
        &self,
        store: &Store,
        pastes: mpsc::UnboundedReceiver<String>,
        tell: impl FnMut(LinkEvent),
    ) -> Result<Tokens, LinkFailed> {
        let tokens = match &self.leg {
            Leg::Code(link) => self.race(link, pastes, tell).await?,
            Leg::Device(link) => link
                .complete()
                .await
                .map_err(|e| self.failed(LinkEnd::Refused(e)))?,
        };
        let finished = match &self.leg {
            Leg::Code(link) => link.finish(store, &tokens).await,
            Leg::Device(link) => link.finish(store, &tokens).await,
        };
        finished.map_err(|e| self.failed(LinkEnd::NotRecorded(e)))?;
        Ok(tokens)
    }

    /// Whichever answer works first: the browser at the listener, or a paste.
    async fn race(
        &self,
        link: &Link,
        mut pastes: mpsc::UnboundedReceiver<String>,
        mut tell: impl FnMut(LinkEvent),
    ) -> Result<Tokens, LinkFailed> {
        let mut pastes_open = true;
        let mut last_refused: Option<oauth::Error> = None;
        // One wait for the whole race: dropping it midway would drop a browser that just arrived.
        let browser = link.browser_answer();
        tokio::pin!(browser);
        loop {
            tokio::select! {
                result = &mut browser => {
                    return result.map_err(|e| self.failed(LinkEnd::Refused(e)));
                }
                paste = pastes.recv(), if pastes_open => match paste {
                    Some(text) if text.trim().is_empty() => {}
                    Some(text) => match link.pasted_answer(&text).await {
                        Ok(tokens) => return Ok(tokens),
                        Err(e) if !Link::paste_can_fix(&e) => {
                            return Err(self.failed(LinkEnd::Refused(e)));
                        }
                        Err(e) => {
                            tell(LinkEvent::PasteRefused(e.clone()));
                            last_refused = Some(e);
                        }
                    },
                    None => {
                        pastes_open = false;
                        if link.listening().is_none() {
                            let end = match last_refused.take() {
                                Some(e) => LinkEnd::Refused(e),
                                None => LinkEnd::PastesEnded,
                            };
                            return Err(self.failed(end));
                        }
                    }
                },
            }
        }
    }

    fn failed(&self, end: LinkEnd) -> LinkFailed {
        LinkFailed {
            name: self.name().to_string(),
            way: self.way,
            end,
        }
    }
}
