//! Running event hooks: the command the accounts file gives for an event, split into words and
//! run without a shell, with the account, the event, the expiry and (for failures) the message in
//! its environment — never a token or a secret. Each run is a task of its own, so a slow hook
//! never holds up a refresh; it is killed (its whole process group) at the timeout, and its exit
//! status and the end of its stderr land in the event log.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use tokio::io::AsyncReadExt;
use tokio::process::Command;
use tokio::task::JoinHandle;

use crate::store::hooks::command_words;
use crate::store::{Event, Home, HookEvent, Outcome, Store, Trigger};

/// Environment variable: how long a hook may run, in seconds (1–600; 30 when unset).
pub const TIMEOUT_VAR: &str = "TOKENDECK_HOOK_TIMEOUT";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// How much of a hook's stderr the log keeps: its end, where the error usually is.
const STDERR_TAIL: usize = 1024;
/// After a hook exits, how long its stderr may stay open (a process it left in the background)
/// before what was read is taken as all.
const STDERR_GRACE: Duration = Duration::from_millis(200);

/// The variables a hook is given; any the parent had are replaced or removed, so a hook started
/// by a hook is not told about its parent's event.
const ACCOUNT_VAR: &str = "TOKENDECK_ACCOUNT";
const EVENT_VAR: &str = "TOKENDECK_EVENT";
const EXPIRES_AT_VAR: &str = "TOKENDECK_EXPIRES_AT";
const MESSAGE_VAR: &str = "TOKENDECK_MESSAGE";
const HOME_VAR: &str = "TOKENDECK_HOME";

/// What a hook is told besides the account and the event.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// When the account's access token expires, when known.
    pub expires_at: Option<SystemTime>,
    /// Why it failed (failures only): the message the log shows, which holds no secret.
    pub message: Option<String>,
}

/// Hook runs not yet finished, for a one-shot command to wait for before it exits.
static PENDING: Mutex<Vec<JoinHandle<()>>> = Mutex::new(Vec::new());

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
    let task = runtime.spawn(async move {
        let ran = run(&home, &name, event, &command, &facts, timeout()).await;
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
/// at once.
pub async fn finish() {
    let pending = std::mem::take(&mut *PENDING.lock().unwrap_or_else(|e| e.into_inner()));
    if pending.iter().all(JoinHandle::is_finished) {
        return;
    }
    close_stdout();
    for task in pending {
        let _ = task.await;
    }
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

/// How a hook's run ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Ran {
    Exited { code: Option<i32>, stderr: String },
    TimedOut { after: Duration, stderr: String },
    CouldNotStart(String),
}

impl Ran {
    pub fn outcome(&self) -> Outcome {
        match self {
            Ran::Exited { code: Some(0), .. } => Outcome::Ok,
            _ => Outcome::Failed,
        }
    }

    /// The log's message: what went wrong, then the end of stderr; `None` for a quiet success.
    pub fn message(&self) -> Option<String> {
        let with_tail = |what: String, stderr: &str| match stderr.trim() {
            "" => what,
            tail => format!("{what}; stderr: {tail}"),
        };
        match self {
            Ran::Exited {
                code: Some(0),
                stderr,
            } => Some(stderr.trim().to_string()).filter(|s| !s.is_empty()),
            Ran::Exited {
                code: Some(code),
                stderr,
            } => Some(with_tail(format!("exit status {code}"), stderr)),
            Ran::Exited { code: None, stderr } => {
                Some(with_tail("killed by a signal".into(), stderr))
            }
            Ran::TimedOut { after, stderr } => Some(with_tail(
                format!("timed out after {} s, and was killed", after.as_secs()),
                stderr,
            )),
            Ran::CouldNotStart(why) => Some(format!("could not start: {why}")),
        }
    }
}

/// Runs one hook to its end or its timeout.
pub async fn run(
    home: &Home,
    name: &str,
    event: HookEvent,
    command: &str,
    facts: &Facts,
    timeout: Duration,
) -> Ran {
    let words = match command_words(event, command) {
        Ok(words) => words,
        Err(e) => return Ran::CouldNotStart(e.to_string()),
    };
    let mut child = Command::new(&words[0]);
    child
        .args(&words[1..])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .env(ACCOUNT_VAR, name)
        .env(EVENT_VAR, event.name());
    // Its own process group, so that the timeout ends whatever it started too.
    #[cfg(unix)]
    child.process_group(0);
    match facts.expires_at {
        Some(at) => child.env(EXPIRES_AT_VAR, crate::format::rfc3339(at)),
        None => child.env_remove(EXPIRES_AT_VAR),
    };
    match &facts.message {
        Some(message) => child.env(MESSAGE_VAR, message.replace('\0', "")),
        None => child.env_remove(MESSAGE_VAR),
    };
    // A `tokendeck token NAME` inside the hook must read this home.
    match home.root() {
        Some(root) => child.env(HOME_VAR, root),
        None => child.env_remove(HOME_VAR),
    };
    let mut child = match child.spawn() {
        Ok(child) => child,
        Err(e) => return Ran::CouldNotStart(format!("{}: {e}", words[0])),
    };
    let mut stderr = child.stderr.take();
    let mut tail = Tail::default();
    let mut buffer = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + timeout;
    let status = loop {
        tokio::select! {
            status = child.wait() => break status.ok(),
            read = read_some(&mut stderr, &mut buffer) => match read {
                Some(n) => tail.push(&buffer[..n]),
                None => stderr = None,
            },
            () = tokio::time::sleep_until(deadline) => {
                kill_group(&mut child).await;
                return Ran::TimedOut { after: timeout, stderr: tail.text() };
            }
        }
    };
    while let Ok(Some(n)) =
        tokio::time::timeout(STDERR_GRACE, read_some(&mut stderr, &mut buffer)).await
    {
        tail.push(&buffer[..n]);
    }
    Ran::Exited {
        code: status.and_then(|s| s.code()),
        stderr: tail.text(),
    }
}

/// The next bytes of stderr; `None` at its end (and forever after).
async fn read_some(
    stderr: &mut Option<tokio::process::ChildStderr>,
    buffer: &mut [u8],
) -> Option<usize> {
    match stderr {
        Some(pipe) => match pipe.read(buffer).await {
            Ok(0) | Err(_) => None,
            Ok(n) => Some(n),
        },
        None => std::future::pending().await,
    }
}

async fn kill_group(child: &mut tokio::process::Child) {
    #[cfg(unix)]
    if let Some(pid) = child
        .id()
        .and_then(|id| rustix::process::Pid::from_raw(id as i32))
    {
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
    let _ = child.kill().await;
}

/// The last [`STDERR_TAIL`] bytes written.
#[derive(Default)]
struct Tail(Vec<u8>);

impl Tail {
    fn push(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
        if self.0.len() > STDERR_TAIL {
            self.0.drain(..self.0.len() - STDERR_TAIL);
        }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_say_what_happened_and_keep_the_tail() {
        let failed = Ran::Exited {
            code: Some(3),
            stderr: "no network\n".into(),
        };
        assert_eq!(failed.outcome(), Outcome::Failed);
        assert_eq!(
            failed.message().as_deref(),
            Some("exit status 3; stderr: no network")
        );
        let quiet = Ran::Exited {
            code: Some(0),
            stderr: String::new(),
        };
        assert_eq!((quiet.outcome(), quiet.message()), (Outcome::Ok, None));
        let slow = Ran::TimedOut {
            after: Duration::from_secs(30),
            stderr: String::new(),
        };
        assert_eq!(
            slow.message().as_deref(),
            Some("timed out after 30 s, and was killed")
        );
    }

    #[test]
    fn the_tail_keeps_the_last_kilobyte() {
        let mut tail = Tail::default();
        tail.push(&[b'a'; 1000]);
        tail.push(&[b'b'; 100]);
        let text = tail.text();
        assert_eq!(text.len(), STDERR_TAIL);
        assert!(text.ends_with(&"b".repeat(100)) && text.starts_with('a'));
    }
}
