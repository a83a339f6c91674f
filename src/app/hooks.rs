//! Running event hooks: the command the accounts file gives for an event, split into words and
//! run without a shell, with the account, the event, the expiry and (for failures) the message in
//! its environment — never a token or a secret. Each run is a task of its own, so a slow hook
//! never holds up a refresh. A hook is bounded, and so is everything it starts: it runs in a
//! process group of its own, its run lasts until every process of that group has ended, and at the
//! timeout — or when tokendeck exits — the whole group is ended (TERM, then KILL). Its exit status
//! and the end of its stderr, with the account's secrets cut out, land in the event log.

mod facts;
mod ran;
mod run;

use std::sync::{LazyLock, Mutex};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use facts::Facts;
pub use ran::Ran;
pub use run::run;

use crate::store::{Event, HookEvent, Store, Trigger};

/// Environment variable: how long a hook may run, in seconds (1–600; 30 when unset).
pub const TIMEOUT_VAR: &str = "TOKENDECK_HOOK_TIMEOUT";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Hook runs not yet finished, for a one-shot command to wait for before it exits.
static PENDING: Mutex<Vec<JoinHandle<()>>> = Mutex::new(Vec::new());

/// Set when the process is about to exit: every hook still running is ended.
static STOPPING: LazyLock<watch::Sender<bool>> = LazyLock::new(|| watch::channel(false).0);

/// Runs the hook the accounts file gives for `event` on `name`, if there is one.
pub fn fire(store: &Store, name: &str, event: HookEvent, facts: Facts) {
    let Ok(accounts) = store.accounts() else {
        return;
    };
    if let Some(command) = accounts.hook(name, event) {
        spawn(store, name, event, command.to_string(), facts);
    }
}

/// Runs `command` for `event` on `name` as a task of its own, logging how it went. Outside a
/// runtime there is nothing to run it on, and nothing does.
pub fn spawn(store: &Store, name: &str, event: HookEvent, command: String, facts: Facts) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let (home, log, name) = (store.home().clone(), store.log().clone(), name.to_string());
    let stopping = STOPPING.subscribe();
    let task = runtime.spawn(async move {
        let ran = run(&home, &name, event, &command, &facts, timeout(), stopping).await;
        let mut line = Event::new(&name, Trigger::Hook, ran.outcome());
        line.hook = Some(event);
        line.message = ran.message();
        let _ = log.append(&line);
    });
    let mut pending = PENDING.lock().unwrap_or_else(|e| e.into_inner());
    pending.retain(|task| !task.is_finished());
    pending.push(task);
}

/// Waits for every hook this process started (each is bounded by the timeout). Standard output
/// is closed first when a hook is still running, so that `$(tokendeck token NAME)` has its answer
/// at once. A stopping signal meanwhile (Ctrl-C, SIGTERM, SIGHUP) ends them as [`stop`] does,
/// rather than leaving them behind: they run in process groups of their own, which the signal
/// that ends tokendeck does not reach.
pub async fn finish() {
    let pending = take_pending();
    if pending.iter().all(JoinHandle::is_finished) {
        return;
    }
    // Listening before stdout closes: whoever sees stdout end may press Ctrl-C at once.
    let signals = crate::signals::Signals::catch().ok();
    close_stdout();
    let all = async {
        for task in pending {
            let _ = task.await;
        }
    };
    tokio::pin!(all);
    let stopped = async {
        match signals {
            Some(mut signals) => {
                signals.next().await;
            }
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        () = &mut all => return,
        () = stopped => {}
    }
    STOPPING.send_replace(true);
    all.await;
}

/// Ends every hook still running — TERM to its process group, KILL to what is left after a grace
/// period — and waits until each is logged: the TUI and the daemon, as they exit, leave nothing
/// of theirs running unbounded.
pub async fn stop() {
    STOPPING.send_replace(true);
    for task in take_pending() {
        let _ = task.await;
    }
}

fn take_pending() -> Vec<JoinHandle<()>> {
    std::mem::take(&mut *PENDING.lock().unwrap_or_else(|e| e.into_inner()))
}

/// Points standard output at /dev/null: what was printed is flushed, and whoever reads the pipe
/// sees its end.
fn close_stdout() {
    use std::io::Write;
    let _ = std::io::stdout().flush();
    #[cfg(unix)]
    if let Ok(null) = std::fs::File::create("/dev/null") {
        let _ = rustix::stdio::dup2_stdout(&null);
    }
}

/// The timeout `TOKENDECK_HOOK_TIMEOUT` asks for, else 30 s.
fn timeout() -> Duration {
    std::env::var(TIMEOUT_VAR)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|s| (1..=600).contains(s))
        .map_or(DEFAULT_TIMEOUT, Duration::from_secs)
}
