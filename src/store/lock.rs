//! The per-account lock that makes a refresh exclusive across processes: held over re-read →
//! token request → store, so two processes never spend one single-use refresh token twice. An
//! advisory file lock, released by the kernel when its holder exits, even by `kill -9`.

use std::fs::File;
use std::time::Duration;

use super::error::StoreError;
use super::home::Home;

/// Longer than a token request may take (30 s), so a live holder is never overtaken.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(45);

/// Held while it lives.
#[derive(Debug)]
pub struct AccountLock {
    _file: File,
}

impl AccountLock {
    /// Waits for the lock of `account`, at most [`LOCK_TIMEOUT`].
    pub async fn acquire(home: &Home, account: &str) -> Result<AccountLock, StoreError> {
        let path = home.lock_file(account);
        if let Some(dir) = path.parent() {
            Home::ensure_private_dir(dir)?;
        }
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| StoreError::io(&path, e))?;
        let waiting = tokio::task::spawn_blocking(move || file.lock().map(|()| file));
        match tokio::time::timeout(LOCK_TIMEOUT, waiting).await {
            Ok(Ok(Ok(file))) => Ok(AccountLock { _file: file }),
            Ok(Ok(Err(e))) => Err(StoreError::io(&path, e)),
            Ok(Err(join)) => Err(StoreError::io(
                &path,
                std::io::Error::other(join.to_string()),
            )),
            // The waiting thread gets the lock eventually and drops it at once.
            Err(_) => Err(StoreError::LockTimeout {
                account: account.to_string(),
                seconds: LOCK_TIMEOUT.as_secs(),
            }),
        }
    }
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
}
