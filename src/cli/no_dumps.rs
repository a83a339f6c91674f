//! No core dumps: a tokendeck process holds tokens and client secrets in memory, so at start-up
//! every front (the commands, the TUI, the daemon, the demo) sets its core file size limit to 0,
//! soft and hard, and on Linux makes itself not dumpable (`PR_SET_DUMPABLE` 0), as ssh-agent and
//! pizauth do. Not dumpable also keeps other processes of the same user from attaching to it
//! (ptrace) or reading its memory and environment through `/proc`. A hook inherits the limit (its
//! command dumps no core either); the dumpable flag is reset by the kernel when a hook's command
//! starts.

/// What could not be turned off.
#[derive(Debug, thiserror::Error)]
pub enum DumpsNotOff {
    #[error(
        "cannot turn core dumps off (setrlimit RLIMIT_CORE: {0}), and a crash could write tokens to disk: tokendeck does not start on a system that refuses this"
    )]
    CoreLimit(std::io::Error),
    #[error(
        "this process could not be made undumpable (prctl PR_SET_DUMPABLE: {0}): other processes of yours may be able to read its memory while it runs"
    )]
    Dumpable(std::io::Error),
}

/// Sets the core file size limit to 0 (soft and hard, so nothing started from here raises it
/// again), then, on Linux, the dumpable flag to 0. The limit is the one that matters most: an
/// error there should stop the process; the flag's is a warning (ssh-agent's split).
pub fn forbid_core_dumps() -> Result<(), DumpsNotOff> {
    #[cfg(unix)]
    {
        use rustix::process::{Resource, Rlimit, setrlimit};
        let none = Rlimit {
            current: Some(0),
            maximum: Some(0),
        };
        setrlimit(Resource::Core, none).map_err(|e| DumpsNotOff::CoreLimit(e.into()))?;
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{DumpableBehavior, set_dumpable_behavior};
        set_dumpable_behavior(DumpableBehavior::NotDumpable)
            .map_err(|e| DumpsNotOff::Dumpable(e.into()))?;
    }
    Ok(())
}
