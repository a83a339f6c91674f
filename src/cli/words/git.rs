//! What `tokendeck git-credential` says on stderr, which git shows before it goes on to its next
//! helper or its prompt. Never a value from the request: one may be a password.

/// A request that was not answered, and what the person can do.
pub fn bad_request(why: &impl std::fmt::Display) -> String {
    format!(
        "not answered: {why}; git goes on without tokendeck (check `git config --get-regexp credential`)"
    )
}

/// A remote an account claims, asked for over a scheme that would send the token in the clear.
pub fn not_over(name: &str, protocol: &str, host: &str) -> String {
    format!(
        "{name:?} claims {host}, but not over {protocol}: its token goes only over https (or http to this machine); use an https:// remote"
    )
}

/// The account claims the remote but has no token to give; `cause` says what to do.
pub fn no_token(name: &str, cause: &str) -> String {
    format!("no token from {name:?} for git: {cause}")
}

/// The account's git user name would break git's protocol.
pub fn bad_user(name: &str) -> String {
    format!(
        "{name:?} has a git user name with a control character in it; set another with `tokendeck set {name} --git-user NAME`"
    )
}

/// The provider issued an access token git's protocol cannot carry.
pub fn bad_token(name: &str) -> String {
    format!(
        "the access token of {name:?} has a control character in it, which git cannot be given; `tokendeck inspect {name}` shows what the provider issued"
    )
}
