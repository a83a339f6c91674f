//! What a hook is told.

use std::time::SystemTime;

use crate::oauth::Secrets;

/// What a hook is told besides the account and the event.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// When the account's access token expires, when known.
    pub expires_at: Option<SystemTime>,
    /// Why it failed (failures only): the message the log shows.
    pub message: Option<String>,
    /// The account's secrets, cut out of its stderr (and of the message, which should hold none)
    /// before either is logged or handed on.
    pub secrets: Secrets,
}
