//! What can be said about a new account before anything is asked of the network or the store:
//! every problem at once, each with the field it is about.

use super::input::{Field, NewAccount, NewAccountError, Source};
use crate::oauth::params::reserved_param_problem;
use crate::oauth::presets::Preset;
use crate::oauth::url_policy::UrlRole;
use crate::oauth::{self, Session};
use crate::store::accounts::{Account, validate_name};

impl NewAccount {
    /// Every problem that can be seen without the network or the store, in the form's order,
    /// each an error that knows its field ([`NewAccountError::field`]): a person fixes them all
    /// at once rather than one per attempt. [`NewAccount::create`] fails with the first.
    pub fn check(&self) -> Vec<NewAccountError> {
        let invalid = |field, message: String| NewAccountError::Invalid { field, message };
        let mut problems = Vec::new();
        if let Err(e) = validate_name(&self.name) {
            problems.push(e.into());
        }
        let mut url = |field, role, raw: &str| {
            if raw.trim().is_empty() {
                problems.push(invalid(field, format!("the {role} is required")));
            } else if let Err(e) = oauth::provider::endpoint_url(role, raw) {
                problems.push(e.into());
            }
        };
        match &self.source {
            Some(Source::Preset(id)) if Preset::find(id).is_none() => {
                problems.push(NewAccountError::UnknownPreset(id.clone()))
            }
            Some(Source::Preset(_)) => {}
            Some(Source::Issuer(issuer)) => url(Field::Source, UrlRole::Issuer, issuer),
            Some(Source::Custom { authorize, token }) => {
                url(
                    Field::AuthorizeUrl,
                    UrlRole::AuthorizationEndpoint,
                    authorize,
                );
                url(Field::TokenUrl, UrlRole::TokenEndpoint, token);
            }
            None => problems.push(invalid(
                Field::Source,
                "choose a preset, an OpenID Connect issuer, or custom endpoints".into(),
            )),
        }
        for (raw, role) in [
            (
                &self.device_authorization_url,
                UrlRole::DeviceAuthorizationEndpoint,
            ),
            (&self.revocation_url, UrlRole::RevocationEndpoint),
            (&self.userinfo_url, UrlRole::UserinfoEndpoint),
            (&self.introspection_url, UrlRole::IntrospectionEndpoint),
        ] {
            if let Some(raw) = raw.as_deref().filter(|u| !u.is_empty())
                && let Err(e) = oauth::provider::endpoint_url(role, raw)
            {
                problems.push(e.into());
            }
        }
        if self.client_id.trim().is_empty() {
            problems.push(invalid(
                Field::ClientId,
                "the client id is required: copy it from the provider's app registration".into(),
            ));
        }
        if let Some(redirect) = self.redirect_uri.as_deref().filter(|u| !u.is_empty())
            && let Err(e) = url::Url::parse(redirect.trim())
        {
            // The words the session builder uses for the same mistake.
            problems.push(
                oauth::Error::InvalidUrl {
                    what: UrlRole::Callback,
                    url: redirect.to_string(),
                    reason: format!("{e}; give the exact URL registered at the provider"),
                }
                .into(),
            );
        }
        if let Err(e) = check_params(self.params.iter().map(|(key, _)| key)) {
            problems.push(e);
        }
        if let Some(api_url) = self.api_url.as_deref().filter(|u| !u.is_empty())
            && let Err(e) = check_api_url(api_url)
        {
            problems.push(e);
        }
        problems
    }
}

/// Extra authorization parameters may not repeat one tokendeck sends itself.
pub(crate) fn check_params<'a>(
    keys: impl IntoIterator<Item = &'a String>,
) -> Result<(), NewAccountError> {
    match keys.into_iter().find_map(|key| reserved_param_problem(key)) {
        Some(message) => Err(NewAccountError::Invalid {
            field: Field::Params,
            message,
        }),
        None => Ok(()),
    }
}

pub(crate) fn check_api_url(api_url: &str) -> Result<(), NewAccountError> {
    // The URL policy: the account's token is sent there.
    oauth::url_policy::parse(UrlRole::Api, api_url)
        .map(drop)
        .map_err(|e| NewAccountError::Invalid {
            field: Field::ApiUrl,
            message: e.to_string(),
        })
}

/// The same checks a link will make, before anything is stored.
pub(crate) fn check_session(
    account: &Account,
    secret: Option<&str>,
) -> Result<(), NewAccountError> {
    let mut check = Session::builder(
        account.provider.clone(),
        &account.client_id,
        &account.redirect_uri,
    )
    .auth_method(account.auth_method);
    for (key, value) in &account.params {
        check = check.authorize_param(key, value);
    }
    if let Some(secret) = secret {
        check = check.client_secret(secret);
    }
    check.build()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Microsoft preset once called back on 127.0.0.1:8765 while the README said to register
    /// `http://localhost`: Entra would refuse every link. What the README says to register must
    /// be the preset's callback, give or take the port (which Entra ignores on loopback).
    #[test]
    fn the_microsoft_callback_is_the_one_the_readme_says_to_register() {
        let readme = include_str!("../../../README.md");
        let section = readme
            .split("- **Microsoft**")
            .nth(1)
            .and_then(|s| s.split("- **").next())
            .expect("the README has a Microsoft section");
        let registered = section
            .split("redirect URI `")
            .nth(1)
            .and_then(|s| s.split('`').next())
            .expect("the section names the redirect URI to register");
        let preset = Preset::find("microsoft").expect("a Microsoft preset");
        let callback = preset.redirect_uri.expect("the preset names its callback");
        let mut without_port = url::Url::parse(&callback).expect("a URL");
        without_port.set_port(None).expect("http has ports");
        assert_eq!(without_port.as_str(), registered);
        assert!(
            section.contains(&format!("`{callback}`")),
            "the README names the preset's callback"
        );
        let mut request = NewAccount {
            name: "work".into(),
            source: Some(Source::Preset("microsoft".into())),
            client_id: "id".into(),
            ..NewAccount::default()
        };
        assert!(request.check().is_empty());
        request.redirect_uri = Some("not a url".into());
        assert_eq!(request.check()[0].field(), Some(Field::RedirectUri));
    }

    /// Every problem at once, each with its own field: the form shows them all beside their
    /// fields instead of one per Enter.
    #[test]
    fn check_finds_every_problem_with_its_field() {
        let request = NewAccount {
            name: ".hidden".into(),
            source: Some(Source::Custom {
                authorize: "not a url".into(),
                token: "http://as.example/token".into(),
            }),
            client_id: " ".into(),
            client_secret: None,
            redirect_uri: Some("::".into()),
            scopes: None,
            params: vec![("state".into(), "x".into())],
            auth_method: None,
            api_url: Some("http://api.example/me".into()),
            mail_user: None,
            device_authorization_url: None,
            revocation_url: None,
            userinfo_url: None,
            introspection_url: None,
            hooks: Default::default(),
            refresh_token_lifetime: None,
            shared: false,
            ..Default::default()
        };
        let fields: Vec<Option<Field>> = request.check().iter().map(|e| e.field()).collect();
        assert_eq!(
            fields,
            [
                Field::Name,
                Field::AuthorizeUrl,
                Field::TokenUrl,
                Field::ClientId,
                Field::RedirectUri,
                Field::Params,
                Field::ApiUrl,
            ]
            .map(Some)
        );
        let issuer = NewAccount {
            name: "ok".into(),
            source: Some(Source::Issuer(String::new())),
            client_id: "id".into(),
            ..NewAccount::default()
        };
        let problems = issuer.check();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field(), Some(Field::Source));
        assert_eq!(problems[0].to_string(), "the issuer is required");
    }
}
