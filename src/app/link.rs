//! Linking an account, the one flow both faces run, in its two modes. The authorization code
//! flow ([`Link`]): the account's session, the loopback listener when the callback URL is a
//! loopback one, the authorization URL, and the two ways an answer arrives — the browser at the
//! listener, or a paste. The device grant ([`DeviceLink`]): a user code and a URL to open on any
//! device, then polling. And what to say when a link has ended without tokens, which differs
//! from what to say while it still runs.

use std::net::SocketAddr;
use std::sync::Arc;

use super::hooks;
use super::identity::learn_identity;
use super::session::{AccountError, Persistence, open_session};
use crate::oauth::error::clause;
use crate::oauth::provider::is_loopback;
use crate::oauth::{
    self, CallbackListener, DeviceAuthorization, ErrorKind, Session, Setting, Tokens,
};
use crate::store::{HookEvent, Store, StoreError};

/// A link under way: the authorization URL is issued and answers are awaited.
pub struct Link {
    name: String,
    session: Session,
    listener: Option<CallbackListener>,
    url: String,
}

impl Link {
    /// Opens `name`'s session, listens on its callback URL when that is a loopback one (a port
    /// of 0 becomes a free port, which the URL then names), and issues the authorization URL.
    pub async fn start(
        store: &Arc<Store>,
        name: &str,
        persistence: &Persistence,
    ) -> Result<Link, AccountError> {
        let session = linkable_session(store, name, persistence).await?;
        let listener = match url::Url::parse(&session.redirect_uri()) {
            Ok(url) if url.scheme() == "http" && is_loopback(&url) => Some(session.listen().await?),
            _ => None,
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
    pub async fn from_browser(&self) -> Result<Tokens, oauth::Error> {
        match &self.listener {
            Some(listener) => self.session.wait_for_callback(listener).await,
            None => std::future::pending().await,
        }
    }

    /// A pasted code, redirect address or query string, checked and exchanged.
    pub async fn from_paste(&self, text: &str) -> Result<Tokens, oauth::Error> {
        self.session.token(text).await
    }

    /// Records that the account is linked (the tokens are already in the keyring), and who it
    /// is: the ID token's label, or userinfo's when that names nothing better than a `sub`.
    pub async fn finish(&self, store: &Store, tokens: &Tokens) -> Result<(), StoreError> {
        finish(store, &self.name, &self.session, tokens).await
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

    /// The link ends with `error`: its message says how to start again.
    pub fn failed(&self, error: oauth::Error) -> LinkFailed {
        LinkFailed {
            name: self.name.clone(),
            error,
            device: false,
        }
    }

    /// Whether `name` links by device by default: its provider offers the device grant and its
    /// callback is not one this machine can catch (a loopback URL) — pasting a long code from a
    /// phone's address bar is what the device grant spares the user.
    pub fn prefers_device(store: &Store, name: &str) -> Result<bool, AccountError> {
        let account = store.accounts()?.get(name)?.clone();
        let loopback = url::Url::parse(&account.redirect_uri)
            .is_ok_and(|url| url.scheme() == "http" && is_loopback(&url));
        Ok(account.provider.device_authorization_endpoint().is_some() && !loopback)
    }
}

/// The session a link starts from, once the account's settings can start one.
async fn linkable_session(
    store: &Arc<Store>,
    name: &str,
    persistence: &Persistence,
) -> Result<Session, AccountError> {
    let account = store.accounts()?.get(name)?.clone();
    if let Some(problem) = account
        .params
        .keys()
        .find_map(|key| oauth::params::reserved_param_problem(key))
    {
        return Err(AccountError::OAuth(oauth::Error::Config(format!(
            "{problem}: change the parameters with `tokendeck set {name} --param KEY=VALUE` (or clear them with `--no-params`), then link again"
        ))));
    }
    open_session(store, name, persistence).await
}

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
        finish(store, &self.name, &self.session, tokens).await
    }

    /// The link ends with `error`: its message says how to start again.
    pub fn failed(&self, error: oauth::Error) -> LinkFailed {
        LinkFailed {
            name: self.name.clone(),
            error,
            device: true,
        }
    }
}

/// A link that ended without tokens. Nothing listens or waits for a paste any more, so the advice
/// is to link again — after changing the setting the provider refused, when it refused one.
#[derive(Debug, thiserror::Error)]
#[error("{}", ended_message(name, error, *device))]
pub struct LinkFailed {
    pub name: String,
    pub error: oauth::Error,
    /// It was a device link: linking again means `--device` again.
    pub device: bool,
}

fn ended_message(name: &str, error: &oauth::Error, device: bool) -> String {
    let problem = error.problem();
    let problem = clause(&problem);
    let flag = if device { " --device" } else { "" };
    let relink = format!("run `tokendeck link {name}{flag}` again");
    match (error.setting(), error.kind()) {
        (Some(Setting::ClientCredentials), _) => format!(
            "{problem}. The client secret (or the client authentication method) is wrong: fix it with `tokendeck set {name} --client-secret-stdin` (or `--auth-method`), then {relink}"
        ),
        (Some(Setting::Scopes), _) => format!(
            "{problem}. Change the scopes with `tokendeck set {name} --scope S` (repeat it for each scope), then {relink}"
        ),
        (Some(Setting::AuthorizeParams), _) => format!(
            "{problem}. Check the extra parameters and the callback URL, change them with `tokendeck set {name} --param KEY=VALUE` or `--redirect-uri URI`, then {relink}"
        ),
        (None, ErrorKind::Transient | ErrorKind::Ambiguous) => {
            format!("{problem}. Wait a moment, then {relink}")
        }
        (None, _) => format!("{problem}. To try again, {relink}"),
    }
}

/// The end of a link, either way: recorded, its identity learned, its `linked` hook fired.
async fn finish(
    store: &Store,
    name: &str,
    session: &Session,
    tokens: &Tokens,
) -> Result<(), StoreError> {
    store.record_link(name, tokens)?;
    learn_identity(store, name, session).await;
    let facts = hooks::Facts {
        expires_at: tokens.expires_at(),
        message: None,
        secrets: session.secrets(),
    };
    hooks::fire(store, name, HookEvent::Linked, facts);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use oauth::Grant;

    fn ended(error: oauth::Error) -> String {
        ended_message("work", &error, false)
    }

    #[test]
    fn an_ended_link_says_to_link_again_and_never_to_reopen_the_url() {
        let denied = oauth::Error::AuthorizationDenied {
            error: "access_denied".into(),
            description: Some("The user denied the request.".into()),
        };
        assert!(
            denied
                .to_string()
                .contains("Open the authorization URL again")
        );
        let msg = ended(denied);
        assert_eq!(
            msg,
            "access was denied at the provider: The user denied the request. To try again, run `tokendeck link work` again"
        );
        let msg = ended(oauth::Error::IssuerMismatch {
            expected: "https://as.example".into(),
            got: "https://evil.example".into(),
        });
        assert!(msg.contains("run `tokendeck link work` again"), "{msg}");
        assert!(
            !msg.contains("paste") && !msg.contains("authorization URL"),
            "{msg}"
        );
    }

    #[test]
    fn a_refused_setting_is_named_with_the_command_that_changes_it() {
        let msg = ended(oauth::Error::Rejected {
            grant: Grant::AuthorizationCode,
            status: 401,
            error: "invalid_client".into(),
            description: Some("client authentication failed".into()),
        });
        assert!(
            msg.contains("fix it with `tokendeck set work --client-secret-stdin`"),
            "{msg}"
        );
        let scope = oauth::Error::AuthorizationDenied {
            error: "invalid_scope".into(),
            description: None,
        };
        assert!(ended(scope).contains("`tokendeck set work --scope S`"));
        let request = oauth::Error::AuthorizationDenied {
            error: "invalid_request".into(),
            description: Some("use \"S256\".".into()),
        };
        let msg = ended(request);
        assert!(
            msg.contains("`tokendeck set work --param KEY=VALUE`"),
            "{msg}"
        );
        assert!(msg.contains("use \"S256\". Check"), "one full stop: {msg}");
    }
}
