//! The words of the errors: what a refusal means and what to do about it, the provider's own text
//! fit into ours, sizes and waits as a person reads them.

use super::code::{ErrorCode, Grant};
use crate::oauth::retry_after::RetryAfter;

/// The refresh token (or the code) is spent: `invalid_grant`, or a 401 that does not blame the
/// client (Verizon's documented answer to a dead refresh token).
pub(super) fn is_dead_grant(status: u16, error: &ErrorCode) -> bool {
    (status == 401 && !error.refuses_client()) || *error == ErrorCode::InvalidGrant
}

pub(super) fn rejected_message(
    grant: Grant,
    status: u16,
    error: &ErrorCode,
    description: Option<&str>,
) -> String {
    let detail = with_description(error.as_str(), description);
    let advice = match (grant, error) {
        (_, code) if code.refuses_client() => {
            "check the client id, the client secret and the client authentication method"
        }
        (Grant::AuthorizationCode, ErrorCode::InvalidGrant) => {
            "the code is wrong, expired or already used: open the authorization URL again and paste the new answer"
        }
        (Grant::Revocation, _) => {
            "the grant may stay valid at the provider until it expires; revoke tokendeck's access in your account settings at the provider"
        }
        (Grant::DeviceCode, ErrorCode::InvalidGrant) => {
            "the device code is no longer valid (expired or already used): start the link again"
        }
        (Grant::DeviceCode, ErrorCode::UnsupportedGrantType) => {
            "the provider does not accept the device authorization grant from this client: link with the authorization URL instead"
        }
        (Grant::RefreshToken, _) if is_dead_grant(status, error) => {
            "the refresh token is no longer valid (expired, revoked or already used): link the account again"
        }
        (_, code) if code.is_temporary() => "the provider is having trouble; try again later",
        _ => "check the account's settings, then try again",
    };
    format!("the provider rejected the request (HTTP {status}, {detail}); {advice}")
}

/// Text from the provider, made fit to go inside a sentence: a description that ends with its own
/// full stop would otherwise end in two (`use "S256"..`).
pub(crate) fn clause(text: &str) -> &str {
    text.trim_end().trim_end_matches(['.', '。']).trim_end()
}

/// `what`, then the provider's description of it when it gave one.
pub(crate) fn with_description(what: &str, description: Option<&str>) -> String {
    match description.map(clause).filter(|d| !d.is_empty()) {
        Some(d) => format!("{what}: {d}"),
        None => what.to_string(),
    }
}

/// What an authorization response's refusal says, without advice.
pub(crate) fn denial(error: &ErrorCode) -> String {
    match error {
        ErrorCode::AccessDenied => "access was denied at the provider".into(),
        ErrorCode::InvalidScope => {
            "the provider refused the scopes requested (invalid_scope)".into()
        }
        _ => format!("the provider refused the authorization ({error})"),
    }
}

/// The message of a refused authorization: what happened, then what to do.
pub(super) fn denied_message(error: &ErrorCode, description: Option<&str>) -> String {
    let what = with_description(&denial(error), description);
    let advice = match error {
        ErrorCode::AccessDenied => "Open the authorization URL again to retry",
        code if code.is_temporary() => "Wait a moment, then open the authorization URL again",
        ErrorCode::InvalidScope => "Change the scopes requested, then authorize again",
        ErrorCode::UnauthorizedClient => {
            "Check the client id and the client's registration at the provider, then authorize again"
        }
        ErrorCode::InvalidRequest | ErrorCode::UnsupportedResponseType => {
            "Check the extra authorization parameters and the callback URL, then authorize again"
        }
        _ => "Open the authorization URL again to retry",
    };
    format!("{what}. {advice}")
}

/// `limit` bytes as a person reads them: 16 MiB, 256 KiB.
pub(super) fn size(limit: usize) -> String {
    match limit {
        l if l >= 1 << 20 && l % (1 << 20) == 0 => format!("{} MiB", l >> 20),
        l if l >= 1 << 10 && l % (1 << 10) == 0 => format!("{} KiB", l >> 10),
        l => format!("{l} bytes"),
    }
}

pub(super) fn retry_hint(retry_after: &Option<RetryAfter>) -> String {
    match retry_after {
        Some(RetryAfter {
            wait,
            asked: Some(asked),
        }) => format!(
            ", it asks to wait {}; tokendeck waits at most {}",
            crate::time::short_duration(asked.as_secs()),
            crate::time::short_duration(wait.as_secs())
        ),
        Some(RetryAfter { wait, asked: None }) => {
            format!(
                ", it asks to wait {}",
                crate::time::short_duration(wait.as_secs())
            )
        }
        None => String::new(),
    }
}
