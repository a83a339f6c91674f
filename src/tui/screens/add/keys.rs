//! What keys and pastes do in the add form: move between fields, choose the provider, edit the
//! focused field, and submit — checked first, every problem beside its own field.

use crossterm::event::KeyEvent;

use super::Input;
use crate::tui::app::{App, Overlay, Screen};
use crate::tui::keymap::{self, Action, Context};
use crate::tui::message::Effect;

pub(crate) fn on_key(app: &mut App, key: &KeyEvent) -> Vec<Effect> {
    let Screen::Add(form) = &mut app.screen else {
        return Vec::new();
    };
    if form.submitting {
        return Vec::new();
    }
    let on_provider = form.focused() == Input::Provider;
    match keymap::action(Context::Add, key) {
        Some(Action::NextField) => form.move_focus(true),
        Some(Action::PrevField) => form.move_focus(false),
        Some(Action::NextChoice) if on_provider => form.cycle_choice(true),
        Some(Action::PrevChoice) if on_provider => form.cycle_choice(false),
        Some(Action::Submit) => match form.request() {
            Ok(request) => {
                form.errors.clear();
                form.submitting = true;
                return vec![Effect::Add(Box::new(request))];
            }
            Err(errors) => {
                let inputs = form.inputs();
                form.focus = inputs
                    .iter()
                    .position(|i| errors.contains_key(i))
                    .unwrap_or(form.focus);
                form.errors = errors;
            }
        },
        Some(Action::Back) => app.screen = Screen::Accounts,
        Some(Action::Help) => app.overlay = Some(Overlay::Help(0)),
        _ if !on_provider => {
            let input = form.focused();
            if form.input_mut(input).handle(key) {
                form.errors.remove(&input);
            }
        }
        _ => {}
    }
    Vec::new()
}

/// A paste goes into the focused field (the provider picker takes none).
pub(crate) fn on_paste(app: &mut App, text: &str) {
    if let Screen::Add(form) = &mut app.screen
        && form.focused() != Input::Provider
    {
        let input = form.focused();
        form.input_mut(input).insert_str(text.trim());
    }
}
