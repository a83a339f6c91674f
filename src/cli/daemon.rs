//! `tokendeck daemon`: the refresh engine without a UI, in the foreground (for systemd, launchd,
//! a terminal multiplexer), one per home. It notices accounts added, linked or removed by any
//! process, goes on with the accounts it had read while the accounts file is broken, stops on
//! SIGTERM/SIGINT/SIGHUP once the refreshes under way have stored what they got (a second signal:
//! at once), and tells what it does on stderr, one line per event, in a form journald reads
//! (`<6>` info, `<4>` warning, `<3>` error) unless stderr is a terminal. Never a token. It also
//! answers tokens to the user's own processes on the agent's socket (`crate::agent`).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use super::CliError;
use super::grant_watch::GrantWatch;
use super::notify::{self, Attention};
use super::shared::persistence;
use super::systemd::Supervisor;
use super::words;
use super::words::daemon::{Level, Notice, engine_event, grant_ending_notice, supervisor_status};
use super::words::forecast as forecast_words;
use crate::agent;
use crate::agent::memory::Memory;
use crate::agent::server::{self, Answers, Heard, Limits, Wording};
use crate::agent::share::SharedAnswers;
use crate::app::stop::Settled;
use crate::app::{EngineEvent, engine};
use crate::signals::{Signal, Signals};
use crate::store::files::{self, FileStamp};
use crate::store::{DaemonLock, Forecast, Store, unblocked};
use crate::text::{Lines, printable};

/// How often the daemon looks whether another process changed the home (two `stat`s).
const WATCH_EVERY: Duration = Duration::from_secs(2);

/// How often the daemon looks at every grant's forecast end without being told of a change:
/// time alone brings a grant within the margin.
const FORECAST_EVERY: Duration = Duration::from_secs(600);

/// Runs until SIGTERM, SIGINT or SIGHUP, with at most `per_endpoint` refreshes in flight against
/// one token endpoint; `notify`: tell the desktop when an account needs the user.
/// `socket`: where the agent answers (`--socket-path`), instead of the home's own place;
/// `share`: also answer shared accounts on share.sock beside it (`--share`).
pub async fn run(
    store: Arc<Store>,
    notify: bool,
    per_endpoint: usize,
    socket: Option<PathBuf>,
    share: bool,
) -> Result<(), CliError> {
    let _one_per_home = unblocked(|| DaemonLock::acquire(store.home()))?;
    // Caught before the socket listens: a client (or systemd, told READY) may ask it to stop as
    // soon as it can see it, and the socket's file must go with it.
    let mut signals =
        Signals::catch().map_err(|e| CliError::Io(format!("cannot listen for signals: {e}")))?;
    let (path, private_dir) = match socket {
        Some(path) => (path, false),
        None => (agent::place::default_socket(store.home()), true),
    };
    let bind = |path: &Path| {
        agent::place::bind(path, private_dir).map_err(|e| CliError::Io(e.to_string()))
    };
    let bound = bind(&path)?;
    let shared_bound = match share {
        true => Some(bind(&agent::share::beside(&path))?),
        false => None,
    };
    let say = Say::detect();
    let home = store.home().describe();
    match store.keyring().await {
        Ok(keyring) => {
            if let Some(warning) = keyring.warning() {
                say.line(Level::Warning, warning);
            }
        }
        Err(e) => say.line(Level::Error, &e.to_string()),
    }
    // A broken accounts file is the engine's to tell, once, at its first look.
    let count = store
        .accounts()
        .map_or(0, |accounts| accounts.accounts.len());
    say.line(
        Level::Info,
        &format!(
            "keeping {count} account{} of {home} fresh (pid {})",
            if count == 1 { "" } else { "s" },
            std::process::id()
        ),
    );
    say.line(Level::Info, &words::agent::listening(bound.file.path()));
    let bound_path = bound.file.path().to_path_buf();
    let answers = Arc::new(Answers::new(
        Memory::new(store.clone(), persistence()),
        Wording {
            account_error: |e| e.to_string(),
            status: super::accounts::status_facts,
        },
    ));
    let heard = move |heard| match heard {
        Heard::RefusedPeer { uid, pid, unsaid } => {
            say.line(
                Level::Warning,
                &words::agent::refused_peer(uid, pid, unsaid),
            );
        }
        Heard::RefusedUnsaid { uid, count } => {
            say.line(Level::Warning, &words::agent::refused_unsaid(uid, count));
        }
        Heard::AcceptFailed => {}
    };
    let shared = shared_bound.map(|bound| {
        say.line(Level::Info, &words::agent::sharing(bound.file.path()));
        let answers = SharedAnswers::new(answers.clone(), words::agent::not_shared, move |name| {
            say.line(
                Level::Info,
                &words::agent::handed_out(name, SystemTime::now()),
            );
        });
        tokio::spawn(server::serve(
            bound,
            Arc::new(answers),
            Limits::default(),
            heard,
        ))
    });
    let agent = tokio::spawn(server::serve(bound, answers, Limits::default(), heard));
    let supervisor = Supervisor::from_env();
    let socket_path = bound_path;
    let supervised = |result: std::io::Result<()>| {
        if let Err(e) = result {
            say.line(Level::Warning, &words::daemon::supervisor_failed(&e));
        }
    };
    supervised(supervisor.ready(&supervisor_status(count, &socket_path)));
    let desktop = Desktop::new(notify, say);
    desktop.look(&store);
    let (engine_store, engine_desktop) = (store.clone(), desktop.clone());
    let engine = engine::spawn_with(store.clone(), per_endpoint, move |event| {
        if let Some((level, text)) = engine_event(&engine_store, &event) {
            say.line(level, &text);
        }
        engine_desktop.refreshed(&engine_store, &event);
    });
    let mut changes = HomeChanges::new(&store);
    let mut poll = tokio::time::interval(WATCH_EVERY);
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut grants = GrantWatch::default();
    // The first tick is at once: a grant ending soon is told at start.
    let mut forecast_look = tokio::time::interval(FORECAST_EVERY);
    forecast_look.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let signal = loop {
        tokio::select! {
            _ = poll.tick() => if changes.seen_again() {
                engine.rescan();
                if let Ok(accounts) = store.accounts() {
                    let status = supervisor_status(accounts.accounts.len(), &socket_path);
                    supervised(supervisor.status(&status));
                }
                desktop.look(&store);
                watch_grants(&store, &mut grants, say, &desktop);
            },
            _ = forecast_look.tick() => watch_grants(&store, &mut grants, say, &desktop),
            signal = signals.next() => break signal,
        }
    };
    let stopping = format!("{}: stopping", signal.name());
    say.line(Level::Info, &stopping);
    supervised(supervisor.stopping(&stopping));
    // No new answer starts a refresh now; the socket's file goes with the listener.
    for agent in std::iter::once(agent).chain(shared) {
        agent.abort();
        let _ = agent.await;
    }
    stop_refreshes(say, signal, &mut signals).await;
    Ok(())
}

/// Tells of every grant whose forecast end is within the margin: a warning line, and a desktop
/// notification unless they are off — each at most once a day per account.
fn watch_grants(store: &Store, grants: &mut GrantWatch, say: Say, desktop: &Desktop) {
    let Ok(accounts) = store.accounts() else {
        return;
    };
    let margin = accounts.relink_margin();
    let now = SystemTime::now();
    let forecasts = accounts
        .accounts
        .iter()
        .map(|(name, account)| (name.as_str(), Forecast::of(account, &store.status(name))));
    for (name, forecast) in grants.looked(forecasts, margin, now) {
        if let Some(warning) = forecast_words::warning(&name, &forecast, margin, now) {
            say.line(Level::Warning, &warning);
            desktop.tell(grant_ending_notice(&name, &warning));
        }
    }
}

/// Nothing new starts (the engine asks); a refresh whose request was sent is waited for, for at
/// most the request's timeout and a keyring write, or until a second signal.
async fn stop_refreshes(say: Say, signal: Signal, signals: &mut Signals) {
    let stop = crate::app::stop::begin();
    let waiting = stop.under_way();
    if waiting.is_empty() {
        return;
    }
    let patience = crate::app::stop::patience();
    let again = format!("send {} again", signal.name());
    say.line(
        Level::Info,
        &words::stop::waiting_words(&waiting, patience, &again),
    );
    let lost = tokio::select! {
        settled = stop.settled(patience) => match settled {
            Settled::Ended => return,
            Settled::GaveUp(lost) => words::stop::lost_words(&lost, Some(patience)),
        },
        _ = signals.next() => words::stop::lost_words(&stop.abandon(), None),
    };
    if !lost.is_empty() {
        say.line(Level::Warning, &lost);
    }
}

/// Desktop notifications when an account needs the user (off with `--no-notify`).
#[derive(Clone)]
struct Desktop {
    attention: Option<Arc<Mutex<Attention>>>,
    say: Say,
    /// Whether a failure to send was said already: once is enough.
    said_failure: Arc<AtomicBool>,
}

impl Desktop {
    fn new(on: bool, say: Say) -> Desktop {
        Desktop {
            attention: on.then(Arc::default),
            say,
            said_failure: Arc::default(),
        }
    }

    fn refreshed(&self, store: &Store, event: &EngineEvent) {
        let (Some(attention), EngineEvent::Finished { account, error, .. }) =
            (&self.attention, event)
        else {
            return;
        };
        let status = store.status(account);
        let notice = attention
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .refreshed(account, error.is_none(), &status, SystemTime::now());
        self.send(notice);
    }

    /// Every account's status, at start and whenever another process changed the home.
    fn look(&self, store: &Store) {
        let Some(attention) = &self.attention else {
            return;
        };
        let Ok(accounts) = store.accounts() else {
            return;
        };
        let statuses = accounts
            .accounts
            .keys()
            .map(|name| (name.as_str(), store.status(name)));
        let notices = attention
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .looked(statuses, SystemTime::now());
        for notice in notices {
            self.send(Some(notice));
        }
    }

    /// Sends `notice` unless notifications are off.
    fn tell(&self, notice: Notice) {
        if self.attention.is_some() {
            self.send(Some(notice));
        }
    }

    /// Off the engine's and the loop's way: a notification service may be slow to answer.
    fn send(&self, notice: Option<Notice>) {
        let Some(notice) = notice else { return };
        let (say, said) = (self.say, self.said_failure.clone());
        tokio::task::spawn_blocking(move || {
            if let Err(e) = notify::send(&notice)
                && !said.swap(true, Ordering::Relaxed)
            {
                say.line(
                    Level::Warning,
                    &format!(
                        "no desktop notification could be sent ({e}); the event log has it all"
                    ),
                );
            }
        });
    }
}

/// Where diagnostics go: stderr, with syslog priorities for journald, or plain on a terminal.
#[derive(Clone, Copy)]
struct Say {
    journal: bool,
}

impl Say {
    fn detect() -> Say {
        Say {
            journal: std::env::var_os("JOURNAL_STREAM").is_some()
                || !std::io::stderr().is_terminal(),
        }
    }

    fn line(&self, level: Level, text: &str) {
        eprintln!("{}", render(level, text, self.journal));
    }
}

/// One diagnostic line: `<6>text` for journald (sd-daemon(3) priorities), plain on a terminal.
/// Text from outside (provider errors) is escaped and kept to one line.
pub fn render(level: Level, text: &str, journal: bool) -> String {
    let text = printable(text, Lines::One);
    match (journal, level) {
        (true, Level::Info) => format!("<6>{text}"),
        (true, Level::Warning) => format!("<4>{text}"),
        (true, Level::Error) => format!("<3>{text}"),
        (false, Level::Info) => format!("tokendeck daemon: {text}"),
        (false, Level::Warning) => format!("tokendeck daemon: warning: {text}"),
        (false, Level::Error) => format!("tokendeck daemon: error: {text}"),
    }
}

/// Notices that another process changed the home: the accounts file (added, removed, changed)
/// and the event log (every link, refresh and removal appends to it). Two `stat`s a look.
struct HomeChanges {
    files: [PathBuf; 2],
    seen: [Option<FileStamp>; 2],
}

impl HomeChanges {
    fn new(store: &Store) -> HomeChanges {
        let home = store.home();
        let files = [home.accounts_file(), home.events_file()];
        let seen = files.clone().map(|f| files::stamp(&f));
        HomeChanges { files, seen }
    }

    /// Whether anything changed since the last look.
    fn seen_again(&mut self) -> bool {
        let now = self.files.clone().map(|f| files::stamp(&f));
        let changed = now != self.seen;
        self.seen = now;
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journald_gets_priorities_and_a_terminal_plain_text() {
        assert_eq!(
            render(Level::Info, "work: refreshed", true),
            "<6>work: refreshed"
        );
        assert_eq!(render(Level::Warning, "slow", true), "<4>slow");
        assert_eq!(render(Level::Error, "dead", true), "<3>dead");
        assert_eq!(
            render(Level::Warning, "slow", false),
            "tokendeck daemon: warning: slow"
        );
        // A provider's text cannot start a second journal entry or move a terminal's cursor.
        let line = render(Level::Error, "bad\n<6>forged\x1b[2J", true);
        assert!(!line.contains('\n') && !line.contains('\x1b'), "{line:?}");
    }
}
