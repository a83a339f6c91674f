//! Extra authorization parameters (Verizon's `deviceid`, `prompt`, …) and the names they may not
//! take: the ones tokendeck writes into the authorization URL itself.

/// The authorization parameters tokendeck writes itself; an extra parameter of the same name
/// would send a second, conflicting value (a second `state` or `redirect_uri` is worse than
/// useless: providers pick one or the other).
pub const RESERVED_PARAMS: [&str; 8] = [
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
    "nonce",
];

/// Whether `key` names a parameter tokendeck sets itself (compared without regard to case).
pub fn is_reserved_param(key: &str) -> bool {
    RESERVED_PARAMS
        .iter()
        .any(|reserved| reserved.eq_ignore_ascii_case(key.trim()))
}

/// Why an extra authorization parameter cannot be used, in words that say where its value
/// belongs instead.
pub fn reserved_param_problem(key: &str) -> Option<String> {
    if !is_reserved_param(key) {
        return None;
    }
    let instead = match key.trim().to_ascii_lowercase().as_str() {
        "scope" => "give the scopes as scopes instead",
        "redirect_uri" => "give it as the callback URL instead",
        "client_id" => "give it as the client id instead",
        _ => "remove it",
    };
    Some(format!(
        "the extra parameter `{key}` would duplicate the one tokendeck sends itself: {instead}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_parameters_are_named() {
        for key in RESERVED_PARAMS {
            assert!(is_reserved_param(key), "{key}");
        }
        assert!(is_reserved_param("State"));
        assert!(!is_reserved_param("login_hint") && !is_reserved_param("deviceid"));
        let problem = reserved_param_problem("redirect_uri").unwrap();
        assert!(problem.contains("`redirect_uri`") && problem.contains("callback URL"));
        assert!(reserved_param_problem("prompt").is_none());
    }
}
