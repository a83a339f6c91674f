//! What keys and pastes do in the add form (and the same form editing an account): move between
//! fields, choose the provider, edit the focused field, and submit — checked first, every problem
//! beside its own field.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{AddForm, Input};
use crate::tui::app::{App, NoticeKind, Overlay, Screen};
use crate::tui::keymap::{self, Action, Context};
use crate::tui::message::Effect;
use crate::tui::words;

impl AddForm {
    /// Whose keys the form has: adding's, or editing's.
    pub fn context(&self) -> Context {
        match self.editing() {
            Some(_) => Context::Edit,
            None => Context::Add,
        }
    }
}

pub(crate) fn on_key(app: &mut App, key: &KeyEvent) -> Vec<Effect> {
    let Screen::Add(form) = &mut app.screen else {
        return Vec::new();
    };
    if form.submitting {
        return Vec::new();
    }
    let on_provider = form.focused() == Input::Provider;
    let on_shared = form.focused() == Input::Shared;
    match keymap::action(form.context(), key) {
        Some(Action::NextField) => form.move_focus(true),
        Some(Action::PrevField) => form.move_focus(false),
        Some(Action::NextChoice) if on_provider => form.cycle_choice(true),
        Some(Action::PrevChoice) if on_provider => form.cycle_choice(false),
        Some(Action::NextChoice | Action::PrevChoice | Action::Toggle) if on_shared => {
            form.shared = !form.shared;
        }
        Some(Action::Clear) => {
            let input = form.focused();
            form.input_mut(input).clear();
            form.errors.remove(&input);
            form.replacing = false;
        }
        Some(Action::Submit) if form.editing().is_some() => return save(app),
        Some(Action::Submit) => match form.request() {
            Ok(request) => {
                form.errors.clear();
                form.submitting = true;
                return vec![Effect::Add(Box::new(request))];
            }
            Err(errors) => show_errors(form, errors),
        },
        Some(Action::Back) => {
            // Said, so that an older notice (an earlier save's) is not read as this edit's.
            if let Some(name) = form.editing().map(str::to_string) {
                app.notify_about(&name, NoticeKind::Info, words::edit_cancelled(&name));
            }
            app.screen = Screen::Accounts;
        }
        Some(Action::Help) => app.overlay = Some(Overlay::Help(0)),
        _ if !form.on_choice() => type_into(form, key),
        _ => {}
    }
    Vec::new()
}

/// A key into the focused field. While its text is taken whole, a character or a deletion
/// replaces all of it, and any other key (a caret move) lets it be edited in place.
fn type_into(form: &mut AddForm, key: &KeyEvent) {
    let input = form.focused();
    let field = form.values.entry(input).or_default();
    if std::mem::take(&mut form.replacing) {
        let typed = matches!(key.code, KeyCode::Char(_))
            && !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        match key.code {
            KeyCode::Backspace | KeyCode::Delete => {
                field.clear();
                form.errors.remove(&input);
                return;
            }
            _ if typed => field.clear(),
            _ => {}
        }
    }
    if field.handle(key) {
        form.errors.remove(&input);
    }
}

/// Enter on the edit form: what differs from the account is given to the set use case; nothing
/// changed goes back at once, saying so.
fn save(app: &mut App) -> Vec<Effect> {
    let Screen::Add(form) = &mut app.screen else {
        return Vec::new();
    };
    let Some(name) = form.editing().map(str::to_string) else {
        return Vec::new();
    };
    match form.change() {
        Ok(change) if change.is_empty() => {
            app.screen = Screen::Accounts;
            app.notify_about(&name, NoticeKind::Info, words::nothing_changed(&name));
            Vec::new()
        }
        Ok(change) => {
            form.errors.clear();
            form.submitting = true;
            vec![Effect::Edit {
                name,
                change: Box::new(change),
            }]
        }
        Err(errors) => {
            show_errors(form, errors);
            Vec::new()
        }
    }
}

/// The errors beside their fields, the focus on the first of them.
fn show_errors(form: &mut AddForm, errors: std::collections::HashMap<Input, String>) {
    let inputs = form.inputs();
    form.focus = inputs
        .iter()
        .position(|i| errors.contains_key(i))
        .unwrap_or(form.focus);
    form.errors = errors;
    form.replacing = false;
}

/// A paste goes into the focused field (a choice takes none); into a field taken
/// whole, it replaces the text.
pub(crate) fn on_paste(app: &mut App, text: &str) {
    if let Screen::Add(form) = &mut app.screen
        && !form.on_choice()
    {
        let input = form.focused();
        if std::mem::take(&mut form.replacing) {
            form.input_mut(input).clear();
        }
        form.input_mut(input).insert_str(text.trim());
        form.errors.remove(&input);
    }
}
