//! What usually makes a provider issue a refresh token, when a link ended without one: the
//! settings the account's preset documents (Google's `access_type=offline` and `prompt=consent`,
//! Microsoft's `offline_access` scope), else OpenID Connect's rule (`offline_access`, honoured
//! only with `prompt=consent`, Core §11) — less whatever the account already asks for.

use crate::oauth::presets::Preset;
use crate::store::Account;

/// The scope OpenID Connect defines for a refresh token.
const OFFLINE_ACCESS: &str = "offline_access";
/// The authorization parameters that ask for a refresh token, where a provider uses them.
const OFFLINE_PARAMS: [&str; 2] = ["access_type", "prompt"];

/// Settings to add so that the next link brings a refresh token.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RefreshTokenAdvice {
    /// A scope the account lacks.
    pub add_scope: Option<String>,
    /// Authorization parameters the account lacks (or sets otherwise), as `key`, `value`.
    pub set_params: Vec<(String, String)>,
    /// The advice is the account's preset's, not OpenID Connect's general rule.
    pub from_preset: bool,
}

impl RefreshTokenAdvice {
    /// Nothing left to suggest: the account asks for all that is known to help.
    pub fn is_empty(&self) -> bool {
        self.add_scope.is_none() && self.set_params.is_empty()
    }
}

/// The advice for `account`.
pub fn refresh_token_advice(account: &Account) -> RefreshTokenAdvice {
    let preset = Preset::find(&account.kind);
    let known = preset.as_ref().filter(|p| {
        p.scopes.iter().any(|s| s == OFFLINE_ACCESS)
            || OFFLINE_PARAMS.iter().any(|k| p.params.contains_key(*k))
    });
    let (scope_helps, params): (bool, Vec<(String, String)>) = match known {
        Some(preset) => (
            preset.scopes.iter().any(|s| s == OFFLINE_ACCESS),
            OFFLINE_PARAMS
                .iter()
                .filter_map(|k| Some((k.to_string(), preset.params.get(*k)?.clone())))
                .filter(|(_, v)| !v.is_empty())
                .collect(),
        ),
        None => (true, vec![("prompt".into(), "consent".into())]),
    };
    RefreshTokenAdvice {
        add_scope: (scope_helps && !account.scopes.iter().any(|s| s == OFFLINE_ACCESS))
            .then(|| OFFLINE_ACCESS.to_string()),
        set_params: params
            .into_iter()
            .filter(|(k, v)| account.params.get(k) != Some(v))
            .collect(),
        from_preset: known.is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(kind: &str, scopes: &[&str], params: &[(&str, &str)]) -> Account {
        Account {
            kind: kind.into(),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            params: params
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..crate::store::accounts::tests::account()
        }
    }

    #[test]
    fn google_needs_its_two_parameters_not_a_scope() {
        let advice = refresh_token_advice(&account("google", &["openid"], &[]));
        assert_eq!(advice.add_scope, None);
        assert_eq!(
            advice.set_params,
            [
                ("access_type".to_string(), "offline".to_string()),
                ("prompt".to_string(), "consent".to_string())
            ]
        );
        assert!(advice.from_preset);
        let done = account(
            "google",
            &["openid"],
            &[("access_type", "offline"), ("prompt", "consent")],
        );
        assert!(refresh_token_advice(&done).is_empty());
    }

    #[test]
    fn microsoft_needs_offline_access() {
        let advice = refresh_token_advice(&account("microsoft", &["User.Read"], &[]));
        assert_eq!(advice.add_scope.as_deref(), Some("offline_access"));
        assert!(advice.set_params.is_empty() && advice.from_preset);
    }

    #[test]
    fn any_other_provider_gets_the_openid_connect_rule() {
        let advice = refresh_token_advice(&account("custom", &["openid", "api"], &[]));
        assert_eq!(advice.add_scope.as_deref(), Some("offline_access"));
        assert_eq!(
            advice.set_params,
            [("prompt".to_string(), "consent".to_string())]
        );
        assert!(!advice.from_preset);
    }
}
