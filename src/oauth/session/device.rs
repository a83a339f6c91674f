//! A [`Session`]'s second way to be linked, the device authorization grant (RFC 8628), and its
//! way out, revocation (RFC 7009).

use std::time::SystemTime;

use super::{Revoked, Session, lock};
use crate::oauth::device::{DeviceAuthorization, DevicePoll, MAX_INTERVAL, SLOW_DOWN_STEP};
use crate::oauth::error::{Error, ErrorCode};
use crate::oauth::token::Tokens;

/// A code refused this close to its expiry expired (the two clocks need not agree to the second).
const EXPIRY_SLACK: std::time::Duration = std::time::Duration::from_secs(2);

impl Session {
    /// Asks the provider for a device code, with the session's scopes and extra parameters and
    /// the client authenticated as at the token endpoint. Show the user its
    /// [`url_to_open`](DeviceAuthorization::url_to_open) and
    /// [`user_code`](DeviceAuthorization::user_code), then wait with
    /// [`device_tokens`](Self::device_tokens).
    pub async fn device_authorization(&self) -> Result<DeviceAuthorization, Error> {
        self.inner
            .endpoint
            .device_authorization(&self.inner.scopes, &self.inner.authorize_params, &|| {
                self.secrets()
            })
            .await
    }

    /// Polls the token endpoint until the user approves (the tokens are then persisted before
    /// they are returned, as after a code exchange), declines ([`Error::DeviceDenied`]) or lets
    /// the code expire ([`Error::DeviceExpired`]). Waits the provider's interval between polls,
    /// five seconds more after each `slow_down` or failed request, and after a busy answer with
    /// `Retry-After` at least as long as it asks (the code's expiry permitting). Cancel by
    /// dropping the future.
    pub async fn device_tokens(
        &self,
        authorization: &DeviceAuthorization,
    ) -> Result<Tokens, Error> {
        let expired = || Error::DeviceExpired {
            valid_for: authorization.valid_for(),
        };
        let mut interval = authorization.interval();
        // Until the next poll: the interval, unless the server asked for longer.
        let mut wait = interval;
        loop {
            // The wall clock, not a monotonic one: a laptop asleep past the expiry wakes to it.
            let left = authorization
                .expires_at()
                .duration_since(SystemTime::now())
                .map_err(|_| expired())?;
            if left.is_zero() {
                return Err(expired());
            }
            tokio::time::sleep(wait.min(left)).await;
            let _gate = self.inner.gate.lock().await;
            let poll = self
                .inner
                .endpoint
                .poll_device(authorization.device_code(), &|| self.secrets())
                .await;
            match poll {
                DevicePoll::Tokens(tokens) => {
                    // No nonce: the device grant has none (RFC 8628).
                    let tokens = self.accepted_at_link(tokens, None)?;
                    return self.install(tokens).await;
                }
                DevicePoll::Pending => wait = interval,
                DevicePoll::SlowDown => {
                    interval = (interval + SLOW_DOWN_STEP).min(MAX_INTERVAL);
                    wait = interval;
                }
                // The server said when: that, not a guess (and not for good, as `slow_down` is).
                DevicePoll::RetryAfter(asked) => wait = asked.max(interval),
                DevicePoll::Denied(description) => {
                    return Err(Error::DeviceDenied { description });
                }
                DevicePoll::Expired => return Err(expired()),
                // Some servers (oidc-provider) forget an expired code and call it invalid.
                DevicePoll::Failed(Error::Rejected {
                    error: ErrorCode::InvalidGrant,
                    ..
                }) if SystemTime::now() + EXPIRY_SLACK >= authorization.expires_at() => {
                    return Err(expired());
                }
                DevicePoll::Failed(e) => return Err(e),
            }
        }
    }

    /// Gives the grant back at the provider's revocation endpoint: the refresh token when one is
    /// held (which ends the grant), else the access token. `Ok(None)` when there is no token to
    /// give back. The session's tokens are kept: the caller decides what to forget.
    pub async fn revoke(&self) -> Result<Option<Revoked>, Error> {
        let Some(tokens) = lock(&self.inner.state).tokens.clone() else {
            return Ok(None);
        };
        let endpoint = &self.inner.endpoint;
        let known = || self.secrets();
        match tokens.refresh_token() {
            Some(refresh) => endpoint
                .revoke(refresh, "refresh_token", &known)
                .await
                .map(|()| Some(Revoked::RefreshToken)),
            None => endpoint
                .revoke(tokens.access_token(), "access_token", &known)
                .await
                .map(|()| Some(Revoked::AccessToken)),
        }
    }
}
