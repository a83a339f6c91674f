//! The authorization code leg of a link: the account's session, the loopback listener when the
//! link waits for the browser, the authorization URL, and the two ways an answer arrives — the
//! browser at the listener, or a paste. [`LinkSession`](super::LinkSession) races them; every
//! front drives the session, never a leg.

use std::net::SocketAddr;
use std::sync::Arc;

use super::account::{linkable_session, recorded};
use super::way::LinkWay;
use crate::app::error::AccountError;
use crate::app::session::Persistence;
use crate::oauth::{self, CallbackListener, ErrorKind, Session, Tokens};
use crate::store::{Store, StoreError};

/// A link under way by the authorization URL: the URL is issued and answers are awaited.
pub struct Link {
    name: String,
    session: Session,
    listener: Option<CallbackListener>,
    url: String,
}

impl Link {
    /// Opens `name`'s session, listens on its callback URL when `way` is
    /// [`LinkWay::Loopback`] (a port of 0 becomes a free port, which the URL then names), and
    /// issues the authorization URL.
    pub(super) async fn start(
        store: &Arc<Store>,
        name: &str,
        way: LinkWay,
        persistence: &Persistence,
    ) -> Result<Link, AccountError> {
        let session = linkable_session(store, name, persistence).await?;
        let listener = match way {
            LinkWay::Loopback => Some(session.listen().await?),
            LinkWay::Paste | LinkWay::Device => None,
        };
        let url = session.authorize_url();
        Ok(Link {
            name: name.to_string(),
            session,
            listener,
            url,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The authorization URL to open.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Where the browser is awaited, when it is.
    pub fn listening(&self) -> Option<SocketAddr> {
        self.listener.as_ref().map(CallbackListener::local_addr)
    }

    /// The browser's arrival at the listener and the exchange of its code; never, without a
    /// listener. After a failure the listener still listens: call again to keep waiting.
    pub async fn browser_answer(&self) -> Result<Tokens, oauth::Error> {
        match &self.listener {
            Some(listener) => self.session.wait_for_callback(listener).await,
            None => std::future::pending().await,
        }
    }

    /// A pasted code, redirect address or query string, checked and exchanged.
    pub async fn pasted_answer(&self, text: &str) -> Result<Tokens, oauth::Error> {
        self.session.token(text).await
    }

    /// Records that the account is linked (the tokens are already in the keyring), and who it
    /// is: the ID token's label, or userinfo's when that names nothing better than a `sub`.
    pub async fn finish(&self, store: &Store, tokens: &Tokens) -> Result<(), StoreError> {
        recorded(store, &self.name, &self.session, tokens).await
    }

    /// Whether pasting another answer could still fix `error`. A refused client configuration
    /// cannot be fixed by any answer: the link should end and say which setting to change.
    pub fn paste_can_fix(error: &oauth::Error) -> bool {
        // After a failed save, or a refused ID token, the code was already spent: no paste can
        // help.
        error.kind() != ErrorKind::Configuration
            && error.storage_cause().is_none()
            && !matches!(error, oauth::Error::IdTokenRefused { .. })
    }
}
