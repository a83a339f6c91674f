//! share.sock: the socket meant for an ssh forward (`ssh -R`), beside the agent's own. It answers
//! only the `token` op and only for accounts marked shared, so that a server a person ssh'es into
//! gets the access tokens the person chose and nothing else: no status, no account names, and
//! for an account not shared (or not there) the same `not_shared`, so that the far side cannot
//! probe which accounts exist. Each token handed out is told to the daemon, which logs it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::protocol::{Answer, ErrorCode, Request};
use super::server::{Answering, Answers, code_of};
use super::words::Refusal;
use crate::app::AccountError;
use crate::store::StoreError;

/// The file name of the shared socket, in the agent socket's folder.
pub const SHARE_SOCKET: &str = "share.sock";

/// Where share.sock goes for a daemon whose agent socket is `agent_socket`.
pub fn beside(agent_socket: &Path) -> PathBuf {
    agent_socket.with_file_name(SHARE_SOCKET)
}

/// Answers through share.sock: the agent's answers, narrowed.
pub struct SharedAnswers<F> {
    answers: Arc<Answers>,
    /// The front's words for an account that is not shared (they name the command that shares
    /// it, which the agent does not word).
    not_shared: fn(&str) -> String,
    /// Told the account's name after each token handed out.
    handed_out: F,
}

impl<F> SharedAnswers<F>
where
    F: Fn(&str) + Send + Sync,
{
    pub fn new(answers: Arc<Answers>, not_shared: fn(&str) -> String, handed_out: F) -> Self {
        SharedAnswers {
            answers,
            not_shared,
            handed_out,
        }
    }
}

impl<F> Answering for SharedAnswers<F>
where
    F: Fn(&str) + Send + Sync,
{
    async fn answer(&self, request: Request) -> Answer {
        let Request::Token { account } = request else {
            return Answer::error(ErrorCode::BadRequest, Refusal::OnlyToken.to_string());
        };
        let not_shared = || Answer::error(ErrorCode::NotShared, (self.not_shared)(&account));
        // Read at each request (the store keeps the file parsed while it is unchanged): a
        // `set NAME --no-share` holds from the next answer on.
        match self.answers.memory().store().account(&account) {
            Ok(settings) if settings.shared => {}
            Ok(_) | Err(StoreError::NoSuchAccount { .. } | StoreError::InvalidName(_)) => {
                return not_shared();
            }
            Err(e) => {
                let e = AccountError::from(e);
                return Answer::error(code_of(&e), self.answers.wording_of(&e));
            }
        }
        let answer = self
            .answers
            .answer(Request::Token {
                account: account.clone(),
            })
            .await;
        if let Answer::Token { .. } = answer {
            (self.handed_out)(&account);
        }
        answer
    }
}
