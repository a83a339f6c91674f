//! Which keyring to use, and what its errors mean: the keyring-core stores (Secret Service on
//! Linux, Keychain on macOS, Credential Manager on Windows), the kernel keyring where no Secret
//! Service answers, and the Secret Service's own errors read out of keyring-core's.

use std::sync::Arc;

use keyring_core::CredentialStore;

use super::backend::{Access, Backend};
use super::error::KeyringError;

/// The keyring a process opened, and, when it is not the platform's first choice, why.
pub(super) struct Chosen {
    pub backend: Backend,
    pub access: Access,
    /// Set when no Secret Service answered and the kernel keyring was taken instead.
    pub fell_back: Option<KeyringError>,
}

/// `forced` exactly, or the platform's own keyring (falling back where none answers).
pub(super) fn choose(forced: Option<Backend>) -> Result<Chosen, KeyringError> {
    match forced {
        Some(backend) => Ok(Chosen {
            backend,
            access: open_exactly(backend)?,
            fell_back: None,
        }),
        None => platform_store().map(|(backend, access, fell_back)| Chosen {
            backend,
            access,
            fell_back,
        }),
    }
}

/// `backend` and nothing else: a home's recorded keyring, or the one `TOKENDECK_KEYRING` names.
pub(super) fn open_exactly(backend: Backend) -> Result<Access, KeyringError> {
    match backend {
        Backend::SecretService => Ok(Access::Store(secret_service_store()?)),
        Backend::Keyutils => kernel_keyring(),
        Backend::Keychain | Backend::CredentialManager => match platform_store()? {
            (native, access, _) if native == backend => Ok(access),
            _ => Err(KeyringError::Platform {
                backend,
                message: format!("there is no {backend} on this system"),
            }),
        },
    }
}

type Platform = (Backend, Access, Option<KeyringError>);

#[cfg(target_os = "linux")]
fn platform_store() -> Result<Platform, KeyringError> {
    match secret_service_store() {
        Ok(store) => Ok((Backend::SecretService, Access::Store(store), None)),
        Err(e @ (KeyringError::NoDbusSession | KeyringError::NoSecretService(_))) => {
            Ok((Backend::Keyutils, kernel_keyring()?, Some(e)))
        }
        Err(e) => Err(e),
    }
}

#[cfg(target_os = "macos")]
fn platform_store() -> Result<Platform, KeyringError> {
    let store = apple_native_keyring_store::keychain::Store::new()
        .map_err(|e| classify(e, Backend::Keychain))?;
    Ok((Backend::Keychain, Access::Store(store), None))
}

#[cfg(target_os = "windows")]
fn platform_store() -> Result<Platform, KeyringError> {
    let store = windows_native_keyring_store::Store::new()
        .map_err(|e| classify(e, Backend::CredentialManager))?;
    Ok((Backend::CredentialManager, Access::Store(store), None))
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
fn platform_store() -> Result<Platform, KeyringError> {
    Ok((
        Backend::SecretService,
        Access::Store(secret_service_store()?),
        None,
    ))
}

#[cfg(target_os = "linux")]
fn secret_service_store() -> Result<Arc<CredentialStore>, KeyringError> {
    let store = zbus_secret_service_keyring_store::Store::new()
        .map_err(|e| classify(e, Backend::SecretService))?;
    Ok(store)
}

#[cfg(target_os = "linux")]
fn kernel_keyring() -> Result<Access, KeyringError> {
    super::kernel::check()?;
    Ok(Access::Kernel)
}

#[cfg(not(target_os = "linux"))]
fn secret_service_store() -> Result<Arc<CredentialStore>, KeyringError> {
    Err(KeyringError::Platform {
        backend: Backend::SecretService,
        message: "this build has no Secret Service support".into(),
    })
}

#[cfg(not(target_os = "linux"))]
fn kernel_keyring() -> Result<Access, KeyringError> {
    Err(KeyringError::Platform {
        backend: Backend::Keyutils,
        message: "the kernel keyring exists on Linux only".into(),
    })
}

pub(super) fn classify(error: keyring_core::Error, backend: Backend) -> KeyringError {
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
