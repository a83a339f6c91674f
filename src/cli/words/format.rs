//! What the command line says when `token --format` cannot wrap the token as asked.

use std::fmt;

/// `--format xoauth2` for an account with no mail user and no email in its ID token, or with a
/// mail user (hand-edited into the accounts file) that would break the SASL string.
#[derive(Debug)]
pub struct NoMailUser {
    pub name: String,
    /// There is one, with a control character in it.
    pub unusable: bool,
}

impl fmt::Display for NoMailUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = &self.name;
        let why = match self.unusable {
            true => "its mail user has a control character in it",
            false => "its ID token has no email claim and no mail user is set",
        };
        write!(
            f,
            "XOAUTH2 names the mail user, and {name:?} has no usable one: {why}; set one with `tokendeck set {name} --mail-user ADDRESS`"
        )
    }
}

impl std::error::Error for NoMailUser {}
