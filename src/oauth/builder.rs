//! How a [`Session`] is configured: the seed's constructor arguments plus what it lacked.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use url::Url;

use super::error::{BoxError, ConfigField, Error};
use super::exchange::{AuthMethod, TokenEndpoint};
use super::hooks::{
    GuardHook, PersistHook, PersistRetry, PersistRetryCallback, RefreshGuard, RefreshReport,
    RefreshedCallback, ReportCallback,
};
use super::http;
use super::params::reserved_param_problem;
use super::provider::Provider;
use super::secret::ClientSecret;
use super::session::{Session, SessionParts};
use super::token::Tokens;

/// How long a session keeps trying to persist new tokens unless told otherwise.
pub const DEFAULT_PERSIST_PATIENCE: Duration = Duration::from_secs(30);

/// Builds a [`Session`]; see [`Session::builder`].
pub struct SessionBuilder {
    provider: Provider,
    client_id: String,
    redirect_uri: String,
    client_secret: Option<ClientSecret>,
    auth_method: Option<AuthMethod>,
    scopes: Vec<String>,
    authorize_params: Vec<(String, String)>,
    tokens: Option<Tokens>,
    dead_grant: Option<String>,
    on_refreshed: Option<RefreshedCallback>,
    persist: Option<PersistHook>,
    refresh_guard: Option<GuardHook>,
    on_refresh_attempt: Option<ReportCallback>,
    persist_patience: Option<Duration>,
    on_persist_retry: Option<PersistRetryCallback>,
    timeout: Duration,
}

impl Session {
    /// Starts configuring a session: the seed's `client_key` and `callback_url` (kept byte for
    /// byte, as callback URLs are case-sensitive).
    pub fn builder(provider: Provider, client_id: &str, redirect_uri: &str) -> SessionBuilder {
        SessionBuilder::new(provider, client_id, redirect_uri)
    }
}

impl SessionBuilder {
    fn new(provider: Provider, client_id: &str, redirect_uri: &str) -> Self {
        SessionBuilder {
            provider,
            client_id: client_id.to_string(),
            redirect_uri: redirect_uri.to_string(),
            client_secret: None,
            auth_method: None,
            scopes: Vec::new(),
            authorize_params: Vec::new(),
            tokens: None,
            dead_grant: None,
            on_refreshed: None,
            persist: None,
            refresh_guard: None,
            on_refresh_attempt: None,
            persist_patience: Some(DEFAULT_PERSIST_PATIENCE),
            on_persist_retry: None,
            timeout: http::DEFAULT_TIMEOUT,
        }
    }

    /// The client secret of a confidential client; public clients have none.
    pub fn client_secret(mut self, secret: impl Into<String>) -> Self {
        self.client_secret = Some(ClientSecret::new(secret));
        self
    }

    /// How the client authenticates at the token endpoint. Default: `Basic` when a secret is
    /// set, `None` otherwise.
    pub fn auth_method(mut self, method: AuthMethod) -> Self {
        self.auth_method = Some(method);
        self
    }

    /// Scopes to request; space-joined in the authorization URL.
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// An extra authorization parameter (Verizon's `deviceid`, `prompt`, `access_type`, …). One
    /// that tokendeck sets itself (`state`, `redirect_uri`, `scope`, …) makes
    /// [`build`](Self::build) fail.
    pub fn authorize_param(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.authorize_params.push((key.into(), value.into()));
        self
    }

    /// Resumes from stored tokens.
    pub fn tokens(mut self, tokens: Tokens) -> Self {
        self.tokens = Some(tokens);
        self
    }

    /// The stored grant is known to be dead (a refresh was refused for good earlier, perhaps by
    /// another process): automatic refreshes fail at once with `reason` instead of asking the
    /// server again. A manual `refresh()` still tries; a new link clears it.
    pub fn dead_grant(mut self, reason: impl Into<String>) -> Self {
        self.dead_grant = Some(reason.into());
        self
    }

    /// Runs after every refresh, manual or automatic, once the new tokens are persisted.
    pub fn on_refreshed(mut self, callback: impl Fn(&Tokens) + Send + Sync + 'static) -> Self {
        self.on_refreshed = Some(Arc::new(callback));
        self
    }

    /// Stores a new token set (after a code exchange or a refresh) before anyone can use it.
    /// If it fails, the new access token is not handed out and the error says so.
    pub fn persist<F, Fut, E>(mut self, persist: F) -> Self
    where
        F: Fn(Tokens) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<BoxError> + 'static,
    {
        self.persist = Some(Arc::new(move |tokens| {
            let future = persist(tokens);
            Box::pin(async move { future.await.map_err(Into::into) })
        }));
        self
    }

    /// Runs before every refresh, with the session's own refresh slot held: takes whatever makes
    /// the refresh exclusive across processes and returns the token set as stored now. If another
    /// process refreshed meanwhile, the session takes the stored tokens instead of spending an
    /// already-rotated refresh token. What the guard holds is released once the new tokens are
    /// persisted and the attempt reported (see [`on_refresh_attempt`](Self::on_refresh_attempt)).
    pub fn refresh_guard<F, Fut, E>(mut self, guard: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<RefreshGuard, E>> + Send + 'static,
        E: Into<BoxError> + 'static,
    {
        self.refresh_guard = Some(Arc::new(move || {
            let future = guard();
            Box::pin(async move { future.await.map_err(Into::into) })
        }));
        self
    }

    /// Told about every refresh attempt — its trigger and outcome — for a log; while the refresh
    /// guard, if there is one, is still held.
    pub fn on_refresh_attempt(
        mut self,
        callback: impl Fn(&RefreshReport<'_>) + Send + Sync + 'static,
    ) -> Self {
        self.on_refresh_attempt = Some(Arc::new(callback));
        self
    }

    /// How long new tokens that could not be persisted are retried before the refresh gives up
    /// with [`Error::Persist`] (default 30 s); `None` keeps trying for as long as the session
    /// lives. The tokens are kept in memory all along and used by no one until saved.
    pub fn persist_patience(mut self, patience: Option<Duration>) -> Self {
        self.persist_patience = patience;
        self
    }

    /// Told each time persisting failed and will be tried again (to tell a person, or to mark
    /// the account as holding unsaved tokens).
    pub fn on_persist_retry(
        mut self,
        callback: impl Fn(&PersistRetry<'_>) + Send + Sync + 'static,
    ) -> Self {
        self.on_persist_retry = Some(Arc::new(callback));
        self
    }

    /// Total time a token request, or an API request through [`Session::send`], may take
    /// (default 30 s); an API request can set its own.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn build(self) -> Result<Session, Error> {
        if self.client_id.trim().is_empty() {
            return Err(Error::InvalidConfig {
                field: ConfigField::ClientId,
                message: "the client id is empty; copy it from the provider's app registration"
                    .into(),
            });
        }
        Url::parse(&self.redirect_uri).map_err(|e| Error::InvalidUrl {
            what: super::url_policy::UrlRole::Callback,
            url: self.redirect_uri.clone(),
            reason: format!("{e}; give the exact URL registered at the provider"),
        })?;
        if let Some(problem) = self
            .authorize_params
            .iter()
            .find_map(|(key, _)| reserved_param_problem(key))
        {
            return Err(Error::Config(problem));
        }
        let auth_method = match (self.auth_method, &self.client_secret) {
            (Some(AuthMethod::Basic | AuthMethod::Post), None) => {
                return Err(Error::InvalidConfig {
                    field: ConfigField::ClientSecret,
                    message: "client authentication `basic` or `post` needs a client secret; set one, or use `none` for a public client".into(),
                });
            }
            (Some(AuthMethod::None), Some(_)) => {
                return Err(Error::InvalidConfig {
                    field: ConfigField::ClientSecret,
                    message: "a client secret was given for a public client (`none`); choose `basic` or `post`, or drop the secret".into(),
                });
            }
            (Some(method), _) => method,
            (None, Some(_)) => AuthMethod::Basic,
            (None, None) => AuthMethod::None,
        };
        let endpoint = TokenEndpoint {
            provider: self.provider,
            client_id: self.client_id,
            client_secret: self.client_secret,
            auth_method,
            http: http::protocol_client(self.timeout)?,
            timeout: self.timeout,
        };
        let api = super::api::client(self.timeout)?;
        Ok(Session::from_parts(SessionParts {
            endpoint,
            redirect_uri: self.redirect_uri,
            scopes: self.scopes,
            authorize_params: self.authorize_params,
            tokens: self.tokens,
            dead_grant: self.dead_grant,
            on_refreshed: self.on_refreshed,
            persist: self.persist,
            refresh_guard: self.refresh_guard,
            on_refresh_attempt: self.on_refresh_attempt,
            persist_patience: self.persist_patience,
            on_persist_retry: self.on_persist_retry,
            api,
        }))
    }
}
