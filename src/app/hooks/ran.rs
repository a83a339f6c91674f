//! How a hook's run ended, in the event log's words, and the end of its stderr that the log keeps.

use std::time::Duration;

use crate::oauth::Secrets;
use crate::store::Outcome;
use crate::time::short_duration;

/// How much of a hook's stderr the log keeps: its end, where the error usually is.
pub(super) const STDERR_TAIL: usize = 1024;

/// How a hook's run ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Ran {
    /// It exited, and so had everything it started.
    Exited {
        code: Option<i32>,
        stderr: String,
    },
    /// It, or something it started, was still running at the timeout; its process group was
    /// ended. `exited` is the hook's own exit status when only what it started ran on.
    TimedOut {
        after: Duration,
        exited: Option<i32>,
        forced: bool,
        /// Its group was empty, yet its stderr was held open: something it started had left
        /// the group (`setsid`, job control), beyond tokendeck's reach.
        escaped: bool,
        stderr: String,
    },
    /// tokendeck was exiting (or was interrupted) while it ran; its process group was ended.
    Stopped {
        forced: bool,
        stderr: String,
    },
    CouldNotStart(String),
}

impl Ran {
    pub fn outcome(&self) -> Outcome {
        match self {
            Ran::Exited { code: Some(0), .. } => Outcome::Ok,
            _ => Outcome::Failed,
        }
    }

    /// The log's message: what went wrong, then the end of stderr; `None` for a quiet success.
    pub fn message(&self) -> Option<String> {
        let with_tail = |what: String, stderr: &str| match stderr.trim() {
            "" => what,
            tail => format!("{what}; stderr: {tail}"),
        };
        let ended = |forced: bool| match forced {
            true => ", and was killed (it ignored SIGTERM)",
            false => ", and was ended",
        };
        match self {
            Ran::Exited {
                code: Some(0),
                stderr,
            } => Some(stderr.trim().to_string()).filter(|s| !s.is_empty()),
            Ran::Exited {
                code: Some(code),
                stderr,
            } => Some(with_tail(format!("exit status {code}"), stderr)),
            Ran::Exited { code: None, stderr } => {
                Some(with_tail("killed by a signal".into(), stderr))
            }
            Ran::TimedOut {
                after,
                exited: None,
                forced,
                stderr,
                ..
            } => Some(with_tail(
                format!(
                    "timed out after {}{}",
                    short_duration(after.as_secs()),
                    ended(*forced)
                ),
                stderr,
            )),
            Ran::TimedOut {
                after,
                exited: Some(code),
                escaped: true,
                stderr,
                ..
            } => Some(with_tail(
                format!(
                    "timed out after {}: it exited (status {code}), but something it started had left its process group (its own session, or job control) and still held its stderr: tokendeck could not end that",
                    short_duration(after.as_secs()),
                ),
                stderr,
            )),
            Ran::TimedOut {
                after,
                exited: Some(code),
                forced,
                stderr,
                ..
            } => Some(with_tail(
                format!(
                    "timed out after {}: it exited (status {code}), but what it started in the background was still running{}",
                    short_duration(after.as_secs()),
                    ended(*forced)
                ),
                stderr,
            )),
            Ran::Stopped { forced, stderr } => Some(with_tail(
                format!("stopped: tokendeck exited while it ran{}", ended(*forced)),
                stderr,
            )),
            Ran::CouldNotStart(why) => Some(format!("could not start: {why}")),
        }
    }
}

/// The end of what a hook wrote to stderr: the last [`STDERR_TAIL`] bytes, and as many more as
/// the longest secret, so that a secret that starts within the kept end is there whole to be cut.
pub(super) struct Tail {
    bytes: Vec<u8>,
    keep: usize,
    /// Bytes were dropped from the front: the kept ones may start inside a secret.
    cut: bool,
}

impl Tail {
    pub(super) fn new(secrets: &Secrets) -> Tail {
        Tail {
            bytes: Vec::new(),
            keep: STDERR_TAIL + secrets.longest(),
            cut: false,
        }
    }

    pub(super) fn push(&mut self, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
        if self.bytes.len() > self.keep {
            self.bytes.drain(..self.bytes.len() - self.keep);
            self.cut = true;
        }
    }

    /// The text, with every secret of `secrets` cut out.
    pub(super) fn text(&self, secrets: &Secrets) -> String {
        let text = String::from_utf8_lossy(&self.bytes);
        match self.cut {
            true => secrets.redact_tail(&text),
            false => secrets.redact(&text).into_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::SecretKind;

    #[test]
    fn messages_say_what_happened_and_keep_the_tail() {
        let failed = Ran::Exited {
            code: Some(3),
            stderr: "no network\n".into(),
        };
        assert_eq!(failed.outcome(), Outcome::Failed);
        assert_eq!(
            failed.message().as_deref(),
            Some("exit status 3; stderr: no network")
        );
        let quiet = Ran::Exited {
            code: Some(0),
            stderr: String::new(),
        };
        assert_eq!((quiet.outcome(), quiet.message()), (Outcome::Ok, None));
        let slow = Ran::TimedOut {
            after: Duration::from_secs(30),
            exited: None,
            forced: false,
            escaped: false,
            stderr: String::new(),
        };
        assert_eq!(
            slow.message().as_deref(),
            Some("timed out after 30s, and was ended")
        );
        let left_behind = Ran::TimedOut {
            after: Duration::from_secs(30),
            exited: Some(0),
            forced: true,
            escaped: false,
            stderr: "started\n".into(),
        };
        assert_eq!(left_behind.outcome(), Outcome::Failed);
        assert_eq!(
            left_behind.message().as_deref(),
            Some(
                "timed out after 30s: it exited (status 0), but what it started in the background was still running, and was killed (it ignored SIGTERM); stderr: started"
            )
        );
    }

    #[test]
    fn the_tail_keeps_the_last_kilobyte_without_secrets() {
        let mut tail = Tail::new(&Secrets::new());
        tail.push(&[b'a'; 1000]);
        tail.push(&[b'b'; 100]);
        let text = tail.text(&Secrets::new());
        assert_eq!(text.len(), STDERR_TAIL);
        assert!(text.ends_with(&"b".repeat(100)) && text.starts_with('a'));

        // A token printed by mistake, once whole near the end and once cut at the front.
        let token = "at-0123456789abcdefghij";
        let secrets = Secrets::new().with(SecretKind::AccessToken, token);
        let mut tail = Tail::new(&secrets);
        tail.push(token.as_bytes());
        tail.push(&[b'x'; STDERR_TAIL - 10]);
        tail.push(format!(" token: {token}\n").as_bytes());
        let text = tail.text(&secrets);
        assert!(
            text.ends_with(" token: [redacted access token]\n"),
            "{text}"
        );
        assert!(
            !text.contains("abcdefghij") && !text.contains("0123"),
            "{text}"
        );
    }
}
