//! What reaches `update` (messages: input, time, results of effects) and what it asks for in
//! return (effects: everything that does I/O). Both are plain data.

use std::net::SocketAddr;
use std::time::SystemTime;

use crossterm::event::KeyEvent;

use super::app::{AccountRow, DeviceCode};
use crate::app::link::{LinkFailed, LinkWay, RefreshTokenAdvice};
use crate::app::set::{AccountChange, Changed};
use crate::app::{AccountError, EngineEvent};
use crate::oauth;
use crate::oauth::secret::AccessToken;
use crate::store::new_account::{Field, NewAccount};
use crate::store::{AccountStatus, Backend, Event, RunningDaemon};

#[derive(Debug)]
pub enum Message {
    Key(KeyEvent),
    /// A bracketed paste.
    Paste(String),
    Resize,
    Tick(SystemTime),
    Loaded(Vec<AccountRow>),
    LoadFailed(String),
    /// Whether a `tokendeck daemon` keeps this home fresh (looked at with the accounts).
    Daemon(Option<RunningDaemon>),
    KeyringReady {
        backend: Backend,
        warning: Option<String>,
    },
    KeyringFailed(String),
    /// New lines in the event log (from this process or another).
    LogEvents(Vec<Event>),
    /// This many more lines of the event log could not be read and were skipped.
    LogUnreadable(usize),
    Status {
        name: String,
        status: AccountStatus,
    },
    Engine(EngineEvent),
    LinkStarted {
        url: String,
        listening: Option<SocketAddr>,
    },
    /// The device grant's code is issued: show it while the provider is polled.
    DeviceLinkStarted(DeviceCode),
    /// A paste did not work; the link goes on and takes another.
    PasteRefused(oauth::Error),
    /// Something the link screen asked for besides the link did not work (no browser opened,
    /// the demo browser failed); the link goes on. In the TUI's words.
    LinkAttemptFailed(String),
    /// The link could not start (the account vanished, the keyring failed, no device code).
    LinkNotStarted(Box<AccountError>),
    /// The link ended without linking: refused, or the tokens not recorded.
    LinkFailed(Box<LinkFailed>),
    Linked {
        name: String,
        /// The provider issued no refresh token: what to say of it.
        without_refresh_token: Option<Box<NoRefreshToken>>,
    },
    Added {
        name: String,
        /// The git remotes it claims (its preset's: the form names none), with who else does.
        git: Vec<crate::app::git::Claim>,
        /// Who wants the client secret it was added without (Google), if anyone.
        secret_required_by: Option<String>,
    },
    /// The edit form's change is stored.
    Edited {
        name: String,
        changed: Changed,
    },
    /// The add or edit form's submission was refused: the error goes beside `field`.
    AddFailed {
        field: Option<Field>,
        message: String,
    },
    Removed {
        name: String,
        /// What became of the grant at the provider, in a sentence.
        revocation: Option<String>,
        revocation_failed: bool,
    },
    RemoveFailed(String),
    ApiAnswered {
        name: String,
        status: u16,
        excerpt: String,
    },
    ApiFailed {
        name: String,
        message: String,
    },
    TokenRevealed {
        name: String,
        token: AccessToken,
    },
    TokenUnavailable(String),
    /// What `name`'s tokens say, or why that could not be read.
    Inspected {
        name: String,
        report: Result<Box<crate::inspect::Report>, AccountError>,
    },
    /// Quit: `q`, Ctrl-C, or a stopping signal. A second one while refreshes are waited for
    /// quits at once.
    Quit,
    /// The refreshes under way when quitting began: these accounts', for at most `patience`.
    StopWaiting {
        accounts: Vec<String>,
        patience: std::time::Duration,
    },
    /// No refresh is under way any more (or patience ran out): the TUI ends.
    Stopped,
}

/// A link that brought no refresh token: when its access token expires, and what usually makes
/// the provider issue one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoRefreshToken {
    pub expires_at: Option<SystemTime>,
    pub advice: RefreshTokenAdvice,
}

#[derive(Debug)]
pub enum Effect {
    /// Start no refresh from now on, and say which are under way; `Stopped` once they end.
    Stop,
    /// Quit without waiting for the refreshes under way: they are given up.
    GiveUp,
    LoadAccounts,
    /// Read the event log's history, then follow it from where that read ended.
    LoadHistory,
    LoadStatus(String),
    OpenKeyring,
    /// Read what is new in the event log (and notice an accounts file changed elsewhere).
    PollLog,
    Refresh(String),
    TestApi(String),
    /// Link the account the way the link screen chose.
    StartLink(String, LinkWay),
    SubmitPaste(String),
    CancelLink,
    /// Demo mode: play the browser's part on this authorization URL.
    DemoApprove(String),
    Copy(String),
    /// Copy a token the user asked for (its `Debug` stays redacted, unlike `Copy`'s text).
    CopyToken(AccessToken),
    OpenBrowser(String),
    Add(Box<NewAccount>),
    /// Change `name`'s settings (the edit form's Enter).
    Edit {
        name: String,
        change: Box<AccountChange>,
    },
    Remove(String),
    RevealToken(String),
    /// Inspect an account's stored tokens; `introspect` asks the provider too.
    Inspect {
        name: String,
        introspect: bool,
    },
}
