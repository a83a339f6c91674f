//! Keyring records: one per account, holding its token set and client secret, written in one call
//! so that access and refresh tokens never disagree. The store is chosen explicitly (never an
//! in-memory fallback): Secret Service on Linux, the kernel keyring where none answers (with a
//! warning), Keychain on macOS, Credential Manager on Windows. Every call runs on a blocking
//! thread under a 3 s timeout, so a keyring waiting on a prompt cannot freeze the caller.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use keyring_core::{CredentialStore, Entry};
use serde::{Deserialize, Serialize};

use crate::oauth::Tokens;
use crate::oauth::secret::ClientSecret;

mod kernel;
mod platform;

/// How long one keyring call may take.
pub const KEYRING_TIMEOUT: Duration = Duration::from_secs(3);
/// Environment variable that forces a backend.
pub const BACKEND_VAR: &str = "TOKENDECK_KEYRING";

/// What the keyring holds for one account.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Record {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<ClientSecret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<Tokens>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    SecretService,
    Keyutils,
    Keychain,
    CredentialManager,
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

#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyringError {
    #[error("{BACKEND_VAR}={0:?} is not a keyring tokendeck knows: use secret-service or keyutils")]
    UnknownBackend(String),
    #[error(
        "no D-Bus session is running, so the Secret Service cannot be reached: run tokendeck in a desktop session or under `dbus-run-session`, or set {BACKEND_VAR}=keyutils"
    )]
    NoDbusSession,
    #[error(
        "no Secret Service answers on D-Bus ({0}): start gnome-keyring (or KeePassXC's Secret Service), or set {BACKEND_VAR}=keyutils"
    )]
    NoSecretService(String),
    #[error(
        "the keyring is locked: unlock it (log in to the desktop, or `gnome-keyring-daemon --unlock`) and try again"
    )]
    Locked,
    #[error(
        "the Secret Service has no default keyring to store secrets in: create one named \"login\" (for example in Seahorse) and try again"
    )]
    NoDefaultCollection,
    #[error("the keyring did not answer within {} s; it may be waiting for you to unlock it — do so and try again", KEYRING_TIMEOUT.as_secs())]
    Timeout,
    #[error("the record of {account:?} is too large for the {backend} ({bytes} bytes)")]
    TooLarge {
        account: String,
        backend: Backend,
        bytes: usize,
    },
    #[error("the keyring record of {account:?} is unreadable ({problem}); link the account again")]
    CorruptRecord { account: String, problem: String },
    #[error("the {backend} failed: {message}")]
    Platform { backend: Backend, message: String },
}

/// How the chosen keyring is reached.
#[derive(Clone)]
enum Access {
    /// A keyring-core store: Secret Service, Keychain, Credential Manager.
    Store(Arc<CredentialStore>),
    /// The user's persistent kernel keyring, read and written directly (see `kernel`).
    Kernel,
}

/// A handle on the chosen keyring and this home's namespace in it.
#[derive(Clone)]
pub struct Keyring {
    backend: Backend,
    access: Access,
    service: String,
    warning: Option<String>,
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring")
            .field("backend", &self.backend)
            .field("service", &self.service)
            .finish()
    }
}

impl Keyring {
    /// Opens the keyring `TOKENDECK_KEYRING` names, or the platform's own.
    pub async fn open(service: String) -> Result<Keyring, KeyringError> {
        let forced = std::env::var(BACKEND_VAR).ok().filter(|v| !v.is_empty());
        let (backend, access, warning) =
            blocking(move || platform::choose(forced.as_deref())).await??;
        Ok(Keyring {
            backend,
            access,
            service,
            warning,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Said to the user whenever the keyring in use has a catch (tokens lost at reboot).
    pub fn warning(&self) -> Option<&str> {
        self.warning.as_deref()
    }

    /// The record of `account`, or `None` when there is none.
    pub async fn read(&self, account: &str) -> Result<Option<Record>, KeyringError> {
        let json = self.call(account, Op::Read).await?;
        json.map(|json| {
            serde_json::from_str(&json).map_err(|e| KeyringError::CorruptRecord {
                account: account.to_string(),
                // serde's message may quote the value; only say where it broke.
                problem: format!(
                    "not a tokendeck record ({:?} error at column {})",
                    e.classify(),
                    e.column()
                ),
            })
        })
        .transpose()
    }

    /// Replaces the record of `account` in one call.
    pub async fn write(&self, account: &str, record: &Record) -> Result<(), KeyringError> {
        let json = serde_json::to_string(record).map_err(|e| KeyringError::Platform {
            backend: self.backend,
            message: e.to_string(),
        })?;
        let bytes = json.len();
        match self.call(account, Op::Write(json)).await {
            Err(KeyringError::TooLarge { .. }) => Err(KeyringError::TooLarge {
                account: account.to_string(),
                backend: self.backend,
                bytes,
            }),
            other => other.map(drop),
        }
    }

    /// Deletes the record of `account`; a missing one is fine.
    pub async fn delete(&self, account: &str) -> Result<(), KeyringError> {
        self.call(account, Op::Delete).await.map(drop)
    }

    async fn call(&self, account: &str, op: Op) -> Result<Option<String>, KeyringError> {
        let (access, service, account, backend) = (
            self.access.clone(),
            self.service.clone(),
            account.to_string(),
            self.backend,
        );
        blocking(move || match access {
            Access::Store(store) => {
                let classify = |e| platform::classify(e, backend);
                let entry = Entry::new_in_store(&store, &service, &account).map_err(classify)?;
                match op {
                    Op::Read => match entry.get_password() {
                        Ok(json) => Ok(Some(json)),
                        Err(keyring_core::Error::NoEntry) => Ok(None),
                        Err(e) => Err(classify(e)),
                    },
                    Op::Write(json) => entry.set_password(&json).map(|()| None).map_err(classify),
                    Op::Delete => match entry.delete_credential() {
                        Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(None),
                        Err(e) => Err(classify(e)),
                    },
                }
            }
            Access::Kernel => kernel::call(&kernel::description(&service, &account), op),
        })
        .await?
    }
}

/// One keyring operation.
enum Op {
    Read,
    Write(String),
    Delete,
}

/// Runs `work` on a blocking thread under [`KEYRING_TIMEOUT`].
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, KeyringError> {
    match tokio::time::timeout(KEYRING_TIMEOUT, tokio::task::spawn_blocking(work)).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(join)) => Err(KeyringError::Platform {
            backend: Backend::SecretService,
            message: format!("the keyring call crashed: {join}"),
        }),
        Err(_) => Err(KeyringError::Timeout),
    }
}
