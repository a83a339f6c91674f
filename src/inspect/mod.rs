//! `inspect`: what an account's stored tokens say — decoded, checked against the provider's
//! signing keys, scopes granted against requested, the clocks compared, and (on request) what
//! the provider's introspection endpoint says. It reads the stored tokens and never refreshes
//! them; the only network calls are the key set and, when asked, introspection.

mod describe;
mod report;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

pub use describe::{Row, Section, Tone, sections, to_text};
pub use report::{
    Answers, IntrospectionReport, Keys, Report, SKEW_WARNING, Scopes, Skew, TokenReport,
};

use crate::oauth::introspection::TokenKind;
use crate::oauth::jwt::Jwt;
use crate::refresh::{AccountError, Persistence, open_session};
use crate::store::Store;

/// Inspects `name`'s stored tokens; `introspect` asks the provider about the access token too.
pub async fn inspect(
    store: &Arc<Store>,
    name: &str,
    introspect: bool,
) -> Result<Report, AccountError> {
    let account = store.accounts()?.get(name)?.clone();
    // Nothing here refreshes: the session only carries the client's credentials and the tokens.
    let persistence = Persistence::for_a_while(Duration::from_secs(5), |_| {});
    let session = open_session(store, name, &persistence).await?;
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
    Ok(Report::build(
        name,
        store.status(name).identity,
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
