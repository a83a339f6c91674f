//! The device grant leg of a link (RFC 8628): a user code and a URL to open on any device, then
//! the provider polled until the user approves there, declines, or lets the code expire. Every
//! front drives [`LinkSession`](super::LinkSession), never a leg.

use std::sync::Arc;

use super::account::{linkable_session, recorded};
use crate::app::error::AccountError;
use crate::app::session::Persistence;
use crate::oauth::{self, DeviceAuthorization, Session, Tokens};
use crate::store::{Store, StoreError};

/// A device link under way: the user code is issued, the provider is polled until the user
/// approves at the verification URL.
pub struct DeviceLink {
    name: String,
    session: Session,
    authorization: DeviceAuthorization,
}

impl DeviceLink {
    /// Opens `name`'s session and asks its provider for a device code.
    pub async fn start(
        store: &Arc<Store>,
        name: &str,
        persistence: &Persistence,
    ) -> Result<DeviceLink, AccountError> {
        let session = linkable_session(store, name, persistence).await?;
        let authorization = session.device_authorization().await?;
        Ok(DeviceLink {
            name: name.to_string(),
            session,
            authorization,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The user code, the URL to open, the expiry.
    pub fn authorization(&self) -> &DeviceAuthorization {
        &self.authorization
    }

    /// Polls until the user approves (tokens stored), declines or lets the code expire.
    pub async fn complete(&self) -> Result<Tokens, oauth::Error> {
        self.session.device_tokens(&self.authorization).await
    }

    /// Records that the account is linked (the tokens are already in the keyring), and who it
    /// is: the ID token's label, or userinfo's when that names nothing better than a `sub`.
    pub async fn finish(&self, store: &Store, tokens: &Tokens) -> Result<(), StoreError> {
        recorded(store, &self.name, &self.session, tokens).await
    }
}
