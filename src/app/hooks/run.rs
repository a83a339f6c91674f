//! One hook's run, bounded with everything it starts. The hook leads a process group of its own,
//! and its run is over only when the group is empty: a hook that exits at once after starting
//! `notify-send … &` or `curl … &` has not finished its work, and what it started is still its
//! own (a command meant to outlive its hook leaves the group: `setsid -f …`). At the timeout —
//! or when tokendeck exits — the group is sent SIGTERM, then SIGKILL after a grace period.
//!
//! Why the group and not the hook's pid: the hook's own process may be gone long before its
//! children, which then belong to no one; only their process group still names them, and no
//! other process can join it.

use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::process::{Child, ChildStderr, Command};
use tokio::sync::watch;
use tokio::time::Instant;

use super::facts::Facts;
use super::ran::{Ran, Tail};
use crate::store::hooks::command_words;
use crate::store::{Home, HookEvent};

/// How long a group told to stop (SIGTERM) has before it is killed (SIGKILL).
const KILL_GRACE: Duration = Duration::from_secs(2);
/// After the group has ended, how long its stderr may stay open (a process that left the group
/// but kept the pipe) before what was read is taken as all.
const STDERR_GRACE: Duration = Duration::from_millis(200);
/// How often a group whose leader has exited, and whose stderr is closed, is looked at again:
/// from this, doubling to a quarter second (nothing signals the end of a process we did not start).
const FIRST_LOOK: Duration = Duration::from_millis(10);

/// The variables a hook is given; any the parent had are replaced or removed, so a hook started
/// by a hook is not told about its parent's event.
const ACCOUNT_VAR: &str = "TOKENDECK_ACCOUNT";
const EVENT_VAR: &str = "TOKENDECK_EVENT";
const EXPIRES_AT_VAR: &str = "TOKENDECK_EXPIRES_AT";
const MESSAGE_VAR: &str = "TOKENDECK_MESSAGE";
const HOME_VAR: &str = "TOKENDECK_HOME";

/// Runs one hook until it and everything it started have ended, or its timeout, or until
/// `stopping` turns true.
pub async fn run(
    home: &Home,
    name: &str,
    event: HookEvent,
    command: &str,
    facts: &Facts,
    timeout: Duration,
    mut stopping: watch::Receiver<bool>,
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
    #[cfg(unix)]
    child.process_group(0);
    match facts.expires_at {
        Some(at) => child.env(EXPIRES_AT_VAR, crate::time::rfc3339(at)),
        None => child.env_remove(EXPIRES_AT_VAR),
    };
    match &facts.message {
        Some(message) => child.env(MESSAGE_VAR, facts.secrets.redact(message).replace('\0', "")),
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
    let mut group = Group::of(&child);
    let mut stderr = child.stderr.take();
    let mut tail = Tail::new(&facts.secrets);
    let mut buffer = [0u8; 4096];
    let deadline = Instant::now() + timeout;
    // The hook's own exit status, once it has exited.
    let mut exited: Option<Option<i32>> = None;
    let mut look = FIRST_LOOK;
    let ended_by = loop {
        tokio::select! {
            status = child.wait(), if exited.is_none() => {
                exited = Some(status.ok().and_then(|s| s.code()));
            }
            read = read_some(&mut stderr, &mut buffer) => match read {
                Some(n) => tail.push(&buffer[..n]),
                None => stderr = None,
            },
            // Its stderr is closed by all: whether anything of the group is left, only asking
            // tells (a process may close its stderr and run on).
            () = tokio::time::sleep(look), if exited.is_some() && stderr.is_none() => {
                if group.is_empty() {
                    break None;
                }
                look = (look * 2).min(Duration::from_millis(250));
            }
            () = tokio::time::sleep_until(deadline) => break Some(false),
            Ok(_) = stopping.wait_for(|stop| *stop) => break Some(true),
        }
    };
    // Timed out with the hook gone and its group empty: what holds its stderr left the group.
    let escaped = ended_by == Some(false) && exited.is_some() && group.is_empty();
    let forced = match ended_by {
        None => false,
        Some(_) => group.end(&mut child, exited.is_some()).await,
    };
    group.disarm();
    // What the last processes wrote as they went.
    while let Ok(Some(n)) =
        tokio::time::timeout(STDERR_GRACE, read_some(&mut stderr, &mut buffer)).await
    {
        tail.push(&buffer[..n]);
    }
    let stderr = tail.text(&facts.secrets);
    match ended_by {
        None => Ran::Exited {
            code: exited.flatten(),
            stderr,
        },
        Some(false) => Ran::TimedOut {
            after: timeout,
            exited: exited.flatten(),
            forced,
            escaped,
            stderr,
        },
        Some(true) => Ran::Stopped { forced, stderr },
    }
}

/// The next bytes of stderr; `None` at its end (and forever after).
async fn read_some(stderr: &mut Option<ChildStderr>, buffer: &mut [u8]) -> Option<usize> {
    match stderr {
        Some(pipe) => match pipe.read(buffer).await {
            Ok(0) | Err(_) => None,
            Ok(n) => Some(n),
        },
        None => std::future::pending().await,
    }
}

/// A hook's process group. Until disarmed, dropping it kills the whole group: a run cut short
/// (the runtime shutting down, its task aborted) leaves nothing behind.
struct Group {
    #[cfg(unix)]
    id: Option<rustix::process::Pid>,
}

impl Group {
    /// The group `child` leads (it was started with `process_group(0)`).
    fn of(child: &Child) -> Group {
        Group {
            #[cfg(unix)]
            id: child
                .id()
                .and_then(|id| i32::try_from(id).ok())
                .and_then(rustix::process::Pid::from_raw),
        }
    }

    /// Whether no process of the group is left: not even a zombie its new parent has yet to
    /// reap. (The leader is reaped first, by `child.wait()`.)
    fn is_empty(&self) -> bool {
        #[cfg(unix)]
        if let Some(id) = self.id {
            return rustix::process::test_kill_process_group(id)
                .is_err_and(|e| e == rustix::io::Errno::SRCH);
        }
        true
    }

    #[cfg(unix)]
    fn signal(&self, signal: rustix::process::Signal) {
        if let Some(id) = self.id {
            let _ = rustix::process::kill_process_group(id, signal);
        }
    }

    /// Ends the group: SIGTERM, then SIGKILL to whatever is left after [`KILL_GRACE`]. Reaps the
    /// leader (`reaped`: already done). Whether SIGKILL was needed.
    async fn end(&mut self, child: &mut Child, reaped: bool) -> bool {
        #[cfg(unix)]
        {
            let mut reaped = reaped;
            self.signal(rustix::process::Signal::TERM);
            let grace = Instant::now() + KILL_GRACE;
            let mut look = FIRST_LOOK;
            loop {
                tokio::select! {
                    _ = child.wait(), if !reaped => reaped = true,
                    () = tokio::time::sleep(look) => look = (look * 2).min(Duration::from_millis(100)),
                }
                if reaped && self.is_empty() {
                    return false;
                }
                if Instant::now() >= grace {
                    break;
                }
            }
            self.signal(rustix::process::Signal::KILL);
        }
        // Where there are no process groups, the hook's own process is all there is to end.
        #[cfg(not(unix))]
        let _ = reaped;
        let _ = child.kill().await;
        true
    }

    /// The group is known to be gone: nothing to kill on drop.
    fn disarm(&mut self) {
        #[cfg(unix)]
        {
            self.id = None;
        }
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        #[cfg(unix)]
        self.signal(rustix::process::Signal::KILL);
    }
}
