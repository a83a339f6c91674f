//! What answers the agent's requests: the daemon's [`super::server::Answers`], share.sock's
//! narrower ones, a test's stand-in. Below the listener and its fast lane, which both ask it.

use super::protocol::{Answer, Request};

/// Whatever answers a request.
pub trait Answering {
    fn answer(&self, request: Request) -> impl Future<Output = Answer> + Send;

    /// The answer when it can be given at once, from memory (the fast lane's); `None`: only
    /// [`Answering::answer`] can give it.
    fn answer_now(&self, _request: &Request) -> Option<Answer> {
        None
    }

    /// Whether [`Answering::answer_now`] ever answers: when it never does, the fast lane hands
    /// every connection on at once, without waiting for its first line.
    fn answers_now(&self) -> bool {
        false
    }
}
