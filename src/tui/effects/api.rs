//! The API test effect (`t`): one authorized call to the account's API URL, shown as a line.

use std::sync::Arc;

use crate::app::{Persistence, open_session};
use crate::oauth;
use crate::store::Store;
use crate::tui::words::{self, Shown};

/// The most of an API answer the preview (`t`) reads; it shows a line of it.
const PREVIEW_BODY_LIMIT: usize = 256 << 10;

pub(super) async fn test_api(store: &Arc<Store>, name: &str) -> Result<(u16, String), String> {
    let account = store.account(name).map_err(|e| words::store_error(&e))?;
    let url = account.api_url.ok_or(words::NO_API_URL)?;
    let session = open_session(store, name, &Persistence::while_running())
        .await
        .map_err(|e| words::account_error(&e, Shown::Accounts))?;
    let response = session
        .send(session.http().get(&url))
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let body = match session.read_body(response, PREVIEW_BODY_LIMIT).await {
        Ok(body) => body,
        Err(oauth::Error::AnswerTooLarge { .. }) => {
            return Err(words::answer_too_large(
                name,
                &url,
                PREVIEW_BODY_LIMIT >> 10,
            ));
        }
        Err(e) => return Err(e.to_string()),
    };
    // An API may echo the token it was sent ("invalid token …"): cut out before it is shown,
    // and before it is shortened, so that no piece of a secret is left at the cut.
    let body = String::from_utf8_lossy(&body);
    let excerpt: String = session
        .secrets()
        .redact(&body)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(160)
        .collect();
    Ok((status, excerpt))
}
