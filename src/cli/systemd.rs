//! Tells systemd how the daemon is doing (the sd_notify(3) protocol, which the unit's
//! `Type=notify` asks for): `READY=1` once the agent's socket listens, `STATUS=` in a few words,
//! `STOPPING=1` when it stops. Each is one datagram to `$NOTIFY_SOCKET`: a path, or a Linux
//! abstract name written with a leading `@`. Without the variable (not started by systemd as a
//! notify service) nothing is sent.

use std::ffi::OsString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::UnixDatagram;
use std::path::Path;

use crate::text::{Lines, printable};

/// Where systemd listens for this service's state, if it does.
pub struct Supervisor {
    socket: Option<OsString>,
}

impl Supervisor {
    /// The socket systemd named in `$NOTIFY_SOCKET`, if any.
    pub fn from_env() -> Supervisor {
        Supervisor {
            socket: std::env::var_os("NOTIFY_SOCKET").filter(|s| !s.is_empty()),
        }
    }

    /// The service is up (the agent's socket listens) and how it is doing.
    pub fn ready(&self, status: &str) -> io::Result<()> {
        self.send(&format!("READY=1\n{}", status_line(status)))
    }

    /// How the service is doing now (`systemctl status` shows it).
    pub fn status(&self, status: &str) -> io::Result<()> {
        self.send(&status_line(status))
    }

    /// The service is stopping, and why.
    pub fn stopping(&self, status: &str) -> io::Result<()> {
        self.send(&format!("STOPPING=1\n{}", status_line(status)))
    }

    fn send(&self, state: &str) -> io::Result<()> {
        let Some(socket) = &self.socket else {
            return Ok(());
        };
        let sender = UnixDatagram::unbound()?;
        match socket.as_bytes().strip_prefix(b"@") {
            Some(name) => send_abstract(&sender, name, state.as_bytes()),
            None => sender
                .send_to(state.as_bytes(), Path::new(socket))
                .map(drop),
        }
    }
}

/// One `STATUS=` line: a newline inside would start a variable of its own.
fn status_line(status: &str) -> String {
    format!("STATUS={}", printable(status, Lines::One))
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn send_abstract(sender: &UnixDatagram, name: &[u8], state: &[u8]) -> io::Result<()> {
    use std::os::linux::net::SocketAddrExt;
    let address = std::os::unix::net::SocketAddr::from_abstract_name(name)?;
    sender.send_to_addr(state, &address).map(drop)
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn send_abstract(_: &UnixDatagram, _: &[u8], _: &[u8]) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "abstract socket names exist only on Linux",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_cannot_smuggle_in_a_second_variable() {
        let line = status_line("keeping 2 accounts\nREADY=1");
        assert!(!line.contains('\n'), "{line:?}");
        assert!(line.starts_with("STATUS=keeping 2 accounts"), "{line:?}");
    }
}
