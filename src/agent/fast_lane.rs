//! The listener's fast lane: a thread of its own blocked in `accept`, as a plain server is, that
//! answers the common connection at once — one whole `token` line there already, for a token
//! memory holds fresh, the client done after it — and hands every other connection to the async
//! side with what it read: a line still coming, a token to refresh, another op, more lines, a
//! peer of another uid. It never waits on a client: its reads and its one write do not block, so
//! no client holds it. Through the async runtime alone, each `token` cost the daemon two wake-ups
//! and fourteen system calls (README, Benchmarks).

use std::io::{ErrorKind, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::answering::Answering;
use super::protocol::{Line, LineReader, parse};

/// What the fast lane passes to the async side.
pub(super) enum Arrival {
    /// A connection of the daemon's own uid, for the async conversation, with the bytes already
    /// read from it (not yet answered) and its slot among the connections served at once.
    Conversation {
        stream: UnixStream,
        read: Vec<u8>,
        permit: OwnedSemaphorePermit,
    },
    /// A process of another uid connected (it is closed).
    Refused { uid: u32, pid: Option<i32> },
    /// Accepting failed (out of file descriptors, say); the lane goes on after a pause.
    AcceptFailed,
}

/// Starts the lane on `listener`. It ends once `stopped` is set (by the [`Waker`], whose
/// connection wakes its `accept`) or the async side is gone.
pub(super) fn start<A>(
    listener: UnixListener,
    answers: Arc<A>,
    room: Arc<Semaphore>,
    to_async: UnboundedSender<Arrival>,
    stopped: Arc<AtomicBool>,
    runtime: tokio::runtime::Handle,
) -> std::io::Result<()>
where
    A: Answering + Send + Sync + 'static,
{
    listener.set_nonblocking(false)?;
    let me = rustix::process::getuid().as_raw();
    std::thread::Builder::new()
        .name("agent-accept".into())
        .spawn(move || {
            loop {
                // A slot first, as the async side did: past the limit, clients wait in the
                // kernel's queue, not here.
                let permit = match room.clone().try_acquire_owned() {
                    Ok(permit) => permit,
                    Err(_) => match runtime.block_on(room.clone().acquire_owned()) {
                        Ok(permit) => permit,
                        Err(_) => return,
                    },
                };
                let accepted = listener.accept();
                if stopped.load(Ordering::SeqCst) || to_async.is_closed() {
                    return;
                }
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(_) => {
                        let _ = to_async.send(Arrival::AcceptFailed);
                        std::thread::sleep(Duration::from_millis(100));
                        continue;
                    }
                };
                match peer(&stream) {
                    Some(peer) if peer.uid() == me => {}
                    Some(peer) => {
                        let _ = to_async.send(Arrival::Refused {
                            uid: peer.uid(),
                            // 0: in a PID namespace this daemon cannot see into.
                            pid: Some(peer.pid()).filter(|pid| *pid > 0),
                        });
                        continue;
                    }
                    None => continue,
                }
                let quick = match answers.answers_now() {
                    true => at_once(&stream, answers.as_ref()),
                    false => AtOnce::Converse(Vec::new()),
                };
                match quick {
                    AtOnce::Done => {}
                    AtOnce::Converse(read) => {
                        let _ = to_async.send(Arrival::Conversation {
                            stream,
                            read,
                            permit,
                        });
                    }
                }
            }
        })
        .map(drop)
}

enum AtOnce {
    /// Answered, and the client said it was done; or it is gone.
    Done,
    /// The async conversation goes on from these bytes (read, not answered).
    Converse(Vec<u8>),
}

/// The connection's peer, as the kernel says (`SO_PEERCRED`).
pub(super) fn peer(stream: &UnixStream) -> Option<nix::sys::socket::UnixCredentials> {
    nix::sys::socket::getsockopt(stream, nix::sys::socket::sockopt::PeerCredentials).ok()
}

/// How long the lane waits on a client: for its first bytes, and after the answer for it to say
/// it is done. The lane is woken by the connect, and is usually reading before the client
/// (checking who listens, first) has written; `tokendeck token` half-closes right after its
/// request. A client that takes longer, or keeps its connection for more requests, is the async
/// side's after this. Only processes of the daemon's own uid get this far.
const PATIENCE_MS: u8 = 1;

/// Answers the connection if it can without waiting on the client: one whole line, answered from
/// memory, and nothing more to come. Otherwise what was read, for the async side.
fn at_once<A: Answering>(mut stream: &UnixStream, answers: &A) -> AtOnce {
    if stream.set_nonblocking(true).is_err() {
        return AtOnce::Converse(Vec::new());
    }
    let mut buffer = vec![0u8; 8192];
    let read = match read_soon(stream, &mut buffer) {
        Got::Bytes(read) => read,
        Got::End | Got::Failed => return AtOnce::Done,
        Got::Nothing => 0,
    };
    buffer.truncate(read);
    let mut reader = LineReader::default();
    let lines = reader.push(&buffer);
    let request = match (lines.as_slice(), reader.has_partial()) {
        ([Line::Whole(line)], false) => parse(line).ok(),
        _ => None,
    };
    let Some(answer) = request.as_ref().and_then(|r| answers.answer_now(r)) else {
        return AtOnce::Converse(buffer);
    };
    // A few hundred bytes into an empty socket buffer: written whole, or the client is gone.
    if stream.write_all(answer.to_line().as_bytes()).is_err() {
        return AtOnce::Done;
    }
    // Anything a client sends after its first line is the async side's.
    let mut more = vec![0u8; 8192];
    match read_soon(stream, &mut more) {
        Got::End | Got::Failed => AtOnce::Done,
        Got::Nothing => AtOnce::Converse(Vec::new()),
        Got::Bytes(read) => {
            more.truncate(read);
            AtOnce::Converse(more)
        }
    }
}

/// What one read within [`PATIENCE_MS`] gave.
enum Got {
    Bytes(usize),
    /// The client closed its side.
    End,
    /// Nothing in time.
    Nothing,
    Failed,
}

/// Reads what `stream` (non-blocking) has, waiting for it with poll() at most [`PATIENCE_MS`].
fn read_soon(mut stream: &UnixStream, buffer: &mut [u8]) -> Got {
    use nix::poll::{PollFd, PollFlags, poll};
    use std::os::fd::AsFd;
    let mut waited = false;
    loop {
        match stream.read(buffer) {
            Ok(0) => return Got::End,
            Ok(read) => return Got::Bytes(read),
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) if e.kind() == ErrorKind::WouldBlock && !waited => {
                let mut ready = [PollFd::new(stream.as_fd(), PollFlags::POLLIN)];
                match poll(&mut ready, PATIENCE_MS) {
                    Ok(0) => return Got::Nothing,
                    Ok(_) => waited = true,
                    Err(nix::errno::Errno::EINTR) => continue,
                    Err(_) => return Got::Failed,
                }
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => return Got::Nothing,
            Err(_) => return Got::Failed,
        }
    }
}

/// Ends the lane when dropped (before the socket's file is removed): says it is stopped, and
/// connects to the socket to wake its `accept`.
pub(super) struct Waker {
    pub(super) path: PathBuf,
    pub(super) stopped: Arc<AtomicBool>,
}

impl Drop for Waker {
    fn drop(&mut self) {
        use rustix::net::{AddressFamily, SocketAddrUnix, SocketFlags, SocketType};
        self.stopped.store(true, Ordering::SeqCst);
        // Never blocking: with the queue full, the lane is awake anyway.
        let Ok(address) = SocketAddrUnix::new(&self.path) else {
            return;
        };
        if let Ok(fd) = rustix::net::socket_with(
            AddressFamily::UNIX,
            SocketType::STREAM,
            SocketFlags::CLOEXEC | SocketFlags::NONBLOCK,
            None,
        ) {
            let _ = rustix::net::connect(&fd, &address);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::protocol::{Answer, Request};

    /// Answers `token` for "held" at once, and nothing else.
    struct Held;

    impl Answering for Held {
        async fn answer(&self, _request: Request) -> Answer {
            Answer::Accounts(vec![])
        }

        fn answer_now(&self, request: &Request) -> Option<Answer> {
            match request {
                Request::Token { account } if account == "held" => Some(Answer::Token {
                    access_token: "at".into(),
                    token_type: "Bearer".into(),
                    expires_at: None,
                    scope: None,
                    email: None,
                }),
                _ => None,
            }
        }
    }

    const HELD: &[u8] = b"{\"v\":1,\"op\":\"token\",\"account\":\"held\"}\n";

    /// What the lane does with a connection the client wrote `sent` on (and then closed its
    /// side, when `done`), and what the client read back.
    fn lane(sent: &[u8], done: bool) -> (AtOnce, String) {
        let (mut client, server) = UnixStream::pair().unwrap();
        client.write_all(sent).unwrap();
        if done {
            client.shutdown(std::net::Shutdown::Write).unwrap();
        }
        let what = at_once(&server, &Held);
        drop(server);
        let mut answered = String::new();
        client.read_to_string(&mut answered).unwrap();
        (what, answered)
    }

    #[test]
    fn a_whole_token_line_then_the_end_is_answered_at_once() {
        let (what, answered) = lane(HELD, true);
        assert!(matches!(what, AtOnce::Done));
        assert!(matches!(
            Answer::from_line(answered.trim_end()),
            Some(Answer::Token { .. })
        ));
    }

    #[test]
    fn what_the_lane_cannot_answer_at_once_goes_on_with_every_byte_it_read() {
        let unfinished = &HELD[..HELD.len() - 1];
        let two = [HELD, HELD].concat();
        let other = b"{\"v\":1,\"op\":\"token\",\"account\":\"due\"}\n";
        for (sent, done) in [
            (&b""[..], false),
            (unfinished, false),
            (&two[..], true),
            (&other[..], true),
            (&b"nonsense\n"[..], true),
        ] {
            let (what, answered) = lane(sent, done);
            match what {
                AtOnce::Converse(read) => assert_eq!(read, sent, "{sent:?}"),
                AtOnce::Done => panic!("{sent:?} was not handed on"),
            }
            assert_eq!(answered, "", "{sent:?}: answered on the lane");
        }
    }

    #[test]
    fn a_client_that_goes_on_gets_its_first_answer_and_the_rest_is_handed_on() {
        // Answered, then nothing more within the lane's patience: the connection goes on.
        let (what, answered) = lane(HELD, false);
        assert!(matches!(what, AtOnce::Converse(ref read) if read.is_empty()));
        assert!(answered.starts_with("{") && answered.ends_with('\n'));
    }
}
