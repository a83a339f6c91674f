//! What the command line says about the agent: a socket named by `TOKENDECK_AGENT` with no agent
//! behind it, an agent that did not answer, the daemon's socket lines, a refused peer, and
//! share.sock's words (an account not shared, a token handed out).

use std::fmt;
use std::path::{Path, PathBuf};

/// The variable that names the agent's socket; with it, `token` never falls back to the keyring.
pub const AGENT_VAR: &str = "TOKENDECK_AGENT";

/// Why `token` got no token from the agent.
#[derive(Debug)]
pub enum AgentFailed {
    /// `TOKENDECK_AGENT` names a socket nothing listens on.
    NoAgent { socket: PathBuf, cause: String },
    /// An agent is there but gave no answer.
    NoAnswer { socket: PathBuf, cause: String },
    /// A process of another user serves that socket.
    NotOurs { socket: PathBuf, uid: u32 },
    /// The agent answered with an error: its message is the daemon's words.
    Refused {
        code: crate::agent::protocol::ErrorCode,
        message: String,
    },
}

impl fmt::Display for AgentFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AgentFailed::NoAgent { socket, cause } => write!(
                f,
                "no tokendeck agent listens on {} ({cause}), which {AGENT_VAR} names; start `tokendeck daemon` (or the ssh forward to it), or unset {AGENT_VAR} to read the keyring",
                socket.display()
            ),
            AgentFailed::NoAnswer { socket, cause } => write!(
                f,
                "the tokendeck agent on {} gave no answer ({cause}); see what the daemon printed (its standard error; for the unit `daemon --install` wrote, `journalctl --user -u tokendeck`), or restart it",
                socket.display()
            ),
            AgentFailed::NotOurs { socket, uid } => write!(
                f,
                "the socket {} is served by another user (uid {uid}), so tokendeck sent it nothing and took no token from it; remove it and start your own `tokendeck daemon`, or unset {AGENT_VAR}",
                socket.display()
            ),
            AgentFailed::Refused { message, .. } => f.write_str(message),
        }
    }
}

impl std::error::Error for AgentFailed {}

/// The daemon's line once its socket listens.
pub fn listening(socket: &Path) -> String {
    format!("answering tokens on {}", socket.display())
}

/// The daemon's line for a process of another user that connected (`unsaid`: how many of that
/// uid's connections were refused since the last such line without one of their own).
pub fn refused_peer(uid: u32, pid: Option<i32>, unsaid: u64) -> String {
    let me = rustix::process::getuid().as_raw();
    let mut about = Vec::new();
    if let Some(pid) = pid {
        about.push(format!("pid {pid}"));
    }
    if unsaid > 0 {
        about.push(format!("{unsaid} more from it since the last such line"));
    }
    let about = match about.is_empty() {
        true => String::new(),
        false => format!(" ({})", about.join("; ")),
    };
    format!(
        "refused a connection to the agent from uid {uid}{about}: it answers only uid {me}'s processes"
    )
}

/// The daemon's line for refusals left unsaid when a flood of them stopped.
pub fn refused_unsaid(uid: u32, count: u64) -> String {
    let me = rustix::process::getuid().as_raw();
    let connections = if count == 1 {
        "connection"
    } else {
        "connections"
    };
    format!(
        "refused {count} more {connections} to the agent from uid {uid} since the last such line: it answers only uid {me}'s processes"
    )
}

/// The daemon's line once share.sock listens.
pub fn sharing(socket: &Path) -> String {
    format!(
        "answering shared accounts' tokens on {} (for ssh -R; `tokendeck set NAME --share` shares one)",
        socket.display()
    )
}

/// share.sock's answer for an account not shared (or not there: the far side learns nothing of
/// which accounts exist). Read on the far side, so it says where to run the command.
pub fn not_shared(name: &str) -> String {
    format!(
        "{name:?} is not shared through this forwarded agent; on the workstation, `tokendeck set {name} --share` shares it (`tokendeck list` there shows the accounts)"
    )
}

/// The daemon's log line for each token handed out through share.sock, with the time, since a
/// terminal's stderr has none of its own.
pub fn handed_out(name: &str, at: std::time::SystemTime) -> String {
    format!(
        "handed {name:?}'s access token out through share.sock at {}",
        crate::time::rfc3339(at)
    )
}
