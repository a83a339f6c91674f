//! Asking the agent: one connection, one request line, one answer line. A socket with nothing
//! listening (no file, or a dead daemon's) is told apart from an agent that failed to answer, so
//! that `token` falls back to the keyring only when no agent is there.
//!
//! Plain blocking I/O on the calling thread: `token` asks before it starts an async runtime (most
//! of its time through the agent would otherwise be the runtime's), and a command that asks from
//! inside one has nothing else to do meanwhile.

use std::io::{ErrorKind, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

use super::protocol::{Answer, Request};

/// How long an answer may take: a due token is refreshed first, behind any refresh under way.
const PATIENCE: Duration = Duration::from_secs(60);

/// The longest answer read (a `status` of many accounts is the longest).
const MAX_ANSWER: usize = 16 << 20;

/// Why no answer came.
#[derive(Debug)]
pub enum AskError {
    /// Nothing listens there: no socket, or a dead daemon's.
    NoAgent(std::io::Error),
    /// Something listens, but no answer of this protocol came (the connection broke, it took
    /// longer than a minute, or the answer made no sense).
    NoAnswer(String),
    /// A process of another user listens there: nothing is sent to it, and nothing it says is
    /// taken for a token.
    NotOurs { uid: u32 },
}

/// Sends `request` to the agent at `socket` and reads its answer, within [`PATIENCE`] in all.
pub fn ask(socket: &Path, request: &Request) -> Result<Answer, AskError> {
    let deadline = Instant::now() + PATIENCE;
    let stream = match UnixStream::connect(socket) {
        Ok(stream) => stream,
        Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::ConnectionRefused) => {
            return Err(AskError::NoAgent(e));
        }
        Err(e) => return Err(AskError::NoAnswer(e.to_string())),
    };
    // Checked before a byte is written: the account's name is not sent to a stranger either.
    match rustix::net::sockopt::socket_peercred(&stream) {
        Ok(cred) if cred.uid == rustix::process::getuid() => {}
        Ok(cred) => {
            return Err(AskError::NotOurs {
                uid: cred.uid.as_raw(),
            });
        }
        Err(e) => return Err(AskError::NoAnswer(e.to_string())),
    }
    let line = exchange(&stream, request, deadline).map_err(|e| match e.kind() {
        ErrorKind::WouldBlock | ErrorKind::TimedOut => {
            AskError::NoAnswer(format!("no answer within {}s", PATIENCE.as_secs()))
        }
        _ => AskError::NoAnswer(e.to_string()),
    })?;
    if line.is_empty() {
        return Err(AskError::NoAnswer("the agent closed the connection".into()));
    }
    let line = String::from_utf8(line)
        .map_err(|_| AskError::NoAnswer("the answer is not UTF-8".into()))?;
    Answer::from_line(&line)
        .ok_or_else(|| AskError::NoAnswer("the answer is not of protocol version 1".into()))
}

/// Writes the request line and reads the answer line (up to its newline, the connection's end,
/// or [`MAX_ANSWER`]), every read and write bounded by what is left before `deadline`.
fn exchange(stream: &UnixStream, request: &Request, deadline: Instant) -> std::io::Result<Vec<u8>> {
    let left = || {
        let left = deadline.saturating_duration_since(Instant::now());
        match left.is_zero() {
            true => Err(std::io::Error::from(ErrorKind::TimedOut)),
            false => Ok(Some(left)),
        }
    };
    stream.set_write_timeout(left()?)?;
    (&*stream).write_all(request.to_line().as_bytes())?;
    let mut line = Vec::new();
    let mut chunk = [0u8; 8192];
    while !line.ends_with(b"\n") && line.len() < MAX_ANSWER {
        stream.set_read_timeout(left()?)?;
        match (&*stream).read(&mut chunk) {
            Ok(0) => break,
            Ok(read) => line.extend_from_slice(&chunk[..read]),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(line)
}
