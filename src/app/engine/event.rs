//! What the engine tells whoever runs it.

use std::sync::Arc;

use crate::app::error::AccountError;
use crate::oauth::RefreshTrigger;
use crate::store::StoreError;

/// What the engine reports. Never a token; never a sentence either: each front words these.
#[derive(Clone, Debug)]
pub enum EngineEvent {
    Started {
        account: String,
        trigger: RefreshTrigger,
    },
    Finished {
        account: String,
        trigger: RefreshTrigger,
        /// `None` on success; what stopped it otherwise.
        error: Option<Arc<AccountError>>,
    },
    /// The accounts file cannot be read (half-written, broken by hand): the engine goes on with
    /// the `kept` accounts it had read, and reads the file again once it changes. Told once each
    /// time it breaks.
    AccountsUnreadable {
        problem: Arc<StoreError>,
        kept: usize,
    },
    /// The accounts file can be read again; it holds `accounts` accounts.
    AccountsReadable { accounts: usize },
}
