//! `list` and `status`: each account with its status as its status file tells it — what every
//! process recorded, read without touching the keyring.

use crate::store::{Account, AccountStatus, Store, StoreError};

/// One account and what is known of its tokens.
#[derive(Clone, Debug)]
pub struct AccountState {
    pub name: String,
    pub account: Account,
    pub status: AccountStatus,
}

/// Every account, in natural order (`work2` before `work10`).
pub fn all(store: &Store) -> Result<Vec<AccountState>, StoreError> {
    Ok(store
        .accounts()?
        .into_natural_order()
        .into_iter()
        .map(|(name, account)| AccountState {
            status: store.status(&name),
            name,
            account,
        })
        .collect())
}

/// The account `name`.
pub fn one(store: &Store, name: &str) -> Result<AccountState, StoreError> {
    Ok(AccountState {
        account: store.account(name)?,
        status: store.status(name),
        name: name.to_string(),
    })
}
