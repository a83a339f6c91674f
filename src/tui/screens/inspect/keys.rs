//! What keys do on the inspect screen: scroll the report, read it again, or ask the provider's
//! introspection endpoint too (never twice at once).

use crossterm::event::KeyEvent;

use super::Inspection;
use crate::tui::app::{App, Overlay, Screen};
use crate::tui::keymap::{self, Action, Context};
use crate::tui::message::Effect;

pub(crate) fn on_key(app: &mut App, key: &KeyEvent) -> Vec<Effect> {
    let page = app.size.1.saturating_sub(6).max(1);
    let Screen::Inspect(screen) = &mut app.screen else {
        return Vec::new();
    };
    match keymap::action(Context::Inspect, key) {
        Some(Action::Down) => screen.scroll = screen.scroll.saturating_add(1),
        Some(Action::Up) => screen.scroll = screen.scroll.saturating_sub(1),
        Some(Action::PageDown) => screen.scroll = screen.scroll.saturating_add(page),
        Some(Action::PageUp) => screen.scroll = screen.scroll.saturating_sub(page),
        Some(Action::First) => screen.scroll = 0,
        // The view brings an overshoot back to the last page.
        Some(Action::Last) => screen.scroll = u16::MAX,
        Some(Action::Introspect | Action::Reread) if screen.busy() => {}
        Some(action @ (Action::Introspect | Action::Reread)) => {
            let introspect = action == Action::Introspect;
            screen.introspecting = introspect;
            if !introspect {
                screen.report = Inspection::Reading;
            }
            return vec![Effect::Inspect {
                name: screen.name.clone(),
                introspect,
            }];
        }
        Some(Action::Help) => app.overlay = Some(Overlay::Help(0)),
        Some(Action::Back) => app.screen = Screen::Accounts,
        _ => {}
    }
    Vec::new()
}
