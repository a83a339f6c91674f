//! The rules of changing an account's settings, checked without a store.

use super::*;

fn account() -> Account {
    Account {
        auth_method: AuthMethod::None,
        ..crate::store::accounts::tests::account()
    }
}

#[test]
fn only_what_is_given_changes() {
    let change = AccountChange {
        scopes: Some(vec!["api".into()]),
        ..AccountChange::default()
    };
    let (updated, secret, changed) = change.changed(&account(), None).unwrap();
    assert_eq!(updated.scopes, ["api"]);
    assert_eq!(updated.params, account().params, "parameters kept");
    assert_eq!(secret, None);
    assert_eq!(changed.settings, [Setting::Scopes]);
    assert!(changed.applies_at_next_link);
}

#[test]
fn a_secret_for_a_public_client_makes_it_confidential_as_add_does() {
    let change = AccountChange {
        client_secret: Some("s3cret".into()),
        ..AccountChange::default()
    };
    let (updated, secret, changed) = change.changed(&account(), None).unwrap();
    assert_eq!(updated.auth_method, AuthMethod::Basic);
    assert_eq!(secret.as_deref(), Some("s3cret"));
    assert!(!changed.applies_at_next_link, "a secret applies at once");
    assert!(
        !format!(
            "{change:?}",
            change = AccountChange {
                client_secret: Some("s3cret".into()),
                ..AccountChange::default()
            }
        )
        .contains("s3cret")
    );
}

#[test]
fn reserved_parameters_and_empty_values_are_refused() {
    let change = AccountChange {
        params: Some(vec![("state".into(), "x".into())]),
        ..AccountChange::default()
    };
    let err = change.changed(&account(), None).unwrap_err();
    assert!(
        matches!(
            err,
            NewAccountError::Invalid {
                field: Field::Params,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("`state`"), "{err}");
    let change = AccountChange {
        client_secret: Some(String::new()),
        ..AccountChange::default()
    };
    assert!(change.changed(&account(), None).is_err());
}

#[test]
fn endpoints_are_named_by_hand_and_an_empty_one_is_removed() {
    let url = "https://as.example/revoke";
    let change = AccountChange {
        endpoints: vec![
            (Endpoint::Revocation, url.into()),
            (
                Endpoint::Introspection,
                "https://as.example/introspect".into(),
            ),
        ],
        ..AccountChange::default()
    };
    let (updated, _, changed) = change.changed(&account(), None).unwrap();
    assert_eq!(
        updated.provider.revocation_endpoint().map(|u| u.as_str()),
        Some(url)
    );
    assert_eq!(
        changed.settings,
        [
            Setting::Endpoint(Endpoint::Revocation),
            Setting::Endpoint(Endpoint::Introspection)
        ]
    );
    assert!(!changed.applies_at_next_link);
    let removal = AccountChange {
        endpoints: vec![(Endpoint::Revocation, String::new())],
        ..AccountChange::default()
    };
    let (removed, _, changed) = removal.changed(&updated, None).unwrap();
    assert_eq!(removed.provider.revocation_endpoint(), None);
    assert_eq!(changed.settings, [Setting::Endpoint(Endpoint::Revocation)]);
    let same = AccountChange {
        endpoints: vec![(Endpoint::Revocation, String::new())],
        ..AccountChange::default()
    };
    assert!(same.changed(&removed, None).unwrap().2.settings.is_empty());
    let plain = AccountChange {
        endpoints: vec![(Endpoint::Userinfo, "http://as.example/me".into())],
        ..AccountChange::default()
    };
    assert!(
        plain.changed(&account(), None).is_err(),
        "the URL policy holds"
    );
}

#[test]
fn a_public_client_drops_its_secret() {
    let mut confidential = account();
    confidential.auth_method = AuthMethod::Basic;
    let change = AccountChange {
        auth_method: Some(AuthMethod::None),
        ..AccountChange::default()
    };
    let (updated, secret, changed) = change.changed(&confidential, Some("old".into())).unwrap();
    assert_eq!(updated.auth_method, AuthMethod::None);
    assert_eq!(secret, None);
    assert!(changed.secret_removed);
}

#[test]
fn scopes_are_split_replaced_added_and_removed() {
    let change = AccountChange {
        scopes: Some(vec!["openid profile".into()]),
        add_scopes: vec!["api email".into()],
        remove_scopes: vec!["profile".into()],
        ..AccountChange::default()
    };
    let (updated, _, changed) = change.changed(&account(), None).unwrap();
    assert_eq!(updated.scopes, ["openid", "api", "email"]);
    assert_eq!(changed.settings, [Setting::Scopes]);
    let typo = AccountChange {
        remove_scopes: vec!["emial".into()],
        ..AccountChange::default()
    };
    let err = typo.changed(&updated, None).unwrap_err();
    assert_eq!(err.field(), Some(Field::Scopes));
    assert!(err.to_string().contains("\"emial\""), "{err}");
    let same = AccountChange {
        add_scopes: vec!["api".into()],
        ..AccountChange::default()
    };
    assert!(same.changed(&updated, None).unwrap().2.settings.is_empty());
}

#[test]
fn a_new_client_id_or_token_endpoint_binds_a_new_grant() {
    let change = AccountChange {
        client_id: Some(" other-client ".into()),
        endpoints: vec![(Endpoint::Token, "https://as.example/v2/token".into())],
        ..AccountChange::default()
    };
    let (updated, _, changed) = change.changed(&account(), None).unwrap();
    assert_eq!(updated.client_id, "other-client");
    assert_eq!(
        updated.provider.token_endpoint().as_str(),
        "https://as.example/v2/token"
    );
    assert_eq!(
        changed.settings,
        [Setting::ClientId, Setting::Endpoint(Endpoint::Token)]
    );
    assert!(changed.settings.iter().all(|s| s.binds_the_grant()));
    assert!(
        changed.applies_at_next_link,
        "the client id is in the request"
    );
    assert!(!Setting::ApiUrl.binds_the_grant() && !Setting::ClientSecret.binds_the_grant());
    let empty = AccountChange {
        endpoints: vec![(Endpoint::Token, String::new())],
        ..AccountChange::default()
    };
    assert_eq!(
        empty.changed(&account(), None).unwrap_err().field(),
        Some(Field::TokenUrl)
    );
    let blank = AccountChange {
        client_id: Some("  ".into()),
        ..AccountChange::default()
    };
    assert_eq!(
        blank.changed(&account(), None).unwrap_err().field(),
        Some(Field::ClientId)
    );
}

#[test]
fn sharing_changes_no_grant_and_asking_for_what_is_already_so_changes_nothing() {
    let share = AccountChange {
        shared: Some(true),
        ..AccountChange::default()
    };
    let (updated, _, changed) = share.clone().changed(&account(), None).unwrap();
    assert!(updated.shared);
    assert_eq!(changed.settings, [Setting::Shared]);
    assert_eq!(changed.shared, Some(true));
    assert!(!changed.applies_at_next_link && !Setting::Shared.binds_the_grant());
    let (again, _, unchanged) = share.changed(&updated, None).unwrap();
    assert!(again.shared);
    assert!(unchanged.settings.is_empty() && unchanged.shared.is_none());
    let unshare = AccountChange {
        shared: Some(false),
        ..AccountChange::default()
    };
    let (updated, _, changed) = unshare.changed(&updated, None).unwrap();
    assert!(!updated.shared);
    assert_eq!(changed.shared, Some(false));
}
