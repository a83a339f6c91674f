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

/// A handle on the chosen keyring and this home's namespace in it.
#[derive(Clone)]
pub struct Keyring {
    backend: Backend,
    store: Arc<CredentialStore>,
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
        let (backend, store, warning) = blocking(move || choose(forced.as_deref())).await??;
        Ok(Keyring {
            backend,
            store,
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
        let json = self
            .call(account, |entry| match entry.get_password() {
                Ok(json) => Ok(Some(json)),
                Err(keyring_core::Error::NoEntry) => Ok(None),
                Err(e) => Err(e),
            })
            .await?;
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
        self.call(account, move |entry| entry.set_password(&json))
            .await
            .map_err(|e| match e {
                KeyringError::Platform { .. }
                    if self.backend == Backend::Keyutils && bytes > 32_767 =>
                {
                    KeyringError::TooLarge {
                        account: account.to_string(),
                        backend: self.backend,
                        bytes,
                    }
                }
                KeyringError::TooLarge { .. } => KeyringError::TooLarge {
                    account: account.to_string(),
                    backend: self.backend,
                    bytes,
                },
                other => other,
            })
    }

    /// Deletes the record of `account`; a missing one is fine.
    pub async fn delete(&self, account: &str) -> Result<(), KeyringError> {
        self.call(account, |entry| match entry.delete_credential() {
            Err(keyring_core::Error::NoEntry) => Ok(()),
            other => other,
        })
        .await
    }

    async fn call<T: Send + 'static>(
        &self,
        account: &str,
        op: impl FnOnce(Entry) -> keyring_core::Result<T> + Send + 'static,
    ) -> Result<T, KeyringError> {
        let (store, service, account, backend) = (
            self.store.clone(),
            self.service.clone(),
            account.to_string(),
            self.backend,
        );
        blocking(move || {
            if backend == Backend::Keyutils {
                join_session_keyring();
            }
            let entry = Entry::new_in_store(&store, &service, &account)
                .map_err(|e| classify(e, backend))?;
            op(entry).map_err(|e| classify(e, backend))
        })
        .await?
    }
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

type Chosen = (Backend, Arc<CredentialStore>, Option<String>);

fn choose(forced: Option<&str>) -> Result<Chosen, KeyringError> {
    match forced {
        Some("secret-service") => Ok((Backend::SecretService, secret_service_store()?, None)),
        Some("keyutils") => Ok((Backend::Keyutils, keyutils_store()?, None)),
        Some(other) => Err(KeyringError::UnknownBackend(other.to_string())),
        None => platform_store(),
    }
}

#[cfg(target_os = "linux")]
fn platform_store() -> Result<Chosen, KeyringError> {
    match secret_service_store() {
        Ok(store) => Ok((Backend::SecretService, store, None)),
        Err(KeyringError::NoDbusSession | KeyringError::NoSecretService(_)) => {
            let warning = format!(
                "no Secret Service answers, so tokens are kept in the Linux kernel keyring, which does not survive a reboot; start gnome-keyring to keep them, or set {BACKEND_VAR}=keyutils to choose this on purpose"
            );
            Ok((Backend::Keyutils, keyutils_store()?, Some(warning)))
        }
        Err(e) => Err(e),
    }
}

#[cfg(target_os = "macos")]
fn platform_store() -> Result<Chosen, KeyringError> {
    let store = apple_native_keyring_store::keychain::Store::new()
        .map_err(|e| classify(e, Backend::Keychain))?;
    Ok((Backend::Keychain, store, None))
}

#[cfg(target_os = "windows")]
fn platform_store() -> Result<Chosen, KeyringError> {
    let store = windows_native_keyring_store::Store::new()
        .map_err(|e| classify(e, Backend::CredentialManager))?;
    Ok((Backend::CredentialManager, store, None))
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
fn platform_store() -> Result<Chosen, KeyringError> {
    Ok((Backend::SecretService, secret_service_store()?, None))
}

#[cfg(target_os = "linux")]
fn secret_service_store() -> Result<Arc<CredentialStore>, KeyringError> {
    let store = zbus_secret_service_keyring_store::Store::new()
        .map_err(|e| classify(e, Backend::SecretService))?;
    Ok(store)
}

#[cfg(target_os = "linux")]
fn keyutils_store() -> Result<Arc<CredentialStore>, KeyringError> {
    let store =
        linux_keyutils_keyring_store::Store::new().map_err(|e| classify(e, Backend::Keyutils))?;
    Ok(store)
}

#[cfg(not(target_os = "linux"))]
fn secret_service_store() -> Result<Arc<CredentialStore>, KeyringError> {
    Err(KeyringError::Platform {
        backend: Backend::SecretService,
        message: "this build has no Secret Service support".into(),
    })
}

#[cfg(not(target_os = "linux"))]
fn keyutils_store() -> Result<Arc<CredentialStore>, KeyringError> {
    Err(KeyringError::Platform {
        backend: Backend::Keyutils,
        message: "the kernel keyring exists on Linux only".into(),
    })
}

/// A thread without a session keyring of its own is refused its first kernel-keyring write; an
/// anonymous session keyring (what `keyctl session -` makes) avoids that. Once per thread is
/// enough, and asking again is cheap.
fn join_session_keyring() {
    #[cfg(target_os = "linux")]
    {
        use linux_keyutils::{KeyRing, KeyRingIdentifier};
        let _ = KeyRing::from_special_id(KeyRingIdentifier::Session, true);
    }
}

fn classify(error: keyring_core::Error, backend: Backend) -> KeyringError {
    use keyring_core::Error as E;
    if backend == Backend::SecretService
        && let Some(ss) = secret_service_error(&error)
    {
        return ss;
    }
    match error {
        E::TooLong(_, _) => KeyringError::TooLarge {
            account: String::new(),
            backend,
            bytes: 0,
        },
        E::NoStorageAccess(e) if backend == Backend::SecretService => {
            KeyringError::NoSecretService(e.to_string())
        }
        other => KeyringError::Platform {
            backend,
            message: other.to_string(),
        },
    }
}

/// Reads the Secret Service's own error out of the keyring error that wraps it.
fn secret_service_error(error: &keyring_core::Error) -> Option<KeyringError> {
    #[cfg(target_os = "linux")]
    {
        use secret_service::Error as Ss;
        let inner = match error {
            keyring_core::Error::NoStorageAccess(e) | keyring_core::Error::PlatformFailure(e) => e,
            _ => return None,
        };
        let ss = inner.downcast_ref::<Ss>()?;
        Some(match ss {
            Ss::Locked | Ss::Prompt => KeyringError::Locked,
            Ss::NoResult => KeyringError::NoDefaultCollection,
            Ss::Unavailable => {
                if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none()
                    && !std::env::var_os("XDG_RUNTIME_DIR")
                        .is_some_and(|d| std::path::Path::new(&d).join("bus").exists())
                {
                    KeyringError::NoDbusSession
                } else {
                    KeyringError::NoSecretService(ss.to_string())
                }
            }
            Ss::Zbus(e) => KeyringError::NoSecretService(e.to_string()),
            Ss::ZbusFdo(e) => KeyringError::NoSecretService(e.to_string()),
            other => KeyringError::Platform {
                backend: Backend::SecretService,
                message: other.to_string(),
            },
        })
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = error;
        None
    }
}
