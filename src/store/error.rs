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

    #[error("no account is named {0:?}")]
    NoSuchAccount(String),

    #[error("an account named {0:?} exists already: choose another name")]
    AccountExists(String),

    #[error(
        "{0:?} cannot be an account name: use 1 to 64 letters, digits, '.', '_' or '-', not starting with '.'"
    )]
    InvalidName(String),

    #[error(
        "another tokendeck process has held the lock of {account:?} for over {seconds} s; try again, or end that process"
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
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        StoreError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
