//! A refresh under its account's lock: the lock taken and the record read once under it (another
//! process may have refreshed), the status marked while the token request is out, and what the
//! session knows of the lock while it holds it — the client secret read there, which the new
//! tokens are stored beside without reading the record again (`set` changes a secret only under
//! the same lock), and that the attempt's outcome may clear the mark in the same status write.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use super::stop;
use crate::oauth::secret::ClientSecret;
use crate::oauth::{BoxError, RefreshGuard};
use crate::store::{AccountLock, Record, Store, StoreError};

/// An account's lock, taken, with its record as read under it.
pub(crate) struct Held {
    lock: AccountLock,
    /// `None`: the keyring holds no record of the account.
    pub record: Option<Record>,
}

impl Held {
    /// Waits for `name`'s lock and reads its record under it: one keyring read. An account
    /// removed while this waited is refused, and the lock file it would leave is deleted.
    pub async fn take(store: &Store, name: &str) -> Result<Held, StoreError> {
        let lock = AccountLock::acquire(store.home(), name).await?;
        if let Err(e) = store.still_listed(name) {
            let _ = lock.delete_file();
            return Err(e);
        }
        let record = store.keyring().await?.read(name).await?;
        Ok(Held { lock, record })
    }
}

/// What a session knows of its account's lock: `Some` while one of its refreshes holds it, with
/// the client secret read under it. Shared by the session's refresh guard (which sets it), its
/// persistence (which stores beside that secret), its report (which clears the status mark) and
/// the refresh's [`InFlight`] (which empties it as the lock goes).
#[derive(Clone, Default)]
pub(crate) struct LockState(Arc<Mutex<Option<Option<ClientSecret>>>>);

impl LockState {
    /// The client secret read under the lock, while the lock is held.
    pub fn secret(&self) -> Option<Option<ClientSecret>> {
        self.slot().clone()
    }

    /// Whether a refresh of this session holds the lock now.
    pub fn held(&self) -> bool {
        self.slot().is_some()
    }

    fn slot(&self) -> MutexGuard<'_, Option<Option<ClientSecret>>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The session's refresh guard: takes the lock and reads the record under it — or, once, takes
/// `handed`, the lock a use case took and the record it read to decide that a refresh is due —
/// then marks the status and counts the refresh among those a stop waits for.
pub(crate) async fn guard(
    store: Arc<Store>,
    name: String,
    handed: Option<Held>,
    state: LockState,
) -> Result<RefreshGuard, BoxError> {
    let held = match handed {
        Some(held) => held,
        None => Held::take(&store, &name).await?,
    };
    let stored = held.record.as_ref().and_then(|r| r.tokens.clone());
    // From here the token request goes out: a stop of this process waits for it to be stored —
    // or, once it has begun, sends nothing.
    let under_way = stop::enter(&name)?;
    store.update_status(&name, |status| {
        // Kept until new tokens are stored: a later attempt that never reached the server does
        // not make the killed one's spent token less spent.
        status.interrupted |= status.refresh_started_at.is_some();
        status.refresh_started_at = Some(SystemTime::now());
    })?;
    *state.slot() = Some(held.record.and_then(|r| r.client_secret));
    let in_flight = InFlight {
        store,
        name,
        under_way,
        state,
        _lock: held.lock,
    };
    Ok(RefreshGuard {
        stored,
        hold: Box::new(in_flight),
    })
}

/// Held over a refresh: the account's lock, its place among the refreshes a stop waits for, and
/// the status mark that the refresh is under way. The attempt's report clears the mark with its
/// outcome; if it did not (the refresh ended before a report), dropping this clears it before the
/// lock is released. A process killed midway — or a stop that gave up on it — leaves the mark for
/// the next refresh to find.
struct InFlight {
    store: Arc<Store>,
    name: String,
    under_way: stop::UnderWay,
    state: LockState,
    _lock: AccountLock,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        *self.state.slot() = None;
        if self.under_way.cut_short() {
            return;
        }
        // No write when the report cleared it already.
        let _ = self
            .store
            .update_status(&self.name, |status| status.refresh_started_at = None);
    }
}

/// Whether a refresh's outcome may clear its status mark: it holds the lock that set it, and no
/// stop gave it up (then the mark stays, to tell the next refresh).
pub(crate) fn clears_mark(state: &LockState) -> bool {
    state.held() && stop::abandoned().is_none()
}
