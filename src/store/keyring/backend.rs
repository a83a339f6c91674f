//! Which keyring, and how it is reached: the backends tokendeck knows (their names, and how a
//! person reaches each), a keyring-core store or the kernel keyring, the operations on a record,
//! and how long one may take. Below the keyring's handle, its errors and its platform code alike.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use keyring_core::CredentialStore;

/// How long one keyring call may take.
pub const KEYRING_TIMEOUT: Duration = Duration::from_secs(3);
/// Environment variable that forces a backend.
pub const BACKEND_VAR: &str = "TOKENDECK_KEYRING";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    SecretService,
    Keyutils,
    Keychain,
    CredentialManager,
}

impl Backend {
    /// The name `TOKENDECK_KEYRING` and a home's `keyring.toml` use.
    pub fn id(self) -> &'static str {
        match self {
            Backend::SecretService => "secret-service",
            Backend::Keyutils => "keyutils",
            Backend::Keychain => "keychain",
            Backend::CredentialManager => "credential-manager",
        }
    }

    pub fn from_id(id: &str) -> Option<Backend> {
        [
            Backend::SecretService,
            Backend::Keyutils,
            Backend::Keychain,
            Backend::CredentialManager,
        ]
        .into_iter()
        .find(|b| b.id() == id)
    }

    /// What a person can do to reach this keyring from where they are.
    pub(super) fn how_to_reach(self) -> &'static str {
        match self {
            Backend::SecretService => {
                "run tokendeck in the desktop session, or under `dbus-run-session` with the keyring unlocked"
            }
            Backend::Keyutils => {
                "run tokendeck on this machine outside any sandbox or container that hides the kernel keyring"
            }
            Backend::Keychain => "run tokendeck in your logged-in macOS session",
            Backend::CredentialManager => "run tokendeck in your Windows session",
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::SecretService => "Secret Service",
            Backend::Keyutils => "Linux kernel keyring",
            Backend::Keychain => "macOS Keychain",
            Backend::CredentialManager => "Windows Credential Manager",
        })
    }
}

/// How the chosen keyring is reached.
#[derive(Clone)]
pub(super) enum Access {
    /// A keyring-core store: Secret Service, Keychain, Credential Manager.
    Store(Arc<CredentialStore>),
    /// The user's persistent kernel keyring, read and written directly (see `kernel`).
    Kernel,
}

/// One keyring operation.
pub(super) enum Op {
    Read,
    Write(String),
    Delete,
}
