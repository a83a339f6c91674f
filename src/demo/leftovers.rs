//! What a demo leaves behind, and how the next one finds it. A demo's throwaway home
//! (`$TMPDIR/tokendeck-demo-*`) holds a lock for as long as its demo runs; a home whose lock
//! nobody holds belongs to a demo that ended without cleaning up (`kill -9`, a power cut), and the
//! next demo removes it: its keyring records first, then its files. Two demos running at once
//! never touch each other's home: each holds its own lock, and a new home whose lock a sweeping
//! demo took first is given up for another name.

use std::fs::{self, File, TryLockError};
use std::io;
use std::path::{Path, PathBuf};

use super::ACCOUNT;
use crate::store::{Home, Keyring, Store};

/// The start of every throwaway home's name in the temp dir.
const PREFIX: &str = "tokendeck-demo-";

/// The lock file in a throwaway home, held by the demo that runs on it.
const LOCK: &str = "demo.lock";

/// A throwaway home, made for this demo and held while it runs.
pub struct Throwaway {
    dir: PathBuf,
    _lock: File,
}

impl Throwaway {
    /// A new throwaway home under the temp dir (mode 0700), its lock held.
    pub fn make() -> io::Result<Throwaway> {
        let temp = std::env::temp_dir();
        let mut attempts = 0;
        loop {
            attempts += 1;
            let unique = &crate::oauth::authorize::random_token()[..10];
            let dir = temp.join(format!("{PREFIX}{unique}"));
            match private_dir(&dir) {
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempts < 8 => continue,
                other => other?,
            }
            let lock = lock_file(&dir)?;
            match lock.try_lock() {
                Ok(()) => return Ok(Throwaway { dir, _lock: lock }),
                // A sweeping demo took it between its making and this lock: it will remove it.
                Err(TryLockError::WouldBlock) if attempts < 8 => continue,
                Err(TryLockError::WouldBlock) => {
                    return Err(io::Error::other("no throwaway home could be held"));
                }
                Err(TryLockError::Error(e)) => return Err(e),
            }
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Removes the home — its accounts' keyring records, then its files — and lets go of it.
    pub async fn remove(self) -> Result<(), String> {
        forget(&self.dir).await
    }
}

/// Removes every throwaway home whose demo is gone (its lock free), records first; the homes of
/// demos still running are left alone. Best effort: a home that cannot be cleaned now stays for
/// the next demo to try. How many were removed.
pub async fn sweep() -> usize {
    let Ok(entries) = fs::read_dir(std::env::temp_dir()) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let dir = entry.path();
        if !entry.file_name().to_string_lossy().starts_with(PREFIX) || !is_own_dir(&dir) {
            continue;
        }
        let Ok(lock) = lock_file(&dir) else {
            continue;
        };
        // Held: its demo runs. Taken here: it is gone, and nobody else sweeps it meanwhile.
        if lock.try_lock().is_err() {
            continue;
        }
        if forget(&dir).await.is_ok() {
            removed += 1;
        }
    }
    removed
}

/// A throwaway home's keyring records (every account it lists, and the demo's own, which a
/// demo killed while adding it may have written before listing it), then the home itself.
async fn forget(dir: &Path) -> Result<(), String> {
    let home = Home::rooted(dir).map_err(|e| e.to_string())?;
    let store = Store::new(home);
    let mut names = store
        .accounts()
        .map(|a| a.accounts.into_keys().collect::<Vec<_>>())
        .unwrap_or_default();
    names.push(ACCOUNT.to_string());
    let keyring = Keyring::open_home(store.home())
        .await
        .map_err(|e| e.to_string())?;
    for name in names {
        keyring.delete(&name).await.map_err(|e| e.to_string())?;
    }
    fs::remove_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))
}

/// A directory of this user's, not a link to one (the temp dir is shared with everyone).
fn is_own_dir(path: &Path) -> bool {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        meta.is_dir() && meta.uid() == rustix::process::getuid().as_raw()
    }
    #[cfg(not(unix))]
    meta.is_dir()
}

fn private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

fn lock_file(dir: &Path) -> io::Result<File> {
    // 0600, as every file tokendeck writes in a home.
    crate::store::files::private_options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(LOCK))
}
