//! The accounts file as last parsed, kept while the file is unchanged. With a thousand accounts
//! the file is ~400 KB of TOML, ~20 ms to parse, and every refresh looks into it several times
//! (is the account still there, its settings, before writing its status): parsing it once per
//! change instead of once per look is what keeps a thousand refreshes cheap. A change is told by
//! the file's identity and times: every write replaces it (a new file renamed into place), so its
//! inode and change time move even when its size does not.

use std::fs;
use std::sync::Mutex;
use std::time::SystemTime;

use super::accounts::Accounts;
use super::error::StoreError;
use super::home::Home;

/// What tells one version of the file from another.
#[derive(Clone, Debug, PartialEq)]
struct Stamp {
    inode: u64,
    len: u64,
    modified: Option<SystemTime>,
    #[cfg(unix)]
    changed: (i64, i64),
}

impl Stamp {
    fn of(meta: &fs::Metadata) -> Stamp {
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt;
        Stamp {
            #[cfg(unix)]
            inode: meta.ino(),
            #[cfg(not(unix))]
            inode: 0,
            len: meta.len(),
            modified: meta.modified().ok(),
            #[cfg(unix)]
            changed: (meta.ctime(), meta.ctime_nsec()),
        }
    }
}

#[derive(Debug, Default)]
pub struct AccountsCache {
    last: Mutex<Option<(Stamp, Accounts)>>,
}

impl AccountsCache {
    /// The accounts file's contents: parsed again only when the file changed since the last look.
    pub fn load(&self, home: &Home) -> Result<Accounts, StoreError> {
        self.with(home, Accounts::clone)
    }

    /// `look` at the accounts file's contents without copying them all (a thousand accounts are
    /// ten thousand allocations to clone).
    pub fn with<T>(&self, home: &Home, look: impl FnOnce(&Accounts) -> T) -> Result<T, StoreError> {
        let path = home.accounts_file();
        let stamp = match fs::metadata(&path) {
            Ok(meta) => Stamp::of(&meta),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(look(&Accounts::default()));
            }
            Err(e) => return Err(StoreError::io(&path, e)),
        };
        if let Ok(last) = self.last.lock()
            && let Some((seen, accounts)) = last.as_ref()
            && *seen == stamp
        {
            return Ok(look(accounts));
        }
        let accounts = Accounts::load(home)?;
        // Stamped before the read: a write in between makes the next look parse again, never
        // keeps an old parse under a new stamp.
        let seen = look(&accounts);
        if let Ok(mut last) = self.last.lock() {
            *last = Some((stamp, accounts));
        }
        Ok(seen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::files::write_atomically;

    #[test]
    fn a_changed_file_is_read_again_even_at_the_same_size() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::rooted(dir.path()).unwrap();
        let cache = AccountsCache::default();
        assert!(cache.load(&home).unwrap().accounts.is_empty());
        fs::create_dir_all(home.accounts_file().parent().unwrap()).unwrap();
        let account = |name: &str| {
            format!(
                "[accounts.{name}]\nkind = \"custom\"\nclient_id = \"id\"\nredirect_uri = \"http://127.0.0.1:1/cb\"\nauth_method = \"none\"\n\n[accounts.{name}.provider]\nauthorization_endpoint = \"https://as.example/a\"\ntoken_endpoint = \"https://as.example/t\"\n"
            )
        };
        write_atomically(&home.accounts_file(), account("aaaa").as_bytes()).unwrap();
        assert!(cache.load(&home).unwrap().accounts.contains_key("aaaa"));
        // Same length, other name, written at once: still seen.
        write_atomically(&home.accounts_file(), account("bbbb").as_bytes()).unwrap();
        let accounts = cache.load(&home).unwrap();
        assert!(accounts.accounts.contains_key("bbbb"), "{accounts:?}");
        assert!(!accounts.accounts.contains_key("aaaa"));
    }
}
