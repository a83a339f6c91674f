//! The accounts file as last parsed, kept while the file is unchanged. With a thousand accounts
//! the file is ~400 KB of TOML, ~20 ms to parse, and every refresh looks into it several times
//! (is the account still there, its settings, before writing its status): parsing it once per
//! change instead of once per look is what keeps a thousand refreshes cheap. A change is told by
//! the file's identity and times: every write replaces it (a new file renamed into place), so its
//! inode and change time move even when its size does not. A broken file is remembered the same
//! way: every look at it fails as the first did, without reading it again until it changes.

use std::fs;
use std::sync::Mutex;

use super::accounts::Accounts;
use super::error::StoreError;
use super::files::FileStamp;
use super::home::Home;

#[derive(Debug, Default)]
pub struct AccountsCache {
    last: Mutex<Option<(FileStamp, Parsed)>>,
}

/// What one version of the file held.
#[derive(Debug)]
enum Parsed {
    Accounts(Accounts),
    /// Where and why it could not be read as accounts.
    Broken {
        line: usize,
        column: usize,
        problem: String,
    },
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
            Ok(meta) => FileStamp::of(&meta),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(look(&Accounts::default()));
            }
            Err(e) => return Err(StoreError::AccountsUnreadable { path, source: e }),
        };
        if let Ok(last) = self.last.lock()
            && let Some((seen, parsed)) = last.as_ref()
            && *seen == stamp
        {
            return match parsed {
                Parsed::Accounts(accounts) => Ok(look(accounts)),
                Parsed::Broken {
                    line,
                    column,
                    problem,
                } => Err(StoreError::CorruptAccounts {
                    path,
                    line: *line,
                    column: *column,
                    problem: problem.clone(),
                }),
            };
        }
        // Stamped before the read: a write in between makes the next look parse again, never
        // keeps an old parse under a new stamp.
        let (parsed, result) = match Accounts::load(home) {
            Ok(accounts) => {
                let seen = look(&accounts);
                (Parsed::Accounts(accounts), Ok(seen))
            }
            Err(StoreError::CorruptAccounts {
                path,
                line,
                column,
                problem,
            }) => {
                let broken = Parsed::Broken {
                    line,
                    column,
                    problem: problem.clone(),
                };
                let error = StoreError::CorruptAccounts {
                    path,
                    line,
                    column,
                    problem,
                };
                (broken, Err(error))
            }
            Err(other) => return Err(other),
        };
        if let Ok(mut last) = self.last.lock() {
            *last = Some((stamp, parsed));
        }
        result
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

    /// A broken file is answered from what was read until it changes; a mended one is seen at
    /// once.
    #[test]
    fn a_broken_file_fails_alike_until_it_is_mended() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::rooted(dir.path()).unwrap();
        let cache = AccountsCache::default();
        fs::create_dir_all(home.accounts_file().parent().unwrap()).unwrap();
        write_atomically(&home.accounts_file(), b"[accounts.work]\nkind = ").unwrap();
        let first = cache.load(&home).unwrap_err();
        assert!(
            matches!(first, StoreError::CorruptAccounts { line: 2, .. }),
            "{first}"
        );
        let again = cache.load(&home).unwrap_err();
        assert_eq!(again.to_string(), first.to_string());
        write_atomically(&home.accounts_file(), b"").unwrap();
        assert!(cache.load(&home).unwrap().accounts.is_empty(), "mended");
    }
}
