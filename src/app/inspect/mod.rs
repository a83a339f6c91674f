//! `inspect`: what an account's stored tokens say — decoded, checked against the provider's
//! signing keys, scopes granted against requested, the clocks compared, and (on request) what
//! the provider's introspection endpoint says. It reads the stored tokens and never refreshes
//! them; the only network calls are the key set and, when asked, introspection.

pub mod report;
mod verdict;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

pub use report::{
    Answers, Client, IntrospectionReport, Keys, Report, SKEW_WARNING, Scopes, Skew, TokenReport,
};
pub use verdict::{ClaimCheck, Verdict};

use crate::app::{AccountError, Persistence, open_session_as};
use crate::oauth::Provider;
use crate::oauth::introspection::TokenKind;
use crate::oauth::jwt::Jwt;
use crate::oauth::presets::Preset;
use crate::store::Store;

/// Inspects `name`'s stored tokens; `introspect` asks the provider about the access token too.
pub async fn inspect(
    store: &Arc<Store>,
    name: &str,
    introspect: bool,
) -> Result<Report, AccountError> {
    let mut account = store.accounts()?.get(name)?.clone();
    account.provider = with_endpoints_learned_since(account.provider, &account.kind).await;
    // Nothing here refreshes: the session only carries the client's credentials and the tokens.
    let persistence = Persistence::for_a_while(Duration::from_secs(5), |_| {});
    let session = open_session_as(store, name, &account, &persistence).await?;
    let tokens = session
        .tokens()
        .ok_or_else(|| AccountError::NotLinked(name.to_string()))?;
    let any_jwt = Jwt::decode(tokens.access_token()).is_some()
        || tokens.id_token().and_then(Jwt::decode).is_some();
    let jwks_uri = account.provider.jwks_uri().map(|u| u.to_string());
    let jwks = match (&jwks_uri, any_jwt) {
        (Some(_), true) => Some(match session.jwks().await {
            Ok(Some(fetched)) => Ok(fetched),
            Ok(None) => Err("the provider names no key set".to_string()),
            Err(e) => Err(e.to_string()),
        }),
        _ => None,
    };
    let fetched_at = SystemTime::now();
    let introspection = match introspect {
        true => Some(
            session
                .introspect(TokenKind::Access)
                .await
                .map_err(|e| e.to_string()),
        ),
        false => None,
    };
    let client = Client {
        client_id: &account.client_id,
        issuer: account.provider.issuer(),
    };
    Ok(Report::build(
        name,
        store.status(name).identity,
        client,
        &account.scopes,
        &tokens,
        Answers {
            jwks_uri,
            jwks,
            fetched_at,
            introspection,
        },
    ))
}

/// An account added before tokendeck knew of key sets and introspection (or by a preset since
/// given them) lacks those endpoints in its stored provider. For inspection — never stored — they
/// are taken from the account's preset, or from discovery of its issuer when it was discovered;
/// if neither answers, the provider stays as it is.
async fn with_endpoints_learned_since(provider: Provider, kind: &str) -> Provider {
    if provider.jwks_uri().is_some() && provider.introspection_endpoint().is_some() {
        return provider;
    }
    let source = match (Preset::find(kind), provider.issuer()) {
        (Some(preset), _) => preset.provider().ok(),
        (None, Some(issuer)) if kind == "issuer" => Provider::discover(issuer).await.ok(),
        _ => None,
    };
    let Some(source) = source else {
        return provider;
    };
    // Only from the same provider: a preset or a discovery document naming another token
    // endpoint (a hand-edited account) lends it nothing.
    if source.token_endpoint() != provider.token_endpoint() {
        return provider;
    }
    let mut provider = provider;
    if provider.jwks_uri().is_none()
        && let Some(url) = source.jwks_uri()
    {
        provider = provider
            .clone()
            .with_jwks_uri(url.as_str())
            .unwrap_or(provider);
    }
    if provider.introspection_endpoint().is_none()
        && let Some(url) = source.introspection_endpoint()
    {
        provider = provider
            .clone()
            .with_introspection_endpoint(url.as_str())
            .unwrap_or(provider);
    }
    provider
}
