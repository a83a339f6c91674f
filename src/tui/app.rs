//! The TUI's state: plain data that `update` changes and views borrow. No I/O, no clock: the time
//! is whatever the last tick said.

use std::time::{Duration, SystemTime};

use super::screens::add::AddForm;
pub use super::screens::inspect::{InspectScreen, Inspection};
pub use super::screens::link::{DeviceCode, LinkPhase, LinkScreen};
use super::widgets::theme::Theme;
use crate::oauth::secret::AccessToken;
use crate::store::{Account, AccountStatus, Backend, Event, Forecast, Health, RunningDaemon};

/// The most log lines kept in memory.
pub const LOG_CAPACITY: usize = 10_000;

#[derive(Debug)]
pub struct App {
    pub now: SystemTime,
    /// The user's time zone, which every time on screen is in (UTC until the runner says).
    pub zone: jiff::tz::TimeZone,
    pub theme: Theme,
    pub screen: Screen,
    pub overlay: Option<Overlay>,
    pub accounts: Vec<AccountRow>,
    /// Whether the accounts file was read, and what stopped it.
    pub load: Load,
    /// The selected row. It follows its account, not the row number: whenever the list is read
    /// again, it is moved to where that account now is.
    pub selected: usize,
    /// An account just added: selected as soon as the list holds it (so that `l` links it).
    pub select_when_listed: Option<String>,
    /// The terminal's size as of the last draw (columns, rows): how far a page moves.
    pub size: (u16, u16),
    /// Oldest first.
    pub log: Vec<LogLine>,
    pub log_filter: bool,
    /// Which pane of the accounts screen the moving keys act on (Tab moves it).
    pub focus: Pane,
    /// The log's lines scrolled past, from its newest (at the top). At 0 it follows new lines;
    /// scrolled down, it holds the lines on screen still while new ones arrive above.
    pub log_scroll: usize,
    /// The details' lines scrolled past; back to the top when another account is selected.
    pub details_scroll: usize,
    /// Lines of the event log that could not be read and were skipped (shown once, as a count).
    pub log_unreadable: usize,
    pub notice: Option<Notice>,
    /// The account the notice is about and when it was given: a later change of that account
    /// (a refresh, a link) makes the notice stale, and it goes.
    pub notice_about: Option<(String, SystemTime)>,
    pub keyring: KeyringState,
    /// The selected account's access token, while the user asked to see it.
    pub revealed: Option<Revealed>,
    /// Advanced by every tick while something is in progress.
    pub spinner: usize,
    pub pid: u32,
    /// The `tokendeck daemon` keeping this home fresh, if one runs.
    pub daemon: Option<RunningDaemon>,
    /// In demo mode the link screen can play the browser's part.
    pub demo: bool,
    /// Asked to quit, and letting the refreshes under way end first.
    pub stopping: Option<Stopping>,
    pub quit: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AccountRow {
    pub name: String,
    pub account: Account,
    pub status: AccountStatus,
    pub refreshing: bool,
    /// The home's margin before a grant's forecast end (the accounts file's `relink_margin`).
    pub relink_margin: Duration,
}

impl AccountRow {
    pub fn health(&self, now: SystemTime) -> Health {
        self.status.health(now)
    }

    /// When its grant is forecast to end.
    pub fn forecast(&self) -> Option<Forecast> {
        Forecast::of(&self.account, &self.status)
    }

    /// The forecast, once less than the margin is left of a grant that otherwise looks well
    /// (a worse state says more, and already asks for a link or a wait).
    pub fn relink_soon(&self, now: SystemTime) -> Option<Forecast> {
        let looks_well = matches!(self.health(now), Health::Valid | Health::Expiring);
        self.forecast()
            .filter(|f| looks_well && f.is_near(now, self.relink_margin))
    }
}

/// An access token the user asked to see (`s`). It is always the account's current one: when the
/// account's tokens change, it is read again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Revealed {
    pub name: String,
    /// `None` while it is being read from the keyring.
    pub token: Option<AccessToken>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LogLine {
    pub event: Event,
    /// Made by another tokendeck process (a script's `tokendeck token`, another TUI).
    pub other_process: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub kind: NoticeKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticeKind {
    Info,
    Good,
    /// Done, but with a consequence to heed (a grant made under old settings, no refresh token).
    Warning,
    Error,
}

/// The accounts file, as far as the TUI knows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Load {
    /// Not read yet: a spinner stands where the list will be.
    #[default]
    Reading,
    /// Read; `App::accounts` holds what it says.
    Read,
    /// It could not be read (broken by hand, say): shown instead of the list, in these words.
    Failed(String),
    /// It was read, and cannot be read now: `App::accounts` holds what it said then (still kept
    /// fresh), shown under these words.
    Broken(String),
}

/// Quitting, while refreshes under way are let end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stopping {
    /// Asked which refreshes are under way (the answer comes at once).
    Asking,
    /// Waiting for these accounts' refreshes to be stored, for at most `patience`.
    Waiting {
        accounts: Vec<String>,
        patience: std::time::Duration,
    },
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum KeyringState {
    #[default]
    Opening,
    Ready {
        backend: Backend,
        warning: Option<String>,
    },
    Failed(String),
}

/// A pane of the accounts screen that the moving keys act on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Pane {
    /// The accounts table: the keys move the selection.
    #[default]
    List,
    /// The selected account's details, scrolled.
    Details,
    /// The live log, scrolled.
    Log,
}

impl Pane {
    /// The pane Tab focuses next (`forward`), or Shift-Tab.
    pub fn next(self, forward: bool) -> Pane {
        match (self, forward) {
            (Pane::List, true) | (Pane::Log, false) => Pane::Details,
            (Pane::Details, true) | (Pane::List, false) => Pane::Log,
            (Pane::Log, true) | (Pane::Details, false) => Pane::List,
        }
    }
}

#[derive(Debug)]
pub enum Screen {
    Accounts,
    Add(AddForm),
    Link(LinkScreen),
    Inspect(InspectScreen),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Overlay {
    /// Scrolled down this many lines.
    Help(u16),
    ConfirmRemove(String),
}

impl App {
    pub fn new(now: SystemTime, theme: Theme) -> App {
        App {
            now,
            zone: jiff::tz::TimeZone::UTC,
            theme,
            screen: Screen::Accounts,
            overlay: None,
            accounts: Vec::new(),
            load: Load::Reading,
            selected: 0,
            select_when_listed: None,
            size: (80, 24),
            log: Vec::new(),
            log_filter: false,
            focus: Pane::List,
            log_scroll: 0,
            details_scroll: 0,
            log_unreadable: 0,
            notice: None,
            notice_about: None,
            keyring: KeyringState::Opening,
            revealed: None,
            spinner: 0,
            pid: std::process::id(),
            daemon: None,
            demo: false,
            stopping: None,
            quit: false,
        }
    }

    /// Says `text` on the status line, about nothing in particular: it stays until something
    /// else is said.
    pub fn notify(&mut self, kind: NoticeKind, text: String) {
        self.notice = Some(Notice { text, kind });
        self.notice_about = None;
    }

    /// Says `text` about the account `name`: it goes when that account changes later.
    pub fn notify_about(&mut self, name: &str, kind: NoticeKind, text: String) {
        self.notice = Some(Notice { text, kind });
        self.notice_about = Some((name.to_string(), self.now));
    }

    pub fn selected_row(&self) -> Option<&AccountRow> {
        self.accounts.get(self.selected)
    }

    pub fn row_mut(&mut self, name: &str) -> Option<&mut AccountRow> {
        self.accounts.iter_mut().find(|r| r.name == name)
    }

    /// Selects the account called `name`, if the list holds it.
    pub fn select(&mut self, name: &str) -> bool {
        match self.accounts.iter().position(|r| r.name == name) {
            Some(i) => {
                self.selected = i;
                true
            }
            None => false,
        }
    }

    /// Moves the selection by `by` rows (negative: up), staying in the list.
    pub fn move_selection(&mut self, by: isize) {
        let last = self.accounts.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(by).min(last);
    }

    /// How many accounts a page holds: what the table shows at this terminal's height when the
    /// list is long (half the rows below the header, the notice and the footer, less the table's
    /// title and column names).
    pub fn page(&self) -> usize {
        usize::from(self.size.1.saturating_sub(3) / 2)
            .saturating_sub(2)
            .max(1)
    }

    /// The log lines shown: all, or the selected account's; newest first.
    pub fn visible_log(&self) -> impl Iterator<Item = &LogLine> {
        let only = self
            .log_filter
            .then(|| self.selected_row().map(|r| r.name.clone()))
            .flatten();
        self.log
            .iter()
            .rev()
            .filter(move |l| only.as_ref().is_none_or(|n| &l.event.account == n))
    }

    /// Something is in progress that a spinner should show.
    pub fn busy(&self) -> bool {
        self.load == Load::Reading
            || self.stopping.is_some()
            || self.keyring == KeyringState::Opening
            || self.accounts.iter().any(|r| r.refreshing)
            || matches!(&self.screen, Screen::Link(l) if matches!(l.phase, LinkPhase::Starting | LinkPhase::Exchanging { .. } | LinkPhase::Device(_)))
            || matches!(&self.screen, Screen::Add(f) if f.submitting)
            || matches!(&self.screen, Screen::Inspect(i) if i.busy())
    }

    /// How often to tick: fast while busy (spinner), once a second while countdowns and the log
    /// are on screen, not at all otherwise.
    pub fn tick_every(&self) -> Option<std::time::Duration> {
        if self.busy() {
            Some(std::time::Duration::from_millis(250))
        } else if matches!(self.screen, Screen::Accounts | Screen::Inspect(_)) {
            Some(std::time::Duration::from_secs(1))
        } else {
            None
        }
    }
}
