//! Which account answers git for a remote: the one whose `--git-host` pattern claims the request's
//! host (and path) most closely.

use crate::store::Store;
use crate::store::git::GitAccess;

use super::AccountError;

/// The account claiming `host` (`example.com[:PORT]`) and `path` (when git sent one), with its git
/// settings; `None` when no account claims it. Between two equally close claims, the first by
/// name wins, so the answer never depends on the file's order.
pub fn account_for_remote(
    store: &Store,
    host: &str,
    path: Option<&str>,
) -> Result<Option<(String, GitAccess)>, AccountError> {
    let accounts = store.accounts()?;
    let mut best: Option<(usize, &String, &GitAccess)> = None;
    for (name, account) in &accounts.accounts {
        if let Some(depth) = account.git.claims(host, path)
            && best.is_none_or(|(d, ..)| depth > d)
        {
            best = Some((depth, name, &account.git));
        }
    }
    Ok(best.map(|(_, name, git)| (name.clone(), git.clone())))
}

/// A git remote an account claims, and the other accounts that claim it too (git gets one
/// token there: the closest claim's, the first by name between equals).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    pub host: String,
    pub also: Vec<String>,
}

/// What `name` claims for git, each remote with the other accounts claiming it as written.
pub fn claims_of(store: &Store, name: &str) -> Result<Vec<Claim>, AccountError> {
    let accounts = store.accounts()?;
    let account = accounts.get(name)?;
    Ok(account
        .git
        .hosts
        .iter()
        .map(|host| Claim {
            host: host.clone(),
            also: accounts
                .accounts
                .iter()
                .filter(|(other, a)| other.as_str() != name && a.git.hosts.contains(host))
                .map(|(other, _)| other.clone())
                .collect(),
        })
        .collect())
}
