//! The signals that stop tokendeck — SIGINT (Ctrl-C), SIGTERM (systemd, `kill`), SIGHUP (the
//! terminal closed) — caught instead of ending the process at once, so that each front can stop
//! the way it must: start nothing new, let a refresh under way be stored, restore the terminal,
//! clean up a demo. Outside Unix, Ctrl-C alone.

/// A signal that asks tokendeck to stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    Interrupt,
    Terminate,
    HangUp,
}

impl Signal {
    pub fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
            Signal::HangUp => "SIGHUP",
        }
    }

    /// The exit status of a process this signal ended: 128 and its number, as shells report it.
    pub fn exit_code(self) -> u8 {
        match self {
            Signal::HangUp => 129,
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
        }
    }
}

/// Catches the stopping signals from the moment it is made. (Once caught, a signal no longer
/// ends the process by itself for as long as it runs: whoever listens must act on it.)
pub struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
    #[cfg(unix)]
    hang_up: tokio::signal::unix::Signal,
}

impl Signals {
    /// Starts catching them; fails only when the runtime cannot (it has no signal driver).
    pub fn catch() -> std::io::Result<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Signals {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
                hang_up: signal(SignalKind::hangup())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Signals {})
    }

    /// The next stopping signal.
    pub async fn next(&mut self) -> Signal {
        #[cfg(unix)]
        {
            tokio::select! {
                Some(()) = self.interrupt.recv() => Signal::Interrupt,
                Some(()) = self.terminate.recv() => Signal::Terminate,
                Some(()) = self.hang_up.recv() => Signal::HangUp,
                // Only when the runtime shuts down: nothing more will come.
                else => std::future::pending().await,
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            Signal::Interrupt
        }
    }
}
