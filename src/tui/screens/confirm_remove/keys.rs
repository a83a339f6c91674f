//! What keys do in the remove dialog: yes removes (the runner revokes, then deletes), no keeps.

use crossterm::event::KeyEvent;

use crate::tui::app::{App, Overlay};
use crate::tui::keymap::{self, Action, Context};
use crate::tui::message::Effect;

pub(crate) fn on_key(app: &mut App, key: &KeyEvent) -> Vec<Effect> {
    let Some(Overlay::ConfirmRemove(name)) = &app.overlay else {
        return Vec::new();
    };
    match keymap::action(Context::Confirm, key) {
        Some(Action::Confirm) => {
            let name = name.clone();
            app.overlay = None;
            vec![Effect::Remove(name)]
        }
        Some(Action::Back) => {
            app.overlay = None;
            Vec::new()
        }
        _ => Vec::new(),
    }
}
