//! What can go wrong with a keyring, each error with a sentence that fits the state the user is
//! in: a home with no keyring recorded yet may be told to choose one; a home with one recorded is
//! only told how to reach it.

use std::path::PathBuf;

use super::backend::{BACKEND_VAR, Backend, KEYRING_TIMEOUT};

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
    #[error("the keyring did not answer within {}; it may be waiting for you to unlock it — do so and try again", crate::time::short_duration(KEYRING_TIMEOUT.as_secs()))]
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
    #[error(
        "this home keeps its tokens in the {backend}, which cannot be reached from this process ({reason}): {}. tokendeck does not look for them in another keyring (the choice is recorded in {})",
        backend.how_to_reach(),
        path.display()
    )]
    Unreachable {
        backend: Backend,
        reason: String,
        path: PathBuf,
    },
    #[error(
        "{BACKEND_VAR}={} asks for the {forced}, but this home keeps its tokens in the {recorded} (recorded in {}): unset {BACKEND_VAR}, or set it to {}",
        forced.id(),
        path.display(),
        recorded.id()
    )]
    ForcedOther {
        forced: Backend,
        recorded: Backend,
        path: PathBuf,
    },
    #[error(
        "no Secret Service answers here ({reason}), and this home does not record which keyring holds its accounts' tokens (an older tokendeck made it): if they are in the Secret Service, run tokendeck in the desktop session, or under `dbus-run-session` with the keyring unlocked; if they are in the kernel keyring, set {BACKEND_VAR}=keyutils"
    )]
    Unrecorded { reason: String },
    #[error(
        "{} does not say which keyring this home uses ({problem}): write backend = \"secret-service\" into it (or \"keyutils\", \"keychain\", \"credential-manager\": whichever holds this home's tokens)",
        path.display()
    )]
    ChoiceUnreadable { path: PathBuf, problem: String },
    #[error(
        "could not record which keyring this home uses in {} ({reason}), so nothing was stored; make that folder writable and try again",
        path.display()
    )]
    ChoiceNotSaved { path: PathBuf, reason: String },
}

impl KeyringError {
    /// Why a keyring could not be opened, without advice that only fits a home that has no
    /// keyring recorded yet.
    pub(super) fn reason(&self) -> String {
        match self {
            KeyringError::NoDbusSession => "there is no D-Bus session, as under SSH or cron".into(),
            KeyringError::NoSecretService(detail) => {
                format!("no Secret Service answers on D-Bus: {detail}")
            }
            KeyringError::Timeout => {
                format!(
                    "it did not answer within {}",
                    crate::time::short_duration(KEYRING_TIMEOUT.as_secs())
                )
            }
            KeyringError::Platform { message, .. } => message.clone(),
            other => other.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recorded_keyring_gets_only_advice_that_can_work() {
        let path = PathBuf::from("/home/u/.config/tokendeck/keyring.toml");
        let msg = KeyringError::Unreachable {
            backend: Backend::SecretService,
            reason: KeyringError::NoDbusSession.reason(),
            path: path.clone(),
        }
        .to_string();
        assert!(
            msg.contains("keeps its tokens in the Secret Service")
                && msg.contains("under `dbus-run-session` with the keyring unlocked")
                && msg.contains("keyring.toml"),
            "{msg}"
        );
        assert!(
            !msg.contains("keyutils"),
            "switching keyrings cannot help: {msg}"
        );
        let msg = KeyringError::ForcedOther {
            forced: Backend::Keyutils,
            recorded: Backend::SecretService,
            path,
        }
        .to_string();
        assert!(
            msg.starts_with("TOKENDECK_KEYRING=keyutils asks for the Linux kernel keyring")
                && msg.ends_with("unset TOKENDECK_KEYRING, or set it to secret-service"),
            "{msg}"
        );
    }
}
