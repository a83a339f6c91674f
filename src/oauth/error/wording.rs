//! The words of the errors: what a refusal means and what to do about it, sizes and waits as a
//! person reads them.

use super::{ErrorCode, Grant};
use crate::oauth::RetryAfter;
use crate::oauth::refusal::with_description;

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
            ", it asks to wait {} s; tokendeck waits at most {} s",
            asked.as_secs(),
            wait.as_secs()
        ),
        Some(RetryAfter { wait, asked: None }) => {
            format!(", it asks to wait {} s", wait.as_secs())
        }
        None => String::new(),
    }
}
