//! One account's settings as they stand (the CLI's `show`): what the accounts file says, what its
//! status file says of its tokens, and — asked of the keyring, never read out — whether a client
//! secret is stored. No secret or token is in it, so a front may print all of it.

use crate::oauth::presets::Preset;
use crate::store::{Account, AccountStatus, Backend, Store, StoreError};

/// An account's settings and token state.
#[derive(Debug)]
pub struct AccountSettings {
    pub name: String,
    pub account: Account,
    /// The preset the account was made from, when its kind names one.
    pub preset: Option<Preset>,
    pub status: AccountStatus,
    /// Where the keyring record lives, and what it holds; `Err` when the keyring could not be
    /// asked (the settings are shown all the same).
    pub keyring: Result<KeyringRecord, StoreError>,
}

/// What the keyring says of the account, without a secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyringRecord {
    pub backend: Backend,
    pub client_secret_stored: bool,
}

/// The settings of `name`: one read of the accounts file, its status file, and one keyring read.
pub async fn settings(store: &Store, name: &str) -> Result<AccountSettings, StoreError> {
    let account = store.account(name)?;
    let keyring = match store.keyring().await {
        Ok(keyring) => keyring
            .read(name)
            .await
            .map(|record| KeyringRecord {
                backend: keyring.backend(),
                client_secret_stored: record.is_some_and(|r| r.client_secret.is_some()),
            })
            .map_err(StoreError::from),
        Err(e) => Err(StoreError::from(e)),
    };
    Ok(AccountSettings {
        name: name.to_string(),
        preset: Preset::find(&account.kind),
        status: store.status(name),
        account,
        keyring,
    })
}
