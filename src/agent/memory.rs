//! What the daemon remembers of each account's tokens, and when it forgets. An answer comes from
//! memory only while the store holds the same tokens: every process that refreshes, links, sets
//! or removes an account writes the accounts file or appends to the event log, so two `stat`s
//! before each answer tell whether anything changed (a few microseconds, against a keyring read's
//! milliseconds). When something did, each remembered account is looked at in its status file,
//! which names the token set the keyring holds (when it was obtained): an account whose tokens
//! were replaced, marked suspect or taken out of the accounts file is forgotten and read again
//! through the token use case (which refreshes a due token under the account's lock, once across
//! processes); the others stay, so another account's refresh costs no keyring read, and a keyring
//! locked meanwhile does not take tokens away that are still the store's.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use crate::app::{AccountError, Persistence, valid_tokens};
use crate::oauth::Tokens;
use crate::store::Store;
use crate::store::files::{self, FileStamp};

/// The accounts file's and the event log's stamps.
type HomeStamp = [Option<FileStamp>; 2];

/// Tokens read from the keyring, good while the home has not changed.
pub struct Memory {
    store: Arc<Store>,
    persistence: Persistence,
    remembered: Mutex<Remembered>,
}

#[derive(Default)]
struct Remembered {
    stamp: Option<HomeStamp>,
    tokens: HashMap<String, Tokens>,
    /// How many answers were read from the keyring rather than memory (for tests and figures).
    reads: u64,
}

impl Memory {
    pub fn new(store: Arc<Store>, persistence: Persistence) -> Memory {
        Memory {
            store,
            persistence,
            remembered: Mutex::default(),
        }
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// A valid access token of `name`: from memory when the home has not changed since it was
    /// read and it is not due for a refresh; otherwise through the token use case.
    pub async fn token(&self, name: &str) -> Result<Tokens, AccountError> {
        let stamp = self.stamp();
        {
            let mut remembered = self.lock();
            if remembered.stamp != Some(stamp) {
                self.forget_what_changed(&mut remembered);
                remembered.stamp = Some(stamp);
            }
            if let Some(tokens) = remembered.tokens.get(name)
                && !tokens.is_refresh_due(SystemTime::now())
            {
                return Ok(tokens.clone());
            }
        }
        let tokens = valid_tokens(&self.store, name, &self.persistence).await?;
        let mut remembered = self.lock();
        remembered.reads += 1;
        // Read under the stamp taken before the read: if the home changed meanwhile (this read
        // refreshed, or another process did), the next answer reads again.
        if remembered.stamp == Some(stamp) {
            remembered.tokens.insert(name.to_string(), tokens.clone());
        }
        Ok(tokens)
    }

    /// Keeps the tokens of the accounts still listed whose status names the same token set,
    /// unmarked; forgets the rest. A broken accounts file forgets everything: the answer is then
    /// the same refusal a command gives.
    fn forget_what_changed(&self, remembered: &mut Remembered) {
        let Ok(accounts) = self.store.accounts() else {
            remembered.tokens.clear();
            return;
        };
        remembered.tokens.retain(|name, tokens| {
            let status = self.store.status(name);
            accounts.get(name).is_ok()
                && status.suspect_since.is_none()
                && !status.needs_relink
                && status
                    .token
                    .is_some_and(|held| same_moment(held.obtained_at, tokens.obtained_at()))
        });
    }

    /// How many answers needed the token use case (a keyring read at least).
    pub fn reads(&self) -> u64 {
        self.lock().reads
    }

    fn stamp(&self) -> HomeStamp {
        let home = self.store.home();
        [
            files::stamp(&home.accounts_file()),
            files::stamp(&home.events_file()),
        ]
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Remembered> {
        self.remembered.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The status file keeps times as floating-point seconds: a token set's `obtained_at` read back
/// from it may differ from the one in memory by a rounding, never by a millisecond.
fn same_moment(a: SystemTime, b: SystemTime) -> bool {
    let gap = a.duration_since(b).or_else(|_| b.duration_since(a));
    gap.is_ok_and(|gap| gap < std::time::Duration::from_millis(1))
}
