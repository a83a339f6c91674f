//! An authorized session: the seed SDK's `Cloud` (`authorize_url`, `token`, `refresh`,
//! `on_refreshed`, refresh on a 401) with state and PKCE, refresh ahead of expiry, one refresh at a
//! time, and new tokens persisted before anyone uses them.

mod device;
mod inspect;
mod introspect;
mod link;
mod refresh;
mod userinfo;

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, HeaderValue};

use super::{http, url_policy};
use crate::oauth::authorize::PendingAuthorization;
use crate::oauth::error::Error;
use crate::oauth::exchange::TokenEndpoint;
use crate::oauth::hooks::{
    GuardHook, PersistHook, PersistRetryCallback, RefreshTrigger, RefreshedCallback, ReportCallback,
};
use crate::oauth::provider::Provider;
use crate::oauth::redact::{SecretKind, Secrets};
use crate::oauth::token::Tokens;

/// What [`SessionBuilder::build`](crate::oauth::SessionBuilder::build) hands to the session.
pub(crate) struct SessionParts {
    pub endpoint: TokenEndpoint,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub authorize_params: Vec<(String, String)>,
    pub tokens: Option<Tokens>,
    pub dead_grant: Option<String>,
    pub on_refreshed: Option<RefreshedCallback>,
    pub persist: Option<PersistHook>,
    pub refresh_guard: Option<GuardHook>,
    pub on_refresh_attempt: Option<ReportCallback>,
    pub persist_patience: Option<Duration>,
    pub on_persist_retry: Option<PersistRetryCallback>,
    pub api: reqwest::Client,
}

/// Which token a revocation gave back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Revoked {
    /// The refresh token, and with it (RFC 7009 §2.1) the grant behind it.
    RefreshToken,
    /// The access token only: no refresh token was held.
    AccessToken,
}

/// Something fetched from the provider, and when the provider's clock said it sent it.
#[derive(Clone, Debug)]
pub struct Fetched<T> {
    pub value: T,
    /// The answer's HTTP `Date` header, when it had one: the provider's clock, to compare with
    /// this machine's (tokens' `iat`, `exp` and `nbf` are read against it).
    pub server_date: Option<SystemTime>,
}

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

/// Set when the latest refresh failed.
struct Backoff {
    error: Error,
    until: Option<Instant>,
    failures: u32,
}

/// What a caller saw before it waited for the gate.
#[derive(Clone, Copy)]
struct Seen {
    generation: u64,
}

impl Session {
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

    /// The seed's `refresh()`: always asks the token endpoint, one refresh at a time.
    pub async fn refresh(&self) -> Result<Tokens, Error> {
        self.refresh_for(RefreshTrigger::Manual).await
    }

    /// A refresh on behalf of `trigger` (a scheduler refreshing ahead of expiry, say), reported
    /// as such. Unlike a manual one, it takes another process's fresh tokens instead.
    ///
    /// Once its token request is sent, a refresh runs to its end — the answer persisted and
    /// reported — even if the caller stops waiting (drops this future); one whose caller left
    /// before its turn sends nothing.
    pub async fn refresh_for(&self, trigger: RefreshTrigger) -> Result<Tokens, Error> {
        self.refresh_detached(None, trigger).await
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
