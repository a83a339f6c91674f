//! What the command line says when `token --format` cannot wrap the token as asked.

use std::fmt;

/// `--format xoauth2` for an account with no mail user and no email in its ID token.
#[derive(Debug)]
pub struct NoMailUser {
    pub name: String,
}

impl fmt::Display for NoMailUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = &self.name;
        write!(
            f,
            "XOAUTH2 names the mail user, and {name:?} has none: its ID token has no email claim and no mail user is set; set one with `tokendeck set {name} --mail-user ADDRESS`"
        )
    }
}

impl std::error::Error for NoMailUser {}
