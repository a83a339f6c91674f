//! A [`Session`]'s first way to be linked, the authorization code flow: the authorization URL
//! (with `state`, PKCE and a nonce), the loopback callback or the pasted answer, the code
//! exchange, and the ID token that comes with the tokens checked before they are kept.

use std::time::SystemTime;

use super::{Session, lock};
use crate::oauth::answer::AnswerCheck;
use crate::oauth::authorize::{AuthorizeRequest, CallbackParams, PendingAuthorization};
use crate::oauth::callback::CallbackListener;
use crate::oauth::error::Error;
use crate::oauth::id_token::{self, Expected};
use crate::oauth::secret::AuthorizationCode;
use crate::oauth::token::Tokens;

impl Session {
    /// A fresh authorization URL: new `state` and PKCE pair each call. The latest one is
    /// remembered; [`token`](Self::token) checks answers against it.
    pub fn authorize_url(&self) -> String {
        let redirect_uri = self.redirect_uri();
        let pending = AuthorizeRequest {
            endpoint: self.provider().authorization_endpoint(),
            client_id: self.client_id(),
            redirect_uri: &redirect_uri,
            scopes: &self.inner.scopes,
            extra: &self.inner.authorize_params,
            pkce: self.provider().uses_pkce(),
            // Only an OpenID Connect request has an ID token to carry it back.
            nonce: self.inner.scopes.iter().any(|s| s == "openid"),
        }
        .issue();
        let url = pending.url.clone();
        *lock(&self.inner.pending) = Some(pending);
        url
    }

    /// Binds the loopback callback URL (a port of 0 picks a free one, which later authorization
    /// URLs then carry). Call before [`authorize_url`](Self::authorize_url).
    pub async fn listen(&self) -> Result<CallbackListener, Error> {
        let listener = CallbackListener::bind(&self.redirect_uri()).await?;
        *lock(&self.inner.redirect_uri) = listener.redirect_uri().to_string();
        Ok(listener)
    }

    /// Waits until the browser reaches `listener` with the answer to the latest authorization
    /// URL, then exchanges the code; the browser's page says how that ended. Cancel by dropping
    /// the future.
    pub async fn wait_for_callback(&self, listener: &CallbackListener) -> Result<Tokens, Error> {
        let pending = self.pending()?;
        let check = AnswerCheck::new(&pending.state, self.provider());
        let (code, browser) = listener
            .accept(&check)
            .await
            .map_err(|e| e.redacted(&self.secrets()))?;
        let result = self.exchange(pending, &code).await;
        browser.tell(result.as_ref().map(|_| ())).await;
        result
    }

    /// The seed's `token(code)`: takes what the user pasted — a bare code, the whole redirect URL
    /// or its query string — checks it against the latest authorization URL, and exchanges it.
    pub async fn token(&self, pasted: &str) -> Result<Tokens, Error> {
        self.complete(CallbackParams::from_pasted(pasted)?).await
    }

    async fn complete(&self, params: CallbackParams) -> Result<Tokens, Error> {
        let pending = self.pending()?;
        let code = AnswerCheck::new(&pending.state, self.provider())
            .verify(params)
            .map_err(|e| e.redacted(&self.secrets()))?;
        self.exchange(pending, &code).await
    }

    fn pending(&self) -> Result<PendingAuthorization, Error> {
        lock(&self.inner.pending)
            .clone()
            .ok_or(Error::NoPendingAuthorization)
    }

    /// Exchanges the code of the answer to `pending`, and keeps (persists) the tokens.
    async fn exchange(
        &self,
        pending: PendingAuthorization,
        code: &AuthorizationCode,
    ) -> Result<Tokens, Error> {
        let _gate = self.inner.gate.lock().await;
        let tokens = self
            .inner
            .endpoint
            .exchange_code(
                code,
                &pending.redirect_uri,
                pending.verifier.as_ref(),
                &|| self.secrets(),
            )
            .await?;
        {
            // A code is single-use: once exchanged, its authorization is done.
            let mut slot = lock(&self.inner.pending);
            if slot.as_ref().is_some_and(|p| p.state == pending.state) {
                *slot = None;
            }
        }
        let tokens = self.accepted_at_link(tokens, pending.nonce)?;
        self.install(tokens).await
    }

    /// What the ID token that comes with this session's tokens must fit: the provider's issuer,
    /// this client, and the nonce its sign-in sent.
    pub(super) fn expected<'a>(&'a self, nonce: Option<&'a str>) -> Expected<'a> {
        Expected {
            issuer: self.provider().issuer(),
            client_id: self.client_id(),
            nonce,
        }
    }

    /// Tokens from a link (a code exchange, the device grant), refused whole when their ID token
    /// does not fit the account (OpenID Connect Core §3.1.3.7: "the information that failed to
    /// validate MUST NOT be used"); kept with the nonce the sign-in sent.
    pub(super) fn accepted_at_link(
        &self,
        tokens: Tokens,
        nonce: Option<String>,
    ) -> Result<Tokens, Error> {
        if let Some(raw) = tokens.id_token() {
            let expected = self.expected(nonce.as_deref());
            let problems = id_token::refused_at_link(raw, &expected, SystemTime::now());
            if !problems.is_empty() {
                return Err(Error::IdTokenRefused { problems });
            }
        }
        Ok(tokens.with_nonce(nonce))
    }
}
