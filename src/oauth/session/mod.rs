//! An authorized session: the seed SDK's `Cloud` (`authorize_url`, `token`, `refresh`,
//! `on_refreshed`, refresh on a 401) with state and PKCE, refresh ahead of expiry, one refresh at a
//! time, and new tokens persisted before anyone uses them.

mod device;
mod inspect;
mod introspect;
mod refresh;
mod userinfo;

pub use device::Revoked;
pub use inspect::Fetched;

use refresh::Backoff;

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, HeaderValue};

use super::{http, url_policy};
use crate::oauth::answer::AnswerCheck;
use crate::oauth::authorize::{AuthorizeRequest, CallbackParams, PendingAuthorization};
use crate::oauth::builder::{PersistHook, RefreshedCallback, SessionBuilder, SessionParts};
use crate::oauth::callback::CallbackListener;
use crate::oauth::error::Error;
use crate::oauth::exchange::TokenEndpoint;
use crate::oauth::hooks::{GuardHook, PersistRetryCallback, RefreshTrigger, ReportCallback};
use crate::oauth::id_token::{self, Expected};
use crate::oauth::provider::Provider;
use crate::oauth::redact::{SecretKind, Secrets};
use crate::oauth::secret::AuthorizationCode;
use crate::oauth::token::Tokens;

/// An OAuth 2.0 client session for one account. Cheap to clone; clones share tokens and the
/// single-flight refresh.
#[derive(Clone)]
pub struct Session {
    inner: Arc<Inner>,
}

struct Inner {
    endpoint: TokenEndpoint,
    redirect_uri: Mutex<String>,
    scopes: Vec<String>,
    authorize_params: Vec<(String, String)>,
    api: reqwest::Client,
    persist: Option<PersistHook>,
    refresh_guard: Option<GuardHook>,
    on_refresh_attempt: Option<ReportCallback>,
    persist_patience: Option<Duration>,
    on_persist_retry: Option<PersistRetryCallback>,
    on_refreshed: RwLock<Option<RefreshedCallback>>,
    pending: Mutex<Option<PendingAuthorization>>,
    state: Mutex<State>,
    /// Held over every token request and the storing of its answer: one refresh at a time.
    gate: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct State {
    tokens: Option<Tokens>,
    /// Bumped whenever the tokens change; a caller that saw an older value knows someone else
    /// already refreshed.
    generation: u64,
    /// Set when the latest refresh failed: automatic refreshes share its error instead of asking
    /// the server again, until `until` (for good, while the tokens stay the same, when the grant is
    /// dead).
    backoff: Option<Backoff>,
    /// The tokens are newer than what the persistence hook accepted.
    unsaved: bool,
}

/// What a caller saw before it waited for the gate.
#[derive(Clone, Copy)]
struct Seen {
    generation: u64,
}

impl Session {
    /// Starts configuring a session: the seed's `client_key` and `callback_url` (kept byte for
    /// byte, as callback URLs are case-sensitive).
    pub fn builder(provider: Provider, client_id: &str, redirect_uri: &str) -> SessionBuilder {
        SessionBuilder::new(provider, client_id, redirect_uri)
    }

    pub(crate) fn from_parts(parts: SessionParts) -> Session {
        Session {
            inner: Arc::new(Inner {
                endpoint: parts.endpoint,
                redirect_uri: Mutex::new(parts.redirect_uri),
                scopes: parts.scopes,
                authorize_params: parts.authorize_params,
                api: parts.api,
                persist: parts.persist,
                refresh_guard: parts.refresh_guard,
                on_refresh_attempt: parts.on_refresh_attempt,
                persist_patience: parts.persist_patience,
                on_persist_retry: parts.on_persist_retry,
                on_refreshed: RwLock::new(parts.on_refreshed),
                pending: Mutex::new(None),
                state: Mutex::new(State {
                    tokens: parts.tokens,
                    backoff: parts.dead_grant.map(|reason| Backoff {
                        error: Error::DeadGrant(reason),
                        until: None,
                        failures: 1,
                    }),
                    ..State::default()
                }),
                gate: tokio::sync::Mutex::new(()),
            }),
        }
    }

    pub fn provider(&self) -> &Provider {
        &self.inner.endpoint.provider
    }

    pub fn client_id(&self) -> &str {
        &self.inner.endpoint.client_id
    }

    /// The callback URL in use (after [`listen`](Self::listen), with the real port).
    pub fn redirect_uri(&self) -> String {
        lock(&self.inner.redirect_uri).clone()
    }

    /// The HTTP client to build API requests with; send them through [`send`](Self::send).
    pub fn http(&self) -> &reqwest::Client {
        &self.inner.api
    }

    /// The current token set, if linked.
    pub fn tokens(&self) -> Option<Tokens> {
        lock(&self.inner.state).tokens.clone()
    }

    /// Every secret this session holds — the client secret, the tokens, a pending authorization's
    /// PKCE verifier — to cut out of outside text before it is stored or shown (an API's answer,
    /// a hook's stderr). The session's own errors are already cut.
    pub fn secrets(&self) -> Secrets {
        let mut secrets = self.inner.endpoint.client_secrets();
        if let Some(tokens) = &lock(&self.inner.state).tokens {
            secrets.add_tokens(tokens);
        }
        if let Some(verifier) = lock(&self.inner.pending)
            .as_ref()
            .and_then(|p| p.verifier.as_ref())
        {
            secrets.add(SecretKind::PkceVerifier, verifier.secret());
        }
        secrets
    }

    /// Replaces the token set, e.g. with one another process stored. Does not run the hooks.
    pub fn set_tokens(&self, tokens: Option<Tokens>) {
        let mut state = lock(&self.inner.state);
        state.tokens = tokens;
        state.generation += 1;
        state.backoff = None;
        state.unsaved = false;
    }

    /// The seed's `cloud.on_refreshed = callback`.
    pub fn set_on_refreshed(&self, callback: impl Fn(&Tokens) + Send + Sync + 'static) {
        let mut slot = self
            .inner
            .on_refreshed
            .write()
            .unwrap_or_else(|e| e.into_inner());
        *slot = Some(Arc::new(callback));
    }

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

    /// The seed's `refresh()`: always asks the token endpoint, one refresh at a time.
    pub async fn refresh(&self) -> Result<Tokens, Error> {
        self.refresh_for(RefreshTrigger::Manual).await
    }

    /// A refresh on behalf of `trigger` (a scheduler refreshing ahead of expiry, say), reported
    /// as such. Unlike a manual one, it takes another process's fresh tokens instead.
    pub async fn refresh_for(&self, trigger: RefreshTrigger) -> Result<Tokens, Error> {
        let _gate = self.inner.gate.lock().await;
        self.refresh_locked(trigger).await
    }

    /// The current tokens, refreshed first when due (a lead before expiry); what a script asking
    /// for "a valid access token" wants.
    pub async fn valid_tokens(&self) -> Result<Tokens, Error> {
        self.usable_tokens().await.map(|(tokens, _)| tokens)
    }

    /// Sends an API request with the access token. A token due for refresh is refreshed first;
    /// a 401 refreshes once (or picks up a refresh that happened meanwhile) and retries once.
    /// A request whose body cannot be replayed is not retried; its 401 is returned.
    /// The URL must pass the URL policy (https, or http to a loopback address): the token never
    /// travels in the clear, and nothing is sent — not even a refresh — when it would.
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Result<reqwest::Response, Error> {
        let mut request = request
            .build()
            .map_err(|e| Error::Request(e.without_url().to_string()))?;
        url_policy::check(url_policy::UrlRole::Api, request.url())?;
        request
            .timeout_mut()
            .get_or_insert(self.inner.endpoint.timeout);
        let (tokens, seen) = self.usable_tokens().await?;
        let retry = request.try_clone();
        let response = self.execute(request, &tokens).await?;
        if response.status() != StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        let Some(retry) = retry else {
            return Ok(response);
        };
        let tokens = self
            .refresh_unless_changed(seen, RefreshTrigger::After401)
            .await?;
        self.execute(retry, &tokens).await
    }

    /// Reads the body of an answer from [`send`](Self::send), refusing one larger than `limit`
    /// bytes (with [`Error::AnswerTooLarge`]) before it is all in memory.
    pub async fn read_body(
        &self,
        response: reqwest::Response,
        limit: usize,
    ) -> Result<bytes::Bytes, Error> {
        super::api::read_body(response, limit, self.inner.endpoint.timeout).await
    }

    /// Tokens fit to send: refreshed first when due. A token that is due but not yet expired is
    /// still used if the refresh fails for a passing reason.
    async fn usable_tokens(&self) -> Result<(Tokens, Seen), Error> {
        let (tokens, seen, unsaved) = {
            let state = lock(&self.inner.state);
            let tokens = state.tokens.clone().ok_or(Error::NotAuthorized)?;
            (tokens, state.seen(), state.unsaved)
        };
        if unsaved {
            let _gate = self.inner.gate.lock().await;
            self.save_unsaved().await?;
        }
        let now = SystemTime::now();
        if !tokens.is_refresh_due(now) || tokens.refresh_token().is_none() {
            return Ok((tokens, seen));
        }
        match self
            .refresh_unless_changed(seen, RefreshTrigger::AheadOfExpiry)
            .await
        {
            Ok(fresh) => {
                let seen = lock(&self.inner.state).seen();
                Ok((fresh, seen))
            }
            Err(e) if e.is_transient() && !tokens.is_expired(now) => Ok((tokens, seen)),
            Err(e) => Err(e),
        }
    }

    async fn execute(
        &self,
        mut request: reqwest::Request,
        tokens: &Tokens,
    ) -> Result<reqwest::Response, Error> {
        let mut bearer = HeaderValue::from_str(&format!("Bearer {}", tokens.access_token()))
            .map_err(|_| Error::Request("the access token holds characters a header cannot carry; link the account again".into()))?;
        bearer.set_sensitive(true);
        request.headers_mut().insert(AUTHORIZATION, bearer);
        let url = url_policy::endpoint_label(request.url());
        let timeout = request.timeout().copied().unwrap_or(http::DEFAULT_TIMEOUT);
        self.inner
            .api
            .execute(request)
            .await
            .map_err(|e| http::transport_error(&url, timeout, e))
    }
}

impl State {
    fn seen(&self) -> Seen {
        Seen {
            generation: self.generation,
        }
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("provider", self.provider())
            .field("client_id", &self.client_id())
            .field("redirect_uri", &self.redirect_uri())
            .field("tokens", &self.tokens())
            .finish_non_exhaustive()
    }
}

/// A poisoned lock only means another thread panicked mid-update of plain data; carry on.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
