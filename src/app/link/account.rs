//! What every way of linking does to the account: the session it starts from, and its end
//! recorded.

use std::sync::Arc;

use crate::app::error::AccountError;
use crate::app::hooks;
use crate::app::identity::learn_identity;
use crate::app::session::{Persistence, open_session};
use crate::oauth::{self, Session, Tokens};
use crate::store::{HookEvent, Store, StoreError};

/// The session a link starts from, once the account's settings can start one: an extra
/// parameter that repeats one tokendeck sends (an account added before that was refused) must
/// be changed first.
pub(super) async fn linkable_session(
    store: &Arc<Store>,
    name: &str,
    persistence: &Persistence,
) -> Result<Session, AccountError> {
    let account = store.accounts()?.get(name)?.clone();
    if let Some(key) = account
        .params
        .keys()
        .find(|key| oauth::params::is_reserved_param(key))
    {
        return Err(AccountError::ReservedParam {
            name: name.to_string(),
            key: key.clone(),
        });
    }
    open_session(store, name, persistence).await
}

/// The end of a link, either way: recorded, its identity learned, its `linked` hook fired.
pub(super) async fn recorded(
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
