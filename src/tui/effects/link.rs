//! The link effect: drives one [`LinkSession`] — started the way the link screen chose, its
//! prompt shown, what is pasted handed in, what it tells passed on — to its end. The race between
//! the browser, pastes and the device grant's polling, and its rules, are the session's.

use std::sync::Arc;

use tokio::sync::mpsc::{self, UnboundedSender};

use crate::app::Persistence;
use crate::app::link::{LinkEvent, LinkSession, LinkWay, Prompt, refresh_token_advice};
use crate::oauth::Tokens;
use crate::store::Store;
use crate::tui::app::DeviceCode;
use crate::tui::message::{Message, NoRefreshToken};

/// Links `name` by `way`, sending the prompt, each refused paste and the end as messages. The
/// session, and with it the loopback listener, lives as long as this future: aborting its task
/// stops listening at once.
pub(super) async fn link(
    store: &Arc<Store>,
    name: &str,
    way: LinkWay,
    pastes: mpsc::UnboundedReceiver<String>,
    tx: &UnboundedSender<Message>,
) -> Message {
    let session = match LinkSession::start(store, name, way, &Persistence::while_running()).await {
        Ok(session) => session,
        Err(e) => return Message::LinkNotStarted(Box::new(e)),
    };
    let _ = tx.send(prompt(session.prompt()));
    match session.run(store, pastes, |event| tell(tx, event)).await {
        Ok(tokens) => Message::Linked {
            name: name.to_string(),
            without_refresh_token: no_refresh_token(store, name, &tokens),
        },
        Err(failed) => Message::LinkFailed(Box::new(failed)),
    }
}

/// What to say when the provider issued no refresh token: the advice is the app's, for the
/// account as it is now.
fn no_refresh_token(store: &Store, name: &str, tokens: &Tokens) -> Option<Box<NoRefreshToken>> {
    if tokens.refresh_token().is_some() {
        return None;
    }
    // An account removed meanwhile still gets the warning, without advice.
    let advice = store
        .account(name)
        .map(|account| refresh_token_advice(&account))
        .unwrap_or_default();
    Some(Box::new(NoRefreshToken {
        expires_at: tokens.expires_at(),
        advice,
    }))
}

/// What the link screen shows to get the answer.
fn prompt(prompt: Prompt<'_>) -> Message {
    match prompt {
        Prompt::Url { url, listening } => Message::LinkStarted {
            url: url.to_string(),
            listening,
        },
        Prompt::Device(authorization) => Message::DeviceLinkStarted(DeviceCode {
            url: authorization.url_to_open().to_string(),
            user_code: authorization.user_code().to_string(),
            complete: authorization.verification_uri_complete().is_some(),
            expires_at: authorization.expires_at(),
        }),
    }
}

fn tell(tx: &UnboundedSender<Message>, event: LinkEvent) {
    match event {
        LinkEvent::PasteRefused(e) => {
            let _ = tx.send(Message::PasteRefused(e));
        }
    }
}
