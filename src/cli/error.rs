//! Errors as the command line reports them: one sentence on stderr (worded in [`super::words`]),
//! and an exit code a script can branch on.

use super::words::agent::AgentFailed;
use crate::app::AccountError;
use crate::app::link::{LinkEnd, LinkFailed};
use crate::oauth::{self, ErrorKind};
use crate::signals::Signal;
use crate::store::{KeyringError, StoreError};

/// The documented exit codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ExitStatus {
    Ok = 0,
    Failure = 1,
    Usage = 2,
    NoSuchAccount = 3,
    NeedsLink = 4,
    TryLater = 5,
    Keyring = 6,
    BrokenAccountsFile = 7,
    ApiError = 8,
    Configuration = 9,
    /// Stopped by a signal: 128 and its number.
    StoppedByHangUp = 129,
    StoppedByCtrlC = 130,
    StoppedByTerm = 143,
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Link(#[from] LinkFailed),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Io(String),
    #[error("the API answered HTTP {0}")]
    ApiStatus(reqwest::StatusCode),
    #[error(transparent)]
    NoMailUser(#[from] super::words::format::NoMailUser),
    #[error(transparent)]
    Agent(#[from] super::words::agent::AgentFailed),
    /// What was under way has been waited for and told of already.
    #[error("stopped by {}", .0.name())]
    Stopped(Signal),
    /// `exec`'s command ended with this status (128 and the number of a signal that ended it):
    /// the command has said what it had to say.
    #[error("the command ended with status {0}")]
    CommandEnded(u8),
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        CliError::Account(AccountError::Store(e))
    }
}

impl From<oauth::Error> for CliError {
    fn from(e: oauth::Error) -> Self {
        CliError::Account(AccountError::OAuth(e))
    }
}

impl From<crate::store::new_account::NewAccountError> for CliError {
    fn from(e: crate::store::new_account::NewAccountError) -> Self {
        use crate::store::new_account::NewAccountError as E;
        match e {
            E::Invalid { .. } | E::UnknownPreset(_) => CliError::Usage(e.to_string()),
            E::Store(e) => e.into(),
            E::OAuth(e) => e.into(),
        }
    }
}

impl From<KeyringError> for CliError {
    fn from(e: KeyringError) -> Self {
        CliError::from(StoreError::Keyring(e))
    }
}

impl CliError {
    pub fn exit_status(&self) -> ExitStatus {
        match self {
            CliError::Account(e) => account_status(e),
            CliError::Link(e) => match &e.end {
                LinkEnd::Refused(e) => oauth_status(e),
                LinkEnd::PastesEnded => ExitStatus::Usage,
                LinkEnd::NotRecorded(e) => store_status(e),
            },
            CliError::Usage(_) => ExitStatus::Usage,
            CliError::NoMailUser(_) => ExitStatus::Configuration,
            CliError::Io(_) => ExitStatus::Failure,
            CliError::ApiStatus(_) => ExitStatus::ApiError,
            CliError::Agent(e) => agent_status(e),
            CliError::Stopped(Signal::HangUp) => ExitStatus::StoppedByHangUp,
            CliError::Stopped(Signal::Interrupt) => ExitStatus::StoppedByCtrlC,
            CliError::Stopped(Signal::Terminate) => ExitStatus::StoppedByTerm,
            CliError::CommandEnded(_) => ExitStatus::Failure,
        }
    }

    /// The process's exit code: the documented one, or the code `exec`'s command ended with.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::CommandEnded(code) => *code,
            other => other.exit_status() as u8,
        }
    }

    /// Whether there is nothing to say on stderr: a stop already told, or a command that spoke
    /// for itself.
    pub fn says_nothing(&self) -> bool {
        matches!(self, CliError::Stopped(_) | CliError::CommandEnded(_))
    }

    /// A stop by a signal, which has nothing more to say.
    pub fn is_stop(&self) -> bool {
        matches!(self, CliError::Stopped(_))
    }
}

fn agent_status(error: &AgentFailed) -> ExitStatus {
    use crate::agent::protocol::ErrorCode;
    match error {
        // As for an account that is not there: what was named to answer is not there.
        AgentFailed::NoAgent { .. } => ExitStatus::NoSuchAccount,
        AgentFailed::NoAnswer { .. } | AgentFailed::NotOurs { .. } => ExitStatus::Failure,
        AgentFailed::Refused { code, .. } => match code {
            ErrorCode::NoSuchAccount | ErrorCode::NotShared => ExitStatus::NoSuchAccount,
            ErrorCode::NotLinked => ExitStatus::NeedsLink,
            ErrorCode::RefreshFailed => ExitStatus::TryLater,
            // The same exit codes as without the agent.
            ErrorCode::ClientRefused => ExitStatus::Configuration,
            ErrorCode::Keyring => ExitStatus::Keyring,
            ErrorCode::AccountsFile => ExitStatus::BrokenAccountsFile,
            ErrorCode::BadRequest | ErrorCode::UnsupportedVersion => ExitStatus::Failure,
        },
    }
}

fn account_status(error: &AccountError) -> ExitStatus {
    match error {
        AccountError::Store(e) => store_status(e),
        AccountError::NotLinked(_)
        | AccountError::RecordMissing(_)
        | AccountError::NeedsRelink { .. } => ExitStatus::NeedsLink,
        AccountError::BackingOff { .. } => ExitStatus::TryLater,
        AccountError::ClientRefused { .. } => ExitStatus::Configuration,
        // tokendeck refuses it, not the provider: "an error not listed", as it always was.
        AccountError::ReservedParam { .. } => ExitStatus::Failure,
        AccountError::RecordNotHere { .. } => ExitStatus::Keyring,
        AccountError::OAuth(e) => oauth_status(e),
    }
}

fn oauth_status(error: &oauth::Error) -> ExitStatus {
    if let Some(cause) = error.storage_cause()
        && let Some(store) = cause.downcast_ref::<StoreError>()
    {
        return store_status(store);
    }
    match error.kind() {
        ErrorKind::NeedsReauthorization => ExitStatus::NeedsLink,
        ErrorKind::Transient | ErrorKind::Ambiguous => ExitStatus::TryLater,
        ErrorKind::Configuration => ExitStatus::Configuration,
        ErrorKind::Other => ExitStatus::Failure,
    }
}

fn store_status(error: &StoreError) -> ExitStatus {
    match error {
        StoreError::NoSuchAccount { .. }
        | StoreError::AccountExists(_)
        | StoreError::InvalidName(_) => ExitStatus::NoSuchAccount,
        StoreError::CorruptAccounts { .. }
        | StoreError::AccountsUnreadable { .. }
        | StoreError::UnsafeAccountsFile { .. } => ExitStatus::BrokenAccountsFile,
        StoreError::Keyring(_) => ExitStatus::Keyring,
        StoreError::LockTimeout { .. } => ExitStatus::TryLater,
        StoreError::NoHome(_) | StoreError::Io { .. } | StoreError::DaemonRunning { .. } => {
            ExitStatus::Failure
        }
        // Not wrong usage (the same command works on a safe home) nor a broken accounts file
        // (nothing was read): the one fix is to the folder's owner or mode, which the message
        // names. Scripts see 1, "an error not listed", as for a folder tokendeck cannot use.
        StoreError::UnsafeHome(_) => ExitStatus::Failure,
    }
}
