//! What the add form makes of the answer to its submission: the account was added (back to the
//! accounts, the new one selected, with what to do next), or why not, beside the field at fault.

use crate::store::new_account::Field;
use crate::tui::app::{App, NoticeKind, Screen};
use crate::tui::message::Effect;

use super::Input;

pub(crate) fn added(app: &mut App, name: String) -> Vec<Effect> {
    app.screen = Screen::Accounts;
    let text = format!("Added {name}. Press l to link it.");
    if !app.select(&name) {
        app.select_when_listed = Some(name.clone());
    }
    app.revealed = None;
    app.notify_about(&name, NoticeKind::Good, text);
    vec![Effect::LoadAccounts]
}

/// The account could not be made: the error goes beside `field` (the provider's, when the error
/// names none), and the focus with it.
pub(crate) fn failed(app: &mut App, field: Option<Field>, message: String) -> Vec<Effect> {
    if let Screen::Add(form) = &mut app.screen {
        form.submitting = false;
        let input = field.map_or(Input::Provider, |f| form.input_for(f));
        form.errors.insert(input, message);
        form.focus = form.inputs().iter().position(|i| *i == input).unwrap_or(0);
    }
    Vec::new()
}
