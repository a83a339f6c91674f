//! Scopes as a person types them: `--scope "openid profile"` is two scopes, as the space-separated
//! `scope` parameter of OAuth 2.0 (RFC 6749 §3.3) would make them. One function, so that `add`,
//! `set` and the TUI's form split alike.

/// Every scope in `given`, each entry split on whitespace, blanks dropped, a repeat kept once
/// (in the order first given).
pub fn split_scopes<S: AsRef<str>>(given: impl IntoIterator<Item = S>) -> Vec<String> {
    let mut scopes: Vec<String> = Vec::new();
    for entry in given {
        for scope in entry.as_ref().split_whitespace() {
            if !scopes.iter().any(|s| s == scope) {
                scopes.push(scope.to_string());
            }
        }
    }
    scopes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_space_separated_entry_is_several_scopes() {
        assert_eq!(
            split_scopes(["openid profile", "api", "  email\toffline_access "]),
            ["openid", "profile", "api", "email", "offline_access"]
        );
    }

    #[test]
    fn blanks_and_repeats_are_dropped() {
        assert_eq!(split_scopes(["a", " ", "", "a b", "b"]), ["a", "b"]);
        assert!(split_scopes(Vec::<String>::new()).is_empty());
    }
}
