//! Whether a [`Session`]'s token is live, asked at the introspection endpoint (RFC 7662).

use super::{Session, lock};
use crate::oauth::error::Error;
use crate::oauth::introspection::{Introspection, TokenKind};

impl Session {
    /// Asks the introspection endpoint whether the session's access or refresh token is live,
    /// with the client authenticated as at the token endpoint. Many providers answer only
    /// resource servers: their refusal is [`Error::IntrospectionRefused`].
    pub async fn introspect(&self, which: TokenKind) -> Result<Introspection, Error> {
        let tokens = lock(&self.inner.state)
            .tokens
            .clone()
            .ok_or(Error::NotAuthorized)?;
        let token = match which {
            TokenKind::Access => tokens.access_token(),
            TokenKind::Refresh => tokens.refresh_token().ok_or(Error::NoRefreshToken)?,
        };
        self.inner
            .endpoint
            .introspect(token, which)
            .await
            .map_err(|e| e.redacted(&self.secrets()))
    }
}
