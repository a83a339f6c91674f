//! What the daemon remembers of each account's tokens, and when it looks again. Every process that
//! refreshes, links, sets or removes an account writes the accounts file, appends to the event
//! log or writes the account's status file (a git `erase` marks its token suspect there alone),
//! so three `stat`s before each answer tell whether anything changed since the account's tokens
//! were read or last looked at (a few microseconds, against a keyring read's milliseconds). When
//! something did, that account's status file is read: it names the token set the keyring holds
//! (when it was obtained). Tokens replaced, marked suspect, or an account no longer listed are
//! read again through the token use case (which refreshes a due token under the account's lock,
//! once across processes); otherwise the remembered tokens stand. So another account's refresh
//! costs one small file read, not a keyring read, and a keyring locked meanwhile does not take
//! away tokens that are still the store's.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use crate::app::{AccountError, Persistence, valid_tokens};
use crate::oauth::Tokens;
use crate::store::Store;
use crate::store::files::{self, FileStamp};

/// The accounts file's, the event log's and the account's status file's stamps.
type HomeStamp = [Option<FileStamp>; 3];

/// Tokens read from the keyring, each good while the store holds them.
pub struct Memory {
    store: Arc<Store>,
    persistence: Persistence,
    remembered: Mutex<Remembered>,
}

#[derive(Default)]
struct Remembered {
    tokens: HashMap<String, Entry>,
    /// How many answers were read from the keyring rather than memory (for tests and figures).
    reads: u64,
}

/// An account's tokens, and the home's stamp when they were known to be the store's.
struct Entry {
    tokens: Tokens,
    stamp: HomeStamp,
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

    /// A valid access token of `name`: from memory while the store holds the same tokens and
    /// they are not due for a refresh; otherwise through the token use case.
    pub async fn token(&self, name: &str) -> Result<Tokens, AccountError> {
        let stamp = self.stamp(name);
        if let Some(tokens) = self.fresh_at(name, stamp) {
            return Ok(tokens);
        }
        let tokens = valid_tokens(&self.store, name, &self.persistence).await?;
        let mut remembered = self.lock();
        remembered.reads += 1;
        // Under the stamp taken before the read: if the home changed meanwhile (this read
        // refreshed, or another process did), the next answer looks again.
        let entry = Entry {
            tokens: tokens.clone(),
            stamp,
        };
        remembered.tokens.insert(name.to_string(), entry);
        Ok(tokens)
    }

    /// `name`'s tokens from memory, when the store still holds them and they are not due for a
    /// refresh: [`Memory::token`] without its way to the keyring, for an answer that must not wait
    /// (the listener's fast lane). `None`: only the token use case can say.
    pub fn fresh(&self, name: &str) -> Option<Tokens> {
        self.fresh_at(name, self.stamp(name))
    }

    /// [`Memory::fresh`] with the home as `stamp` found it (taken once per answer).
    fn fresh_at(&self, name: &str, stamp: HomeStamp) -> Option<Tokens> {
        let (tokens, seen) = self
            .lock()
            .tokens
            .get(name)
            .map(|entry| (entry.tokens.clone(), entry.stamp))?;
        if tokens.is_refresh_due(SystemTime::now()) {
            return None;
        }
        if seen == stamp || self.still_held(name, &tokens, &seen, &stamp) {
            if let Some(entry) = self.lock().tokens.get_mut(name)
                && entry.tokens == tokens
            {
                entry.stamp = stamp;
            }
            return Some(tokens);
        }
        self.lock().tokens.remove(name);
        None
    }

    /// Whether the store still holds `tokens` for `name`, the home having changed from `seen` to
    /// `now`: its status names the same token set, unmarked, and — when the accounts file
    /// changed — it is still listed there. A broken accounts file is a no: the answer is then the
    /// same refusal a command gives.
    fn still_held(&self, name: &str, tokens: &Tokens, seen: &HomeStamp, now: &HomeStamp) -> bool {
        let status = self.store.status(name);
        let same = status.suspect_since.is_none()
            && !status.needs_relink
            && status
                .token
                .is_some_and(|held| same_moment(held.obtained_at, tokens.obtained_at()));
        let listed =
            || seen[0] == now[0] || self.store.accounts().is_ok_and(|a| a.get(name).is_ok());
        same && listed()
    }

    /// How many answers needed the token use case (a keyring read at least).
    pub fn reads(&self) -> u64 {
        self.lock().reads
    }

    fn stamp(&self, name: &str) -> HomeStamp {
        let home = self.store.home();
        [
            files::stamp(&home.accounts_file()),
            files::stamp(&home.events_file()),
            files::stamp(&home.status_file(name)),
        ]
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Remembered> {
        self.remembered.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The status file keeps times as floating-point seconds: a token set's `obtained_at` read back
/// from it may differ from the one in memory by a rounding (a quarter of a microsecond in this
/// century), never by ten microseconds — less than any two token answers apart.
fn same_moment(a: SystemTime, b: SystemTime) -> bool {
    let gap = a.duration_since(b).or_else(|_| b.duration_since(a));
    gap.is_ok_and(|gap| gap < std::time::Duration::from_micros(10))
}
