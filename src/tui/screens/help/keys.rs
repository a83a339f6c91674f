//! What keys do in the help overlay: scroll it, or close it.

use crossterm::event::KeyEvent;

use crate::tui::app::{App, Overlay};
use crate::tui::keymap::{self, Action, Context};
use crate::tui::message::Effect;

pub(crate) fn on_key(app: &mut App, key: &KeyEvent) -> Vec<Effect> {
    let Some(Overlay::Help(scroll)) = app.overlay else {
        return Vec::new();
    };
    match keymap::action(Context::Help, key) {
        Some(Action::Back) => app.overlay = None,
        Some(Action::Up) => app.overlay = Some(Overlay::Help(scroll.saturating_sub(1))),
        Some(Action::Down) => app.overlay = Some(Overlay::Help(scroll.saturating_add(1))),
        _ => {}
    }
    Vec::new()
}
