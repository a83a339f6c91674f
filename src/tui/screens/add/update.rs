//! What the add form makes of the answer to its submission: the account was added (back to the
//! accounts, the new one selected, with what to do next) or changed (back, saying what follows
//! from the change), or why not, beside the field at fault.

use crate::app::git::Claim;
use crate::app::set::Changed;
use crate::store::new_account::Field;
use crate::tui::app::{App, NoticeKind, Screen};
use crate::tui::message::Effect;
use crate::tui::words;

use super::{Choice, Input};

pub(crate) fn added(
    app: &mut App,
    name: String,
    git: &[Claim],
    secret_required_by: Option<&str>,
) -> Vec<Effect> {
    app.screen = Screen::Accounts;
    let mut text = words::added(&name, git);
    let kind = match secret_required_by {
        Some(provider) => {
            text.push(' ');
            text.push_str(&words::client_secret_needed(provider));
            NoticeKind::Warning
        }
        None => NoticeKind::Good,
    };
    if !app.select(&name) {
        app.select_when_listed = Some(name.clone());
    }
    app.revealed = None;
    app.notify_about(&name, kind, text);
    vec![Effect::LoadAccounts]
}

/// The account's settings changed: back to the accounts, which are read again, with what the
/// change means for the tokens held — a warning when the grant was made under the old settings.
pub(crate) fn edited(app: &mut App, name: &str, changed: &Changed) -> Vec<Effect> {
    app.screen = Screen::Accounts;
    app.select(name);
    let kind = match changed.grant_made_under_old.is_empty() {
        true => NoticeKind::Good,
        false => NoticeKind::Warning,
    };
    app.notify_about(name, kind, words::edited(name, changed));
    vec![Effect::LoadAccounts]
}

/// The account could not be made (or changed): the error goes beside `field` (the provider's,
/// or when editing the focused one, when the error names none), and the focus with it.
pub(crate) fn failed(app: &mut App, field: Option<Field>, message: String) -> Vec<Effect> {
    if let Screen::Add(form) = &mut app.screen {
        form.submitting = false;
        // Editing has no provider field: an error about no field stays where the focus is.
        let input = match field {
            Some(f) => form.input_for(f),
            None if form.is_edit() => form.focused(),
            // Discovery failed: the issuer URL typed is what to look at.
            None if form.choices[form.choice] == Choice::Issuer => Input::Issuer,
            None => Input::Provider,
        };
        form.errors.insert(input, message);
        form.focus = form.inputs().iter().position(|i| *i == input).unwrap_or(0);
    }
    Vec::new()
}
