//! Who an account is when its ID token does not say (none, or only an opaque `sub`): asked at the
//! provider's userinfo endpoint after a link, and after a refresh for as long as it is unknown.
//! Only a label: a failure to learn it never fails the link or the refresh that asked.

use std::time::Duration;

use crate::oauth::{Session, identity};
use crate::store::Store;

/// How long a link or a refresh waits for userinfo before it moves on without a label.
const PATIENCE: Duration = Duration::from_secs(10);

/// Asks `session`'s userinfo endpoint who `name` is, when nothing better than a `sub` is known,
/// and records the answer. Whatever goes wrong, nothing changes and nothing is said: the label
/// stays as the ID token gave it (or absent), and the next refresh asks again.
pub(crate) async fn learn_identity(store: &Store, name: &str, session: &Session) {
    let Some(tokens) = session.tokens() else {
        return;
    };
    if session.provider().userinfo_endpoint().is_none() {
        return;
    }
    let current = store.status(name).identity;
    if !identity::wants_userinfo(tokens.id_token(), current.as_deref()) {
        return;
    }
    let Ok(Ok(claims)) = tokio::time::timeout(PATIENCE, session.userinfo()).await else {
        return;
    };
    // OpenID Connect Core §5.3.2: an answer about another subject is not about this account.
    let id_sub = tokens
        .id_token()
        .and_then(identity::jwt_claims)
        .and_then(|claims| identity::subject(&claims));
    if id_sub.is_some() && identity::subject(&claims) != id_sub {
        return;
    }
    if let Some(label) = identity::from_claims(&claims) {
        let _ = store.record_identity(name, &label);
    }
}
