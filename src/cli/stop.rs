//! Stopping with a refresh under way, in the command line's words (a command's stderr, the
//! daemon's journal, what the TUI leaves on stderr once the terminal is restored). A stopping
//! signal starts nothing new; a refresh whose token request was sent is let end and store its
//! answer, for at most the request's timeout and a keyring write; a second signal gives it up,
//! after saying what that loses.

use std::future::Future;
use std::io::Write;
use std::sync::Mutex;

use super::CliError;
use super::words::stop::{lost_words, waiting_words};
use crate::app::stop::{self, Settled};
use crate::signals::{Signal, Signals};

/// The signals a command caught as its first refresh began; taken by [`interruptible`].
static CAUGHT: Mutex<Option<Signals>> = Mutex::new(None);

/// Catches the stopping signals from now on: run by the first refresh of a command as it enters,
/// before its request leaves, so that no signal can end the process with the request out.
fn catch_now() {
    let caught = Signals::catch().ok();
    *CAUGHT.lock().unwrap_or_else(|e| e.into_inner()) = caught;
}

/// Runs a one-shot command until it ends or a stopping signal comes. Then the command is dropped
/// (it starts nothing more, prints nothing more), and a refresh it had sent is waited for. Until
/// a refresh begins there is nothing to wait for, and a signal ends the process as it always
/// did: `token` with a fresh token does not pay for catching signals.
pub async fn interruptible(
    work: impl Future<Output = Result<(), CliError>>,
) -> Result<(), CliError> {
    stop::before_first(catch_now);
    let mut work = std::pin::pin!(work);
    tokio::select! {
        result = &mut work => return result,
        () = stop::a_refresh_began() => {}
    }
    let caught = CAUGHT.lock().unwrap_or_else(|e| e.into_inner()).take();
    let Some(mut signals) = caught.or_else(|| Signals::catch().ok()) else {
        return work.await;
    };
    let signal = tokio::select! {
        result = &mut work => return result,
        signal = signals.next() => signal,
    };
    settle(Some(signal), &mut signals).await;
    Err(CliError::Stopped(signal))
}

/// After a command ended: waits for the hooks it set off — unless a stopping signal comes first,
/// once signals are caught (a refresh was made); otherwise a signal ends the process as usual.
pub async fn finish_hooks() {
    match stop::has_begun_a_refresh().then(Signals::catch) {
        Some(Ok(mut signals)) => {
            let finish = crate::app::hooks::finish();
            tokio::pin!(finish);
            tokio::select! {
                () = &mut finish => return,
                _ = signals.next() => {}
            }
            // The hooks are ended (TERM, then KILL) rather than left behind, and logged.
            crate::app::hooks::stop().await;
            finish.await;
        }
        _ => crate::app::hooks::finish().await,
    }
}

/// After the TUI ended, however it ended: says which refreshes it gave up on (a second `q`), or
/// waits for those still under way (it ended on an error, its terminal gone).
pub async fn after_tui() {
    match stop::abandoned() {
        Some(lost) => say(&lost_words(&lost.accounts, lost.after)),
        None => match Signals::catch() {
            Ok(mut signals) => settle(None, &mut signals).await,
            Err(_) => {
                stop::begin().settled(stop::patience()).await;
            }
        },
    }
}

/// Stops this process's refreshes; waits for those under way, telling stderr, until they end,
/// patience runs out, or another signal comes.
async fn settle(signal: Option<Signal>, signals: &mut Signals) {
    let stop = stop::begin();
    let waiting = stop.under_way();
    if waiting.is_empty() {
        return;
    }
    let patience = stop::patience();
    let again = match signal {
        Some(Signal::Terminate) => "send SIGTERM again",
        Some(Signal::HangUp) => "send SIGHUP again",
        Some(Signal::Interrupt) | None => "press Ctrl-C again",
    };
    say(&waiting_words(&waiting, patience, again));
    tokio::select! {
        settled = stop.settled(patience) => {
            if let Settled::GaveUp(lost) = settled {
                say(&lost_words(&lost, Some(patience)));
            }
        }
        _ = signals.next() => say(&lost_words(&stop.abandon(), None)),
    }
}

/// One line on stderr, never a panic: a closed terminal (SIGHUP) takes stderr with it.
fn say(line: &str) {
    if !line.is_empty() {
        let _ = writeln!(std::io::stderr(), "tokendeck: {line}");
    }
}
