//! The per-account lock that makes a refresh exclusive across processes: held over re-read →
//! token request → store, so two processes never spend one single-use refresh token twice. An
//! advisory file lock, released by the kernel when its holder exits, even by `kill -9`.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::error::StoreError;
use super::home::Home;

/// Longer than a token request may take (30 s), so a live holder is never overtaken.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(45);

/// Held while it lives.
#[derive(Debug)]
pub struct AccountLock {
    _file: File,
    path: PathBuf,
}

impl AccountLock {
    /// Waits for the lock of `account`, at most [`LOCK_TIMEOUT`].
    pub async fn acquire(home: &Home, account: &str) -> Result<AccountLock, StoreError> {
        let path = home.lock_file(account);
        if let Some(dir) = path.parent() {
            Home::ensure_private_dir(dir)?;
        }
        let deadline = tokio::time::Instant::now() + LOCK_TIMEOUT;
        loop {
            let file = super::files::open_lock(&path)?;
            let waiting = tokio::task::spawn_blocking(move || file.lock().map(|()| file));
            let file = match tokio::time::timeout_at(deadline, waiting).await {
                Ok(Ok(Ok(file))) => file,
                Ok(Ok(Err(e))) => return Err(StoreError::io(&path, e)),
                Ok(Err(join)) => {
                    return Err(StoreError::io(
                        &path,
                        std::io::Error::other(join.to_string()),
                    ));
                }
                // The waiting thread gets the lock eventually and drops it at once.
                Err(_) => {
                    return Err(StoreError::LockTimeout {
                        account: account.to_string(),
                        seconds: LOCK_TIMEOUT.as_secs(),
                    });
                }
            };
            // `remove` deletes the file while holding it: a lock on a deleted file guards
            // nothing, so take the one now at `path` instead.
            if still_in_place(&file, &path) {
                return Ok(AccountLock { _file: file, path });
            }
        }
    }

    /// Deletes the lock file, then lets go: for an account being removed. Whoever waited for the
    /// lock sees the file gone and locks a new one.
    pub fn delete_file(self) -> Result<(), StoreError> {
        // Windows cannot delete a file that is open; there the file stays, empty and harmless.
        #[cfg(unix)]
        match std::fs::remove_file(&self.path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(StoreError::io(&self.path, e));
            }
            _ => {}
        }
        Ok(())
    }
}

#[cfg(unix)]
fn still_in_place(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(held), Ok(there)) => held.dev() == there.dev() && held.ino() == there.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn still_in_place(_file: &File, _path: &Path) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_holder_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::rooted(dir.path()).unwrap();
        let first = AccountLock::acquire(&home, "a").await.unwrap();
        let other = AccountLock::acquire(&home, "b").await;
        assert!(other.is_ok(), "accounts lock independently");
        let (home2, waited) = (
            home.clone(),
            std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false)),
        );
        let flag = waited.clone();
        let second = tokio::spawn(async move {
            let lock = AccountLock::acquire(&home2, "a").await.unwrap();
            flag.store(true, std::sync::atomic::Ordering::SeqCst);
            lock
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(
            !waited.load(std::sync::atomic::Ordering::SeqCst),
            "the second waits"
        );
        drop(first);
        second.await.unwrap();
        assert!(waited.load(std::sync::atomic::Ordering::SeqCst));
    }

    #[tokio::test]
    async fn a_waiter_on_a_deleted_lock_file_locks_the_new_one() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::rooted(dir.path()).unwrap();
        let removing = AccountLock::acquire(&home, "a").await.unwrap();
        let home2 = home.clone();
        let waiter = tokio::spawn(async move { AccountLock::acquire(&home2, "a").await.unwrap() });
        tokio::time::sleep(Duration::from_millis(100)).await;
        removing.delete_file().unwrap();
        let waited = waiter.await.unwrap();
        assert!(home.lock_file("a").exists(), "the waiter made a new file");
        // Had it kept its lock on the deleted file, this would get a lock of its own at once.
        let third =
            tokio::time::timeout(Duration::from_millis(300), AccountLock::acquire(&home, "a"))
                .await;
        assert!(third.is_err(), "the waiter holds the lock that is in place");
        drop(waited);
    }
}
