//! The agent's listener: each connection from a process of the daemon's own uid (SO_PEERCRED;
//! another uid is closed at once, unanswered and logged, whatever the socket file's mode) reads request lines and
//! writes one answer each — the common one at once on the accepting thread
//! ([`super::fast_lane`]), the rest here. A client is bounded in every way a socket allows: at most
//! [`Limits::connections`] at once (more wait in the kernel's queue), a line of at most 64 KiB,
//! and [`Limits::idle`] to say something before it is closed. No connection can stop another's
//! answers.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

pub use super::answering::Answering;
use super::fast_lane::{self, Arrival};
use super::memory::Memory;
use super::place::Bound;
use super::protocol::{Answer, ErrorCode, Line, LineReader, Request, parse};
use super::refusals::Refusals;
use super::words::Refusal;
use crate::app::AccountError;
use crate::store::{Store, StoreError};

/// How much one client may take.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Connections served at once.
    pub connections: usize,
    /// How long a client may stay silent (or not read its answer) before it is closed.
    pub idle: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            connections: 256,
            idle: Duration::from_secs(5),
        }
    }
}

/// The front's words and facts the agent hands on: the daemon's (the command line's) wording of
/// an account's failure, and `status --json`'s facts, so that both say the same.
#[derive(Clone, Copy)]
pub struct Wording {
    pub account_error: fn(&AccountError) -> String,
    pub status: fn(&Store, Option<&str>) -> Result<Value, StoreError>,
}

/// What the listener tells the daemon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Heard {
    /// `count` more connections of `uid` were refused since its last line, and none came in the
    /// minute after it: said then, so that no count is lost when a flood stops.
    RefusedUnsaid { uid: u32, count: u64 },
    /// A process of another user connected, and was closed at once. Said at most once a
    /// [`super::refusals::REFUSALS_SAID_EVERY`] per uid: `unsaid` is how many of that uid's refusals since the
    /// last one said were not (a flood of them fills no journal).
    RefusedPeer {
        uid: u32,
        pid: Option<i32>,
        unsaid: u64,
    },
    /// Accepting failed (out of file descriptors, say); the listener goes on after a pause.
    AcceptFailed,
}

/// Answers requests from memory, through the token use case.
pub struct Answers {
    memory: Memory,
    wording: Wording,
}

impl Answers {
    pub fn new(memory: Memory, wording: Wording) -> Answers {
        Answers { memory, wording }
    }

    pub fn memory(&self) -> &Memory {
        &self.memory
    }

    /// The front's words for an account's failure.
    pub fn wording_of(&self, error: &AccountError) -> String {
        (self.wording.account_error)(error)
    }
}

/// A token answer, the same from memory or after a refresh.
fn token_answer(tokens: &crate::oauth::Tokens) -> Answer {
    Answer::Token {
        access_token: tokens.access_token().to_string(),
        token_type: tokens.token_type().to_string(),
        expires_at: tokens.expires_at().map(crate::time::rfc3339),
        scope: tokens.scope().map(str::to_string),
        email: tokens.id_token().and_then(crate::oauth::identity::email),
    }
}

impl Answering for Answers {
    fn answers_now(&self) -> bool {
        true
    }

    fn answer_now(&self, request: &Request) -> Option<Answer> {
        match request {
            Request::Token { account } => self.memory.fresh(account).map(|t| token_answer(&t)),
            _ => None,
        }
    }

    async fn answer(&self, request: Request) -> Answer {
        let store = self.memory.store();
        let failed = |e: AccountError| Answer::error(code_of(&e), (self.wording.account_error)(&e));
        match request {
            Request::Token { account } => match self.memory.token(&account).await {
                Ok(tokens) => token_answer(&tokens),
                Err(e) => failed(e),
            },
            Request::Status { account } => match (self.wording.status)(store, account.as_deref()) {
                Ok(status) => Answer::Status(status),
                Err(e) => failed(e.into()),
            },
            Request::Accounts => match store.accounts() {
                Ok(accounts) => Answer::Accounts(
                    accounts
                        .into_natural_order()
                        .into_iter()
                        .map(|(name, _)| name)
                        .collect(),
                ),
                Err(e) => failed(e.into()),
            },
        }
    }
}

/// The protocol's code for an account's failure.
pub fn code_of(error: &AccountError) -> ErrorCode {
    match error {
        AccountError::Store(StoreError::NoSuchAccount { .. } | StoreError::InvalidName(_)) => {
            ErrorCode::NoSuchAccount
        }
        AccountError::NotLinked(_)
        | AccountError::RecordMissing(_)
        | AccountError::RecordNotHere { .. }
        | AccountError::NeedsRelink { .. } => ErrorCode::NotLinked,
        AccountError::ClientRefused { .. } => ErrorCode::ClientRefused,
        AccountError::Store(StoreError::Keyring(_)) => ErrorCode::Keyring,
        AccountError::Store(e) if e.is_unusable_accounts_file() => ErrorCode::AccountsFile,
        _ => ErrorCode::RefreshFailed,
    }
}

/// Serves `bound` until the task is dropped: the fast lane accepts (a thread of its own, see
/// [`super::fast_lane`]) and answers what it can at once; here the rest is conversed with, and
/// refusals are said.
pub async fn serve<A>(bound: Bound, answers: Arc<A>, limits: Limits, heard: impl Fn(Heard))
where
    A: Answering + Send + Sync + 'static,
{
    let Bound { listener, file } = bound;
    let room = Arc::new(tokio::sync::Semaphore::new(limits.connections));
    let (to_async, mut arrivals) = tokio::sync::mpsc::unbounded_channel();
    let stopped = Arc::new(AtomicBool::new(false));
    let started = fast_lane::start(
        listener,
        answers.clone(),
        room,
        to_async,
        stopped.clone(),
        tokio::runtime::Handle::current(),
    );
    let _file = file;
    if started.is_err() {
        return heard(Heard::AcceptFailed);
    }
    // Dropped first (declared last): the lane stops before the socket's file goes.
    let _waker = fast_lane::Waker {
        path: _file.path().to_path_buf(),
        stopped,
    };
    let mut refusals = Refusals::default();
    loop {
        let arrival = match refusals.due() {
            Some(due) => tokio::select! {
                arrival = arrivals.recv() => arrival,
                () = tokio::time::sleep_until(due) => {
                    for (uid, count) in refusals.flush(tokio::time::Instant::now()) {
                        heard(Heard::RefusedUnsaid { uid, count });
                    }
                    continue;
                }
            },
            None => arrivals.recv().await,
        };
        match arrival {
            None => return,
            Some(Arrival::Conversation {
                stream,
                read,
                permit,
            }) => {
                let stream = stream
                    .set_nonblocking(true)
                    .and_then(|()| tokio::net::UnixStream::from_std(stream));
                let Ok(stream) = stream else {
                    continue;
                };
                let answers = answers.clone();
                tokio::spawn(async move {
                    converse_from(stream, read, answers.as_ref(), limits.idle).await;
                    drop(permit);
                });
            }
            Some(Arrival::Refused { uid, pid }) => {
                if let Some(unsaid) = refusals.say(uid, tokio::time::Instant::now()) {
                    heard(Heard::RefusedPeer { uid, pid, unsaid });
                }
            }
            Some(Arrival::AcceptFailed) => heard(Heard::AcceptFailed),
        }
    }
}

/// One connection: a line in, an answer out, until the client closes, stays silent for `idle`,
/// takes longer than `idle` to finish a line it began (a byte now and then holds no slot for
/// ever), or sends a line over the limit (answered, then closed).
pub async fn converse<S, A>(stream: S, answers: &A, idle: Duration)
where
    S: AsyncRead + AsyncWrite,
    A: Answering,
{
    converse_from(stream, Vec::new(), answers, idle).await;
}

/// [`converse`], the connection's first bytes (`read`, not answered yet) read already.
async fn converse_from<S, A>(stream: S, read: Vec<u8>, answers: &A, idle: Duration)
where
    S: AsyncRead + AsyncWrite,
    A: Answering,
{
    let (from, mut to) = tokio::io::split(stream);
    let mut from = std::io::Cursor::new(read).chain(from);
    let mut reader = LineReader::default();
    let mut buffer = vec![0u8; 8192];
    // When the unfinished line began: it must end within `idle` of that.
    let mut begun: Option<tokio::time::Instant> = None;
    loop {
        let deadline = begun.unwrap_or_else(tokio::time::Instant::now) + idle;
        let read = match tokio::time::timeout_at(deadline, from.read(&mut buffer)).await {
            Ok(Ok(0) | Err(_)) | Err(_) => return,
            Ok(Ok(read)) => read,
        };
        let lines = reader.push(&buffer[..read]);
        begun = match reader.has_partial() {
            true if lines.is_empty() => begun.or_else(|| Some(tokio::time::Instant::now())),
            true => Some(tokio::time::Instant::now()),
            false => None,
        };
        for line in lines {
            let (answer, last) = match line {
                Line::Whole(line) => match parse(&line) {
                    Ok(request) => (answers.answer(request).await, false),
                    Err(refused) => (refused, false),
                },
                Line::TooLong => (
                    Answer::error(ErrorCode::BadRequest, Refusal::TooLong.to_string()),
                    true,
                ),
            };
            let written =
                tokio::time::timeout(idle, to.write_all(answer.to_line().as_bytes())).await;
            if last || !matches!(written, Ok(Ok(()))) {
                let _ = tokio::time::timeout(idle, to.shutdown()).await;
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `token` does about a failure is the same through the agent as without it: each
    /// kind of failure keeps a code of its own.
    #[test]
    fn each_kind_of_failure_has_its_own_code() {
        let refused = AccountError::ClientRefused {
            name: "work".into(),
            error: crate::oauth::Error::NoDeviceEndpoint,
        };
        assert_eq!(code_of(&refused), ErrorCode::ClientRefused);
        let unsafe_file = AccountError::Store(StoreError::UnsafeAccountsFile {
            path: "/h/accounts.toml".into(),
            owner: None,
            mode: 0o666,
        });
        assert_eq!(code_of(&unsafe_file), ErrorCode::AccountsFile);
        let missing = AccountError::Store(StoreError::no_such_account("work", []));
        assert_eq!(code_of(&missing), ErrorCode::NoSuchAccount);
        assert_eq!(
            code_of(&AccountError::NotLinked("work".into())),
            ErrorCode::NotLinked
        );
    }

    /// Answers every token request with a fixed token: the reader and the loop are under test.
    struct Fixed;

    impl Answering for Fixed {
        async fn answer(&self, request: Request) -> Answer {
            match request {
                Request::Token { .. } => Answer::Token {
                    access_token: "at".into(),
                    token_type: "Bearer".into(),
                    expires_at: None,
                    scope: None,
                    email: None,
                },
                _ => Answer::Accounts(vec![]),
            }
        }
    }

    /// What the connection answers to `input`, the client having closed its side after it.
    pub(super) async fn answers_to(input: Vec<u8>) -> Vec<String> {
        let (client, server) = tokio::io::duplex(1 << 20);
        let serving = tokio::spawn(async move {
            converse(server, &Fixed, Duration::from_secs(5)).await;
        });
        let (mut read, mut write) = tokio::io::split(client);
        let writing = tokio::spawn(async move {
            // The server may close first (a line too long): then the rest is not read.
            let _ = write.write_all(&input).await;
            let _ = write.shutdown().await;
        });
        let mut out = String::new();
        read.read_to_string(&mut out).await.unwrap();
        serving.await.unwrap();
        writing.await.unwrap();
        out.lines().map(str::to_string).collect()
    }

    #[tokio::test]
    async fn a_bad_line_is_answered_and_the_next_one_served() {
        let out =
            answers_to(b"nonsense\n{\"v\":1,\"op\":\"token\",\"account\":\"w\"}\n".to_vec()).await;
        assert_eq!(out.len(), 2, "{out:?}");
        assert!(matches!(
            Answer::from_line(&out[0]),
            Some(Answer::Error {
                code: ErrorCode::BadRequest,
                ..
            })
        ));
        assert!(matches!(
            Answer::from_line(&out[1]),
            Some(Answer::Token { .. })
        ));
    }

    #[tokio::test(start_paused = true)]
    async fn a_silent_client_is_closed_after_the_idle_time() {
        let (client, server) = tokio::io::duplex(64);
        let started = tokio::time::Instant::now();
        converse(server, &Fixed, Duration::from_secs(5)).await;
        assert!(started.elapsed() >= Duration::from_secs(5));
        drop(client);
    }

    /// A byte every 4 s never lets 5 s of silence pass, but the line it spells must end within
    /// 5 s of its first byte: the connection is closed then, its slot freed.
    #[tokio::test(start_paused = true)]
    async fn a_client_that_trickles_a_line_is_closed_when_it_is_not_done_in_time() {
        let (mut client, server) = tokio::io::duplex(64);
        let started = tokio::time::Instant::now();
        tokio::spawn(async move {
            for byte in br#"{"v":1,"op":"accounts"}"# {
                if client.write_all(&[*byte]).await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_secs(4)).await;
            }
        });
        converse(server, &Fixed, Duration::from_secs(5)).await;
        let took = started.elapsed();
        // Closed 5 s after the line began, not after the 92 s its last byte would take.
        assert!(
            (Duration::from_secs(5)..Duration::from_secs(6)).contains(&took),
            "{took:?}"
        );
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::tests::answers_to;

    proptest! {
        #![proptest_config(crate::properties::config())]
        /// Any bytes in: one answer line per whole line (at most), every one an answer this
        /// protocol defines, and then a close — never a panic, never a hang.
        #[test]
        fn any_bytes_get_answers_and_a_close(
            input in proptest::collection::vec(
                prop_oneof![
                    4 => any::<u8>(),
                    1 => Just(b'\n'),
                ],
                0..512,
            ),
            long in proptest::bool::weighted(0.05),
        ) {
            let mut input = input;
            if long {
                input.extend(std::iter::repeat_n(b'y', crate::agent::protocol::MAX_LINE + 10));
            }
            let lines = input.iter().filter(|&&b| b == b'\n').count();
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            let out = runtime.block_on(answers_to(input));
            use crate::agent::protocol::Answer;
            prop_assert!(out.len() <= lines + 1, "{} answers to {lines} lines", out.len());
            for line in &out {
                prop_assert!(Answer::from_line(line).is_some(), "{line:?}");
            }
        }
    }
}
