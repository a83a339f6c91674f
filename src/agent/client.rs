//! Asking the agent: one connection, one request line, one answer line. A socket with nothing
//! listening (no file, or a dead daemon's) is told apart from an agent that failed to answer, so
//! that `token` falls back to the keyring only when no agent is there.

use std::io::ErrorKind;
use std::path::Path;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use super::protocol::{Answer, Request};

/// How long an answer may take: a due token is refreshed first, behind any refresh under way.
const PATIENCE: Duration = Duration::from_secs(60);

/// The longest answer read (a `status` of many accounts is the longest).
const MAX_ANSWER: u64 = 16 << 20;

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

/// Sends `request` to the agent at `socket` and reads its answer.
pub async fn ask(socket: &Path, request: &Request) -> Result<Answer, AskError> {
    let stream = match tokio::net::UnixStream::connect(socket).await {
        Ok(stream) => stream,
        Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::ConnectionRefused) => {
            return Err(AskError::NoAgent(e));
        }
        Err(e) => return Err(AskError::NoAnswer(e.to_string())),
    };
    // Checked before a byte is written: the account's name is not sent to a stranger either.
    match stream.peer_cred() {
        Ok(cred) if cred.uid() == rustix::process::getuid().as_raw() => {}
        Ok(cred) => return Err(AskError::NotOurs { uid: cred.uid() }),
        Err(e) => return Err(AskError::NoAnswer(e.to_string())),
    }
    let exchange = async {
        let (from, mut to) = stream.into_split();
        to.write_all(request.to_line().as_bytes()).await?;
        let mut line = String::new();
        tokio::io::AsyncReadExt::take(BufReader::new(from), MAX_ANSWER)
            .read_line(&mut line)
            .await?;
        Ok::<_, std::io::Error>(line)
    };
    let line = match tokio::time::timeout(PATIENCE, exchange).await {
        Ok(Ok(line)) => line,
        Ok(Err(e)) => return Err(AskError::NoAnswer(e.to_string())),
        Err(_) => return Err(AskError::NoAnswer(format!("no answer within {PATIENCE:?}"))),
    };
    if line.is_empty() {
        return Err(AskError::NoAnswer("the agent closed the connection".into()));
    }
    Answer::from_line(&line)
        .ok_or_else(|| AskError::NoAnswer("the answer is not of protocol version 1".into()))
}
