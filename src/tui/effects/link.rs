//! The link effects: one link, from the authorization URL or a device code, to tokens recorded in
//! the store.

use std::sync::Arc;

use tokio::sync::mpsc::{self, UnboundedSender};

use crate::refresh::{DeviceLink, Link, Persistence};
use crate::store::Store;
use crate::tui::app::DeviceCode;
use crate::tui::message::Message;

/// One link: prepares the URL, then takes whichever answer works first — the browser at the
/// loopback listener, or a paste — and records it. A failed attempt is reported and the next
/// awaited (the listener keeps listening, so opening the URL again works), unless no answer could
/// fix it.
pub(super) async fn link(
    store: &Arc<Store>,
    name: &str,
    mut pastes: mpsc::UnboundedReceiver<String>,
    tx: &UnboundedSender<Message>,
) -> Result<(), String> {
    let link = Link::start(store, name, &Persistence::while_running())
        .await
        .map_err(|e| e.to_string())?;
    let _ = tx.send(Message::LinkStarted {
        url: link.url().to_string(),
        listening: link.listening(),
    });
    let mut browser = Box::pin(link.from_browser());
    let tokens = loop {
        let result = tokio::select! {
            result = &mut browser => {
                browser.set(link.from_browser());
                result
            }
            paste = pastes.recv() => match paste {
                Some(text) => link.from_paste(&text).await,
                None => return Err("The link was cancelled.".into()),
            },
        };
        match result {
            Ok(tokens) => break tokens,
            Err(e) if !Link::paste_can_fix(&e) => return Err(e.to_string()),
            Err(e) => {
                let _ = tx.send(Message::LinkAttemptFailed(e.to_string()));
            }
        }
    };
    link.finish(store, &tokens)
        .await
        .map_err(|e| format!("The tokens are in the keyring, but recording the link failed: {e}"))
}

/// One device link: issues the code, shows it, polls until the user approves elsewhere, and
/// records the tokens. A denial or an expiry ends it (`r` starts again).
pub(super) async fn device_link(
    store: &Arc<Store>,
    name: &str,
    tx: &UnboundedSender<Message>,
) -> Result<(), String> {
    let link = DeviceLink::start(store, name, &Persistence::while_running())
        .await
        .map_err(|e| e.to_string())?;
    let authorization = link.authorization();
    let _ = tx.send(Message::DeviceLinkStarted(DeviceCode {
        url: authorization.url_to_open().to_string(),
        user_code: authorization.user_code().to_string(),
        complete: authorization.verification_uri_complete().is_some(),
        expires_at: authorization.expires_at(),
    }));
    let tokens = link.complete().await.map_err(|e| e.to_string())?;
    link.finish(store, &tokens)
        .await
        .map_err(|e| format!("The tokens are in the keyring, but recording the link failed: {e}"))
}
