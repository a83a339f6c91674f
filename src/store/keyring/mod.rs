//! Keyring records: one per account, holding its token set and client secret, written in one call
//! so that access and refresh tokens never disagree. The store is chosen explicitly (never an
//! in-memory fallback): Secret Service on Linux, the kernel keyring where none answers (with a
//! warning), Keychain on macOS, Credential Manager on Windows. A home records its keyring with its
//! first record, and later processes open exactly that one (see `choice`). Every call runs on a
//! blocking thread under a 3 s timeout, so a keyring waiting on a prompt cannot freeze the caller.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use keyring_core::Entry;
use serde::{Deserialize, Serialize};

use super::home::Home;
use crate::oauth::Tokens;
use crate::oauth::secret::ClientSecret;

mod backend;
mod choice;
mod error;
mod kernel;
mod platform;

use backend::{Access, Op};
pub use backend::{BACKEND_VAR, Backend, KEYRING_TIMEOUT};
pub use error::KeyringError;

/// What the keyring holds for one account.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Record {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<ClientSecret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<Tokens>,
}

/// A handle on the chosen keyring and this home's namespace in it.
#[derive(Clone)]
pub struct Keyring {
    backend: Backend,
    access: Access,
    service: String,
    warning: Option<String>,
    /// Records the home's choice with its first record; `None` once recorded, or for a keyring
    /// opened without a home.
    recorder: Option<Arc<choice::Recorder>>,
    /// Reads and writes asked of it so far (clones count together).
    calls: Arc<Calls>,
}

/// How many reads and writes a keyring handle was asked for: what a refresh costs is measured
/// (and tested) with it, since a Secret Service read is a D-Bus round trip.
#[derive(Debug, Default)]
struct Calls {
    reads: AtomicU64,
    writes: AtomicU64,
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
    /// Opens the keyring `home` recorded, or — for a home that has none yet — the one
    /// `TOKENDECK_KEYRING` names or the platform's own, and records it with the first record
    /// written. A recorded keyring that cannot be reached is an error, never a fallback.
    pub async fn open_home(home: &Home) -> Result<Keyring, KeyringError> {
        let forced = forced_backend()?;
        let path = home.keyring_choice_file();
        let service = home.keyring_service();
        if let Some(recorded) = super::unblocked(|| choice::load(&path))? {
            if let Some(forced) = forced.filter(|f| *f != recorded) {
                return Err(KeyringError::ForcedOther {
                    forced,
                    recorded,
                    path,
                });
            }
            let unreachable = |e: KeyringError| KeyringError::Unreachable {
                backend: recorded,
                reason: e.reason(),
                path: path.clone(),
            };
            let access = match recorded {
                // Opening the kernel keyring is a syscall or two: no thread needed.
                Backend::Keyutils => platform::open_exactly(recorded).map_err(unreachable)?,
                _ => blocking(move || platform::open_exactly(recorded))
                    .await
                    .map_err(unreachable)?
                    .map_err(unreachable)?,
            };
            let warning = (recorded == Backend::Keyutils && forced.is_none()).then(|| {
                format!(
                    "this home keeps its tokens in the Linux kernel keyring, which loses them at reboot or after 3 days unused; set {BACKEND_VAR}=keyutils to say this is on purpose and hide this warning"
                )
            });
            return Ok(Keyring {
                backend: recorded,
                access,
                service,
                warning,
                recorder: None,
                calls: Arc::default(),
            });
        }
        let chosen = blocking(move || platform::choose(forced)).await??;
        let warning = match &chosen.fell_back {
            // Records written now would be looked for in the wrong store by every process that
            // reaches the Secret Service, and the other way round: refuse to guess.
            Some(why) if has_accounts(home) => {
                return Err(KeyringError::Unrecorded {
                    reason: why.reason(),
                });
            }
            Some(_) => Some(format!(
                "no Secret Service answers, so this home will keep its tokens in the Linux kernel keyring, which loses them at reboot or after 3 days unused, and stay with it; to keep them, start gnome-keyring before adding accounts, or set {BACKEND_VAR}=keyutils to choose this on purpose"
            )),
            None => None,
        };
        Ok(Keyring {
            backend: chosen.backend,
            access: chosen.access,
            service,
            warning,
            recorder: Some(Arc::new(choice::Recorder::new(path, chosen.backend))),
            calls: Arc::default(),
        })
    }

    /// Opens the keyring `TOKENDECK_KEYRING` names, or the platform's own, under `service`,
    /// without a home's recorded choice: for tools and tests that look at records directly.
    pub async fn open(service: String) -> Result<Keyring, KeyringError> {
        let forced = forced_backend()?;
        let chosen = blocking(move || platform::choose(forced)).await??;
        Ok(Keyring {
            backend: chosen.backend,
            access: chosen.access,
            service,
            warning: None,
            recorder: None,
            calls: Arc::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Said to the user whenever the keyring in use has a catch (tokens lost at reboot).
    pub fn warning(&self) -> Option<&str> {
        self.warning.as_deref()
    }

    /// Reads and writes of records asked of this keyring so far, by this handle and its clones.
    pub fn calls(&self) -> (u64, u64) {
        (
            self.calls.reads.load(Ordering::Relaxed),
            self.calls.writes.load(Ordering::Relaxed),
        )
    }

    /// The record of `account`, or `None` when there is none.
    pub async fn read(&self, account: &str) -> Result<Option<Record>, KeyringError> {
        self.calls.reads.fetch_add(1, Ordering::Relaxed);
        let json = self.call(account, Op::Read).await?;
        if json.is_some()
            && let Some(recorder) = &self.recorder
        {
            // A home made before choices were recorded: where its records are found is its
            // keyring. Best effort; the read itself worked.
            let _ = super::unblocked(|| recorder.ensure());
        }
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
        self.calls.writes.fetch_add(1, Ordering::Relaxed);
        if let Some(recorder) = &self.recorder {
            super::unblocked(|| recorder.ensure())?;
        }
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
        if let Access::Kernel = access {
            // A few syscalls that never wait on a person: a thread and a timer would cost more
            // than the call (the fast path of `tokendeck token`).
            return kernel::call(&kernel::description(&service, &account), op);
        }
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

/// The backend `TOKENDECK_KEYRING` names, if it is set.
fn forced_backend() -> Result<Option<Backend>, KeyringError> {
    match std::env::var(BACKEND_VAR).ok().filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(value) => match Backend::from_id(&value) {
            Some(b @ (Backend::SecretService | Backend::Keyutils)) => Ok(Some(b)),
            _ => Err(KeyringError::UnknownBackend(value)),
        },
    }
}

/// Whether the home lists any account; a broken accounts file counts as yes.
fn has_accounts(home: &Home) -> bool {
    super::accounts::Accounts::load(home).map_or(true, |a| !a.accounts.is_empty())
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
