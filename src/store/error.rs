//! What can go wrong in storage, each with a sentence that tells the user what to do — in words
//! every front can show; a front adds its own way there (the command line's `tokendeck list`).

use std::path::{Path, PathBuf};

use super::keyring::KeyringError;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("{0}")]
    NoHome(String),

    #[error("cannot use {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "the accounts file {path} is broken at line {line}, column {column}: {problem}. Fix it by hand (or move it away to start afresh); tokendeck will not write to it until then"
    )]
    CorruptAccounts {
        path: PathBuf,
        line: usize,
        column: usize,
        problem: String,
    },

    #[error(
        "cannot read the accounts file {path}: {source}. Make it a file of yours that you can read (`ls -l {path}` shows what it is now), or move it away to start afresh; tokendeck will not write to it until then",
        path = path.display()
    )]
    AccountsUnreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "the accounts file {} {}: its hooks are commands run as you, and its endpoints are where your tokens are sent. {}; tokendeck will not read or write it until then",
        path.display(),
        match owner { Some(uid) => format!("belongs to another user (uid {uid})"), None => format!("can be changed by other users (mode {mode:04o})") },
        match owner { Some(_) => "Move it away and add your accounts again (or, if it is yours, give it back to yourself with `chown`)".to_string(), None => format!("Run `chmod 600 {}`", path.display()) }
    )]
    UnsafeAccountsFile {
        path: PathBuf,
        /// The uid of its owner, when that is someone else.
        owner: Option<u32>,
        mode: u32,
    },

    /// `nearest`: the names that exist close to the one asked for, nearest first (for a "did
    /// you mean"); empty when none is close.
    #[error("no account is named {name:?}")]
    NoSuchAccount { name: String, nearest: Vec<String> },

    #[error("an account named {0:?} exists already: choose another name")]
    AccountExists(String),

    #[error("{}", invalid_name(.0))]
    InvalidName(String),

    #[error(
        "another tokendeck process has held the lock of {account:?} for over {}; try again, or end that process",
        crate::time::short_duration(*seconds)
    )]
    LockTimeout { account: String, seconds: u64 },

    #[error(
        "a daemon{} is already keeping {home} fresh; stop it with {}",
        pid.map(|p| format!(" (pid {p})")).unwrap_or_default(),
        match pid {
            Some(p) => format!("`kill {p}` or `systemctl --user stop tokendeck`"),
            None => "`systemctl --user stop tokendeck` (or end that process)".into(),
        }
    )]
    DaemonRunning { pid: Option<u32>, home: String },

    #[error(transparent)]
    Keyring(#[from] KeyringError),

    #[error(transparent)]
    UnsafeHome(#[from] super::home::UnsafeHome),
}

impl StoreError {
    /// `name` is not among `names`: the error, with the names near it.
    pub fn no_such_account<'a>(name: &str, names: impl IntoIterator<Item = &'a str>) -> Self {
        StoreError::NoSuchAccount {
            name: name.to_string(),
            nearest: super::nearest::nearest_names(name, names),
        }
    }

    pub fn io(path: &Path, source: std::io::Error) -> Self {
        StoreError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// Whether this says the accounts file cannot be used as it is now — broken, unreadable or
    /// not the user's alone — so that a long-running process keeps serving what it read before
    /// (and notices when the file is mended) instead of dropping every account.
    pub fn is_unusable_accounts_file(&self) -> bool {
        matches!(
            self,
            StoreError::CorruptAccounts { .. }
                | StoreError::AccountsUnreadable { .. }
                | StoreError::UnsafeAccountsFile { .. }
        )
    }
}

/// What a name that cannot be an account's is told: an empty one that a name is needed.
fn invalid_name(name: &str) -> String {
    let rule = "use 1 to 64 letters, digits, '.', '_' or '-', not starting with '.'";
    match name.is_empty() {
        true => format!("an account needs a name: {rule}"),
        false => format!("{name:?} cannot be an account name: {rule}"),
    }
}
