//! The Linux kernel keyring as tokendeck's store: records are keys in the user's persistent
//! keyring (persistent-keyring(7)), read and written there directly. Going through a session
//! keyring instead fails twice over: a process without a session keyring of its own is refused
//! its first write (AccessDenied), and one that joins its own keeps a stale copy of every key it
//! wrote, so a long-running process would not see another process's refresh. The persistent
//! keyring is shared by all of the user's processes, and `add_key` replaces a key in place.
//! It lasts until reboot, and expires after 3 days (the kernel's default) without any use.

use super::backend::{Backend, Op};
use super::error::KeyringError;

/// The key's description, as keyring-core's kernel store names them.
pub(super) fn description(service: &str, account: &str) -> String {
    format!("keyring:{account}@{service}")
}

#[cfg(target_os = "linux")]
pub(super) fn check() -> Result<(), KeyringError> {
    persistent().map(drop)
}

#[cfg(target_os = "linux")]
pub(super) fn call(description: &str, op: Op) -> Result<Option<String>, KeyringError> {
    use linux_keyutils::KeyError;

    let keyring = persistent()?;
    match op {
        Op::Read => match keyring.search(description) {
            Ok(key) => {
                let bytes = key.read_to_vec().map_err(failed)?;
                String::from_utf8(bytes)
                    .map(Some)
                    .map_err(|_| KeyringError::Platform {
                        backend: Backend::Keyutils,
                        message: format!("the key {description:?} does not hold text"),
                    })
            }
            Err(KeyError::KeyDoesNotExist | KeyError::KeyExpired | KeyError::KeyRevoked) => {
                Ok(None)
            }
            Err(e) => Err(failed(e)),
        },
        Op::Write(json) => match keyring.add_key(description, json.as_bytes()) {
            Ok(_) => Ok(None),
            // A user key holds at most 32 KB; the per-user quota is smaller still.
            Err(KeyError::InvalidArguments | KeyError::QuotaExceeded) => {
                Err(KeyringError::TooLarge {
                    account: String::new(),
                    backend: Backend::Keyutils,
                    bytes: json.len(),
                })
            }
            Err(e) => Err(failed(e)),
        },
        Op::Delete => match keyring.search(description) {
            Ok(key) => key.invalidate().map(|()| None).map_err(failed),
            Err(KeyError::KeyDoesNotExist | KeyError::KeyExpired | KeyError::KeyRevoked) => {
                Ok(None)
            }
            Err(e) => Err(failed(e)),
        },
    }
}

/// The user's persistent keyring, linked into this process's own keyring (which the process
/// always may write), never into a session keyring.
#[cfg(target_os = "linux")]
fn persistent() -> Result<linux_keyutils::KeyRing, KeyringError> {
    use linux_keyutils::{KeyRing, KeyRingIdentifier};

    KeyRing::from_special_id(KeyRingIdentifier::Process, true).map_err(failed)?;
    KeyRing::get_persistent(KeyRingIdentifier::Process).map_err(|e| KeyringError::Platform {
        backend: Backend::Keyutils,
        message: format!(
            "the kernel has no persistent keyring for this user ({e:?}); it needs Linux 3.13+ with CONFIG_PERSISTENT_KEYRINGS, or use a Secret Service"
        ),
    })
}

#[cfg(target_os = "linux")]
fn failed(error: linux_keyutils::KeyError) -> KeyringError {
    KeyringError::Platform {
        backend: Backend::Keyutils,
        message: format!("{error:?}"),
    }
}

#[cfg(not(target_os = "linux"))]
pub(super) fn check() -> Result<(), KeyringError> {
    Err(KeyringError::Platform {
        backend: Backend::Keyutils,
        message: "the kernel keyring exists on Linux only".into(),
    })
}

#[cfg(not(target_os = "linux"))]
pub(super) fn call(_description: &str, _op: Op) -> Result<Option<String>, KeyringError> {
    check().map(|()| None)
}
