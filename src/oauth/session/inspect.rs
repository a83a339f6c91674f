//! What a [`Session`] fetches to show a person what its tokens are: the provider's signing keys,
//! with the server's clock beside them.

use super::{Fetched, Session};
use crate::oauth::error::Error;
use crate::oauth::http;
use crate::oauth::jwt::Jwks;

/// Real key sets are a few KiB; a larger answer is not one.
const MAX_JWKS: usize = 256 << 10;

impl Session {
    /// Fetches the provider's signing keys from its `jwks_uri`; `Ok(None)` when the provider
    /// publishes none (or tokendeck was not told where).
    pub async fn jwks(&self) -> Result<Option<Fetched<Jwks>>, Error> {
        let Some(url) = self.provider().jwks_uri() else {
            return Ok(None);
        };
        let endpoint = &self.inner.endpoint;
        let request = endpoint.http.get(url.clone());
        let response =
            http::execute_limited(&endpoint.http, request, endpoint.timeout, MAX_JWKS).await?;
        let unusable = |reason: String| Error::InvalidResponse {
            url: response.url.clone(),
            status: response.status,
            reason,
        };
        if response.status != 200 {
            return Err(unusable(
                "it did not send the provider's signing keys; check the key set URL (jwks_uri), or discover the provider again".into(),
            ));
        }
        let value = Jwks::parse(&response.body).map_err(|e| match e {
            Error::InvalidKeySet(reason) => unusable(format!(
                "it is not the provider's signing keys ({reason}); check the key set URL (jwks_uri), or discover the provider again"
            )),
            other => other,
        })?;
        Ok(Some(Fetched {
            value,
            server_date: response.date,
        }))
    }
}
