//! Persistence: the accounts file (no secrets), keyring records, per-account status and locks,
//! and the event log. Knows the protocol's types, nothing of the UI.

pub mod accounts;
mod blocking;
mod cache;
pub mod daemon;
pub mod error;
pub mod events;
pub mod files;
pub mod forecast;
pub mod git;
pub mod home;
pub mod hooks;
mod identity;
pub mod keyring;
pub mod lock;
pub mod natural;
pub mod nearest;
pub mod new_account;
pub mod relink_margin;
pub mod scopes;
pub mod status;
pub mod time_left;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use tokio::sync::OnceCell;

pub use accounts::{Account, Accounts, validate_name};
pub use blocking::unblocked;
pub use daemon::{DaemonLock, RunningDaemon};
pub use error::StoreError;
pub use events::{Event, EventLog, FailureKind, Outcome, Trigger};
pub use forecast::{Forecast, ForecastSource};
pub use home::Home;
pub use hooks::{HookChange, HookEvent, Hooks};
pub use keyring::{Backend, Keyring, KeyringError, Record};
pub use lock::AccountLock;
pub use status::{AccountStatus, Health};
pub use time_left::TimeLeft;

use crate::oauth::Tokens;
use crate::oauth::secret::ClientSecret;

/// One home's accounts, records, statuses and log. The keyring is opened on first use, so that
/// commands which need no secret work without one.
#[derive(Debug)]
pub struct Store {
    home: Home,
    log: EventLog,
    keyring: OnceCell<Keyring>,
    accounts: cache::AccountsCache,
    /// Status files written so far.
    status_writes: AtomicU64,
}

/// What a store has asked of the keyring and the status files since it was made. A refresh's
/// budget — one keyring read, one keyring write, its status written twice (the mark that it is
/// under way, then how it went) — is measured with it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Calls {
    pub keyring_reads: u64,
    pub keyring_writes: u64,
    pub status_writes: u64,
}

impl std::ops::Sub for Calls {
    type Output = Calls;

    fn sub(self, earlier: Calls) -> Calls {
        Calls {
            keyring_reads: self.keyring_reads - earlier.keyring_reads,
            keyring_writes: self.keyring_writes - earlier.keyring_writes,
            status_writes: self.status_writes - earlier.status_writes,
        }
    }
}

impl Store {
    pub fn new(home: Home) -> Store {
        Store {
            log: EventLog::new(&home),
            home,
            keyring: OnceCell::new(),
            accounts: cache::AccountsCache::default(),
            status_writes: AtomicU64::new(0),
        }
    }

    /// The keyring reads and writes and the status writes this store has made so far.
    pub fn calls(&self) -> Calls {
        let (keyring_reads, keyring_writes) = self.keyring.get().map_or((0, 0), Keyring::calls);
        Calls {
            keyring_reads,
            keyring_writes,
            status_writes: self.status_writes.load(Ordering::Relaxed),
        }
    }

    pub fn home(&self) -> &Home {
        &self.home
    }

    pub fn log(&self) -> &EventLog {
        &self.log
    }

    /// The keyring this home records (or, before its first record, the one this process finds).
    pub async fn keyring(&self) -> Result<&Keyring, KeyringError> {
        self.keyring
            .get_or_try_init(|| Keyring::open_home(&self.home))
            .await
    }

    /// The accounts file, parsed again only when it changed since this store last read it.
    pub fn accounts(&self) -> Result<Accounts, StoreError> {
        unblocked(|| self.accounts.load(&self.home))
    }

    /// One account's settings, without copying the others.
    pub fn account(&self, name: &str) -> Result<Account, StoreError> {
        unblocked(|| self.accounts.with(&self.home, |a| a.get(name).cloned()))?
    }

    /// Whether `name` may still be written to: it is in the accounts file — or the file cannot
    /// be read as TOML right now (half-written by an editor, say), which removes nothing: no
    /// account can be removed while it is broken, and a long-running process keeps serving
    /// what it had read. Fails only when a readable file lacks the account.
    pub fn still_listed(&self, name: &str) -> Result<(), StoreError> {
        match self.account(name) {
            Err(e) if e.is_unusable_accounts_file() => Ok(()),
            other => other.map(drop),
        }
    }

    /// The daemon keeping this home fresh, if one runs (a lock probe that never waits).
    pub fn daemon(&self) -> Option<RunningDaemon> {
        unblocked(|| DaemonLock::probe(&self.home))
    }

    pub fn status(&self, name: &str) -> AccountStatus {
        unblocked(|| AccountStatus::load(&self.home, name))
    }

    /// Adds an account: its secret to the keyring first, then its configuration, so that a
    /// keyring failure leaves nothing half-made.
    pub async fn add(
        &self,
        name: &str,
        account: Account,
        client_secret: Option<String>,
    ) -> Result<(), StoreError> {
        validate_name(name)?;
        if self.accounts()?.accounts.contains_key(name) {
            return Err(StoreError::AccountExists(name.to_string()));
        }
        let record = Record {
            client_secret: client_secret.map(ClientSecret::new),
            tokens: None,
        };
        self.keyring().await?.write(name, &record).await?;
        unblocked(|| {
            Accounts::update(&self.home, |accounts| {
                if accounts.accounts.contains_key(name) {
                    return Err(StoreError::AccountExists(name.to_string()));
                }
                accounts.accounts.insert(name.to_string(), account);
                Ok(())
            })
        })
    }

    /// The keyring record of `name` (empty when there is none yet).
    pub async fn record(&self, name: &str) -> Result<Record, StoreError> {
        Ok(self.keyring().await?.read(name).await?.unwrap_or_default())
    }

    /// Stores a new token set beside the client secret the keyring holds now — not one read
    /// earlier, which `tokendeck set` may have changed meanwhile (`fallback` when there is no
    /// record to read). For tokens stored outside the account's lock (a link's); under it, the
    /// secret read there is current, and [`write_tokens`](Self::write_tokens) spares the read.
    pub async fn store_tokens(
        &self,
        name: &str,
        tokens: Tokens,
        fallback: Option<ClientSecret>,
    ) -> Result<(), StoreError> {
        let client_secret = match self.keyring().await?.read(name).await? {
            Some(current) => current.client_secret,
            None => fallback,
        };
        self.write_tokens(name, tokens, client_secret).await
    }

    /// Stores a new token set beside `client_secret`, in one keyring write. What the tokens mean
    /// for the account's status is for whoever made them to record (a refresh records its
    /// attempt, a link the link) — except that tokens held since a refresh could not store them
    /// are stored now, which the status must say at once.
    pub async fn write_tokens(
        &self,
        name: &str,
        tokens: Tokens,
        client_secret: Option<ClientSecret>,
    ) -> Result<(), StoreError> {
        self.still_listed(name)?;
        let record = Record {
            client_secret,
            tokens: Some(tokens),
        };
        self.keyring().await?.write(name, &record).await?;
        self.update_status(name, |status| {
            if status.unsaved_since.is_some()
                && let Some(tokens) = &record.tokens
            {
                status.record_tokens(tokens, false, SystemTime::now());
            }
        })
    }

    pub async fn save_tokens(&self, name: &str, record: &Record) -> Result<(), StoreError> {
        self.still_listed(name)?;
        self.keyring().await?.write(name, record).await?;
        if let Some(tokens) = &record.tokens {
            self.update_status(name, |s| s.record_tokens(tokens, false, SystemTime::now()))?;
        }
        Ok(())
    }

    /// Reads, changes and writes an account's status under a short lock, so that processes
    /// updating it at once do not lose each other's changes. A removed account's status is not
    /// written back (by a refresh that ends after `remove`, say), nor one the change left as it
    /// was: every TUI and daemon of the home notices a status written.
    pub fn update_status(
        &self,
        name: &str,
        change: impl FnOnce(&mut AccountStatus),
    ) -> Result<(), StoreError> {
        unblocked(|| {
            let _lock = self.status_lock()?;
            if self
                .accounts
                .with(&self.home, |a| !a.accounts.contains_key(name))
                .unwrap_or(false)
            {
                return Ok(());
            }
            let mut status = AccountStatus::load(&self.home, name);
            let before = status.clone();
            change(&mut status);
            if status == before {
                return Ok(());
            }
            self.status_writes.fetch_add(1, Ordering::Relaxed);
            status.save(&self.home, name)
        })
    }

    fn status_lock(&self) -> Result<std::fs::File, StoreError> {
        let lock_path = self.home.state_dir().join("status.lock");
        Home::ensure_private_dir(self.home.state_dir())?;
        let lock = files::open_lock(&lock_path)?;
        lock.lock().map_err(|e| StoreError::io(&lock_path, e))?;
        Ok(lock)
    }

    /// Removes an account: its record, its entry in the accounts file, its status and its lock
    /// file; logs it. Holds the account's lock throughout, so a refresh under way ends (and
    /// stores what it got) first, and one that comes later finds the account gone instead of
    /// writing its record back. The record goes first: if anything after it fails, `remove`
    /// can simply be run again.
    pub async fn remove(&self, name: &str) -> Result<(), StoreError> {
        self.accounts()?.get(name)?;
        let lock = AccountLock::acquire(&self.home, name).await?;
        self.remove_locked(name, lock).await
    }

    /// [`remove`](Self::remove) for a caller that holds the account's lock already (and gave its
    /// grant back under it); the lock file goes with the rest.
    pub async fn remove_locked(&self, name: &str, lock: AccountLock) -> Result<(), StoreError> {
        // Another process may have removed it while this one waited.
        self.accounts()?.get(name)?;
        self.keyring().await?.delete(name).await?;
        unblocked(|| {
            Accounts::update(&self.home, |accounts| {
                accounts.accounts.remove(name);
                Ok(())
            })?;
            {
                let _status = self.status_lock()?;
                AccountStatus::remove(&self.home, name)?;
            }
            lock.delete_file()?;
            self.log
                .append(&Event::new(name, Trigger::Remove, Outcome::Ok))
        })
    }

    /// Logs that `name` was linked and gives it a fresh status: no failure from before the link
    /// is left over.
    pub fn record_link(&self, name: &str, tokens: &Tokens) -> Result<(), StoreError> {
        self.update_status(name, |status| status.record_link(tokens, SystemTime::now()))?;
        let mut event = Event::new(name, Trigger::Link, Outcome::Ok);
        event.expires_at = tokens.expires_at();
        self.log.append(&event)
    }
}
