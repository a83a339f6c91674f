//! The "Add account" form: a provider picker, then the fields that provider needs. Presets fill
//! in their defaults; errors are shown beside the field they are about. The same form, filled in,
//! edits an existing account's settings (`edit`).

pub(crate) mod edit;
pub(crate) mod keys;
pub(crate) mod update;
pub(crate) mod view;

use std::collections::HashMap;

use crate::oauth::presets::Preset;
use crate::store::new_account::{DEFAULT_REDIRECT_URI, Field, NewAccount, Source};
use crate::store::scopes::split_scopes;
use crate::tui::widgets::input::TextInput;
use crate::tui::words;

use crate::store::Account;

/// What the provider picker offers: the presets, then discovery and custom endpoints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Choice {
    Preset { id: String, name: String },
    Issuer,
    Custom,
}

impl Choice {
    /// The presets in the asset file's order, then discovery and custom endpoints.
    pub fn all() -> Vec<Choice> {
        let mut choices: Vec<Choice> = Preset::all()
            .into_iter()
            .map(|p| Choice::Preset {
                id: p.id,
                name: p.name,
            })
            .collect();
        choices.push(Choice::Issuer);
        choices.push(Choice::Custom);
        choices
    }

    pub fn label(&self) -> &str {
        match self {
            Choice::Preset { name, .. } => name,
            Choice::Issuer => "OpenID Connect issuer (discovery)",
            Choice::Custom => "Custom endpoints",
        }
    }
}

/// One input of the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Input {
    Provider,
    Name,
    Issuer,
    AuthorizeUrl,
    TokenUrl,
    ClientId,
    ClientSecret,
    RedirectUri,
    Scopes,
    Params,
    ApiUrl,
    /// Whether share.sock (`daemon --share`) hands out its access tokens: a yes/no choice.
    Shared,
}

impl Input {
    pub fn label(self) -> &'static str {
        match self {
            Input::Provider => "Provider",
            Input::Name => "Name",
            Input::Issuer => "Issuer URL",
            Input::AuthorizeUrl => "Authorization URL",
            Input::TokenUrl => "Token URL",
            Input::ClientId => "Client ID",
            Input::ClientSecret => "Client secret",
            Input::RedirectUri => "Callback URL",
            Input::Scopes => "Scopes",
            Input::Params => "Extra parameters",
            Input::ApiUrl => "API URL (for t)",
            Input::Shared => "Shared over ssh",
        }
    }

    pub fn hint(self) -> &'static str {
        match self {
            Input::Provider => "←/→ to choose",
            Input::Name => "letters, digits, . _ -",
            Input::ClientSecret => "optional; stored in the keyring",
            Input::Scopes => "separated by spaces",
            Input::Params => "key=value, separated by spaces",
            Input::ApiUrl => "optional",
            Input::Shared => "Space: yes/no (daemon --share)",
            _ => "",
        }
    }
}

/// What the form is for.
#[derive(Clone, Debug, PartialEq)]
pub enum Purpose {
    Add,
    /// Changing the account called `name`, which read `account` when the form opened: what is
    /// changed is what differs from it.
    Edit {
        name: String,
        account: Box<Account>,
    },
}

/// The fields an account's settings are edited in, in order. No provider picker and no name:
/// `set` changes neither. The endpoints are there for every account, since `set` can name them
/// beside a preset too.
const EDIT_INPUTS: [Input; 9] = [
    Input::ClientId,
    Input::ClientSecret,
    Input::AuthorizeUrl,
    Input::TokenUrl,
    Input::RedirectUri,
    Input::Scopes,
    Input::Params,
    Input::ApiUrl,
    Input::Shared,
];

pub struct AddForm {
    /// Adding an account, or editing one.
    pub purpose: Purpose,
    pub choices: Vec<Choice>,
    pub choice: usize,
    pub values: HashMap<Input, TextInput>,
    pub focus: usize,
    /// The shared choice (`Input::Shared`); off for a new account, as with `add`.
    pub shared: bool,
    pub errors: HashMap<Input, String>,
    pub submitting: bool,
    /// The focused field's text is taken whole: typing replaces it (as a selected text would
    /// be), a move of the caret keeps it. Only where the form came filled in, when editing.
    pub replacing: bool,
}

impl AddForm {
    pub fn new() -> AddForm {
        let mut form = AddForm {
            purpose: Purpose::Add,
            choices: Choice::all(),
            choice: 0,
            values: HashMap::new(),
            focus: 0,
            shared: false,
            errors: HashMap::new(),
            submitting: false,
            replacing: false,
        };
        form.apply_preset();
        form
    }

    /// The inputs shown for the current choice, in order.
    pub fn inputs(&self) -> Vec<Input> {
        if let Purpose::Edit { .. } = self.purpose {
            return EDIT_INPUTS.to_vec();
        }
        let mut inputs = vec![Input::Provider, Input::Name];
        match self.choices[self.choice] {
            Choice::Issuer => inputs.push(Input::Issuer),
            Choice::Custom => inputs.extend([Input::AuthorizeUrl, Input::TokenUrl]),
            Choice::Preset { .. } => {}
        }
        inputs.extend([
            Input::ClientId,
            Input::ClientSecret,
            Input::RedirectUri,
            Input::Scopes,
            Input::Params,
            Input::ApiUrl,
            Input::Shared,
        ]);
        inputs
    }

    pub fn focused(&self) -> Input {
        let inputs = self.inputs();
        inputs[self.focus.min(inputs.len() - 1)]
    }

    pub fn value(&self, input: Input) -> &str {
        self.values.get(&input).map_or("", TextInput::text)
    }

    pub fn input_mut(&mut self, input: Input) -> &mut TextInput {
        self.values.entry(input).or_default()
    }

    fn set(&mut self, input: Input, text: &str) {
        self.values.insert(input, TextInput::with_text(text));
    }

    pub fn move_focus(&mut self, forward: bool) {
        let count = self.inputs().len();
        self.focus = if forward {
            (self.focus + 1) % count
        } else {
            (self.focus + count - 1) % count
        };
        self.replacing = self.is_edit() && !self.value(self.focused()).is_empty();
    }

    /// Whether the focused field is a choice (the provider, shared or not) rather than text.
    pub fn on_choice(&self) -> bool {
        matches!(self.focused(), Input::Provider | Input::Shared)
    }

    pub fn is_edit(&self) -> bool {
        matches!(self.purpose, Purpose::Edit { .. })
    }

    pub fn cycle_choice(&mut self, forward: bool) {
        let count = self.choices.len();
        self.choice = if forward {
            (self.choice + 1) % count
        } else {
            (self.choice + count - 1) % count
        };
        self.apply_preset();
    }

    /// A preset's callback, scopes, parameters and API URL become the fields' starting values.
    fn apply_preset(&mut self) {
        let preset = match &self.choices[self.choice] {
            Choice::Preset { id, .. } => Preset::find(id),
            _ => None,
        };
        let scopes = preset
            .as_ref()
            .map(|p| p.scopes.join(" "))
            .unwrap_or_default();
        let params = preset
            .as_ref()
            .map(|p| {
                p.params
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default();
        let redirect = preset
            .as_ref()
            .and_then(|p| p.redirect_uri.clone())
            .unwrap_or_else(|| DEFAULT_REDIRECT_URI.to_string());
        let api = preset.and_then(|p| p.api_url).unwrap_or_default();
        self.set(Input::RedirectUri, &redirect);
        self.set(Input::Scopes, &scopes);
        self.set(Input::Params, &params);
        self.set(Input::ApiUrl, &api);
        self.errors.clear();
    }

    /// What the form says, checked as far as it can be without I/O: every problem at once,
    /// each beside its own field.
    pub fn request(&self) -> Result<NewAccount, HashMap<Input, String>> {
        let value = |input| self.value(input).trim().to_string();
        let source = match &self.choices[self.choice] {
            Choice::Preset { id, .. } => Source::Preset(id.clone()),
            Choice::Issuer => Source::Issuer(value(Input::Issuer)),
            Choice::Custom => Source::Custom {
                authorize: value(Input::AuthorizeUrl),
                token: value(Input::TokenUrl),
            },
        };
        let mut errors = HashMap::new();
        let params = self.params(&mut errors);
        let request = NewAccount {
            name: value(Input::Name),
            source: Some(source),
            client_id: value(Input::ClientId),
            client_secret: Some(self.value(Input::ClientSecret).to_string())
                .filter(|s| !s.is_empty()),
            redirect_uri: Some(value(Input::RedirectUri)),
            scopes: Some(split_scopes([value(Input::Scopes)])),
            params,
            auth_method: None,
            api_url: Some(value(Input::ApiUrl)).filter(|s| !s.is_empty()),
            mail_user: None,
            device_authorization_url: None,
            revocation_url: None,
            userinfo_url: None,
            introspection_url: None,
            hooks: Default::default(),
            refresh_token_lifetime: None,
            shared: self.shared,
            ..Default::default()
        };
        if value(Input::RedirectUri).is_empty() {
            errors.insert(
                Input::RedirectUri,
                "the callback URL is required: the one registered at the provider".into(),
            );
        }
        for problem in request.check() {
            let input = problem
                .field()
                .map_or(Input::Provider, |f| self.input_for(f));
            errors
                .entry(input)
                .or_insert_with(|| words::add_failed(&problem));
        }
        if errors.is_empty() {
            Ok(request)
        } else {
            Err(errors)
        }
    }

    /// The extra parameters as typed, `key=value` pairs; a pair that is not one is an error
    /// beside the field.
    fn params(&self, errors: &mut HashMap<Input, String>) -> Vec<(String, String)> {
        let mut params = Vec::new();
        for pair in self.value(Input::Params).split_whitespace() {
            match pair.split_once('=') {
                // A preset's blank (`deviceid=`) is a hint, not a value.
                Some((k, "")) if !k.is_empty() => {}
                Some((k, v)) if !k.is_empty() => params.push((k.to_string(), v.to_string())),
                _ => {
                    errors
                        .entry(Input::Params)
                        .or_insert(format!("{pair:?} is not key=value"));
                }
            }
        }
        params
    }

    /// Where an error from creating (or changing) the account belongs.
    pub fn input_for(&self, field: Field) -> Input {
        let editing = self.is_edit();
        match field {
            // Editing has every endpoint on the form, and no name (nor would `set` name one).
            Field::Name if editing => Input::ClientId,
            Field::Name => Input::Name,
            Field::AuthorizeUrl if editing => Input::AuthorizeUrl,
            Field::TokenUrl | Field::Source if editing => Input::TokenUrl,
            Field::AuthorizeUrl | Field::TokenUrl | Field::Source => {
                match (self.choices[self.choice].clone(), field) {
                    (Choice::Custom, Field::AuthorizeUrl) => Input::AuthorizeUrl,
                    (Choice::Custom, _) => Input::TokenUrl,
                    (Choice::Issuer, _) => Input::Issuer,
                    // A preset's or a discovered endpoint: only the provider can be changed.
                    (Choice::Preset { .. }, _) => Input::Provider,
                }
            }
            Field::ClientId => Input::ClientId,
            Field::ClientSecret => Input::ClientSecret,
            Field::RedirectUri => Input::RedirectUri,
            Field::Scopes => Input::Scopes,
            Field::Params => Input::Params,
            Field::ApiUrl => Input::ApiUrl,
        }
    }
}

/// The values stay out: one of them is a client secret.
impl std::fmt::Debug for AddForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AddForm")
            .field("purpose", &self.purpose)
            .field("choice", &self.choices[self.choice])
            .field("focus", &self.focused())
            .field("errors", &self.errors)
            .field("submitting", &self.submitting)
            .finish_non_exhaustive()
    }
}

impl Default for AddForm {
    fn default() -> Self {
        AddForm::new()
    }
}

#[cfg(test)]
mod tests;
