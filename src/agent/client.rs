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

/// How long a connection may wait for the agent to take it: its queue stays full only while the
/// daemon is stopped (`kill -STOP`, Ctrl-Z) or swamped.
const CONNECT_PATIENCE: Duration = Duration::from_secs(10);

/// The longest answer read (a `status` of many accounts is the longest).
const MAX_ANSWER: usize = 16 << 20;

/// Why no answer came.
#[derive(Debug)]
pub enum AskError {
    /// Nothing listens there: no socket, a dead daemon's, or a path no socket can have.
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
    let stream = connect(socket)?;
    // Checked before a byte is written: the account's name is not sent to a stranger either.
    // nix's, not rustix's: the daemon's pid is 0 from inside another PID namespace (a
    // container), which rustix's credentials cannot hold.
    match nix::sys::socket::getsockopt(&stream, nix::sys::socket::sockopt::PeerCredentials) {
        Ok(cred) if cred.uid() == rustix::process::getuid().as_raw() => {}
        Ok(cred) => return Err(AskError::NotOurs { uid: cred.uid() }),
        Err(e) => return Err(AskError::NoAnswer(std::io::Error::from(e).to_string())),
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

/// A connection to `socket`, given up after [`CONNECT_PATIENCE`] while the agent's queue is full
/// (a plain blocking connect would wait for ever).
fn connect(socket: &Path) -> Result<UnixStream, AskError> {
    use rustix::io::Errno;
    use rustix::net::{AddressFamily, SocketAddrUnix, SocketFlags, SocketType, sockopt};
    // Nothing can listen at a path a socket's address cannot hold (a very deep runtime folder).
    let address = SocketAddrUnix::new(socket).map_err(|e| AskError::NoAgent(e.into()))?;
    let failed = |e: Errno| AskError::NoAnswer(std::io::Error::from(e).to_string());
    let fd = rustix::net::socket_with(
        AddressFamily::UNIX,
        SocketType::STREAM,
        SocketFlags::CLOEXEC,
        None,
    )
    .map_err(failed)?;
    sockopt::set_socket_timeout(&fd, sockopt::Timeout::Send, Some(CONNECT_PATIENCE))
        .map_err(failed)?;
    match rustix::net::connect(&fd, &address) {
        Ok(()) => Ok(UnixStream::from(fd)),
        Err(e) if e == Errno::NOENT || e == Errno::CONNREFUSED => Err(AskError::NoAgent(e.into())),
        Err(e) if e == Errno::AGAIN || e == Errno::TIMEDOUT => Err(AskError::NoAnswer(format!(
            "it took no connection within {}s: the daemon may be stopped (kill -STOP, Ctrl-Z)",
            CONNECT_PATIENCE.as_secs()
        ))),
        Err(e) => Err(failed(e)),
    }
}

/// Writes the request line and reads the answer line (up to its newline, or the connection's
/// end), every read and write bounded by what is left before `deadline`; whatever follows the
/// newline is not this answer's.
fn exchange(
    mut stream: &UnixStream,
    request: &Request,
    deadline: Instant,
) -> std::io::Result<Vec<u8>> {
    let left = || {
        let left = deadline.saturating_duration_since(Instant::now());
        match left.is_zero() {
            true => Err(std::io::Error::from(ErrorKind::TimedOut)),
            false => Ok(Some(left)),
        }
    };
    stream.set_write_timeout(left()?)?;
    stream.write_all(request.to_line().as_bytes())?;
    // One request a connection, said at once: the agent reads the line and the end together and
    // closes as it answers, instead of being woken again to hear this client go.
    stream.shutdown(std::net::Shutdown::Write)?;
    let mut line = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        stream.set_read_timeout(left()?)?;
        let read = match stream.read(&mut chunk) {
            Ok(0) => return Ok(line),
            Ok(read) => &chunk[..read],
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if let Some(end) = read.iter().position(|b| *b == b'\n') {
            line.extend_from_slice(&read[..=end]);
            return Ok(line);
        }
        line.extend_from_slice(read);
        if line.len() > MAX_ANSWER {
            return Err(std::io::Error::other(format!(
                "the answer is longer than {} MiB",
                MAX_ANSWER >> 20
            )));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::net::UnixListener;

    use super::*;

    /// An agent at a fresh socket that reads one request line and writes `answer`, then keeps
    /// the connection open for `hold`.
    fn agent(answer: Vec<u8>, hold: Duration) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("agent.sock");
        let listener = UnixListener::bind(&path).unwrap();
        std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = [0u8; 1024];
            let _ = stream.read(&mut request);
            let _ = stream.write_all(&answer);
            std::thread::sleep(hold);
        });
        (dir, path)
    }

    fn accounts() -> Request {
        Request::Accounts
    }

    /// What follows the answer's newline in the same read is not waited for, nor taken for it.
    #[test]
    fn the_answer_ends_at_its_newline_whatever_follows_it() {
        let answer = b"{\"v\":1,\"accounts\":[\"work\"]}\nEXTRA".to_vec();
        let (_dir, path) = agent(answer, Duration::from_secs(30));
        let started = Instant::now();
        let answer = ask(&path, &accounts()).expect("an answer");
        assert!(
            matches!(answer, Answer::Accounts(ref names) if names == &["work"]),
            "{answer:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn an_answer_without_an_end_is_refused_past_its_limit() {
        let (_dir, path) = agent(vec![b'x'; MAX_ANSWER + 2 * 8192], Duration::from_secs(30));
        match ask(&path, &accounts()) {
            Err(AskError::NoAnswer(why)) => assert!(why.contains("longer than 16 MiB"), "{why}"),
            other => panic!("{other:?}"),
        }
    }

    /// No file, or a path no socket address can hold: no agent, so `token` reads the keyring.
    #[test]
    fn no_socket_and_a_path_too_long_for_one_are_no_agent() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("agent.sock");
        assert!(matches!(
            ask(&missing, &accounts()),
            Err(AskError::NoAgent(_))
        ));
        let deep = dir.path().join("d".repeat(200)).join("agent.sock");
        assert!(matches!(ask(&deep, &accounts()), Err(AskError::NoAgent(_))));
    }
}
