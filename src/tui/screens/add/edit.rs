//! The add form as an editor (`e` on an account): filled in from the account, the client id
//! first, and on Enter only what was changed given to the set use case — which checks it by the
//! same rules as `tokendeck set` and says which changes the held grant was not made under.

use std::collections::{BTreeMap, HashMap};

use super::{AddForm, Choice, Input, Purpose};
use crate::app::set::{AccountChange, Endpoint};
use crate::store::Account;
use crate::store::scopes::split_scopes;
use crate::tui::widgets::input::TextInput;

impl AddForm {
    /// The form for changing `name`'s settings, filled in from `account`, the client id focused
    /// and taken whole (typing replaces it). The client secret stays empty: it is in the keyring,
    /// and left empty it stays as it is.
    pub fn edit(name: &str, account: &Account) -> AddForm {
        let mut form = AddForm::new();
        form.choice = form
            .choices
            .iter()
            .position(|c| matches!(c, Choice::Preset { id, .. } if *id == account.kind))
            .or_else(|| form.choices.iter().position(|c| *c == Choice::Custom))
            .unwrap_or(0);
        let provider = &account.provider;
        let filled = [
            (Input::ClientId, account.client_id.clone()),
            (
                Input::AuthorizeUrl,
                provider.authorization_endpoint().to_string(),
            ),
            (Input::TokenUrl, provider.token_endpoint().to_string()),
            (Input::RedirectUri, account.redirect_uri.clone()),
            (Input::Scopes, account.scopes.join(" ")),
            (Input::Params, params_text(&account.params)),
            (Input::ApiUrl, account.api_url.clone().unwrap_or_default()),
        ];
        form.values = filled
            .into_iter()
            .map(|(input, text)| (input, TextInput::with_text(&text)))
            .collect();
        form.purpose = Purpose::Edit {
            name: name.to_string(),
            account: Box::new(account.clone()),
        };
        form.shared = account.shared;
        form.focus = 0;
        form.replacing = !form.value(Input::ClientId).is_empty();
        form
    }

    /// What is said beside the focused field: a secret left empty stays as it is when editing.
    pub fn hint(&self, input: Input) -> &'static str {
        match (&self.purpose, input) {
            (Purpose::Edit { .. }, Input::ClientSecret) => "left empty, the stored one stays",
            (_, Input::RedirectUri) if self.any_port() => {
                "port 0: a free one at each link; register it without the port"
            }
            _ => input.hint(),
        }
    }

    /// Whether the callback URL asks for any free port (`:0`), which is registered without it.
    pub fn any_port(&self) -> bool {
        self.value(Input::RedirectUri).contains(":0/")
    }

    /// The name of the account edited, if the form edits one.
    pub fn editing(&self) -> Option<&str> {
        match &self.purpose {
            Purpose::Edit { name, .. } => Some(name),
            Purpose::Add => None,
        }
    }

    /// What the form changes in the account it was filled from: only the settings that differ,
    /// so that the set use case tells of those alone. A parameter that is not `key=value` is an
    /// error beside its field; the rest is checked by the set use case.
    pub fn change(&self) -> Result<AccountChange, HashMap<Input, String>> {
        let Purpose::Edit { account, .. } = &self.purpose else {
            return Ok(AccountChange::default());
        };
        let value = |input| self.value(input).trim().to_string();
        let differs = |input, was: &str| Some(value(input)).filter(|now| now != was);
        let mut errors = HashMap::new();
        let params = self.params(&mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        let provider = &account.provider;
        let endpoints = [
            (
                Endpoint::Authorization,
                differs(
                    Input::AuthorizeUrl,
                    provider.authorization_endpoint().as_str(),
                ),
            ),
            (
                Endpoint::Token,
                differs(Input::TokenUrl, provider.token_endpoint().as_str()),
            ),
        ];
        let scopes = split_scopes([value(Input::Scopes)]);
        let params_now: BTreeMap<String, String> = params.iter().cloned().collect();
        Ok(AccountChange {
            client_id: differs(Input::ClientId, &account.client_id),
            // Not trimmed: a secret is taken as typed; empty leaves the stored one.
            client_secret: Some(self.value(Input::ClientSecret).to_string())
                .filter(|s| !s.is_empty()),
            scopes: (scopes != account.scopes).then_some(scopes),
            params: (params_now != account.params).then_some(params),
            redirect_uri: differs(Input::RedirectUri, &account.redirect_uri),
            api_url: differs(Input::ApiUrl, account.api_url.as_deref().unwrap_or("")),
            shared: (self.shared != account.shared).then_some(self.shared),
            endpoints: endpoints
                .into_iter()
                .filter_map(|(endpoint, url)| Some((endpoint, url?)))
                .collect(),
            ..AccountChange::default()
        })
    }
}

/// The parameters as the field shows them: `key=value`, separated by spaces.
fn params_text(params: &BTreeMap<String, String>) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> Account {
        crate::store::accounts::tests::account()
    }

    #[test]
    fn an_untouched_form_changes_nothing() {
        let form = AddForm::edit("work", &account());
        assert_eq!(form.focused(), Input::ClientId);
        assert!(form.change().expect("valid").is_empty());
    }

    #[test]
    fn only_what_differs_is_changed_and_scopes_split_on_whitespace() {
        let mut form = AddForm::edit("work", &account());
        form.set(Input::Scopes, "  openid\tprofile  api openid ");
        let change = form.change().expect("valid");
        assert_eq!(
            change.scopes.as_deref(),
            Some(&["openid".to_string(), "profile".into(), "api".into()][..])
        );
        assert!(change.client_id.is_none() && change.endpoints.is_empty());
        assert!(change.params.is_none() && change.redirect_uri.is_none());
        assert!(change.shared.is_none());
    }

    #[test]
    fn the_shared_choice_starts_as_the_account_has_it_and_a_switch_is_a_change() {
        let mut form = AddForm::edit("work", &account());
        assert!(!form.shared);
        form.shared = true;
        assert_eq!(form.change().expect("valid").shared, Some(true));
        let mut shared = account();
        shared.shared = true;
        let mut form = AddForm::edit("work", &shared);
        assert!(form.shared && form.change().expect("valid").is_empty());
        form.shared = false;
        assert_eq!(form.change().expect("valid").shared, Some(false));
    }
}
